/* virtio (Virtual I/O Device 1.2, OASIS): the device side shared by every
 * transport. A transport (virtio-mmio: bus/virtio_mmio, virtio-pci:
 * drivers/virtio/virtio_pci.c) fills a struct virtio_dev and calls
 * virtio_register_device(); drivers registered with DRIVER_BUS_VIRTIO match on
 * the virtio device ID and never know which transport carries them. */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/driver.h"

/* Device IDs (virtio 1.2, 5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Reserved feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)

struct virtio_device_id {
    uint32_t device; /* 0 ends the table */
};

struct virtio_dev;

struct virtio_transport_ops {
    uint8_t (*get_status)(struct virtio_dev *vd);
    void (*set_status)(struct virtio_dev *vd, uint8_t status); /* 0 resets */
    uint64_t (*get_features)(struct virtio_dev *vd);
    void (*set_features)(struct virtio_dev *vd, uint64_t features);
    /* Device-specific configuration space, size 1, 2, 4 or 8 bytes. */
    uint64_t (*config_read)(struct virtio_dev *vd, unsigned offset, unsigned size);
    void (*config_write)(struct virtio_dev *vd, unsigned offset, unsigned size, uint64_t v);
    /* Largest queue size the device offers for index (0 = no such queue). */
    uint16_t (*queue_max)(struct virtio_dev *vd, unsigned index);
    /* Tells the device where the rings of queue index are and enables it. */
    int (*queue_enable)(struct virtio_dev *vd, unsigned index, uint16_t size, uint64_t desc,
                        uint64_t avail, uint64_t used);
    void (*queue_notify)(struct virtio_dev *vd, unsigned index);
    /* Installs the interrupt; the transport calls virtio_interrupt(vd, isr)
     * with the interrupt status (bit 0 used ring, bit 1 config change). */
    int (*irq_setup)(struct virtio_dev *vd);
};

struct virtio_dev {
    uint32_t device_id;
    char location[48]; /* "mmio 0xc0001000 irq 5", "pci 00:03.0" */
    const struct virtio_transport_ops *ops;
    void *transport;   /* the transport's own state */
    uint64_t features; /* negotiated */
    bool broken;       /* disabled after a protocol violation */
    const struct driver *driver;
    void *priv; /* the driver's state */
    /* Set by the driver: called on interrupts (isr as above). */
    void (*on_interrupt)(struct virtio_dev *vd, uint32_t isr);
    struct virtio_dev *next;
};

/* Transports call this for each device found; it matches and probes a driver. */
void virtio_register_device(struct virtio_dev *vd);
struct virtio_dev *virtio_first(void);

/* Driver helpers (virtio.c): reset, ACKNOWLEDGE|DRIVER, negotiate (offered &
 * wanted, VERSION_1 required), FEATURES_OK check; returns 0 or -1 (device
 * marked failed with a log line). */
int virtio_begin_init(struct virtio_dev *vd, uint64_t wanted);
void virtio_driver_ok(struct virtio_dev *vd);
/* Reports a device that broke the protocol, sets FAILED, marks it broken.
 * Nothing of it is used afterwards; the kernel keeps running. */
void virtio_fail(struct virtio_dev *vd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Called by transports on an interrupt. */
void virtio_interrupt(struct virtio_dev *vd, uint32_t isr);

/* Added by the virtio core: */
/* Interrupt status bits passed to virtio_interrupt / on_interrupt (4.1.4.5, 4.2.2). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* "net", "block", "entropy", ... for log lines; "unknown" for IDs not listed. */
const char *virtio_device_name(uint32_t device_id);
/* Reads the device's status, then writes it with bits added. */
void virtio_add_status(struct virtio_dev *vd, uint8_t bits);
/* Notes on the functions above (virtio.c):
 * - virtio_driver_ok installs the interrupt through ops->irq_setup first
 *   (transports install it once, so a driver may also call irq_setup itself,
 *   before or after creating its queues); without one it logs that the
 *   device works by polling only.
 * - virtio_interrupt fails a device whose status shows NEEDS_RESET on a
 *   configuration interrupt (Firecracker signals a failed activation so).
 * - virtio_register_device prints "virtio: <location>: no driver for device
 *   N (name)" when no driver matches, and "driver X failed (rc)" (setting
 *   FAILED) when a probe returns non-zero. */

#endif
