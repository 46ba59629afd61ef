/* virtio (Virtual I/O Device 1.2, OASIS): the device side shared by every
 * transport. A transport (virtio-mmio: bus/virtio_mmio, virtio-pci:
 * drivers/virtio/virtio_pci.c) fills a struct virtio_dev and calls
 * virtio_register_device(); drivers registered with DRIVER_BUS_VIRTIO match on
 * the virtio device ID and never know which transport carries them. */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/device.h"
#include "core/event.h"

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
    /* Installs the interrupt; the transport's handler acknowledges and calls
     * virtio_interrupt(vd, isr) with the interrupt status (bit 0 used ring,
     * bit 1 config change). Returns 0, or -1 when there is none (the virtio
     * core then polls the device). */
    int (*irq_setup)(struct virtio_dev *vd);
    /* Takes the interrupt away again (device removal). May be NULL. */
    void (*irq_teardown)(struct virtio_dev *vd);
};

struct virtio_dev {
    struct device dev; /* bus virtio; name "<location> device N (type)" */
    uint32_t device_id;
    char location[48]; /* "mmio 0xc0001000 irq 5", "pci 00:03.0" */
    const struct virtio_transport_ops *ops;
    void *transport;   /* the transport's own state */
    uint64_t features; /* negotiated */
    bool broken;       /* disabled after a protocol violation */
    void *priv;        /* the driver's state */
    /* Set by the driver: runs in thread context from the event loop after
     * an interrupt (or a poll), with the interrupt status bits that arrived
     * since the last call (VIRTIO_ISR_QUEUE when polled). */
    void (*on_event)(struct virtio_dev *vd, uint32_t isr);
    /* The virtio core's: interrupt status collected in interrupt context,
     * the work that hands it to on_event, the poller without an interrupt. */
    volatile uint32_t pending_isr;
    struct work work;
    struct poller poller;
    bool irq;
};

/* A virtio driver: matches virtio device IDs, whatever the transport.
 * Register with VIRTIO_DRIVER_REGISTER. remove and quiesce may be NULL; the
 * core resets the device after either. */
struct virtio_driver {
    struct driver drv;
    const struct virtio_device_id *ids;
    int (*probe)(struct virtio_dev *vd, const struct virtio_device_id *id);
    void (*remove)(struct virtio_dev *vd);
    void (*quiesce)(struct virtio_dev *vd);
};
extern const struct bus virtio_bus;
#define VIRTIO_DRIVER_REGISTER(vdrv) DRIVER_REGISTER(vdrv, &(vdrv).drv)

static inline struct virtio_dev *virtio_dev_of(struct device *d)
{
    return container_of(d, struct virtio_dev, dev);
}

/* Transports call this for each device found (device_id, location, ops and
 * transport set; parent is the transport's own device or NULL); the bus core
 * matches and probes a driver. Thread context. */
void virtio_add_device(struct virtio_dev *vd, struct device *parent);

/* Driver helpers (virtio.c): reset, ACKNOWLEDGE|DRIVER, negotiate (offered &
 * wanted, VERSION_1 required), FEATURES_OK check; returns 0 or -1 (device
 * marked failed with a log line). */
int virtio_begin_init(struct virtio_dev *vd, uint64_t wanted);
void virtio_driver_ok(struct virtio_dev *vd);
/* Reports a device that broke the protocol, sets FAILED, marks it broken.
 * Nothing of it is used afterwards; the kernel keeps running. */
void virtio_fail(struct virtio_dev *vd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Called by transports in interrupt context after acknowledging: records the
 * status bits and queues the device's work. */
void virtio_interrupt(struct virtio_dev *vd, uint32_t isr);

/* Interrupt status bits passed to virtio_interrupt / on_event (4.1.4.5, 4.2.2). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* "net", "block", "entropy", ... for log lines; "unknown" for IDs not listed. */
const char *virtio_device_name(uint32_t device_id);
/* Reads the device's status, then writes it with bits added. */
void virtio_add_status(struct virtio_dev *vd, uint8_t bits);
/* Notes on the functions above (virtio.c):
 * - virtio_driver_ok installs the interrupt through ops->irq_setup first
 *   (transports install it once, so a driver may also call virtio_irq_setup
 *   itself before creating its queues); without one it logs that the device
 *   is polled, and the core polls it from the event loop.
 * - the core fails a device whose status shows NEEDS_RESET on a
 *   configuration interrupt (Firecracker signals a failed activation so). */
/* Installs the interrupt once (or arranges polling); true with an interrupt. */
bool virtio_irq_setup(struct virtio_dev *vd);

#endif
