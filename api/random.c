/* anyvm/random.h on the kernel's random source (dev/random.h). */
#include <anyvm/random.h>

#include <string.h>

#include "api/app_errno.h"
#include "dev/random.h"
#include "klib/format.h"

_Static_assert(RANDOM_MAX_SOURCES <= sizeof(((struct anyvm_random_status *)0)->source_names) /
                                         sizeof(((struct anyvm_random_status *)0)->source_names[0]),
               "anyvm_random_status has room for every source's name");

int anyvm_random_status(struct anyvm_random_status *out)
{
    if (out == NULL)
        return app_fail(APP_EINVAL);
    struct random_status st;
    random_get_status(&st);
    memset(out, 0, sizeof *out);
    out->rdrand = st.rdrand;
    out->sources = st.sources < RANDOM_MAX_SOURCES ? st.sources : RANDOM_MAX_SOURCES;
    for (unsigned i = 0; i < out->sources; i++)
        ksnprintf(out->source_names[i], sizeof out->source_names[i], "%s",
                  st.source_name[i] ? st.source_name[i] : "");
    out->credited_bits = st.credited_bits;
    out->device_bytes = st.device_bytes;
    return 0;
}
