#include <stdio.h>
#include <string.h>

#include "hostsim/firecracker/cmdline.h"
#include "hostsim/firecracker/layout.h"

#define INIT_SEPARATOR " -- "

/* Rust's str::trim() removes Unicode white space; of ASCII that is these. */
static int is_trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_trim_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_trim_space((*s)[*n - 1]))
        (*n)--;
}

/* The first " -- " with an even number of '"' before it, or NULL. */
static const char *find_init_separator(const char *s)
{
    for (const char *p = strstr(s, INIT_SEPARATOR); p != NULL; p = strstr(p + 1, INIT_SEPARATOR)) {
        size_t quotes = 0;
        for (const char *q = s; q < p; q++)
            quotes += *q == '"';
        if (quotes % 2 == 0)
            return p;
    }
    return NULL;
}

int fc_cmdline_build(const char *boot_args, const char *extra, char *out, size_t outsz, char *err,
                     size_t errlen)
{
    static const char pci_off[] = "pci=off";
    const char *raw = boot_args != NULL ? boot_args : FC_DEFAULT_CMDLINE;
    const char *sep = find_init_separator(raw);
    const char *boot = raw, *init = "";
    size_t boot_len = strlen(raw), init_len = 0;
    size_t extra_len = extra != NULL ? strlen(extra) : 0;
    if (sep != NULL) {
        boot_len = (size_t)(sep - raw);
        init = sep + strlen(INIT_SEPARATOR);
        init_len = strlen(init);
    }
    trim(&boot, &boot_len);
    trim(&init, &init_len);

    /* try_from: BOOT + NUL (+ " -- " + INIT) must fit; then each insert
     * ("pci=off", then the device words) needs one more space when the boot
     * part is not empty. */
    size_t need = boot_len + 1 + (init_len ? strlen(INIT_SEPARATOR) + init_len : 0);
    size_t with_pci = need + (boot_len ? 1 : 0) + strlen(pci_off) + (extra_len ? 1 + extra_len : 0);
    if (need > FC_CMDLINE_MAX || with_pci > FC_CMDLINE_MAX) {
        snprintf(err, errlen,
                 "command line needs %zu bytes with its NUL and what Firecracker adds (pci=off, "
                 "devices); the limit is %u",
                 with_pci, FC_CMDLINE_MAX);
        return -1;
    }
    if (outsz < with_pci) {
        snprintf(err, errlen, "command line buffer too small");
        return -1;
    }
    int n = snprintf(out, outsz, "%.*s%s%s%s%s%s%.*s", (int)boot_len, boot, boot_len ? " " : "",
                     pci_off, extra_len ? " " : "", extra_len ? extra : "",
                     init_len ? INIT_SEPARATOR : "", (int)init_len, init);
    return n + 1;
}
