/* The virtio core shared by every transport: the virtio bus in the device
 * model (drivers match the virtio device ID, whatever the transport), the
 * device's events (interrupt status collected by the transport's handler,
 * handed to the driver from the event loop), the initialisation steps of
 * virtio 1.2, 3.1.1 (and 3.1.2 for legacy devices), the one policy for
 * device-specific configuration access (2.5), and what happens to a device
 * that breaks the rules (reported once, FAILED set, never touched again by
 * its driver).
 *
 * Everything but the bus is pure logic over the transport operations and the
 * event loop: host tests and fuzzers build this file with ANYVM_HOST_TEST and
 * play the transport. */
#include "drivers/virtio/virtio.h"

#include <stdarg.h>
#include "klib/format.h"
#include <string.h>

#include "core/arch.h"
#include "core/log.h"
#include "core/time.h"

/* A reset is a register write; a device that has not finished it after this
 * long is broken (4.1.4.3.2, 4.2.2.1: the driver waits for the status to
 * read back 0). */
#define RESET_TIMEOUT_NS 1000000000ull

/* The virtio bus registers in the linker's tables, which only the kernel
 * image has. */
#ifndef ANYVM_HOST_TEST
static const struct virtio_driver *virtio_driver_of(const struct driver *drv)
{
    return container_of(drv, const struct virtio_driver, drv);
}

static int virtio_bus_match(struct device *dev, const struct driver *drv, const void **id)
{
    uint32_t want = virtio_dev_of(dev)->device_id;
    for (const struct virtio_device_id *t = virtio_driver_of(drv)->ids; t && t->device; t++) {
        if (t->device == want) {
            *id = t;
            return 0;
        }
    }
    return -1;
}

/* Stops the device's work: no more events, no more polling. */
static void stop_events(struct virtio_dev *vd)
{
    vd->on_event = NULL;
    work_cancel(&vd->work);
    poller_remove(&vd->poller);
}

static int virtio_bus_probe(struct device *dev, const struct driver *drv, const void *id)
{
    struct virtio_dev *vd = virtio_dev_of(dev);
    int rc = virtio_driver_of(drv)->probe(vd, id);
    if (rc != 0 || vd->broken) {
        stop_events(vd);
        vd->priv = NULL;
        /* Tell the device we gave up (2.1: FAILED); the next driver, if
         * any, starts with a reset anyway. */
        if (!vd->broken)
            virtio_add_status(vd, VIRTIO_STATUS_FAILED);
        return rc ? rc : -1;
    }
    return 0;
}

/* After the driver let go: a reset stops every DMA the device may still do
 * (2.1, 3.1.1: writing 0 resets the device). */
static void reset_after(struct virtio_dev *vd)
{
    stop_events(vd);
    if (vd->irq && vd->ops->irq_teardown)
        vd->ops->irq_teardown(vd);
    vd->irq = false;
    vd->ops->set_status(vd, 0);
}

static void virtio_bus_remove(struct device *dev)
{
    struct virtio_dev *vd = virtio_dev_of(dev);
    const struct virtio_driver *vdrv = virtio_driver_of(dev->driver);
    if (vdrv->remove)
        vdrv->remove(vd);
    reset_after(vd);
}

static void virtio_bus_quiesce(struct device *dev)
{
    struct virtio_dev *vd = virtio_dev_of(dev);
    const struct virtio_driver *vdrv = virtio_driver_of(dev->driver);
    if (vdrv->quiesce)
        vdrv->quiesce(vd);
    reset_after(vd);
}

const struct bus virtio_bus = {
    .name = "virtio",
    .order = 100, /* started by its transports, never by itself */
    .match = virtio_bus_match,
    .probe = virtio_bus_probe,
    .remove = virtio_bus_remove,
    .quiesce = virtio_bus_quiesce,
    .report_no_driver = true,
};
BUS_REGISTER(virtio_bus);
#endif /* ANYVM_HOST_TEST */

/* The device's work: what interrupts (or polls) collected, handed to the
 * driver in thread context. */
static void virtio_event(struct work *w)
{
    struct virtio_dev *vd = container_of(w, struct virtio_dev, work);
    uint64_t flags = arch_irq_save();
    uint32_t isr = vd->pending_isr;
    vd->pending_isr = 0;
    arch_irq_restore(flags);
    if (vd->broken)
        return;
    /* 2.1.1: a device that needs a reset says so with a configuration
     * change interrupt (Firecracker does when activation fails). */
    if ((isr & VIRTIO_ISR_CONFIG) && (vd->ops->get_status(vd) & VIRTIO_STATUS_NEEDS_RESET)) {
        virtio_fail(vd, "device reports NEEDS_RESET");
        return;
    }
    if (vd->on_event != NULL)
        vd->on_event(vd, isr);
}

static void virtio_poll(struct poller *p)
{
    virtio_interrupt(container_of(p, struct virtio_dev, poller), VIRTIO_ISR_QUEUE);
}

void virtio_add_device(struct virtio_dev *vd, struct device *parent)
{
#ifndef ANYVM_HOST_TEST
    vd->dev.bus = &virtio_bus;
#endif
    vd->dev.parent = parent;
    ksnprintf(vd->dev.name, sizeof vd->dev.name, "%s device %u (%s)", vd->location, vd->device_id,
              virtio_device_name(vd->device_id));
    vd->work.fn = virtio_event;
    vd->poller.fn = virtio_poll;
    device_add(&vd->dev);
}

bool virtio_irq_setup(struct virtio_dev *vd)
{
    if (vd->irq)
        return true;
    if (vd->ops->irq_setup != NULL && vd->ops->irq_setup(vd) == 0) {
        vd->irq = true;
        return true;
    }
    return false;
}

const char *virtio_device_name(uint32_t device_id)
{
    switch (device_id) {
    case VIRTIO_ID_NET:
        return "net";
    case VIRTIO_ID_BLOCK:
        return "block";
    case VIRTIO_ID_CONSOLE:
        return "console";
    case VIRTIO_ID_RNG:
        return "entropy";
    case VIRTIO_ID_BALLOON:
        return "balloon";
    case VIRTIO_ID_SCSI:
        return "scsi";
    case VIRTIO_ID_9P:
        return "9p";
    case VIRTIO_ID_GPU:
        return "gpu";
    case VIRTIO_ID_INPUT:
        return "input";
    case VIRTIO_ID_VSOCK:
        return "vsock";
    case VIRTIO_ID_CRYPTO:
        return "crypto";
    case VIRTIO_ID_IOMMU:
        return "iommu";
    case VIRTIO_ID_MEMORY:
        return "memory";
    case VIRTIO_ID_SOUND:
        return "sound";
    case VIRTIO_ID_FS:
        return "fs";
    case VIRTIO_ID_PMEM:
        return "pmem";
    default:
        return "unknown";
    }
}

void virtio_add_status(struct virtio_dev *vd, uint8_t bits)
{
    /* Only the bits a driver sets are written back (2.1): not NEEDS_RESET,
     * which is the device's, nor reserved bits, nor FEATURES_OK on a legacy
     * device, which has none (3.1.2), whatever the device reads back. */
    uint8_t driver_bits = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                          VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FAILED |
                          (vd->legacy ? 0 : VIRTIO_STATUS_FEATURES_OK);
    vd->ops->set_status(vd, (uint8_t)((vd->ops->get_status(vd) & driver_bits) | bits));
}

static bool reset_done(void *ctx)
{
    struct virtio_dev *vd = ctx;
    return vd->ops->get_status(vd) == 0;
}

/* 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, feature negotiation,
 * FEATURES_OK and its check; for a legacy device 3.1.2: the same without
 * FEATURES_OK. */
int virtio_begin_init(struct virtio_dev *vd, uint64_t wanted)
{
    if (vd->broken)
        return -1;
    vd->ops->set_status(vd, 0);
    /* 4.1.4.3.2: after writing 0 wait until the status reads back 0. */
    if (!wait_until(reset_done, vd, time_now_ns() + RESET_TIMEOUT_NS)) {
        virtio_fail(vd, "device does not complete its reset within %llu ms",
                    (unsigned long long)(RESET_TIMEOUT_NS / 1000000));
        return -1;
    }
    vd->ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
    vd->ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);

    uint64_t offered = vd->ops->get_features(vd);
    if (vd->legacy) {
        /* 2.2.3: a legacy device is one without VERSION_1, and only bits
         * 0-31 exist on its interface. It has no FEATURES_OK (3.1.2): the
         * features written are the features. ANY_LAYOUT is what a VERSION_1
         * driver assumes anyway (2.7.4.3); drivers that also work without it
         * look at vd->features. */
        uint64_t features = offered & (wanted | VIRTIO_F_ANY_LAYOUT) & VIRTIO_LEGACY_FEATURES_MASK;
        vd->ops->set_features(vd, features);
        vd->features = features;
        return 0;
    }
    if (!(offered & VIRTIO_F_VERSION_1)) {
        /* A legacy device behind a modern interface breaks 4.1.4 / 4.2.2:
         * it would expect the legacy ring and header formats. */
        virtio_fail(vd, "device does not offer VERSION_1 on its virtio 1.x interface");
        return -1;
    }
    /* ACCESS_PLATFORM is harmless to accept: DMA addresses are physical
     * addresses here, which is what the platform's translation yields with
     * no IOMMU in use; a device that offers it may refuse a driver that
     * does not accept it (6.1). */
    uint64_t features = offered & (wanted | VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM);
    vd->ops->set_features(vd, features);
    vd->ops->set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                VIRTIO_STATUS_FEATURES_OK);
    if (!(vd->ops->get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
        virtio_fail(vd, "device refused features %#llx (offered %#llx)",
                    (unsigned long long)features, (unsigned long long)offered);
        return -1;
    }
    vd->features = features;
    return 0;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
    if (vd->broken)
        return;
    /* The interrupt is in place before the device may use it (transports
     * install it once; a driver may have done so already). Without one the
     * event loop polls the device. */
    if (!virtio_irq_setup(vd)) {
        kprintf("virtio: %s: no interrupt; the device is polled\n", vd->location);
        poller_add(&vd->poller);
    }
    virtio_add_status(vd, VIRTIO_STATUS_DRIVER_OK);
    if (vd->ops->get_status(vd) & VIRTIO_STATUS_NEEDS_RESET)
        virtio_fail(vd, "device needs a reset right after DRIVER_OK");
}

void virtio_fail(struct virtio_dev *vd, const char *fmt, ...)
{
    if (vd->broken)
        return; /* reported already */
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vd->broken = true;
    if (vd->dev.name[0] == '\0') /* not added to the bus yet (host tests) */
        ksnprintf(vd->dev.name, sizeof vd->dev.name, "%s device %u (%s)", vd->location,
                  vd->device_id, virtio_device_name(vd->device_id));
    device_disable(&vd->dev, "%s", msg);
    /* 2.1: FAILED tells the device the driver has given up on it. */
    virtio_add_status(vd, VIRTIO_STATUS_FAILED);
}

/* From interrupt handlers and from drivers (a receive budget spent): the
 * read-modify-write must not race the handler's. */
void virtio_interrupt(struct virtio_dev *vd, uint32_t isr)
{
    uint64_t flags = arch_irq_save();
    vd->pending_isr |= isr;
    arch_irq_restore(flags);
    work_queue(&vd->work);
}

/* ---- device-specific configuration (2.5) ---- */

static bool config_range_ok(const struct virtio_dev *vd, unsigned offset, unsigned unit,
                            unsigned len)
{
    return (offset % unit) == 0 && (uint64_t)offset + len <= vd->config_len;
}

/* One pass over the field: len bytes as accesses of unit bytes, lowest
 * address first. */
static void config_pass(struct virtio_dev *vd, unsigned offset, unsigned unit, unsigned len,
                        uint8_t *out)
{
    for (unsigned at = 0; at < len; at += unit) {
        uint32_t v = vd->ops->config_read_raw(vd, offset + at, unit);
        for (unsigned b = 0; b < unit; b++)
            out[at + b] = (uint8_t)(v >> (8 * b)); /* little-endian, 2.5 */
    }
}

/* A consistent copy of len bytes at offset, or -1 with the device failed. */
static int config_snapshot(struct virtio_dev *vd, unsigned offset, unsigned unit, unsigned len,
                           uint8_t *out)
{
    memset(out, 0, len);
    if (vd->broken)
        return -1;
    if (len == 0 || len > VIRTIO_CONFIG_SNAPSHOT_MAX || !config_range_ok(vd, offset, unit, len)) {
        virtio_fail(vd,
                    "driver read configuration bytes %u+%u outside the %u reachable (or "
                    "misaligned for %u-byte accesses)",
                    offset, len, vd->config_len, unit);
        return -1;
    }
    if (vd->ops->config_generation != NULL) {
        /* 2.5.1: read between two equal generation counts. */
        for (unsigned i = 0; i < VIRTIO_CONFIG_RETRIES; i++) {
            uint32_t before = vd->ops->config_generation(vd);
            config_pass(vd, offset, unit, len, out);
            if (vd->ops->config_generation(vd) == before)
                return 0;
        }
        memset(out, 0, len);
        virtio_fail(vd, "configuration generation changed during each of %u reads of bytes %u+%u",
                    VIRTIO_CONFIG_RETRIES, offset, len);
        return -1;
    }
    /* 2.5.4: a legacy interface has no generation; the field is read until
     * two reads in a row agree. */
    uint8_t again[VIRTIO_CONFIG_SNAPSHOT_MAX];
    config_pass(vd, offset, unit, len, out);
    for (unsigned i = 0; i < VIRTIO_CONFIG_RETRIES; i++) {
        config_pass(vd, offset, unit, len, again);
        if (memcmp(out, again, len) == 0)
            return 0;
        memcpy(out, again, len);
    }
    memset(out, 0, len);
    virtio_fail(vd, "configuration bytes %u+%u read differently each of %u times", offset, len,
                VIRTIO_CONFIG_RETRIES + 1);
    return -1;
}

static bool config_size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

uint64_t virtio_config_read(struct virtio_dev *vd, unsigned offset, unsigned size)
{
    if (!config_size_ok(size)) {
        virtio_fail(vd, "driver read configuration offset %u with size %u", offset, size);
        return 0;
    }
    uint8_t b[8];
    if (config_snapshot(vd, offset, size < 4 ? size : 4, size, b) != 0)
        return 0;
    uint64_t v = 0;
    for (unsigned i = size; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

int virtio_config_read_bytes(struct virtio_dev *vd, unsigned offset, void *buf, unsigned len)
{
    uint8_t b[VIRTIO_CONFIG_SNAPSHOT_MAX];
    if (len > sizeof b) {
        memset(buf, 0, len);
        virtio_fail(vd, "driver read %u configuration bytes at once (at most %u)", len,
                    VIRTIO_CONFIG_SNAPSHOT_MAX);
        return -1;
    }
    int rc = config_snapshot(vd, offset, 1, len, b);
    memcpy(buf, b, len);
    return rc;
}

void virtio_config_write(struct virtio_dev *vd, unsigned offset, unsigned size, uint64_t value)
{
    if (vd->broken)
        return;
    if (!config_size_ok(size) || !config_range_ok(vd, offset, size, size)) {
        virtio_fail(vd, "driver wrote configuration offset %u size %u outside the %u reachable",
                    offset, size, vd->config_len);
        return;
    }
    unsigned unit = size < 4 ? size : 4;
    for (unsigned at = 0; at < size; at += unit)
        vd->ops->config_write_raw(vd, offset + at, unit, (uint32_t)(value >> (8 * at)));
}
