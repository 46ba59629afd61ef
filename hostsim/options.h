/* hostsim's command line: `hostsim MODEL [options]`, parsed with getopt_long.
 * The generic options are here, each model maps them to its own devices and
 * adds its own through its registry entry (registry.h). Parsing has no side
 * effects besides the model's option hook; a bad value is reported as one
 * line that names the option and what it accepts (exit status 2). */
#ifndef HOSTSIM_OPTIONS_H
#define HOSTSIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hostsim/registry.h"

#define HOSTSIM_MAX_DISKS 32
#define HOSTSIM_MAX_NICS 8
#define HOSTSIM_PATH_MAX 1024
#define HOSTSIM_IFNAME_MAX 16 /* IFNAMSIZ, with the NUL */

/* --disk FILE[,ro][,root] */
struct hostsim_disk {
    char path[HOSTSIM_PATH_MAX]; /* FILE, without the flags */
    bool read_only;              /* ,ro */
    bool root;                   /* ,root: the model's boot disk (Firecracker: is_root_device) */
};

/* --nic tap=NAME[,mac=MAC][,mtu=N] */
struct hostsim_nic {
    char tap[HOSTSIM_IFNAME_MAX]; /* an existing TAP interface */
    bool has_mac;
    uint8_t mac[6];
    unsigned mtu; /* 0: not given */
};

struct hostsim_options {
    const char *model;                           /* first argument */
    const char *kernel;                          /* --kernel FILE */
    const char *cmdline;                         /* --cmdline STRING, NULL when not given */
    const char *initrd;                          /* --initrd FILE, NULL when not given */
    uint64_t mem_bytes;                          /* --mem, default 128 MiB */
    unsigned cpus;                               /* --cpus, default 1 */
    int exit_port;                               /* --exit-port, -1 = none */
    double timeout;                              /* --timeout seconds, 0 = none */
    bool verbose;                                /* --verbose */
    struct hostsim_disk disk[HOSTSIM_MAX_DISKS]; /* --disk, in command-line order */
    unsigned ndisks;
    struct hostsim_nic nic[HOSTSIM_MAX_NICS]; /* --nic, in command-line order */
    unsigned nnics;
    const struct hostsim_misbehave *misbehave; /* --misbehave KIND, NULL when not given */
    bool help;                                 /* --help: print usage, nothing else */
    bool misbehave_help;                       /* --misbehave help: list the kinds */
};

#define HOSTSIM_DEFAULT_MEM (128ull << 20) /* Firecracker's default mem_size_mib */

/* Fills o from argv. Returns 0, or -1 with a one-line reason in err (always
 * naming the option at fault). */
int hostsim_parse_options(int argc, char **argv, struct hostsim_options *o, char *err,
                          size_t errlen);

/* The generic options' --help text. */
void hostsim_options_usage(FILE *f);

/* "06:00:ac:10:00:02" (hex pairs separated by colons). Returns 0 or -1. */
int hostsim_parse_mac(const char *s, uint8_t mac[6]);
/* "128M", "1G", "2048K", "64" (MiB when no unit). Returns 0 or -1. */
int hostsim_parse_size(const char *s, uint64_t *bytes);
/* FILE[,ro][,root]: flags from the end, so FILE may hold commas. 0 or -1. */
int hostsim_parse_disk(const char *s, struct hostsim_disk *d);
/* tap=NAME[,mac=MAC][,mtu=N]. 0, or -1 with the reason in err. */
int hostsim_parse_nic(const char *s, struct hostsim_nic *n, char *err, size_t errlen);

#endif
