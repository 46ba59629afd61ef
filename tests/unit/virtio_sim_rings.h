/* Shared by the transport tests (test_virtio_mmio_transport.c,
 * test_virtio_pci_legacy.c): ring memory handed to simulated devices, and
 * where a legacy device finds the rings (virtio 1.2, 2.7.2), computed the
 * way a device does. */
#ifndef TESTS_UNIT_VIRTIO_SIM_RINGS_H
#define TESTS_UNIT_VIRTIO_SIM_RINGS_H

#include <stdint.h>
#include <string.h>

#include "drivers/virtio/virtqueue.h"

#define MQ 4 /* queues a simulated device has */

/* Ring memory: host memory, given to the devices as guest-physical
 * RING_PHYS (a page number that fits the legacy 32-bit registers). */
static uint8_t ring_mem[1 << 16] __attribute__((aligned(4096)));
static uint8_t state_mem[1 << 16] __attribute__((aligned(4096)));
#define RING_PHYS 0x40000000ull

static void make_queue(struct virtq *vq, uint16_t size)
{
    memset(vq, 0, sizeof *vq);
    virtq_init(vq, 0, size, ring_mem, RING_PHYS, state_mem, RING_PHYS + sizeof ring_mem, false,
               false);
}

/* Where a legacy device finds the rings (2.7.2): the descriptor table at the
 * page, the available ring after it, the used ring on the next Queue Align
 * boundary after the available ring. */
static void legacy_rings(uint64_t desc, uint32_t num, uint32_t align, uint64_t *avail,
                         uint64_t *used)
{
    *avail = desc + 16ull * num;
    uint64_t end = *avail + 2 * (3 + (uint64_t)num);
    *used = (end + align - 1) / align * align;
}

#endif
