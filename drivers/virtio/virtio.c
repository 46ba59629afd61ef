/* The virtio core shared by every transport: the device list, matching
 * DRIVER_BUS_VIRTIO drivers by device ID, the initialisation steps of
 * virtio 1.2, 3.1.1, and what happens to a device that breaks the rules
 * (reported once, FAILED set, never touched again by its driver). */
#include "drivers/virtio/virtio.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/log.h"

static struct virtio_dev *devices;
static struct virtio_dev **devices_tail = &devices;

struct virtio_dev *virtio_first(void)
{
    return devices;
}

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

static const struct virtio_device_id *match_table(const struct virtio_device_id *t, uint32_t id)
{
    for (; t->device != 0; t++)
        if (t->device == id)
            return t;
    return NULL;
}

void virtio_register_device(struct virtio_dev *vd)
{
    vd->next = NULL;
    *devices_tail = vd;
    devices_tail = &vd->next;

    bool matched = false;
    const struct driver *d;
    for_each_driver(d)
    {
        if (d->bus != DRIVER_BUS_VIRTIO || d->match == NULL || d->probe == NULL)
            continue;
        const struct virtio_device_id *id = match_table(d->match, vd->device_id);
        if (id == NULL)
            continue;
        matched = true;
        vd->driver = d;
        int rc = d->probe(vd, id);
        if (rc == 0)
            return;
        kprintf("virtio: %s: driver %s failed (%d)\n", vd->location, d->name, rc);
        vd->driver = NULL;
        vd->on_interrupt = NULL;
        vd->priv = NULL;
        /* Tell the device we gave up (2.1: FAILED); the next driver, if
         * any, starts with a reset anyway. */
        if (!vd->broken)
            virtio_add_status(vd, VIRTIO_STATUS_FAILED);
    }
    if (!matched)
        kprintf("virtio: %s: no driver for device %u (%s)\n", vd->location, vd->device_id,
                virtio_device_name(vd->device_id));
}

void virtio_add_status(struct virtio_dev *vd, uint8_t bits)
{
    vd->ops->set_status(vd, (uint8_t)(vd->ops->get_status(vd) | bits));
}

/* 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, feature negotiation,
 * FEATURES_OK and its check. */
int virtio_begin_init(struct virtio_dev *vd, uint64_t wanted)
{
    if (vd->broken)
        return -1;
    vd->ops->set_status(vd, 0);
    /* 4.1.4.3.2: after writing 0 wait until the status reads back 0. */
    unsigned tries = 0;
    while (vd->ops->get_status(vd) != 0) {
        if (++tries == 100000) {
            virtio_fail(vd, "device does not complete its reset");
            return -1;
        }
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
     * driver still works by polling. */
    if (vd->ops->irq_setup != NULL && vd->ops->irq_setup(vd) != 0)
        kprintf("virtio: %s: no interrupt; completions only by polling\n", vd->location);
    virtio_add_status(vd, VIRTIO_STATUS_DRIVER_OK);
    if (vd->ops->get_status(vd) & VIRTIO_STATUS_NEEDS_RESET)
        virtio_fail(vd, "device needs a reset right after DRIVER_OK");
}

void virtio_fail(struct virtio_dev *vd, const char *fmt, ...)
{
    if (vd->broken)
        return; /* reported already */
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vd->broken = true;
    kprintf("virtio: %s: device %u (%s) disabled: %s\n", vd->location, vd->device_id,
            virtio_device_name(vd->device_id), msg);
    /* 2.1: FAILED tells the device the driver has given up on it. */
    virtio_add_status(vd, VIRTIO_STATUS_FAILED);
}

void virtio_interrupt(struct virtio_dev *vd, uint32_t isr)
{
    if (vd->broken)
        return;
    /* 2.1.1: a device that needs a reset says so with a configuration
     * change interrupt (Firecracker does when activation fails). */
    if ((isr & VIRTIO_ISR_CONFIG) && (vd->ops->get_status(vd) & VIRTIO_STATUS_NEEDS_RESET)) {
        virtio_fail(vd, "device reports NEEDS_RESET");
        return;
    }
    if (vd->on_interrupt != NULL)
        vd->on_interrupt(vd, isr);
}
