/* The command line: echoed, parsed, and every parameter checked against the
 * image's own table (core/param.h) and the Linux parameters VMMs add. */
#include <string.h>

#include "arch/x86_64/power.h"
#include "arch/x86_64/power_policy.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/param.h"
#include "init/banner.h"

KERNEL_PARAM(param_exit_port, EXIT_PORT_PARAM,
             "the I/O port that carries the exit status to the VMM (QEMU isa-debug-exit)");

/* The command line comes from the loader: shown with every byte outside
 * printable ASCII as \xNN, so it cannot drive the terminal of whoever reads
 * the serial log. */
static void print_cmdline(const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char chunk[128];
    size_t n = 0;
    kprintf("cmdline: ");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (n + 5 > sizeof chunk) {
            chunk[n] = '\0';
            kprintf("%s", chunk);
            n = 0;
        }
        if (c >= 0x20 && c < 0x7f) {
            chunk[n++] = (char)c;
        } else {
            chunk[n++] = '\\';
            chunk[n++] = 'x';
            chunk[n++] = hex[c >> 4];
            chunk[n++] = hex[c & 15];
        }
    }
    chunk[n] = '\0';
    kprintf("%s\n", chunk);
}

/* anyvm.exit_port=PORT: where the exit status goes (arch/x86_64/power_policy.h). */
static void configure_exit(const struct cmdline *cl)
{
    const char *v = cmdline_get(cl, EXIT_PORT_PARAM);
    char err[128];
    uint16_t port;
    if (v != NULL) {
        if (exit_port_parse(v, &port, err, sizeof err) != 0) {
            kprintf("anyvm: bad command line: %s\n", err);
            kernel_exit(CMDLINE_ERROR_STATUS);
        }
        arch_set_exit_port(port);
    }
    char how[192];
    arch_describe_exit(how, sizeof how);
    kprintf("exit: %s\n", how);
}

void cmdline_check(const char *text, size_t text_size, struct cmdline *out)
{
    print_cmdline(text);
    char err[128];
    if (cmdline_parse(text, out, err, sizeof err) != 0) {
        kprintf("anyvm: bad command line: %s\n", err);
        uint16_t port; /* still carry the status where the line names a port */
        if (exit_port_scan(text, text_size, &port) == 0)
            arch_set_exit_port(port);
        kernel_exit(CMDLINE_ERROR_STATUS);
    }
    configure_exit(out);
    char noted[256];
    size_t len = 0;
    noted[0] = '\0';
    for (unsigned i = 0; i < out->nparams; i++) {
        const char *key = out->params[i].key;
        if (param_find(key) != NULL || strncmp(key, "env.", 4) == 0)
            continue; /* env.KEY=VALUE: the app's environment (init/app_start.c) */
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
