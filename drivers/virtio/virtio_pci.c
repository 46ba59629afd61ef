/* The virtio-pci transport, modern interface (virtio 1.2, 4.1.4): a PCI
 * driver for vendor 0x1AF4 devices 0x1000-0x107F that finds the vendor
 * capabilities (common, notify, ISR, device configuration), checks each
 * against its BAR, and hands the device to the virtio core. Non-transitional
 * devices (0x1040 + device ID) must have the capabilities; transitional ones
 * (0x1000-0x103F, QEMU's "-transitional" devices) are driven through them
 * when present. The legacy I/O-port interface is deliberately unsupported:
 * a legacy-only device (no modern capabilities) is refused with a message
 * (docs/virtio.md). */
#include <stdio.h>
#include <stdlib.h>

#include "bus/pci/pci.h"
#include "core/log.h"
#include "drivers/virtio/virtio.h"

#define VIRTIO_PCI_VENDOR 0x1AF4
#define PCI_CAP_ID_VENDOR_SPECIFIC 0x09

/* struct virtio_pci_cap (4.1.4). */
#define CAP_LEN 2
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULTIPLIER 16 /* struct virtio_pci_notify_cap */

#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

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
#define COMMON_MIN_LENGTH 0x38 /* through queue_device */

#define VIRTIO_MSI_NO_VECTOR 0xFFFF
#define MAX_QUEUES 1024 /* more than any device here needs; bounds the table */
#define CONFIG_RETRIES 100

struct region {
    volatile uint8_t *p;
    uint32_t length;
};

/* With MSI-X: entry 0 for configuration changes, entry 1 + q for queue q,
 * up to this many queues; devices with more queues (or a smaller table)
 * share one vector for everything. */
#define MSIX_QUEUE_VECTORS_MAX 8

struct vpci {
    struct virtio_dev vd;
    struct pci_dev *pci;
    struct region common, notify, isr, device;
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
    return *(volatile uint8_t *)(v->common.p + off);
}
static uint16_t c16(const struct vpci *v, unsigned off)
{
    return *(volatile uint16_t *)(v->common.p + off);
}
static uint32_t c32(const struct vpci *v, unsigned off)
{
    return *(volatile uint32_t *)(v->common.p + off);
}
static void w8(const struct vpci *v, unsigned off, uint8_t x)
{
    *(volatile uint8_t *)(v->common.p + off) = x;
}
static void w16(const struct vpci *v, unsigned off, uint16_t x)
{
    *(volatile uint16_t *)(v->common.p + off) = x;
}
static void w32(const struct vpci *v, unsigned off, uint32_t x)
{
    *(volatile uint32_t *)(v->common.p + off) = x;
}
/* 64-bit fields as two 32-bit writes, low half first (4.1.3.1). */
static void w64(const struct vpci *v, unsigned off, uint64_t x)
{
    w32(v, off, (uint32_t)x);
    w32(v, off + 4, (uint32_t)(x >> 32));
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
    struct vpci *v = of(vd);
    w32(v, COMMON_DEVICE_FEATURE_SELECT, 1);
    uint64_t hi = c32(v, COMMON_DEVICE_FEATURE);
    w32(v, COMMON_DEVICE_FEATURE_SELECT, 0);
    return hi << 32 | c32(v, COMMON_DEVICE_FEATURE);
}

static void pci_set_features(struct virtio_dev *vd, uint64_t features)
{
    struct vpci *v = of(vd);
    w32(v, COMMON_DRIVER_FEATURE_SELECT, 0);
    w32(v, COMMON_DRIVER_FEATURE, (uint32_t)features);
    w32(v, COMMON_DRIVER_FEATURE_SELECT, 1);
    w32(v, COMMON_DRIVER_FEATURE, (uint32_t)(features >> 32));
}

static bool config_in_range(const struct vpci *v, unsigned offset, unsigned size)
{
    bool width_ok = size == 1 || size == 2 || size == 4 || size == 8;
    return width_ok && (offset & (size - 1)) == 0 && (uint64_t)offset + size <= v->device.length;
}

static uint64_t config_read_once(const struct vpci *v, unsigned offset, unsigned size)
{
    volatile uint8_t *a = v->device.p + offset;
    switch (size) {
    case 1:
        return *a;
    case 2:
        return *(volatile uint16_t *)a;
    case 4:
        return *(volatile uint32_t *)a;
    default:
        return *(volatile uint32_t *)a | (uint64_t)(*(volatile uint32_t *)(a + 4)) << 32;
    }
}

static uint64_t pci_config_read(struct virtio_dev *vd, unsigned offset, unsigned size)
{
    struct vpci *v = of(vd);
    if (!config_in_range(v, offset, size)) {
        virtio_fail(vd, "driver read config offset %u size %u outside the %u-byte structure",
                    offset, size, v->device.length);
        return 0;
    }
    /* 4.1.4.3.1 / 2.5.1: retry while config_generation changes under the read. */
    for (unsigned i = 0; i < CONFIG_RETRIES; i++) {
        uint8_t gen = c8(v, COMMON_CONFIG_GENERATION);
        uint64_t x = config_read_once(v, offset, size);
        if (c8(v, COMMON_CONFIG_GENERATION) == gen)
            return x;
    }
    virtio_fail(vd, "config_generation never settles");
    return 0;
}

static void pci_config_write(struct virtio_dev *vd, unsigned offset, unsigned size, uint64_t x)
{
    struct vpci *v = of(vd);
    if (!config_in_range(v, offset, size)) {
        virtio_fail(vd, "driver wrote config offset %u size %u outside the structure", offset,
                    size);
        return;
    }
    volatile uint8_t *a = v->device.p + offset;
    switch (size) {
    case 1:
        *a = (uint8_t)x;
        break;
    case 2:
        *(volatile uint16_t *)a = (uint16_t)x;
        break;
    case 4:
        *(volatile uint32_t *)a = (uint32_t)x;
        break;
    default:
        *(volatile uint32_t *)a = (uint32_t)x;
        *(volatile uint32_t *)(a + 4) = (uint32_t)(x >> 32);
        break;
    }
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
    return size > 32768 ? 32768 : size; /* 2.7: at most 32768 */
}

/* The MSI-X entry of a source: 0 for configuration changes, 1 + q for
 * queue q when every queue has its own, else 0 for everything. */
static uint16_t queue_entry(const struct vpci *v, unsigned q)
{
    return v->nvectors > 1 ? (uint16_t)(1 + q) : 0;
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
    if (off + 2 > v->notify.length) {
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

/* One vector for everything (MSI-X shared, MSI or INTx). Reading the ISR
 * status acknowledges it (4.1.4.5). With MSI-X the queue bit need not be set
 * but the configuration bit still is. */
static void pci_irq(void *ctx)
{
    struct vpci *v = ctx;
    uint32_t isr = *v->isr.p & 3;
    if (v->irq_mode == PCI_IRQ_MSIX)
        isr |= VIRTIO_ISR_QUEUE;
    else if (isr == 0 && v->irq_mode == PCI_IRQ_INTX)
        return; /* a shared line: another device's interrupt */
    else if (isr == 0)
        isr = VIRTIO_ISR_QUEUE;
    virtio_interrupt(&v->vd, isr);
}

/* Vector 0: with a vector per source it means a configuration change (the
 * entry says what happened; nothing to read), else it is the only one. */
static void pci_irq_entry0(void *ctx)
{
    struct vpci *v = ctx;
    if (v->nvectors > 1)
        virtio_interrupt(&v->vd, VIRTIO_ISR_CONFIG);
    else
        pci_irq(v);
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
        if (!set_msix_vector(v, COMMON_CONFIG_MSIX_VECTOR, 0)) {
            virtio_fail(vd, "configuration interrupt cannot use MSI-X entry 0");
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
    .config_read = pci_config_read,
    .config_write = pci_config_write,
    .queue_max = pci_queue_max,
    .queue_enable = pci_queue_enable,
    .queue_notify = pci_queue_notify,
    .irq_setup = pci_irq_install,
    .irq_teardown = pci_irq_remove,
};

/* 4.1.2.1: non-transitional IDs are 0x1040 + the virtio device ID;
 * transitional ones have a fixed table and carry the ID in the subsystem
 * device ID. */
static uint32_t virtio_id_of(const struct pci_dev *d)
{
    if (d->device >= 0x1040)
        return d->device - 0x1040u;
    switch (d->device) {
    case 0x1000:
        return VIRTIO_ID_NET;
    case 0x1001:
        return VIRTIO_ID_BLOCK;
    case 0x1002:
        return 5; /* memory balloon */
    case 0x1003:
        return VIRTIO_ID_CONSOLE;
    case 0x1004:
        return 8; /* SCSI host */
    case 0x1005:
        return VIRTIO_ID_RNG;
    case 0x1009:
        return 9; /* 9P transport */
    default:
        return d->subsys_device;
    }
}

/* Reads one virtio capability and, when it is the first usable one of its
 * type, records the region. Returns false with a log line when malformed. */
static bool take_capability(struct vpci *v, uint8_t c, const char *name)
{
    struct pci_dev *d = v->pci;
    uint8_t cap_len = pci_read8(d, c + CAP_LEN);
    uint8_t type = pci_read8(d, c + CAP_CFG_TYPE);
    struct region *r = type == CFG_COMMON   ? &v->common
                       : type == CFG_NOTIFY ? &v->notify
                       : type == CFG_ISR    ? &v->isr
                       : type == CFG_DEVICE ? &v->device
                                            : NULL;
    if (r == NULL || r->p != NULL)
        return true; /* PCI config access, shared memory, ... or a later duplicate */
    unsigned need = type == CFG_NOTIFY ? 20 : 16;
    if (cap_len < need || (unsigned)c + need > 256) {
        kprintf("virtio-pci %s: capability at %#x (type %u) is %u bytes long; ignored\n", name, c,
                type, cap_len);
        return false;
    }
    uint8_t bar = pci_read8(d, c + CAP_BAR);
    uint32_t offset = pci_read32(d, c + CAP_OFFSET);
    uint32_t length = pci_read32(d, c + CAP_LENGTH);
    static const uint32_t min_length[] = {0, COMMON_MIN_LENGTH, 2, 1, 0};
    if (bar > 5) {
        kprintf("virtio-pci %s: capability type %u names BAR %u; ignored\n", name, type, bar);
        return false;
    }
    if (length < min_length[type]) {
        kprintf("virtio-pci %s: capability type %u is %u bytes, at least %u needed; ignored\n",
                name, type, length, min_length[type]);
        return false;
    }
    if ((uint64_t)offset + length > d->bar[bar].size) {
        kprintf("virtio-pci %s: capability type %u (%#x+%#x) lies outside BAR %u (size %#llx); "
                "ignored\n",
                name, type, offset, length, bar, (unsigned long long)d->bar[bar].size);
        return false;
    }
    volatile uint8_t *base = pci_map_bar(d, bar);
    if (base == NULL) {
        kprintf("virtio-pci %s: capability type %u: BAR %u is not a usable memory BAR; ignored\n",
                name, type, bar);
        return false;
    }
    if (type == CFG_NOTIFY)
        v->notify_multiplier = pci_read32(d, c + CAP_NOTIFY_MULTIPLIER);
    r->p = base + offset;
    r->length = length;
    return true;
}

static int virtio_pci_probe(struct pci_dev *d, const struct pci_device_id *id)
{
    (void)id;
    const char *name = d->dev.name;

    struct vpci *v = calloc(1, sizeof *v);
    if (v == NULL)
        return -1;
    v->pci = d;
    pci_enable(d, true, false, true); /* memory decoding and bus mastering */

    unsigned ncaps = 0;
    for (uint8_t c = pci_find_capability(d, PCI_CAP_ID_VENDOR_SPECIFIC, 0); c != 0;
         c = pci_find_next_capability(d, PCI_CAP_ID_VENDOR_SPECIFIC, c)) {
        ncaps++;
        take_capability(v, c, name);
    }
    if (v->common.p == NULL || v->notify.p == NULL || v->isr.p == NULL) {
        if (ncaps == 0 && d->device < 0x1040)
            kprintf("virtio-pci %s: legacy-only device %04x (no virtio 1.0 capabilities); the "
                    "legacy interface is not supported\n",
                    name, d->device);
        else
            kprintf("virtio-pci %s: required capability missing or unusable:%s%s%s\n", name,
                    v->common.p ? "" : " common", v->notify.p ? "" : " notify",
                    v->isr.p ? "" : " isr");
        free(v);
        return -1;
    }

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
    v->vd.device_id = virtio_id_of(d);
    v->vd.ops = &pci_ops;
    v->vd.transport = v;
    snprintf(v->vd.location, sizeof v->vd.location, "pci %s", name);
    kprintf("virtio-pci %s: device %u (%s)%s, %u queues\n", name, v->vd.device_id,
            virtio_device_name(v->vd.device_id), d->device < 0x1040 ? ", transitional" : "",
            v->num_queues);
    pci_set_status(&v->vd, 0); /* start from a reset device */
    virtio_add_device(&v->vd, &d->dev);
    return 0;
}

/* Vendor 0x1AF4, devices 0x1000-0x107F (4.1.2). */
#define ID(n)                                                                                      \
    {                                                                                              \
        VIRTIO_PCI_VENDOR, (uint16_t)(n), 0, 0                                                     \
    }
#define ID4(n) ID(n), ID((n) + 1), ID((n) + 2), ID((n) + 3)
#define ID16(n) ID4(n), ID4((n) + 4), ID4((n) + 8), ID4((n) + 12)
static const struct pci_device_id virtio_pci_ids[] = {
    ID16(0x1000), ID16(0x1010), ID16(0x1020), ID16(0x1030), ID16(0x1040),
    ID16(0x1050), ID16(0x1060), ID16(0x1070), {0, 0, 0, 0},
};

static const struct pci_driver virtio_pci_driver = {
    .drv = {.name = "virtio-pci", .bus = &pci_bus},
    .ids = virtio_pci_ids,
    .probe = virtio_pci_probe,
};
PCI_DRIVER_REGISTER(virtio_pci_driver);
