/* virtio (Virtual I/O Device 1.2, OASIS): the device side shared by every
 * transport. A transport (virtio-mmio: bus/virtio_mmio, virtio-pci:
 * drivers/virtio/virtio_pci.c) fills a struct virtio_dev and calls
 * virtio_add_device(); drivers registered on the virtio bus of the device
 * model (VIRTIO_DRIVER_REGISTER) match on the virtio device ID and never know
 * which transport carries them. */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/device.h"
#include "core/event.h"

/* Device IDs (virtio 1.2, 5 "Device Types"). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_ID_BALLOON 5
#define VIRTIO_ID_SCSI 8
#define VIRTIO_ID_9P 9
#define VIRTIO_ID_GPU 16
#define VIRTIO_ID_INPUT 18
#define VIRTIO_ID_VSOCK 19
#define VIRTIO_ID_CRYPTO 20
#define VIRTIO_ID_IOMMU 23
#define VIRTIO_ID_MEMORY 24
#define VIRTIO_ID_SOUND 25
#define VIRTIO_ID_FS 26
#define VIRTIO_ID_PMEM 27

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Reserved feature bits (6). */
#define VIRTIO_F_ANY_LAYOUT (1ull << 27) /* legacy only: no framing assumed (2.7.4.3) */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)
/* A legacy interface carries feature bits 0-31 only (4.1.4.8, 4.2.4). */
#define VIRTIO_LEGACY_FEATURES_MASK 0xFFFFFFFFull

/* Configuration reads retried while the device changes the space under them
 * (2.5.1), or, for legacy interfaces, until two reads agree (2.5.4). */
#define VIRTIO_CONFIG_RETRIES 100
/* Largest field virtio_config_read_bytes reads as one snapshot. */
#define VIRTIO_CONFIG_SNAPSHOT_MAX 64

struct virtio_device_id {
    uint32_t device; /* 0 ends the table */
};

struct virtio_dev;

/* What a transport does for the core. Register access only: every value the
 * device returns is checked by the transport (queue registers, MSI-X
 * vectors) or by the core (status, features, configuration policy). */
struct virtio_transport_ops {
    uint8_t (*get_status)(struct virtio_dev *vd);
    void (*set_status)(struct virtio_dev *vd, uint8_t status); /* 0 resets */
    /* The device's feature bits / the driver's choice. A legacy interface
     * reaches bits 0-31 only and returns 0 above them. */
    uint64_t (*get_features)(struct virtio_dev *vd);
    void (*set_features)(struct virtio_dev *vd, uint64_t features);
    /* Raw access to the device-specific configuration space: size 1, 2 or 4
     * bytes at offset, with offset + size <= vd->config_len and offset a
     * multiple of size (the core checks both before it calls). No retry:
     * drivers use virtio_config_read and friends below. */
    uint32_t (*config_read_raw)(struct virtio_dev *vd, unsigned offset, unsigned size);
    void (*config_write_raw)(struct virtio_dev *vd, unsigned offset, unsigned size, uint32_t value);
    /* The configuration generation (2.5.1, 4.1.4.3 config_generation, 4.2.2
     * ConfigGeneration); NULL for a transport without one (the legacy
     * interfaces, 2.5.4). */
    uint32_t (*config_generation)(struct virtio_dev *vd);
    /* Largest queue size the device offers for index (0 = no such queue);
     * with vd->queue_size_fixed the size the queue must have. */
    uint16_t (*queue_max)(struct virtio_dev *vd, unsigned index);
    /* Tells the device where the rings of queue index are and enables it.
     * A legacy transport also checks that they are in the legacy layout
     * (virtq_legacy_layout_ok, 2.7.2). */
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
    /* Set by the transport. */
    bool legacy;           /* driven through a legacy interface: no VERSION_1 (2.2.3) */
    bool queue_size_fixed; /* the device's queue size is the size (legacy virtio-pci,
                              4.1.5.1.3.1: no way to choose a smaller one) */
    uint32_t config_len;   /* bytes of device-specific configuration reachable */
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
 * wanted; VERSION_1 required of a modern interface, and then FEATURES_OK and
 * its check; a legacy device is negotiated without both, 3.1.2), returns 0 or
 * -1 (device marked failed with a log line). */
int virtio_begin_init(struct virtio_dev *vd, uint64_t wanted);
void virtio_driver_ok(struct virtio_dev *vd);
/* Reports a device that broke the protocol, sets FAILED, marks it broken.
 * Nothing of it is used afterwards; the kernel keeps running. */
void virtio_fail(struct virtio_dev *vd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Called by transports in interrupt context after acknowledging: records the
 * status bits and queues the device's work. */
void virtio_interrupt(struct virtio_dev *vd, uint32_t isr);
/* Installs the interrupt once (or arranges polling); true with an interrupt.
 * Drivers call it before creating their queues, so that each queue gets its
 * own MSI-X vector as it is enabled. */
bool virtio_irq_setup(struct virtio_dev *vd);

/* Interrupt status bits passed to virtio_interrupt / on_event (4.1.4.5, 4.2.2). */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

/* "net", "block", "entropy", ... for log lines; "unknown" for IDs not listed. */
const char *virtio_device_name(uint32_t device_id);
/* Reads the device's status, then writes the driver's bits of it (not
 * NEEDS_RESET or reserved bits; no FEATURES_OK on a legacy device) with
 * bits added. */
void virtio_add_status(struct virtio_dev *vd, uint8_t bits);

/* Device-specific configuration (2.5), the one policy for every transport:
 * the access must lie inside vd->config_len, at an offset that is a
 * multiple of its size (1, 2, 4 or 8; 8-byte fields are read as two 4-byte
 * halves, low first, 4.1.3.1 and 4.2.2.2); it is retried while the
 * configuration generation changes under it, or, without a generation (the
 * legacy interfaces), until two reads agree (2.5.4); VIRTIO_CONFIG_RETRIES
 * at most. An access outside the space or a value that never settles fails
 * the device (virtio_fail, with what was accessed) and reads 0; so does any
 * read of a broken device. */
uint64_t virtio_config_read(struct virtio_dev *vd, unsigned offset, unsigned size);
/* len bytes (at most VIRTIO_CONFIG_SNAPSHOT_MAX) read one byte at a time as
 * one consistent snapshot (a MAC address). 0, or -1 with the device failed
 * and buf zeroed. */
int virtio_config_read_bytes(struct virtio_dev *vd, unsigned offset, void *buf, unsigned len);
/* Same range rules; nothing is written to a broken device. */
void virtio_config_write(struct virtio_dev *vd, unsigned offset, unsigned size, uint64_t value);
/* Notes on the functions above (virtio.c):
 * - virtio_driver_ok installs the interrupt if the driver has not; without
 *   one it logs that the device is polled, and the core polls it from the
 *   event loop.
 * - the core fails a device whose status shows NEEDS_RESET on a
 *   configuration interrupt (Firecracker signals a failed activation so). */

#endif
