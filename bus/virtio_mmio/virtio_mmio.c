/* The virtio-mmio transport (virtio 1.2, 4.2.2, "modern" register layout,
 * Version 2) and the bus bring-up: devices from the command line or from
 * ACPI, their interrupt lines routed, each handed to the virtio core.
 *
 * Register accesses to 0x000-0x0FF are 32 bits wide (4.2.2.2; Firecracker
 * insists); the device configuration space from 0x100 is accessed with the
 * width of the field, 64-bit fields as two 32-bit halves inside a
 * ConfigGeneration check (4.2.2.2, 2.5.1). */
#include "bus/virtio_mmio/virtio_mmio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "core/acpi.h"
#include "core/irq.h"
#include "core/device.h"
#include "core/platform.h"
#include "core/log.h"
#include "drivers/virtio/virtio.h"

/* Registers (4.2.2, Table "MMIO Device Register Layout"). */
#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_VENDOR_ID 0x00c
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_QUEUE_DEVICE_HIGH 0x0a4
#define REG_CONFIG_GENERATION 0x0fc
#define REG_CONFIG 0x100

#define MAGIC 0x74726976             /* "virt" */
#define UNCACHED_START 0xC0000000ull /* boot maps 3-4 GiB uncached (paging.h) */
#define UNCACHED_END 0x100000000ull
#define CONFIG_RETRIES 100

struct vmmio {
    struct virtio_dev vd;
    uintptr_t base;
    uint64_t size;
    uint32_t irq;
    uint8_t vector;
    struct irq_action action;
    unsigned long spurious;
};

static struct vmmio *of(struct virtio_dev *vd)
{
    return vd->transport;
}

static uint32_t rd(const struct vmmio *m, unsigned reg)
{
    return mmio_read32(m->base + reg);
}
static void wr(const struct vmmio *m, unsigned reg, uint32_t v)
{
    mmio_write32(m->base + reg, v);
}

static uint8_t mmio_get_status(struct virtio_dev *vd)
{
    return (uint8_t)rd(of(vd), REG_STATUS);
}

static void mmio_set_status(struct virtio_dev *vd, uint8_t status)
{
    wr(of(vd), REG_STATUS, status);
}

static uint64_t mmio_get_features(struct virtio_dev *vd)
{
    struct vmmio *m = of(vd);
    wr(m, REG_DEVICE_FEATURES_SEL, 1);
    uint64_t hi = rd(m, REG_DEVICE_FEATURES);
    wr(m, REG_DEVICE_FEATURES_SEL, 0);
    return hi << 32 | rd(m, REG_DEVICE_FEATURES);
}

static void mmio_set_features(struct virtio_dev *vd, uint64_t features)
{
    struct vmmio *m = of(vd);
    wr(m, REG_DRIVER_FEATURES_SEL, 0);
    wr(m, REG_DRIVER_FEATURES, (uint32_t)features);
    wr(m, REG_DRIVER_FEATURES_SEL, 1);
    wr(m, REG_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

/* Config space bounds: the window the VMM announced, past the registers. */
static bool config_in_range(const struct vmmio *m, unsigned offset, unsigned size)
{
    bool width_ok = size == 1 || size == 2 || size == 4 || size == 8;
    return width_ok && (offset & (size - 1)) == 0 &&
           (uint64_t)offset + size <= m->size - REG_CONFIG;
}

static uint64_t config_read_once(const struct vmmio *m, unsigned offset, unsigned size)
{
    uintptr_t a = m->base + REG_CONFIG + offset;
    switch (size) {
    case 1:
        return *(volatile uint8_t *)a;
    case 2:
        return *(volatile uint16_t *)a;
    case 4:
        return *(volatile uint32_t *)a;
    default:
        return mmio_read32(a) | (uint64_t)mmio_read32(a + 4) << 32;
    }
}

static uint64_t mmio_config_read(struct virtio_dev *vd, unsigned offset, unsigned size)
{
    struct vmmio *m = of(vd);
    if (!config_in_range(m, offset, size)) {
        virtio_fail(vd, "driver read config offset %u size %u outside the %llu-byte window", offset,
                    size, (unsigned long long)(m->size - REG_CONFIG));
        return 0;
    }
    /* 2.5.1 / 4.2.2.2: retry while the generation changes under the read. */
    for (unsigned i = 0; i < CONFIG_RETRIES; i++) {
        uint32_t gen = rd(m, REG_CONFIG_GENERATION);
        uint64_t v = config_read_once(m, offset, size);
        if (rd(m, REG_CONFIG_GENERATION) == gen)
            return v;
    }
    virtio_fail(vd, "ConfigGeneration never settles");
    return 0;
}

static void mmio_config_write(struct virtio_dev *vd, unsigned offset, unsigned size, uint64_t v)
{
    struct vmmio *m = of(vd);
    if (!config_in_range(m, offset, size)) {
        virtio_fail(vd, "driver wrote config offset %u size %u outside the window", offset, size);
        return;
    }
    uintptr_t a = m->base + REG_CONFIG + offset;
    switch (size) {
    case 1:
        *(volatile uint8_t *)a = (uint8_t)v;
        break;
    case 2:
        *(volatile uint16_t *)a = (uint16_t)v;
        break;
    case 4:
        *(volatile uint32_t *)a = (uint32_t)v;
        break;
    default:
        mmio_write32(a, (uint32_t)v);
        mmio_write32(a + 4, (uint32_t)(v >> 32));
        break;
    }
}

static uint16_t mmio_queue_max(struct virtio_dev *vd, unsigned index)
{
    struct vmmio *m = of(vd);
    wr(m, REG_QUEUE_SEL, index);
    if (rd(m, REG_QUEUE_READY) != 0) {
        virtio_fail(vd, "queue %u is already live before the driver set it up", index);
        return 0;
    }
    uint32_t max = rd(m, REG_QUEUE_NUM_MAX);
    return (uint16_t)(max > 32768 ? 32768 : max); /* 2.7: at most 32768 */
}

static int mmio_queue_enable(struct virtio_dev *vd, unsigned index, uint16_t size, uint64_t desc,
                             uint64_t avail, uint64_t used)
{
    struct vmmio *m = of(vd);
    /* 4.2.3.2 steps 1-8. */
    wr(m, REG_QUEUE_SEL, index);
    if (rd(m, REG_QUEUE_READY) != 0)
        return -1;
    uint32_t max = rd(m, REG_QUEUE_NUM_MAX);
    if (max == 0 || size > max)
        return -1;
    wr(m, REG_QUEUE_NUM, size);
    wr(m, REG_QUEUE_DESC_LOW, (uint32_t)desc);
    wr(m, REG_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr(m, REG_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(m, REG_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(m, REG_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(m, REG_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(m, REG_QUEUE_READY, 1);
    if (rd(m, REG_QUEUE_READY) != 1) {
        virtio_fail(vd, "queue %u did not become ready", index);
        return -1;
    }
    return 0;
}

static void mmio_queue_notify(struct virtio_dev *vd, unsigned index)
{
    wr(of(vd), REG_QUEUE_NOTIFY, index);
}

/* The line is edge-triggered: acknowledge what was read, then look again,
 * so an event that arrives between the read and the acknowledgement is not
 * left without an edge to announce it. */
static void mmio_irq(void *ctx)
{
    struct vmmio *m = ctx;
    bool any = false;
    for (unsigned i = 0; i < 16; i++) {
        uint32_t isr = rd(m, REG_INTERRUPT_STATUS) & 3;
        if (isr == 0)
            break;
        any = true;
        wr(m, REG_INTERRUPT_ACK, isr);
        virtio_interrupt(&m->vd, isr);
    }
    if (!any)
        m->spurious++;
}

/* Edge-triggered, active high (Firecracker's DSDT says so; QEMU's line
 * follows InterruptStatus, and the handler re-reads it after each
 * acknowledgement, so an edge is never lost). The number is a GSI; with the
 * 8259s alone it is the ISA IRQ of the same number. */
static int mmio_irq_setup(struct virtio_dev *vd)
{
    struct vmmio *m = of(vd);
    if (m->vector != 0)
        return 0; /* installed already */
    m->action = (struct irq_action){.fn = mmio_irq, .ctx = m, .name = vd->location};
    struct irq_line line = {IRQ_LINE_GSI, m->irq, false, false};
    if (irq_line_attach(&line, &m->action, &m->vector) != 0) {
        kprintf("virtio-mmio: %#lx: cannot use IRQ %u\n", (unsigned long)m->base, m->irq);
        return -1;
    }
    return 0;
}

static void mmio_irq_teardown(struct virtio_dev *vd)
{
    struct vmmio *m = of(vd);
    struct irq_line line = {IRQ_LINE_GSI, m->irq, false, false};
    irq_line_detach(&line, &m->action);
    m->vector = 0;
}

static const struct virtio_transport_ops mmio_ops = {
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = mmio_get_features,
    .set_features = mmio_set_features,
    .config_read = mmio_config_read,
    .config_write = mmio_config_write,
    .queue_max = mmio_queue_max,
    .queue_enable = mmio_queue_enable,
    .queue_notify = mmio_queue_notify,
    .irq_setup = mmio_irq_setup,
    .irq_teardown = mmio_irq_teardown,
};

/* Looks at one announced window; registers the device when there is one. */
static void probe_one(const struct virtio_mmio_desc *d)
{
    /* 3-4 GiB is mapped uncached at boot; a window elsewhere is mapped (or
     * remapped) uncached here. */
    bool in_mmio_hole = d->base >= UNCACHED_START && d->base + d->size <= UNCACHED_END;
    if (!in_mmio_hole && paging_identity_map(d->base, d->size, true) != 0) {
        kprintf("virtio-mmio: %#llx: cannot map the window; skipped\n",
                (unsigned long long)d->base);
        return;
    }
    uintptr_t base = (uintptr_t)d->base;
    uint32_t magic = mmio_read32(base + REG_MAGIC);
    if (magic != MAGIC) {
        kprintf("virtio-mmio: %#lx irq %u: no virtio device there (magic %#x); skipped\n",
                (unsigned long)base, d->irq, magic);
        return;
    }
    uint32_t version = mmio_read32(base + REG_VERSION);
    uint32_t device_id = mmio_read32(base + REG_DEVICE_ID);
    if (device_id == 0)
        return; /* 4.2.2: a placeholder slot with no device behind it */
    if (version == 1) {
        kprintf("virtio-mmio: %#lx irq %u device %u (%s): legacy interface (version 1) is not "
                "supported; skipped\n",
                (unsigned long)base, d->irq, device_id, virtio_device_name(device_id));
        return;
    }
    if (version != 2) {
        kprintf("virtio-mmio: %#lx irq %u: unknown version %u; skipped\n", (unsigned long)base,
                d->irq, version);
        return;
    }
    kprintf("virtio-mmio: %#lx irq %u device %u (%s)\n", (unsigned long)base, d->irq, device_id,
            virtio_device_name(device_id));

    struct vmmio *m = calloc(1, sizeof *m);
    if (m == NULL) {
        kprintf("virtio-mmio: %#lx: out of memory\n", (unsigned long)base);
        return;
    }
    m->base = base;
    m->size = d->size;
    m->irq = d->irq;
    m->vd.device_id = device_id;
    m->vd.ops = &mmio_ops;
    m->vd.transport = m;
    snprintf(m->vd.location, sizeof m->vd.location, "mmio %#lx irq %u", (unsigned long)base,
             d->irq);
    /* Start from a reset device whatever the firmware or a previous kernel
     * left (4.2.3.1.1 "reset the device"). */
    wr(m, REG_STATUS, 0);
    virtio_add_device(&m->vd, NULL);
}

static void virtio_mmio_start(void)
{
    static struct virtio_mmio_desc found[VIRTIO_MMIO_MAX_DEVICES];
    unsigned entries = 0;
    unsigned n =
        virtio_mmio_from_cmdline(platform_cmdline(), found, VIRTIO_MMIO_MAX_DEVICES, &entries);
    /* The command line wins when it names devices at all (Firecracker, QEMU
     * microvm with acpi=off); QEMU microvm with ACPI names them only in the
     * DSDT and appends nothing. */
    const char *source = "the command line";
    if (entries == 0) {
        n = virtio_mmio_from_acpi(platform_phys(), platform_acpi(), found, VIRTIO_MMIO_MAX_DEVICES);
        source = "the ACPI DSDT";
    }
    if (n)
        kprintf("virtio-mmio: %u device%s described by %s\n", n, n == 1 ? "" : "s", source);
    for (unsigned i = 0; i < n; i++)
        probe_one(&found[i]);
}

/* virtio-mmio has no devices of its own in the inventory: each window it
 * finds becomes a virtio device (drivers/virtio/virtio.c) directly. After
 * PCI, as before. */
static const struct bus virtio_mmio_bus = {
    .name = "virtio-mmio",
    .order = 20,
    .start = virtio_mmio_start,
};
BUS_REGISTER(virtio_mmio_bus);
