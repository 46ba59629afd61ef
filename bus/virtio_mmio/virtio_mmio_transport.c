/* virtio-mmio register logic, Version 2 and Version 1 (see
 * virtio_mmio_transport.h). Register accesses to 0x000-0x0FF are 32 bits
 * wide (4.2.2.2; Firecracker insists); the device configuration space from
 * 0x100 is accessed with the width the core asks for. */
#include "bus/virtio_mmio/virtio_mmio_transport.h"

#include "core/log.h"
#include "drivers/virtio/virtqueue.h"

static struct vmmio *of(struct virtio_dev *vd)
{
    return vd->transport;
}

static uint32_t rd(const struct vmmio *m, unsigned reg)
{
    return vregs_read32(&m->regs, reg);
}
static void wr(const struct vmmio *m, unsigned reg, uint32_t v)
{
    vregs_write32(&m->regs, reg, v);
}

/* ---- both versions ---- */

static uint8_t mmio_get_status(struct virtio_dev *vd)
{
    return (uint8_t)rd(of(vd), VMMIO_STATUS);
}

static void mmio_set_status(struct virtio_dev *vd, uint8_t status)
{
    wr(of(vd), VMMIO_STATUS, status);
}

static uint32_t mmio_config_read_raw(struct virtio_dev *vd, unsigned offset, unsigned size)
{
    return vregs_read(&of(vd)->regs, VMMIO_CONFIG + offset, size);
}

static void mmio_config_write_raw(struct virtio_dev *vd, unsigned offset, unsigned size, uint32_t v)
{
    vregs_write(&of(vd)->regs, VMMIO_CONFIG + offset, size, v);
}

static void mmio_queue_notify(struct virtio_dev *vd, unsigned index)
{
    wr(of(vd), VMMIO_QUEUE_NOTIFY, index);
}

static void mmio_irq_teardown(struct virtio_dev *vd)
{
    struct vmmio *m = vd->transport;
    if (m->irq_remove != NULL)
        m->irq_remove(m);
}

static int mmio_irq_setup(struct virtio_dev *vd)
{
    struct vmmio *m = of(vd);
    return m->irq_install ? m->irq_install(m) : -1;
}

/* 2.7: no split queue is larger than 32768 entries. */
static uint16_t clamp_queue_max(uint32_t max)
{
    return (uint16_t)(max > VIRTQ_MAX_SIZE ? VIRTQ_MAX_SIZE : max);
}

uint32_t vmmio_interrupt_status(struct vmmio *m)
{
    return rd(m, VMMIO_INTERRUPT_STATUS) & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);
}

void vmmio_interrupt_ack(struct vmmio *m, uint32_t bits)
{
    wr(m, VMMIO_INTERRUPT_ACK, bits);
}

/* ---- Version 2 (4.2.2, 4.2.3) ---- */

static uint64_t modern_get_features(struct virtio_dev *vd)
{
    return vregs_read_features(&of(vd)->regs, VMMIO_DEVICE_FEATURES_SEL, VMMIO_DEVICE_FEATURES);
}

static void modern_set_features(struct virtio_dev *vd, uint64_t features)
{
    vregs_write_features(&of(vd)->regs, VMMIO_DRIVER_FEATURES_SEL, VMMIO_DRIVER_FEATURES, features);
}

static uint32_t modern_config_generation(struct virtio_dev *vd)
{
    return rd(of(vd), VMMIO_CONFIG_GENERATION);
}

static uint16_t modern_queue_max(struct virtio_dev *vd, unsigned index)
{
    struct vmmio *m = of(vd);
    wr(m, VMMIO_QUEUE_SEL, index);
    if (rd(m, VMMIO_QUEUE_READY) != 0) {
        virtio_fail(vd, "queue %u is already live before the driver set it up", index);
        return 0;
    }
    return clamp_queue_max(rd(m, VMMIO_QUEUE_NUM_MAX));
}

static int modern_queue_enable(struct virtio_dev *vd, unsigned index, uint16_t size, uint64_t desc,
                               uint64_t avail, uint64_t used)
{
    struct vmmio *m = of(vd);
    /* 4.2.3.2 steps 1-8. */
    wr(m, VMMIO_QUEUE_SEL, index);
    if (rd(m, VMMIO_QUEUE_READY) != 0)
        return -1;
    uint32_t max = rd(m, VMMIO_QUEUE_NUM_MAX);
    if (max == 0 || size > max)
        return -1;
    wr(m, VMMIO_QUEUE_NUM, size);
    wr(m, VMMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    wr(m, VMMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr(m, VMMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(m, VMMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(m, VMMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(m, VMMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(m, VMMIO_QUEUE_READY, 1);
    if (rd(m, VMMIO_QUEUE_READY) != 1) {
        virtio_fail(vd, "queue %u did not become ready", index);
        return -1;
    }
    return 0;
}

static const struct virtio_transport_ops modern_ops = {
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = modern_get_features,
    .set_features = modern_set_features,
    .config_read_raw = mmio_config_read_raw,
    .config_write_raw = mmio_config_write_raw,
    .config_generation = modern_config_generation,
    .queue_max = modern_queue_max,
    .queue_enable = modern_queue_enable,
    .queue_notify = mmio_queue_notify,
    .irq_setup = mmio_irq_setup,
    .irq_teardown = mmio_irq_teardown,
};

/* ---- Version 1, the legacy interface (4.2.4) ---- */

/* HostFeatures/GuestFeatures word 0: the legacy interface has bits 0-31
 * only (2.2.3). */
static uint64_t legacy_get_features(struct virtio_dev *vd)
{
    struct vmmio *m = of(vd);
    wr(m, VMMIO_DEVICE_FEATURES_SEL, 0);
    return rd(m, VMMIO_DEVICE_FEATURES);
}

static void legacy_set_features(struct virtio_dev *vd, uint64_t features)
{
    struct vmmio *m = of(vd);
    wr(m, VMMIO_DRIVER_FEATURES_SEL, 0);
    wr(m, VMMIO_DRIVER_FEATURES, (uint32_t)(features & VIRTIO_LEGACY_FEATURES_MASK));
}

/* 4.2.4: QueueNumMax may be read only while the queue is not in use, which
 * a QueuePFN of zero says. */
static uint16_t legacy_queue_max(struct virtio_dev *vd, unsigned index)
{
    struct vmmio *m = of(vd);
    wr(m, VMMIO_QUEUE_SEL, index);
    uint32_t pfn = rd(m, VMMIO_LEGACY_QUEUE_PFN);
    if (pfn != 0) {
        virtio_fail(vd, "queue %u is in use (QueuePFN %#x) before the driver set it up", index,
                    pfn);
        return 0;
    }
    return clamp_queue_max(rd(m, VMMIO_QUEUE_NUM_MAX));
}

static int legacy_queue_enable(struct virtio_dev *vd, unsigned index, uint16_t size, uint64_t desc,
                               uint64_t avail, uint64_t used)
{
    struct vmmio *m = of(vd);
    uint32_t pfn;
    const char *why = virtq_legacy_pfn(size, desc, avail, used, VMMIO_LEGACY_PAGE_SIZE, &pfn);
    if (why != NULL) {
        kprintf("virtio-mmio: %s: queue %u at %#llx: %s\n", vd->location, index,
                (unsigned long long)desc, why);
        return -1;
    }
    /* 4.2.4 "The virtual queue is configured as follows", steps 1-7;
     * GuestPageSize first, before any queue is used. */
    wr(m, VMMIO_LEGACY_GUEST_PAGE_SIZE, VMMIO_LEGACY_PAGE_SIZE);
    wr(m, VMMIO_QUEUE_SEL, index);
    if (rd(m, VMMIO_LEGACY_QUEUE_PFN) != 0)
        return -1;
    uint32_t max = rd(m, VMMIO_QUEUE_NUM_MAX);
    if (max == 0 || size > max)
        return -1;
    wr(m, VMMIO_QUEUE_NUM, size);
    wr(m, VMMIO_LEGACY_QUEUE_ALIGN, VMMIO_LEGACY_PAGE_SIZE);
    wr(m, VMMIO_LEGACY_QUEUE_PFN, pfn);
    /* Reading QueuePFN returns the page number in use (4.2.4). */
    uint32_t back = rd(m, VMMIO_LEGACY_QUEUE_PFN);
    if (back != pfn) {
        virtio_fail(vd, "queue %u: QueuePFN reads %#x after %#x was written", index, back, pfn);
        return -1;
    }
    return 0;
}

static const struct virtio_transport_ops legacy_ops = {
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = legacy_get_features,
    .set_features = legacy_set_features,
    .config_read_raw = mmio_config_read_raw,
    .config_write_raw = mmio_config_write_raw,
    .config_generation = NULL, /* Version 1 has no ConfigGeneration (2.5.4) */
    .queue_max = legacy_queue_max,
    .queue_enable = legacy_queue_enable,
    .queue_notify = mmio_queue_notify,
    .irq_setup = mmio_irq_setup,
    .irq_teardown = mmio_irq_teardown,
};

int vmmio_setup(struct vmmio *m)
{
    if (m->size < VMMIO_CONFIG)
        return -1;
    if (m->version == VMMIO_VERSION_MODERN)
        m->vd.ops = &modern_ops;
    else if (m->version == VMMIO_VERSION_LEGACY)
        m->vd.ops = &legacy_ops;
    else
        return -1;
    m->vd.transport = m;
    m->vd.legacy = m->version == VMMIO_VERSION_LEGACY;
    m->vd.queue_size_fixed = false; /* QueueNum is written on both (4.2.3.2, 4.2.4) */
    uint64_t config = m->size - VMMIO_CONFIG;
    m->vd.config_len = config > UINT32_MAX ? UINT32_MAX : (uint32_t)config;
    return 0;
}
