/* The command line: echoed, parsed, and every parameter checked against the
 * image's own table (core/param.h) and the Linux parameters VMMs add. */
#include <string.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/param.h"
#include "init/banner.h"

void cmdline_check(const char *text, struct cmdline *out)
{
    kprintf("cmdline: %s\n", text);
    char err[128];
    if (cmdline_parse(text, out, err, sizeof err) != 0) {
        kprintf("anyvm: bad command line: %s\n", err);
        kernel_exit(CMDLINE_ERROR_STATUS);
    }
    char noted[256];
    size_t len = 0;
    noted[0] = '\0';
    for (unsigned i = 0; i < out->nparams; i++) {
        const char *key = out->params[i].key;
        if (param_find(key) != NULL)
            continue;
        if (!cmdline_is_linux_param(key)) {
            /* A subsystem's parameter is in the table only when the
             * subsystem is linked in: say so for the dotted ones. */
            if (strchr(key, '.') != NULL)
                kprintf("anyvm: unknown parameter '%s' ignored (this image has no such "
                        "parameter; an app that links no device layers has none of theirs, "
                        "apps/NAME/app.mk)\n",
                        key);
            else
                kprintf("anyvm: unknown parameter '%s' ignored\n", key);
            continue;
        }
        bool seen = false; /* note each key once, however often it repeats */
        for (unsigned j = 0; j < i && !seen; j++)
            seen = strcmp(out->params[j].key, key) == 0;
        size_t k = strlen(key);
        if (!seen && len + k + 2 < sizeof noted) {
            memcpy(noted + len, key, k);
            len += k;
            noted[len++] = ' ';
            noted[len] = '\0';
        }
    }
    if (len) {
        noted[len - 1] = '\0';
        kprintf("anyvm: Linux parameters noted and ignored: %s\n", noted);
    }
}
