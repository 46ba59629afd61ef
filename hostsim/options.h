/* hostsim's command line: `hostsim MODEL [options]`. Parsing only (pure, no
 * side effects); the machine model checks what it cannot support. */
#ifndef HOSTSIM_OPTIONS_H
#define HOSTSIM_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum hostsim_boot {
    HOSTSIM_BOOT_AUTO = 0, /* the model picks (Firecracker: PVH when the ELF has the note) */
    HOSTSIM_BOOT_PVH,
    HOSTSIM_BOOT_LINUX,
};

struct hostsim_options {
    const char *model;   /* first argument: "firecracker" */
    const char *kernel;  /* --kernel FILE */
    const char *cmdline; /* --cmdline STRING, NULL when not given */
    uint64_t mem_bytes;  /* --mem, default 128 MiB */
    unsigned cpus;       /* --cpus, default 1 */
    enum hostsim_boot boot;
    int exit_port;  /* --exit-port, -1 = none */
    double timeout; /* --timeout seconds, 0 = none */
    int verbose;    /* --verbose */
    int help;       /* --help: print usage, nothing else */
};

#define HOSTSIM_DEFAULT_MEM (128ull << 20) /* Firecracker's default mem_size_mib */

/* Fills o from argv[1..argc-1]. Returns 0, or -1 with a one-line reason in err. */
int hostsim_parse_options(int argc, char **argv, struct hostsim_options *o, char *err,
                          size_t errlen);

/* "128M", "1G", "2048K", "64" (MiB when no unit). Returns 0 or -1. */
int hostsim_parse_size(const char *s, uint64_t *bytes);

#endif
