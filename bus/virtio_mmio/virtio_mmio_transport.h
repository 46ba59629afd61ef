/* The virtio-mmio transport's register logic (virtio 1.2, 4.2), both
 * interfaces: Version 2 (4.2.2-4.2.3, "modern") and Version 1 (4.2.4, the
 * legacy interface QEMU's virtio-mmio devices offer unless told
 * force-legacy=false). Pure: every register access goes through struct
 * virtio_regs, so host tests and fuzzers drive it with a simulated device.
 * virtio_mmio.c maps the windows, routes the interrupts and registers the
 * devices. Private to bus/virtio_mmio/ and its tests.
 *
 * A Version 1 device uses the guest's byte order where Version 2 uses
 * little-endian (2.5.3, 2.7.3); on x86 they are the same. */
#ifndef BUS_VIRTIO_MMIO_VIRTIO_MMIO_TRANSPORT_H
#define BUS_VIRTIO_MMIO_VIRTIO_MMIO_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/irq.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_regs.h"

/* Registers (4.2.2, "MMIO Device Register Layout"; 4.2.4, "MMIO Device
 * Legacy Register Layout" for the Version 1 ones). */
#define VMMIO_MAGIC 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_VENDOR_ID 0x00c
#define VMMIO_DEVICE_FEATURES 0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES 0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_LEGACY_GUEST_PAGE_SIZE 0x028 /* Version 1 only */
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_LEGACY_QUEUE_ALIGN 0x03c /* Version 1 only */
#define VMMIO_LEGACY_QUEUE_PFN 0x040   /* Version 1 only */
#define VMMIO_QUEUE_READY 0x044        /* Version 2 only */
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INTERRUPT_STATUS 0x060
#define VMMIO_INTERRUPT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LOW 0x080 /* Version 2 only, to 0x0a4 */
#define VMMIO_QUEUE_DESC_HIGH 0x084
#define VMMIO_QUEUE_DRIVER_LOW 0x090
#define VMMIO_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_QUEUE_DEVICE_LOW 0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_CONFIG_GENERATION 0x0fc /* Version 2 only */
#define VMMIO_CONFIG 0x100

#define VMMIO_MAGIC_VALUE 0x74726976 /* "virt", little-endian (4.2.2) */
#define VMMIO_VERSION_LEGACY 1
#define VMMIO_VERSION_MODERN 2
/* Page size written to GuestPageSize; QueuePFN counts such pages (4.2.4). */
#define VMMIO_LEGACY_PAGE_SIZE 4096u

struct vmmio {
    struct virtio_dev vd;
    struct virtio_regs regs; /* the window */
    uint64_t size;           /* of the window; configuration from VMMIO_CONFIG */
    uint32_t version;        /* VMMIO_VERSION_LEGACY or _MODERN */
    /* Installs the interrupt (virtio_mmio.c; a test's own in host tests):
     * the transport's irq_setup. */
    int (*irq_install)(struct vmmio *m);
    /* Takes it away again (device removal); may be NULL. */
    void (*irq_remove)(struct vmmio *m);
    /* Kernel side. */
    uint32_t irq;
    uint8_t vector;
    struct irq_action action;
    unsigned long spurious;
};

/* Fills m->vd for the version (ops, config_len, legacy) after m->regs,
 * m->size and m->version are set; -1 for a version this transport does not
 * drive or a window smaller than the registers. */
int vmmio_setup(struct vmmio *m);

/* The interrupt status (bits VIRTIO_ISR_*), and its acknowledgement. */
uint32_t vmmio_interrupt_status(struct vmmio *m);
void vmmio_interrupt_ack(struct vmmio *m, uint32_t bits);

#endif
