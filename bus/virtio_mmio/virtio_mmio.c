/* virtio-mmio bring-up: devices from the command line or from ACPI, each
 * window mapped and identified (MagicValue, Version, DeviceID), its
 * interrupt line routed, and the device handed to the virtio core. The
 * register logic of both interfaces, Version 2 and the legacy Version 1
 * (virtio 1.2, 4.2.2-4.2.4), is in virtio_mmio_transport.c. */
#include "bus/virtio_mmio/virtio_mmio.h"

#include "klib/format.h"
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "bus/pci/pci.h"
#include "bus/virtio_mmio/virtio_mmio_transport.h"
#include "core/acpi.h"
#include "core/device.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/platform.h"
#include "drivers/virtio/virtio.h"

#define UNCACHED_START 0xC0000000ull /* boot maps 3-4 GiB uncached (paging.h) */
#define UNCACHED_END 0x100000000ull
/* Interrupt status re-reads per interrupt (mmio_irq): bounded, so a device
 * that keeps its status set cannot hold the CPU. */
#define IRQ_STATUS_ROUNDS 16

/* The line is edge-triggered: acknowledge what was read, then look again,
 * so an event that arrives between the read and the acknowledgement is not
 * left without an edge to announce it. */
static void mmio_irq(void *ctx)
{
    struct vmmio *m = ctx;
    bool any = false;
    for (unsigned i = 0; i < IRQ_STATUS_ROUNDS; i++) {
        uint32_t isr = vmmio_interrupt_status(m);
        if (isr == 0)
            break;
        any = true;
        vmmio_interrupt_ack(m, isr);
        virtio_interrupt(&m->vd, isr);
    }
    if (!any)
        m->spurious++;
}

/* Edge-triggered, active high (Firecracker's DSDT says so; QEMU's line
 * follows InterruptStatus, and the handler re-reads it after each
 * acknowledgement, so an edge is never lost). The number is a GSI; with the
 * 8259s alone it is the ISA IRQ of the same number (core/irq.c). */
static int mmio_irq_install(struct vmmio *m)
{
    if (m->vector != 0)
        return 0; /* installed already */
    m->action = (struct irq_action){.fn = mmio_irq, .ctx = m, .name = m->vd.location};
    struct irq_line line = {IRQ_LINE_GSI, m->irq, false, false};
    if (irq_line_attach(&line, &m->action, &m->vector) != 0) {
        kprintf("virtio-mmio: %#lx: cannot use IRQ %u\n", (unsigned long)(uintptr_t)m->regs.ctx,
                m->irq);
        return -1;
    }
    return 0;
}

static void mmio_irq_remove(struct vmmio *m)
{
    struct irq_line line = {IRQ_LINE_GSI, m->irq, false, false};
    irq_line_detach(&line, &m->action);
    m->vector = 0;
}

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
    struct virtio_regs regs = virtio_regs_mmio(base);
    uint32_t magic = vregs_read32(&regs, VMMIO_MAGIC);
    if (magic != VMMIO_MAGIC_VALUE) {
        kprintf("virtio-mmio: %#lx irq %u: no virtio device there (magic %#x); skipped\n",
                (unsigned long)base, d->irq, magic);
        return;
    }
    uint32_t version = vregs_read32(&regs, VMMIO_VERSION);
    uint32_t device_id = vregs_read32(&regs, VMMIO_DEVICE_ID);
    if (device_id == 0)
        return; /* 4.2.2: a placeholder slot with no device behind it */
    if (version != VMMIO_VERSION_MODERN && version != VMMIO_VERSION_LEGACY) {
        kprintf("virtio-mmio: %#lx irq %u: unknown version %u; skipped\n", (unsigned long)base,
                d->irq, version);
        return;
    }
    bool legacy = version == VMMIO_VERSION_LEGACY;
    kprintf("virtio-mmio: %#lx irq %u device %u (%s)%s\n", (unsigned long)base, d->irq, device_id,
            virtio_device_name(device_id), legacy ? ", legacy interface" : "");

    struct vmmio *m = calloc(1, sizeof *m);
    if (m == NULL) {
        kprintf("virtio-mmio: %#lx: out of memory\n", (unsigned long)base);
        return;
    }
    m->regs = regs;
    m->size = d->size;
    m->version = version;
    m->irq = d->irq;
    m->irq_install = mmio_irq_install;
    m->irq_remove = mmio_irq_remove;
    m->vd.device_id = device_id;
    if (vmmio_setup(m) != 0) { /* the window was checked to hold the registers */
        free(m);
        return;
    }
    ksnprintf(m->vd.location, sizeof m->vd.location, "mmio %#lx irq %u", (unsigned long)base,
              d->irq);
    /* Start from a reset device whatever the firmware or a previous kernel
     * left (4.2.3.1.1 "reset the device"). */
    m->vd.ops->set_status(&m->vd, 0);
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
    /* Every way this kernel finds devices came up empty: no ACPI tables (so
     * no DSDT devices), no virtio_mmio.device= entries, and no PCI (the PCI
     * bus starts before this one). That is what QEMU's -M microvm,acpi=off looks like
     * when it boots -kernel through multiboot, which it prefers: it appends
     * the entries only on its PVH and Linux paths. A VM that really has no
     * devices is told the same, which is harmless. */
    if (!platform_acpi()->found && entries == 0 && pci_count() == 0) {
        kprintf("virtio-mmio: no way to discover devices: no ACPI tables, no "
                "virtio_mmio.device= on the command line, no PCI\n");
        kprintf("virtio-mmio: QEMU -M microvm,acpi=off announces devices only to a PVH or Linux "
                "boot; keep ACPI on (drop acpi=off) or boot through PVH (an image without the "
                "multiboot header, as tools/anyvm's microvm-pvh does)\n");
    }
}

/* virtio-mmio has no devices of its own in the inventory: each window it
 * finds becomes a virtio device (drivers/virtio/virtio.c) directly. After
 * PCI, whose function count the discovery message above reads. */
static const struct bus virtio_mmio_bus = {
    .name = "virtio-mmio",
    .order = 20,
    .start = virtio_mmio_start,
};
BUS_REGISTER(virtio_mmio_bus);
