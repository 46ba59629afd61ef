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

#define HOSTSIM_MAX_DISKS 32

/* --misbehave KIND: a fault the first virtio-blk device (blk-*) or the
 * virtio-net device (net-*) injects on purpose, to test that the guest
 * disables a device that breaks its protocol (see docs/firecracker.md). Off
 * by default. */
enum hostsim_misbehave {
    HOSTSIM_MISBEHAVE_NONE = 0,
    HOSTSIM_MISBEHAVE_BLK_USED_ID,          /* "blk-used-id" */
    HOSTSIM_MISBEHAVE_BLK_USED_LEN,         /* "blk-used-len" */
    HOSTSIM_MISBEHAVE_BLK_USED_IDX,         /* "blk-used-idx" */
    HOSTSIM_MISBEHAVE_BLK_STATUS,           /* "blk-status" */
    HOSTSIM_MISBEHAVE_NET_USED_LEN,         /* "net-used-len" (the first net kind) */
    HOSTSIM_MISBEHAVE_NET_NUM_BUFFERS,      /* "net-num-buffers" */
    HOSTSIM_MISBEHAVE_NET_NUM_BUFFERS_ZERO, /* "net-num-buffers-0" */
    HOSTSIM_MISBEHAVE_NET_USED_ID,          /* "net-used-id" (the last kind) */
};
#define HOSTSIM_MISBEHAVE_IS_NET(m) ((m) >= HOSTSIM_MISBEHAVE_NET_USED_LEN)

/* The KIND name of m ("none" for HOSTSIM_MISBEHAVE_NONE). */
const char *hostsim_misbehave_name(enum hostsim_misbehave m);

/* --disk FILE[,ro][,root] */
#define HOSTSIM_PATH_MAX 1024

struct hostsim_disk {
    char path[HOSTSIM_PATH_MAX]; /* FILE, without the flags */
    int read_only;               /* ,ro: Firecracker's is_read_only */
    int root;                    /* ,root: Firecracker's is_root_device */
};

struct hostsim_options {
    const char *model;   /* first argument: "firecracker" */
    const char *kernel;  /* --kernel FILE */
    const char *cmdline; /* --cmdline STRING, NULL when not given */
    uint64_t mem_bytes;  /* --mem, default 128 MiB */
    unsigned cpus;       /* --cpus, default 1 */
    enum hostsim_boot boot;
    int exit_port;                               /* --exit-port, -1 = none */
    double timeout;                              /* --timeout seconds, 0 = none */
    int verbose;                                 /* --verbose */
    struct hostsim_disk disk[HOSTSIM_MAX_DISKS]; /* --disk, in command-line order */
    unsigned ndisks;
    const char *tap;                  /* --tap NAME, NULL when not given */
    int has_mac;                      /* --mac given */
    uint8_t mac[6];                   /* --mac XX:XX:XX:XX:XX:XX */
    unsigned mtu;                     /* --mtu N, 0 when not given */
    enum hostsim_misbehave misbehave; /* --misbehave KIND, NONE when not given */
    int help;                         /* --help: print usage, nothing else */
};

#define HOSTSIM_DEFAULT_MEM (128ull << 20) /* Firecracker's default mem_size_mib */

/* Fills o from argv[1..argc-1]. Returns 0, or -1 with a one-line reason in err. */
int hostsim_parse_options(int argc, char **argv, struct hostsim_options *o, char *err,
                          size_t errlen);

/* "06:00:ac:10:00:02" (hex pairs separated by colons). Returns 0 or -1. */
int hostsim_parse_mac(const char *s, uint8_t mac[6]);

/* "128M", "1G", "2048K", "64" (MiB when no unit). Returns 0 or -1. */
int hostsim_parse_size(const char *s, uint64_t *bytes);

#endif
