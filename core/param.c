/* Kernel parameters from the linker table (core/param.h). */
#include "core/param.h"

#include <stdbool.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "core/platform.h"
#include "klib/number.h"

/* The linker table (arch/x86_64/kernel.ld; GNU ld's __start_/__stop_ symbols
 * in host builds). Weak: an image may declare none. */
extern const struct kernel_param *const __start_anyvm_params[] __attribute__((weak));
extern const struct kernel_param *const __stop_anyvm_params[] __attribute__((weak));

const struct kernel_param *const *param_table(unsigned *count)
{
    *count = (unsigned)(__stop_anyvm_params - __start_anyvm_params);
    return __start_anyvm_params;
}

const struct kernel_param *param_find(const char *name)
{
    for (const struct kernel_param *const *p = __start_anyvm_params; p < __stop_anyvm_params; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

const char *param_value(const struct kernel_param *p)
{
    const struct cmdline *cl = platform_cmdline();
    return cl ? cmdline_get(cl, p->name) : NULL;
}

bool param_present(const struct kernel_param *p)
{
    return param_value(p) != NULL;
}

uint64_t param_uint(const struct kernel_param *p, uint64_t def, uint64_t min, uint64_t max)
{
    const char *v = param_value(p);
    if (v == NULL)
        return def;
    const char *end;
    bool overflow;
    uint64_t x = kstrtou64(v, &end, 0, &overflow);
    if (end == v || *end != '\0' || overflow || x < min || x > max) {
        kprintf("anyvm: %s=%s ignored: expected a number from %llu to %llu\n", p->name, v,
                (unsigned long long)min, (unsigned long long)max);
        return def;
    }
    return x;
}
