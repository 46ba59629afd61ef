/* Kernel command line: `key=value` and bare `flag` parameters, values may be
 * double-quoted ("a b"), then `--` and the application's arguments, which may
 * also be quoted. Pure logic: no hardware access. */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX_BYTES 2048
#define CMDLINE_MAX_PARAMS 64
#define CMDLINE_MAX_ARGS 32

struct cmdline_param {
    const char *key;   /* points into cmdline.storage */
    const char *value; /* NULL for a bare flag */
};

struct cmdline {
    struct cmdline_param params[CMDLINE_MAX_PARAMS];
    unsigned nparams;
    char *argv[CMDLINE_MAX_ARGS + 1]; /* NULL-terminated app arguments (after `--`) */
    unsigned argc;
    char storage[CMDLINE_MAX_BYTES + CMDLINE_MAX_ARGS + CMDLINE_MAX_PARAMS];
};

/* Parses text into out. Returns 0, or -1 with a one-line human-readable
 * reason in err (e.g. "unterminated quote at column 12"). Rejected: unterminated
 * quotes, an empty key (`=x`), control characters, text longer than
 * CMDLINE_MAX_BYTES-1, more than CMDLINE_MAX_PARAMS parameters or
 * CMDLINE_MAX_ARGS arguments. */
int cmdline_parse(const char *text, struct cmdline *out, char *err, size_t errlen);

/* Value of key, "" for a bare flag, NULL when absent. The last occurrence wins. */
const char *cmdline_get(const struct cmdline *c, const char *key);
bool cmdline_has(const struct cmdline *c, const char *key);

/* True for parameters that VMMs and boot loaders add for Linux and that anyvm
 * notes and ignores: console=, reboot=, panic=, pci=, root=, rw, ro, nomodule,
 * quiet, 8250.*, i8042.*, swiotlb=, virtio_mmio.device= (handled by the
 * virtio-mmio bus later), acpi=, noapic, earlyprintk=, init= ... */
bool cmdline_is_linux_param(const char *key);

#endif
