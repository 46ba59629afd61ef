/* The service table (core/service.h). */
#include "core/service.h"

#include <stdbool.h>

extern const struct service *const __start_anyvm_services[] __attribute__((weak));
extern const struct service *const __stop_anyvm_services[] __attribute__((weak));

static bool started, stopped;

void services_start(void)
{
    if (started)
        return;
    started = true;
    for (const struct service *const *s = __start_anyvm_services; s < __stop_anyvm_services; s++)
        if ((*s)->start)
            (*s)->start();
}

void services_stop(void)
{
    if (!started || stopped)
        return;
    stopped = true;
    for (const struct service *const *s = __stop_anyvm_services; s > __start_anyvm_services;)
        if ((*--s)->stop)
            (*s)->stop();
}
