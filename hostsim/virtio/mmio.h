/* The virtio-mmio transport, device side (virtio 1.2, 4.2.2 register layout,
 * 4.2.3 initialisation), modern interface only (Version 2), the way
 * Firecracker presents it (src/vmm/src/devices/virtio/transport/mmio.rs): vendor 0, 32-bit register
 * accesses, status stepping exactly 0 -> 1 -> 3 -> 0xB -> 0xF, feature acks
 * only between DRIVER and FEATURES_OK, queue sizes a power of two up to the
 * device's maximum, InterruptStatus bit 0 (used ring) and bit 1 (config).
 *
 * Strict: every driver rule of 4.2.2.2, 3.1.1 and 2.1-2.2 that a device can
 * observe is checked, and the first violation stops the device and is
 * reported through host->fault as "virtio-blk@0xc0001000: <what it
 * expected>" (hostsim then ends the VM with HOSTSIM_EXIT_VIRTIO).
 *
 * Pure logic (no KVM): a device back end (blk.c, net.c) plugs in through
 * struct vmmio_backend, the machine through struct vmmio_host. Accesses come
 * through vmmio_read/vmmio_write (iobus handlers); queue notifications are
 * handed to the host (which may process them on another thread) and come back
 * through vmmio_notified. The caller serialises all entry points. */
#ifndef HOSTSIM_VIRTIO_MMIO_H
#define HOSTSIM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/cpu/vcpu.h"
#include "hostsim/guest_mem.h"
#include "hostsim/virtio/virtq.h"

/* Register offsets (4.2.2, table "MMIO Device Register Layout"). */
#define VMMIO_MAGIC_VALUE 0x000
#define VMMIO_VERSION 0x004
#define VMMIO_DEVICE_ID 0x008
#define VMMIO_VENDOR_ID 0x00c
#define VMMIO_DEVICE_FEATURES 0x010
#define VMMIO_DEVICE_FEATURES_SEL 0x014
#define VMMIO_DRIVER_FEATURES 0x020
#define VMMIO_DRIVER_FEATURES_SEL 0x024
#define VMMIO_QUEUE_SEL 0x030
#define VMMIO_QUEUE_NUM_MAX 0x034
#define VMMIO_QUEUE_NUM 0x038
#define VMMIO_QUEUE_READY 0x044
#define VMMIO_QUEUE_NOTIFY 0x050
#define VMMIO_INTERRUPT_STATUS 0x060
#define VMMIO_INTERRUPT_ACK 0x064
#define VMMIO_STATUS 0x070
#define VMMIO_QUEUE_DESC_LOW 0x080
#define VMMIO_QUEUE_DESC_HIGH 0x084
#define VMMIO_QUEUE_DRIVER_LOW 0x090
#define VMMIO_QUEUE_DRIVER_HIGH 0x094
#define VMMIO_QUEUE_DEVICE_LOW 0x0a0
#define VMMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VMMIO_SHM_SEL 0x0ac
#define VMMIO_SHM_LEN_LOW 0x0b0
#define VMMIO_SHM_BASE_HIGH 0x0bc
#define VMMIO_QUEUE_RESET 0x0c0
#define VMMIO_CONFIG_GENERATION 0x0fc
#define VMMIO_CONFIG 0x100
#define VMMIO_SIZE 0x1000 /* Firecracker gives each device 4 KiB (device_manager/mmio.rs) */

#define VMMIO_MAGIC 0x74726976u /* "virt" */
#define VMMIO_VERSION_MODERN 2

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* Reserved feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* InterruptStatus bits (4.2.2). */
#define VMMIO_INT_USED_RING 1u
#define VMMIO_INT_CONFIG 2u

#define VMMIO_MAX_QUEUES 2
#define VMMIO_CONFIG_MAX 64
#define VMMIO_MAX_FIELDS 8

/* One field of the device-specific configuration: `count` elements of
 * `width` bytes (1, 2, 4 or 8) from `offset`. 4.2.2.2 fixes how each may
 * be accessed: 8-bit fields bytewise, 16-bit fields 16 bits aligned, 32- and
 * 64-bit fields 32 bits aligned. Only fields listed here exist: an access
 * anywhere else is a violation (2.5.1: a driver checks that the feature of an
 * optional field is offered before it touches it). */
struct vmmio_field {
    uint16_t offset, width, count;
    const char *name;
};

struct vmmio;

/* The device behind the transport. Each returns 0, or -1 after calling
 * vmmio_fail. */
struct vmmio_backend {
    /* At FEATURES_OK: device-specific feature rules (optional). */
    int (*features_ok)(struct vmmio *d);
    /* At DRIVER_OK, after every queue was started (optional). */
    int (*activate)(struct vmmio *d);
    /* The driver notified queue q (the device is live, q is ready). */
    int (*process)(struct vmmio *d, unsigned q);
    /* The driver reset the device (optional). */
    void (*reset)(struct vmmio *d);
};

/* The machine around the transport. */
struct vmmio_host {
    void (*irq)(void *ctx, unsigned gsi); /* one edge on the device's GSI */
    /* A QueueNotify write for a valid queue of a live device reached
     * vmmio_write (not an ioeventfd): have vmmio_notified(d, q) called. */
    void (*notify)(void *ctx, struct vmmio *d, unsigned q);
    /* The device became live (DRIVER_OK) or stopped being live (reset,
     * FAILED, violation): arm or disarm fast notification paths, drop
     * notifications still pending. Optional. */
    void (*live)(void *ctx, struct vmmio *d, bool live);
    /* The driver broke a rule: msg is "virtio-blk@0x...: ...". */
    void (*fault)(void *ctx, struct vmmio *d, const char *msg);
};

struct vmmio_queue {
    uint32_t num; /* QueueNum; 0 until the driver writes it */
    uint64_t desc, driver, device;
    bool ready;
    struct devq q;
};

struct vmmio {
    char name[48]; /* "virtio-blk@0xc0001000" */
    uint64_t base;
    unsigned gsi;
    uint32_t device_id;
    uint64_t offered; /* device features */
    unsigned nqueues;
    uint16_t queue_max;
    const struct guest_mem *mem;

    /* Device-specific configuration (little-endian bytes) and its fields. */
    uint8_t config[VMMIO_CONFIG_MAX];
    struct vmmio_field field[VMMIO_MAX_FIELDS];
    unsigned nfields;

    /* Driver-visible state. */
    uint32_t status;
    uint32_t device_features_sel, driver_features_sel;
    bool device_features_sel_written, driver_features_sel_written;
    uint64_t acked; /* driver features */
    uint32_t queue_sel;
    struct vmmio_queue queue[VMMIO_MAX_QUEUES];
    uint32_t isr;
    bool live;   /* DRIVER_OK and not failed */
    bool broken; /* a violation was reported: the device does nothing more */

    const struct vmmio_backend *backend;
    void *backend_ctx;
    const struct vmmio_host *host;
    void *host_ctx;
};

/* kind is "blk", "net": used in the device's name. */
void vmmio_init(struct vmmio *d, const char *kind, uint64_t base, unsigned gsi, uint32_t device_id,
                uint64_t offered, unsigned nqueues, uint16_t queue_max, const struct guest_mem *mem,
                const struct vmmio_backend *backend, void *backend_ctx,
                const struct vmmio_host *host, void *host_ctx);
/* Declares a configuration field (before the guest runs). */
void vmmio_add_field(struct vmmio *d, uint16_t offset, uint16_t width, uint16_t count,
                     const char *name);

/* iobus handlers: ctx is the struct vmmio, offset inside the 4 KiB window;
 * the vCPU is not used (NULL is fine). */
void vmmio_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size);
void vmmio_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                 unsigned size);

/* A notification for queue q (from vmmio_host.notify or an ioeventfd):
 * processes the queue if the device is live. */
void vmmio_notified(struct vmmio *d, unsigned q);

/* For back ends: after writing used entries of queue q, publish them and
 * raise the interrupt if the driver wants one. Returns 0 or -1 (reported). */
int vmmio_queue_done(struct vmmio *d, unsigned q);
/* The started queue q if the device is live and q is ready, else NULL. */
struct devq *vmmio_live_queue(struct vmmio *d, unsigned q);
/* Reports a violation (printf-style reason), stops the device; returns -1. */
int vmmio_fail(struct vmmio *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
