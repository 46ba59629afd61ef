/* devinfo: lists buses, devices and drivers, then runs the actions named in
 * its arguments (main.c describes the little language). It reaches the
 * kernel only through the public API (include/anyvm/). */
#ifndef APPS_DEVINFO_DEVINFO_H
#define APPS_DEVINFO_DEVINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <anyvm/blk.h>
#include <anyvm/net.h>

void devinfo_inventory(void);
/* DISK: a name (blk0), "rw", "ro" or "id:SERIAL" (main.c). NULL when none;
 * else info (when not NULL) describes it. */
struct anyvm_blk *devinfo_find_disk(const char *spec, struct anyvm_blk_info *info);
/* Removes the device behind a disk (DISK) or a network device (net0) and
 * checks that the kernel forgot it (remove.c). */
int devinfo_remove(const char *name);

/* Block actions; each prints its PASS/FAIL line and returns 0 on success.
 * A failed call is shown with its errno negated ("failed (-5)" for EIO), as
 * the kernel's log lines show errors. */
int devinfo_verify(struct anyvm_blk *b, char tag, uint64_t units);
int devinfo_write(struct anyvm_blk *b, char tag, uint64_t units);
int devinfo_rotest(struct anyvm_blk *b);
/* Sequential write then read of mib MiB from the start of a writable disk,
 * timed, checked by checksum (blkbench.c). */
int devinfo_blkbench(struct anyvm_blk *b, unsigned long mib);
/* Answers ARP, ICMP echo and UDP echo as ip on every network device until
 * icmp echo requests and udp datagrams were answered, or timeout_s passed. */
int devinfo_ping(const uint8_t ip[4], unsigned icmp, unsigned udp, unsigned timeout_s);

/* The disk pattern (pattern.c). */
#define PATTERN_UNIT 512
void pattern_fill(uint8_t *buf, uint64_t first_unit, size_t units, char tag);
/* Index of the first byte that differs from the pattern, or -1. */
long pattern_check(const uint8_t *buf, uint64_t first_unit, size_t units, char tag);

#endif
