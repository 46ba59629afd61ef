/* The legacy virtio-pci interface (virtio 1.2, 4.1.4.8 and 4.1.5.1.3.1):
 * one register block at the start of I/O BAR0 (a transitional device in
 * legacy mode, QEMU's disable-modern=on, or a pre-1.0 hypervisor), feature
 * bits 0-31 only, no FEATURES_OK (3.1.2), queues placed by one page number
 * in the legacy layout with a Queue Align of 4096 and the device's own queue
 * size, no configuration generation (2.5.4), and the device-specific
 * configuration at offset 20, or 24 while MSI-X is enabled.
 *
 * The legacy interface uses the guest's byte order for the device
 * configuration, the rings and the net header (2.5.3, 2.7.3, 5.1.6.1)
 * rather than little-endian; on x86 the two are the same, so nothing here
 * or in the drivers converts.
 *
 * Pure: the register block is reached through struct virtio_regs (port I/O
 * in the kernel, a simulated device in host tests). Every value the device
 * returns is checked: queue in use before set-up, queue size (a power of
 * two up to 32768, 2.7), the page number and MSI-X vectors read back. */
#include "core/log.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtqueue.h"

static struct vpci_legacy *of(struct virtio_dev *vd)
{
    return vd->transport;
}

static unsigned config_base(const struct vpci_legacy *l)
{
    return l->msix ? VPCI_LEGACY_CONFIG_MSIX : VPCI_LEGACY_CONFIG;
}

/* What BAR0 holds past the header: the device-specific configuration. */
static void update_config_len(struct vpci_legacy *l)
{
    unsigned base = config_base(l);
    l->vd.config_len = l->io_size > base ? l->io_size - base : 0;
}

static uint8_t legacy_get_status(struct virtio_dev *vd)
{
    return vregs_read8(&of(vd)->io, VPCI_LEGACY_DEVICE_STATUS);
}

static void legacy_set_status(struct virtio_dev *vd, uint8_t status)
{
    struct vpci_legacy *l = of(vd);
    vregs_write8(&l->io, VPCI_LEGACY_DEVICE_STATUS, status);
    /* A reset forgets every queue's address (4.1.4.8 via 2.4). */
    if (status == 0)
        l->live_queues = 0;
}

static uint64_t legacy_get_features(struct virtio_dev *vd)
{
    return vregs_read32(&of(vd)->io, VPCI_LEGACY_DEVICE_FEATURES);
}

static void legacy_set_features(struct virtio_dev *vd, uint64_t features)
{
    vregs_write32(&of(vd)->io, VPCI_LEGACY_DRIVER_FEATURES,
                  (uint32_t)(features & VIRTIO_LEGACY_FEATURES_MASK));
}

/* 4.1.4.8: any access width gives the same result as the natural one. */
static uint32_t legacy_config_read_raw(struct virtio_dev *vd, unsigned offset, unsigned size)
{
    struct vpci_legacy *l = of(vd);
    return vregs_read(&l->io, config_base(l) + offset, size);
}

static void legacy_config_write_raw(struct virtio_dev *vd, unsigned offset, unsigned size,
                                    uint32_t v)
{
    struct vpci_legacy *l = of(vd);
    vregs_write(&l->io, config_base(l) + offset, size, v);
}

static bool is_power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Selects queue index and checks what the device says of it; returns its
 * size, 0 when there is no such queue or the device broke a rule (then it
 * is failed). */
static uint16_t select_queue(struct vpci_legacy *l, unsigned index)
{
    struct virtio_dev *vd = &l->vd;
    if (index >= VPCI_LEGACY_MAX_QUEUES)
        return 0;
    vregs_write16(&l->io, VPCI_LEGACY_QUEUE_SELECT, (uint16_t)index);
    uint32_t pfn = vregs_read32(&l->io, VPCI_LEGACY_QUEUE_ADDRESS);
    if (pfn != 0 && !(l->live_queues & (1ull << index))) {
        virtio_fail(vd, "queue %u is in use (address %#x) before the driver set it up", index, pfn);
        return 0;
    }
    uint16_t size = vregs_read16(&l->io, VPCI_LEGACY_QUEUE_SIZE);
    if (size != 0 && (!is_power_of_two(size) || size > VIRTQ_MAX_SIZE)) {
        virtio_fail(vd, "queue %u has size %u, not a power of two up to %u (2.7)", index, size,
                    VIRTQ_MAX_SIZE);
        return 0;
    }
    return size;
}

static uint16_t legacy_queue_max(struct virtio_dev *vd, unsigned index)
{
    return select_queue(of(vd), index);
}

/* With MSI-X every source uses entry 0; the device says whether it could
 * map it by reading the value back (4.1.5.1.2). */
static bool set_vector(struct vpci_legacy *l, unsigned reg)
{
    vregs_write16(&l->io, reg, VPCI_MSIX_ENTRY);
    return vregs_read16(&l->io, reg) == VPCI_MSIX_ENTRY;
}

static int legacy_queue_enable(struct virtio_dev *vd, unsigned index, uint16_t size, uint64_t desc,
                               uint64_t avail, uint64_t used)
{
    struct vpci_legacy *l = of(vd);
    uint32_t pfn;
    const char *why = virtq_legacy_pfn(size, desc, avail, used, VPCI_LEGACY_QUEUE_ALIGN, &pfn);
    if (why != NULL) {
        kprintf("virtio-pci: %s: queue %u at %#llx: %s\n", vd->location, index,
                (unsigned long long)desc, why);
        return -1;
    }
    if (l->live_queues & (1ull << index))
        return -1; /* given its rings already */
    uint16_t device_size = select_queue(l, index);
    if (device_size == 0 || size != device_size) {
        /* 4.1.5.1.3.1: there is no way to use another size. */
        if (device_size != 0)
            kprintf("virtio-pci: %s: queue %u: size %u asked, the device has %u\n", vd->location,
                    index, size, device_size);
        return -1;
    }
    if (l->msix && !set_vector(l, VPCI_LEGACY_QUEUE_MSIX_VECTOR)) {
        virtio_fail(vd, "queue %u cannot use MSI-X entry %u", index, VPCI_MSIX_ENTRY);
        return -1;
    }
    vregs_write32(&l->io, VPCI_LEGACY_QUEUE_ADDRESS, pfn);
    uint32_t back = vregs_read32(&l->io, VPCI_LEGACY_QUEUE_ADDRESS);
    if (back != pfn) {
        virtio_fail(vd, "queue %u: address reads %#x after %#x was written", index, back, pfn);
        return -1;
    }
    l->live_queues |= 1ull << index;
    return 0;
}

static void legacy_queue_notify(struct virtio_dev *vd, unsigned index)
{
    /* The value written is the queue's index (4.1.4.8, Queue Notify). */
    vregs_write16(&of(vd)->io, VPCI_LEGACY_QUEUE_NOTIFY, (uint16_t)index);
}

/* Installs the interrupt; once MSI-X is on, the vector registers appear and
 * the configuration moves (4.1.4.8), and the configuration change and every
 * queue set up so far are pointed at entry 0. */
static int legacy_irq_setup(struct virtio_dev *vd)
{
    struct vpci_legacy *l = of(vd);
    if (l->irq_installed)
        return 0;
    if (vd->broken)
        return -1; /* a disabled device is not written again */
    bool msix_on = false;
    if (l->irq_install == NULL || l->irq_install(l, &msix_on) != 0)
        return -1;
    l->irq_installed = true;
    l->msix = msix_on;
    update_config_len(l);
    if (!msix_on)
        return 0;
    if (l->io_size < VPCI_LEGACY_CONFIG_MSIX) {
        virtio_fail(vd, "BAR0 of %u bytes has no room for the MSI-X vector registers", l->io_size);
        return -1;
    }
    if (!set_vector(l, VPCI_LEGACY_CONFIG_MSIX_VECTOR)) {
        virtio_fail(vd, "configuration interrupt cannot use MSI-X entry %u", VPCI_MSIX_ENTRY);
        return -1;
    }
    for (unsigned q = 0; q < VPCI_LEGACY_MAX_QUEUES; q++) {
        if (!(l->live_queues & (1ull << q)))
            continue;
        vregs_write16(&l->io, VPCI_LEGACY_QUEUE_SELECT, (uint16_t)q);
        if (!set_vector(l, VPCI_LEGACY_QUEUE_MSIX_VECTOR)) {
            virtio_fail(vd, "queue %u cannot use MSI-X entry %u", q, VPCI_MSIX_ENTRY);
            return -1;
        }
    }
    return 0;
}

static void legacy_irq_teardown(struct virtio_dev *vd)
{
    struct vpci_legacy *l = of(vd);
    if (l->irq_installed && l->irq_remove != NULL)
        l->irq_remove(l);
    l->irq_installed = false;
}

static const struct virtio_transport_ops legacy_ops = {
    .get_status = legacy_get_status,
    .set_status = legacy_set_status,
    .get_features = legacy_get_features,
    .set_features = legacy_set_features,
    .config_read_raw = legacy_config_read_raw,
    .config_write_raw = legacy_config_write_raw,
    .config_generation = NULL, /* 2.5.4: the legacy interface has none */
    .queue_max = legacy_queue_max,
    .queue_enable = legacy_queue_enable,
    .queue_notify = legacy_queue_notify,
    .irq_setup = legacy_irq_setup,
    .irq_teardown = legacy_irq_teardown,
};

int vpci_legacy_setup(struct vpci_legacy *l)
{
    if (l->io_size < config_base(l))
        return -1;
    l->vd.ops = &legacy_ops;
    l->vd.transport = l;
    l->vd.legacy = true;
    l->vd.queue_size_fixed = true;
    l->live_queues = 0;
    l->irq_installed = false;
    update_config_len(l);
    return 0;
}

uint32_t vpci_legacy_isr(struct vpci_legacy *l)
{
    return vregs_read8(&l->io, VPCI_LEGACY_ISR_STATUS) & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);
}
