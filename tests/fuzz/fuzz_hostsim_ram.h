/* What hostsim's virtio harnesses (fuzz_hostsim_virtio_blk.c, _net.c) share:
 * guest RAM of RAM_SIZE bytes at RAM_GPA with GUARD bytes of 0xA5 on each
 * side, which a device must never write, and the vmmio_host a back end is
 * attached with: interrupts ignored, a notification handled at once, every
 * reported violation counted in `faults`. The including file defines
 * RAM_GPA, RAM_SIZE and GUARD first. */
#ifndef TESTS_FUZZ_FUZZ_HOSTSIM_RAM_H
#define TESTS_FUZZ_FUZZ_HOSTSIM_RAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/guest_mem.h"
#include "hostsim/virtio/mmio.h"
#include "tests/fuzz/fuzz_input.h"

static uint8_t *area; /* GUARD | RAM | GUARD */
static uint8_t *ram;
static struct guest_mem mem;
static int faults;

/* The host address of a guest address inside RAM. */
static inline uint8_t *gp(uint64_t gpa)
{
    return ram + (gpa - RAM_GPA);
}

/* RAM zeroed, guards set, no faults counted; mem describes RAM. */
static inline void ram_reset(void)
{
    if (area == NULL) {
        area = aligned_alloc(4096, RAM_SIZE + 2 * GUARD);
        BROKEN_IF(area == NULL);
        ram = area + GUARD;
        BROKEN_IF(guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram) != 0);
    }
    memset(area, 0xA5, RAM_SIZE + 2 * GUARD);
    memset(ram, 0, RAM_SIZE);
    faults = 0;
}

static inline void check_guards(void)
{
    for (size_t i = 0; i < GUARD; i++)
        BROKEN_IF(area[i] != 0xA5 || area[GUARD + RAM_SIZE + i] != 0xA5);
}

static void host_irq(void *ctx, unsigned gsi)
{
    (void)ctx;
    (void)gsi;
}

static void host_notify(void *ctx, struct vmmio *d, unsigned q)
{
    (void)ctx;
    vmmio_notified(d, q);
}

static void host_fault(void *ctx, struct vmmio *d, const char *msg)
{
    (void)ctx;
    (void)d;
    (void)msg;
    faults++;
}

static const struct vmmio_host host = {.irq = host_irq, .notify = host_notify, .fault = host_fault};

#endif
