/* The virtio-pci transport (virtio 1.2, 4.1): a PCI driver for vendor
 * 0x1AF4 devices 0x1000-0x107F. A device with usable virtio 1.0 capabilities
 * (common, notify, ISR, device configuration; virtio_pci_caps.c checks each
 * against its BAR) is driven through them: non-transitional devices
 * (0x1040 + device ID) must have them, transitional ones (0x1000-0x103F)
 * are driven through them when present (4.1.5.1.1: modern is preferred).
 * A transitional device without them (QEMU's disable-modern=on, older
 * hypervisors) is driven through the legacy I/O-port interface in BAR0
 * (virtio_pci_legacy.c). This file is the kernel side: the modern register
 * sequences over the mapped BARs, the choice, the interrupt and the driver
 * registration. */
#include "klib/format.h"
#include <stdlib.h>

#include "bus/pci/pci.h"
#include "bus/pci/pci_regs.h"
#include "core/log.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtio_pci.h"
#include "drivers/virtio/virtqueue.h"

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define COMMON_DEVICE_FEATURE_SELECT 0x00
#define COMMON_DEVICE_FEATURE 0x04
#define COMMON_DRIVER_FEATURE_SELECT 0x08
#define COMMON_DRIVER_FEATURE 0x0C
#define COMMON_CONFIG_MSIX_VECTOR 0x10
#define COMMON_NUM_QUEUES 0x12
#define COMMON_DEVICE_STATUS 0x14
#define COMMON_CONFIG_GENERATION 0x15
#define COMMON_QUEUE_SELECT 0x16
#define COMMON_QUEUE_SIZE 0x18
#define COMMON_QUEUE_MSIX_VECTOR 0x1A
#define COMMON_QUEUE_ENABLE 0x1C
#define COMMON_QUEUE_NOTIFY_OFF 0x1E
#define COMMON_QUEUE_DESC 0x20
#define COMMON_QUEUE_DRIVER 0x28
#define COMMON_QUEUE_DEVICE 0x30

#define MAX_QUEUES 1024 /* more than any device here needs; bounds the table */
/* With MSI-X: entry 0 for configuration changes, entry 1 + q for queue q,
 * up to this many queues; devices with more queues (or a smaller table)
 * share one vector for everything. */
#define MSIX_QUEUE_VECTORS_MAX 8

struct region {
    volatile uint8_t *p;
    uint32_t length;
};

struct vpci {
    struct virtio_dev vd;
    struct pci_dev *pci;
    struct virtio_regs common, device; /* 4.1.4.3, 4.1.4.6 */
    struct region notify, isr;
    uint32_t notify_multiplier;
    uint16_t num_queues;
    volatile uint16_t **queue_notify; /* per queue, set by queue_enable */
    enum pci_irq_mode irq_mode;
    unsigned nvectors; /* MSI-X vectors in use: 1 (shared) or 1 + queues */
    struct irq_action actions[1 + MSIX_QUEUE_VECTORS_MAX];
};

static struct vpci *of(struct virtio_dev *vd)
{
    return vd->transport;
}

/* Common configuration accessors: natural widths (4.1.3.1). */
static uint8_t c8(const struct vpci *v, unsigned off)
{
    return vregs_read8(&v->common, off);
}
static uint16_t c16(const struct vpci *v, unsigned off)
{
    return vregs_read16(&v->common, off);
}
static void w8(const struct vpci *v, unsigned off, uint8_t x)
{
    vregs_write8(&v->common, off, x);
}
static void w16(const struct vpci *v, unsigned off, uint16_t x)
{
    vregs_write16(&v->common, off, x);
}
/* 64-bit fields as two 32-bit writes, low half first (4.1.3.1). */
static void w64(const struct vpci *v, unsigned off, uint64_t x)
{
    vregs_write32(&v->common, off, (uint32_t)x);
    vregs_write32(&v->common, off + 4, (uint32_t)(x >> 32));
}

static uint8_t pci_get_status(struct virtio_dev *vd)
{
    return c8(of(vd), COMMON_DEVICE_STATUS);
}

static void pci_set_status(struct virtio_dev *vd, uint8_t status)
{
    w8(of(vd), COMMON_DEVICE_STATUS, status);
}

static uint64_t pci_get_features(struct virtio_dev *vd)
{
    return vregs_read_features(&of(vd)->common, COMMON_DEVICE_FEATURE_SELECT,
                               COMMON_DEVICE_FEATURE);
}

static void pci_set_features(struct virtio_dev *vd, uint64_t features)
{
    vregs_write_features(&of(vd)->common, COMMON_DRIVER_FEATURE_SELECT, COMMON_DRIVER_FEATURE,
                         features);
}

/* 4.1.4.6: the device-specific structure, accessed with the field's width
 * (the core asks for 1, 2 or 4 bytes inside vd->config_len). */
static uint32_t pci_config_read_raw(struct virtio_dev *vd, unsigned offset, unsigned size)
{
    return vregs_read(&of(vd)->device, offset, size);
}

static void pci_config_write_raw(struct virtio_dev *vd, unsigned offset, unsigned size, uint32_t x)
{
    vregs_write(&of(vd)->device, offset, size, x);
}

static uint32_t pci_config_generation(struct virtio_dev *vd)
{
    return c8(of(vd), COMMON_CONFIG_GENERATION);
}

static uint16_t pci_queue_max(struct virtio_dev *vd, unsigned index)
{
    struct vpci *v = of(vd);
    if (index >= v->num_queues)
        return 0;
    w16(v, COMMON_QUEUE_SELECT, (uint16_t)index);
    if (c16(v, COMMON_QUEUE_ENABLE) != 0) {
        virtio_fail(vd, "queue %u is enabled before the driver set it up", index);
        return 0;
    }
    uint16_t size = c16(v, COMMON_QUEUE_SIZE);
    return size > VIRTQ_MAX_SIZE ? VIRTQ_MAX_SIZE : size; /* 2.7: at most 32768 */
}

/* The MSI-X entry of a queue: 1 + q when every queue has its own, else
 * VPCI_MSIX_ENTRY (0) for everything. */
static uint16_t queue_entry(const struct vpci *v, unsigned q)
{
    return v->nvectors > 1 ? (uint16_t)(1 + q) : VPCI_MSIX_ENTRY;
}

/* The device says whether it could map the entry by reading back the value
 * (4.1.5.1.2). */
static bool set_msix_vector(struct vpci *v, unsigned reg, uint16_t entry)
{
    w16(v, reg, entry);
    return c16(v, reg) == entry;
}

static int pci_queue_enable(struct virtio_dev *vd, unsigned index, uint16_t size, uint64_t desc,
                            uint64_t avail, uint64_t used)
{
    struct vpci *v = of(vd);
    if (index >= v->num_queues)
        return -1;
    /* 4.1.5.1.3 "Virtqueue Configuration". */
    w16(v, COMMON_QUEUE_SELECT, (uint16_t)index);
    uint16_t max = c16(v, COMMON_QUEUE_SIZE);
    if (c16(v, COMMON_QUEUE_ENABLE) != 0 || size == 0 || size > max)
        return -1;
    uint64_t off = (uint64_t)c16(v, COMMON_QUEUE_NOTIFY_OFF) * v->notify_multiplier;
    if (off + sizeof(uint16_t) > v->notify.length) {
        virtio_fail(vd, "queue %u notify offset %#llx lies outside the %u-byte notify region",
                    index, (unsigned long long)off, v->notify.length);
        return -1;
    }
    w16(v, COMMON_QUEUE_SIZE, size);
    if (v->irq_mode == PCI_IRQ_MSIX &&
        !set_msix_vector(v, COMMON_QUEUE_MSIX_VECTOR, queue_entry(v, index))) {
        virtio_fail(vd, "queue %u cannot use MSI-X entry %u", index, queue_entry(v, index));
        return -1;
    }
    w64(v, COMMON_QUEUE_DESC, desc);
    w64(v, COMMON_QUEUE_DRIVER, avail);
    w64(v, COMMON_QUEUE_DEVICE, used);
    v->queue_notify[index] = (volatile uint16_t *)(v->notify.p + off);
    w16(v, COMMON_QUEUE_ENABLE, 1);
    return 0;
}

static void pci_queue_notify(struct virtio_dev *vd, unsigned index)
{
    struct vpci *v = of(vd);
    /* 4.1.4.4: without NOTIFICATION_DATA the value written is the index. */
    if (index < v->num_queues && v->queue_notify[index] != NULL)
        *v->queue_notify[index] = (uint16_t)index;
}

/* What an interrupt on a shared vector means (4.1.4.5): with MSI-X the
 * queue bit need not be set but the configuration bit still is; on a shared
 * INTx line an ISR of 0 is another device's interrupt. */
static void deliver(struct virtio_dev *vd, enum pci_irq_mode mode, uint32_t isr)
{
    if (mode == PCI_IRQ_MSIX)
        isr |= VIRTIO_ISR_QUEUE;
    else if (isr == 0 && mode == PCI_IRQ_INTX)
        return;
    else if (isr == 0)
        isr = VIRTIO_ISR_QUEUE;
    virtio_interrupt(vd, isr);
}

/* Vector 0: with a vector per source it means a configuration change (the
 * entry says what happened; nothing to read), else it is the only one and
 * reading the ISR status acknowledges it (4.1.4.5). */
static void pci_irq_entry0(void *ctx)
{
    struct vpci *v = ctx;
    if (v->nvectors > 1)
        virtio_interrupt(&v->vd, VIRTIO_ISR_CONFIG);
    else
        deliver(&v->vd, v->irq_mode, *v->isr.p & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG));
}

static void pci_irq_queue(void *ctx)
{
    struct vpci *v = ctx;
    virtio_interrupt(&v->vd, VIRTIO_ISR_QUEUE);
}

static int pci_irq_install(struct virtio_dev *vd)
{
    struct vpci *v = of(vd);
    if (v->irq_mode != PCI_IRQ_NONE)
        return 0; /* installed already */
    unsigned queues = v->num_queues <= MSIX_QUEUE_VECTORS_MAX ? v->num_queues : 0;
    unsigned want = queues ? 1 + queues : 1;
    v->nvectors = 0; /* until set up: vector 0 reads the ISR */
    v->actions[0] = (struct irq_action){.fn = pci_irq_entry0, .ctx = v};
    for (unsigned q = 0; q < queues; q++)
        v->actions[1 + q] = (struct irq_action){.fn = pci_irq_queue, .ctx = v};
    unsigned got = pci_irq_setup(v->pci, v->actions, want);
    if (got == 0)
        return -1;
    v->irq_mode = v->pci->irq_mode;
    v->nvectors = v->irq_mode == PCI_IRQ_MSIX ? got : 0;
    if (v->irq_mode == PCI_IRQ_MSIX) {
        if (!set_msix_vector(v, COMMON_CONFIG_MSIX_VECTOR, VPCI_MSIX_ENTRY)) {
            virtio_fail(vd, "configuration interrupt cannot use MSI-X entry %u", VPCI_MSIX_ENTRY);
            return -1;
        }
        /* Queues enabled before the interrupt was installed. */
        for (unsigned q = 0; q < v->num_queues; q++) {
            if (v->queue_notify[q] == NULL)
                continue;
            w16(v, COMMON_QUEUE_SELECT, (uint16_t)q);
            if (!set_msix_vector(v, COMMON_QUEUE_MSIX_VECTOR, queue_entry(v, q))) {
                virtio_fail(vd, "queue %u cannot use MSI-X entry %u", q, queue_entry(v, q));
                return -1;
            }
        }
    }
    return 0;
}

static void pci_irq_remove(struct virtio_dev *vd)
{
    struct vpci *v = of(vd);
    pci_irq_teardown(v->pci);
    v->irq_mode = PCI_IRQ_NONE;
    v->nvectors = 0;
}

static const struct virtio_transport_ops pci_ops = {
    .get_status = pci_get_status,
    .set_status = pci_set_status,
    .get_features = pci_get_features,
    .set_features = pci_set_features,
    .config_read_raw = pci_config_read_raw,
    .config_write_raw = pci_config_write_raw,
    .config_generation = pci_config_generation,
    .queue_max = pci_queue_max,
    .queue_enable = pci_queue_enable,
    .queue_notify = pci_queue_notify,
    .irq_setup = pci_irq_install,
    .irq_teardown = pci_irq_remove,
};

/* ---- choosing the interface ---- */

static uint8_t cfg_read8(void *ctx, uint16_t off)
{
    return pci_read8(ctx, off);
}
static uint32_t cfg_read32(void *ctx, uint16_t off)
{
    return pci_read32(ctx, off);
}

/* Maps the region a capability describes; false (with a log line) when its
 * BAR cannot be mapped. */
static bool map_region(struct pci_dev *d, const struct vpci_cap_region *c, struct region *r,
                       const char *name)
{
    if (!c->found)
        return true; /* only the device-specific structure may be absent */
    volatile uint8_t *base = pci_map_bar(d, c->bar);
    if (base == NULL) {
        kprintf("virtio-pci %s: BAR %u of a virtio structure cannot be mapped\n", name, c->bar);
        return false;
    }
    r->p = base + c->offset;
    r->length = c->length;
    return true;
}

/* The modern interface through the capabilities; -1 when they cannot be
 * used (logged). */
static int probe_modern(struct pci_dev *d, const struct vpci_caps *caps, const char *name)
{
    struct vpci *v = calloc(1, sizeof *v);
    if (v == NULL)
        return -1;
    v->pci = d;
    pci_enable(d, true, false, true); /* memory decoding and bus mastering */
    struct region common = {0}, device = {0};
    if (!map_region(d, &caps->common, &common, name) ||
        !map_region(d, &caps->notify, &v->notify, name) ||
        !map_region(d, &caps->isr, &v->isr, name) || !map_region(d, &caps->device, &device, name)) {
        free(v);
        return -1;
    }
    v->common = virtio_regs_mmio((uintptr_t)common.p);
    v->device = virtio_regs_mmio((uintptr_t)device.p);
    v->notify_multiplier = caps->notify_multiplier;
    v->num_queues = c16(v, COMMON_NUM_QUEUES);
    if (v->num_queues > MAX_QUEUES) {
        kprintf("virtio-pci %s: device claims %u queues; using the first %u\n", name, v->num_queues,
                MAX_QUEUES);
        v->num_queues = MAX_QUEUES;
    }
    v->queue_notify = calloc(v->num_queues ? v->num_queues : 1, sizeof *v->queue_notify);
    if (v->queue_notify == NULL) {
        free(v);
        return -1;
    }
    v->vd.device_id = vpci_virtio_id(d->device, d->subsys_device);
    v->vd.ops = &pci_ops;
    v->vd.transport = v;
    v->vd.config_len = device.length;
    ksnprintf(v->vd.location, sizeof v->vd.location, "pci %s", name);
    kprintf("virtio-pci %s: device %u (%s)%s, %u queues\n", name, v->vd.device_id,
            virtio_device_name(v->vd.device_id),
            vpci_is_transitional(d->device) ? ", transitional" : "", v->num_queues);
    pci_set_status(&v->vd, 0); /* start from a reset device */
    virtio_add_device(&v->vd, &d->dev);
    return 0;
}

/* ---- the legacy interface's kernel side ---- */

struct vpci_leg {
    struct vpci_legacy l;
    struct pci_dev *pci;
    enum pci_irq_mode irq_mode;
    struct irq_action action; /* one vector: MSI-X entry 0, MSI or INTx */
};

static void legacy_irq(void *ctx)
{
    struct vpci_leg *g = ctx;
    deliver(&g->l.vd, g->irq_mode, vpci_legacy_isr(&g->l));
}

/* Whether MSI-X is enabled in the function's capability (the legacy layout
 * depends on it, 4.1.4.8). */
static bool msix_enabled(struct pci_dev *d)
{
    uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
    return cap && (pci_read16(d, (uint16_t)(cap + PCI_MSIX_CONTROL)) & PCI_MSIX_CTRL_ENABLE);
}

static int legacy_irq_install(struct vpci_legacy *l, bool *msix_on)
{
    struct vpci_leg *g = l->owner;
    if (g->irq_mode == PCI_IRQ_NONE) {
        g->action = (struct irq_action){.fn = legacy_irq, .ctx = g};
        if (pci_irq_setup(g->pci, &g->action, 1) == 0)
            return -1;
        g->irq_mode = g->pci->irq_mode;
    }
    *msix_on = msix_enabled(g->pci);
    return 0;
}

static void legacy_irq_remove(struct vpci_legacy *l)
{
    struct vpci_leg *g = l->owner;
    pci_irq_teardown(g->pci);
    g->irq_mode = PCI_IRQ_NONE;
}

static int probe_legacy(struct pci_dev *d, const char *name)
{
    const struct pci_bar *b = &d->bar[0];
    if ((d->bar_bad & 1u) || !b->io || b->base == 0 || b->size < VPCI_LEGACY_CONFIG) {
        kprintf("virtio-pci %s: legacy device %04x: BAR0 is not an I/O BAR of at least %u "
                "bytes; not used\n",
                name, d->device, VPCI_LEGACY_CONFIG);
        return -1;
    }
    struct vpci_leg *g = calloc(1, sizeof *g);
    if (g == NULL)
        return -1;
    g->pci = d;
    g->l.owner = g;
    g->l.io = virtio_regs_port((uint16_t)b->base);
    g->l.io_size = (uint32_t)b->size;
    g->l.irq_install = legacy_irq_install;
    g->l.irq_remove = legacy_irq_remove;
    pci_enable(d, false, true, true); /* I/O decoding and bus mastering */
    g->l.msix = msix_enabled(d);
    if (vpci_legacy_setup(&g->l) != 0) {
        free(g);
        return -1;
    }
    g->l.vd.device_id = vpci_virtio_id(d->device, d->subsys_device);
    ksnprintf(g->l.vd.location, sizeof g->l.vd.location, "pci %s", name);
    kprintf("virtio-pci %s: device %u (%s), legacy interface (I/O ports %#llx, %u bytes)\n", name,
            g->l.vd.device_id, virtio_device_name(g->l.vd.device_id), (unsigned long long)b->base,
            g->l.io_size);
    g->l.vd.ops->set_status(&g->l.vd, 0); /* start from a reset device */
    virtio_add_device(&g->l.vd, &d->dev);
    return 0;
}

static int virtio_pci_probe(struct pci_dev *d, const struct pci_device_id *id)
{
    (void)id;
    const char *name = d->dev.name;

    struct vpci_config_access cfg = {cfg_read8, cfg_read32, d, d->header_type};
    struct vpci_caps caps;
    vpci_parse_caps(&cfg, d->bar, d->bar_bad, name, &caps);
    bool modern = caps.common.found && caps.notify.found && caps.isr.found;
    /* 4.1.5.1.1: modern when the capabilities are there and usable. */
    if (modern && probe_modern(d, &caps, name) == 0)
        return 0;
    if (!vpci_is_transitional(d->device)) {
        /* 4.1.2.2: a non-transitional device has no legacy interface. */
        if (!modern)
            kprintf("virtio-pci %s: required capability missing or unusable:%s%s%s\n", name,
                    caps.common.found ? "" : " common", caps.notify.found ? "" : " notify",
                    caps.isr.found ? "" : " isr");
        return -1;
    }
    if (caps.vendor_caps != 0)
        kprintf("virtio-pci %s: virtio 1.0 capabilities unusable; trying the legacy interface\n",
                name);
    return probe_legacy(d, name);
}

/* Vendor 0x1AF4; virtio owns its devices 0x1000-0x107F of it (4.1.2), which
 * the match function decides: another 1af4 device (ivshmem) is no match. */
static const struct pci_device_id virtio_pci_ids[] = {
    {VPCI_VENDOR, PCI_ANY_ID, 0, 0},
    {0, 0, 0, 0},
};

static bool virtio_pci_match(const struct pci_dev *d)
{
    return vpci_id_supported(d->vendor, d->device);
}

static const struct pci_driver virtio_pci_driver = {
    .drv = {.name = "virtio-pci", .bus = &pci_bus},
    .ids = virtio_pci_ids,
    .match = virtio_pci_match,
    .probe = virtio_pci_probe,
};
PCI_DRIVER_REGISTER(virtio_pci_driver);
