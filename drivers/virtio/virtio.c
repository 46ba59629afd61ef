/* The virtio core shared by every transport: the virtio bus in the device
 * model (drivers match the virtio device ID, whatever the transport), the
 * device's events (interrupt status collected by the transport's handler,
 * handed to the driver from the event loop), the initialisation steps of
 * virtio 1.2, 3.1.1, and what happens to a device that breaks the rules
 * (reported once, FAILED set, never touched again by its driver). */
#include "drivers/virtio/virtio.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/arch.h"
#include "core/log.h"
#include "core/time.h"

/* A reset is a register write; a device that has not finished it after this
 * long is broken (4.1.4.3.2, 4.2.2.1: the driver waits for the status to
 * read back 0). */
#define RESET_TIMEOUT_NS 1000000000ull

const char *virtio_device_name(uint32_t device_id)
{
    /* Virtio 1.2, 5 "Device Types". */
    switch (device_id) {
    case 1:
        return "net";
    case 2:
        return "block";
    case 3:
        return "console";
    case 4:
        return "entropy";
    case 5:
        return "balloon";
    case 8:
        return "scsi";
    case 9:
        return "9p";
    case 16:
        return "gpu";
    case 18:
        return "input";
    case 19:
        return "vsock";
    case 20:
        return "crypto";
    case 23:
        return "iommu";
    case 24:
        return "memory";
    case 25:
        return "sound";
    case 26:
        return "fs";
    case 27:
        return "pmem";
    default:
        return "unknown";
    }
}

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
 * (3.1.1 / 4.x "device reset"). */
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
    struct virtio_dev *vd = container_of(p, struct virtio_dev, poller);
    vd->pending_isr |= VIRTIO_ISR_QUEUE;
    work_queue(&vd->work);
}

void virtio_add_device(struct virtio_dev *vd, struct device *parent)
{
    vd->dev.bus = &virtio_bus;
    vd->dev.parent = parent;
    snprintf(vd->dev.name, sizeof vd->dev.name, "%s device %u (%s)", vd->location, vd->device_id,
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

void virtio_add_status(struct virtio_dev *vd, uint8_t bits)
{
    vd->ops->set_status(vd, (uint8_t)(vd->ops->get_status(vd) | bits));
}

static bool reset_done(void *ctx)
{
    struct virtio_dev *vd = ctx;
    return vd->ops->get_status(vd) == 0;
}

/* 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, feature negotiation,
 * FEATURES_OK and its check. */
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
    if (!(offered & VIRTIO_F_VERSION_1)) {
        virtio_fail(vd, "device does not offer VERSION_1 (legacy-only device; not supported)");
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
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vd->broken = true;
    device_disable(&vd->dev, "%s", msg);
    /* 2.1: FAILED tells the device the driver has given up on it. */
    virtio_add_status(vd, VIRTIO_STATUS_FAILED);
}

void virtio_interrupt(struct virtio_dev *vd, uint32_t isr)
{
    vd->pending_isr |= isr;
    work_queue(&vd->work);
}
