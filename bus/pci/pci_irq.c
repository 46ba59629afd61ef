/* Interrupts for a function: MSI-X entry 0 (PCI Local Bus 3.0, 6.8.2), else
 * MSI with one vector (6.8.1), else the INTx pin through the IOAPIC (or the
 * 8259s when there is no APIC), shared by every function on the same line.
 * MSI and MSI-X need the local APIC, so with the PICs alone only INTx is
 * tried; `pci.nomsi` on the command line forces INTx too. */
#include <stdlib.h>

#include "arch/x86_64/intc.h"
#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/cmdline.h"
#include "core/kernel.h"
#include "core/log.h"

#define MAX_INTX_LINES 32

struct intx_handler {
    irq_handler fn;
    void *ctx;
    struct intx_handler *next;
};

/* One per GSI (APIC) or ISA IRQ (PICs): one vector, every handler on it. */
struct intx_line {
    uint32_t gsi;
    uint8_t vector;
    bool broken; /* routing failed: nobody may join */
    struct intx_handler *handlers;
};

static struct intx_line lines[MAX_INTX_LINES];
static unsigned nlines;

/* Level-triggered and shared: every handler checks its own device. */
static void intx_dispatch(void *ctx)
{
    struct intx_line *l = ctx;
    for (struct intx_handler *h = l->handlers; h; h = h->next)
        h->fn(h->ctx);
}

static void set_intx_disable(struct pci_dev *d, bool disable)
{
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    uint16_t want = disable ? cmd | PCI_COMMAND_INTX_DISABLE : cmd & ~PCI_COMMAND_INTX_DISABLE;
    if (want != cmd)
        pci_write16(d, PCI_COMMAND, want);
}

/* A vector with fn installed, 0 with a log line when none is left. */
static uint8_t vector_for(struct pci_dev *d, irq_handler fn, void *ctx)
{
    char name[16];
    uint8_t v = irq_alloc_vector();
    if (v == 0) {
        kprintf("pci: %s: no free interrupt vector\n", pci_dev_name(d, name));
        return 0;
    }
    if (irq_register(v, fn, ctx) != 0)
        return 0;
    return v;
}

static int setup_msix(struct pci_dev *d, uint8_t cap, irq_handler fn, void *ctx)
{
    char name[16];
    uint16_t ctrl = pci_read16(d, (uint16_t)(cap + PCI_MSIX_CONTROL));
    uint32_t table_reg = pci_read32(d, (uint16_t)(cap + PCI_MSIX_TABLE));
    uint64_t table_addr;
    unsigned entries;
    const char *why;
    if (pci_msix_table(table_reg, ctrl, d->bar, &table_addr, &entries, &why) != 0) {
        kprintf("pci: %s: %s; trying MSI\n", pci_dev_name(d, name), why);
        return -1;
    }
    uint32_t address = pci_msi_address(lapic_id());
    if (address == 0) {
        kprintf("pci: %s: APIC ID %u too large for MSI-X\n", pci_dev_name(d, name), lapic_id());
        return -1;
    }
    unsigned bir = table_reg & PCI_MSIX_BIR;
    volatile uint8_t *bar = pci_map_bar(d, bir);
    if (bar == NULL)
        return -1;
    volatile uint32_t *table = (volatile uint32_t *)(bar + (table_addr - d->bar[bir].base));
    uint8_t vector = vector_for(d, fn, ctx);
    if (vector == 0)
        return -1;

    /* Function Mask holds every entry back while entry 0 is written
     * (6.8.2.3); the table is memory in a BAR, so memory decoding is on,
     * and the message is a memory write by the device: bus mastering. */
    uint8_t msi = pci_find_capability(d, PCI_CAP_ID_MSI, 0);
    if (msi) {
        uint16_t mc = pci_read16(d, (uint16_t)(msi + PCI_MSI_CONTROL));
        if (mc & PCI_MSI_CTRL_ENABLE)
            pci_write16(d, (uint16_t)(msi + PCI_MSI_CONTROL), mc & ~PCI_MSI_CTRL_ENABLE);
    }
    pci_enable(d, true, false, true);
    pci_write16(d, (uint16_t)(cap + PCI_MSIX_CONTROL),
                ctrl | PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_FUNCTION_MASK);
    /* Entries come out of reset masked (6.8.2.9); firmware may have used
     * some, so any left unmasked is masked (one read each, a write only
     * where needed: each access is a VM exit). */
    for (unsigned i = 1; i < entries; i++) {
        volatile uint32_t *ctl = table + i * (PCI_MSIX_ENTRY_SIZE / 4) + PCI_MSIX_ENTRY_CONTROL / 4;
        uint32_t c = *ctl;
        if (!(c & PCI_MSIX_ENTRY_MASKED))
            *ctl = c | PCI_MSIX_ENTRY_MASKED;
    }
    table[PCI_MSIX_ENTRY_ADDR_LO / 4] = address;
    table[PCI_MSIX_ENTRY_ADDR_HI / 4] = 0;
    table[PCI_MSIX_ENTRY_DATA / 4] = pci_msi_data(vector);
    table[PCI_MSIX_ENTRY_CONTROL / 4] &= ~(uint32_t)PCI_MSIX_ENTRY_MASKED;
    pci_write16(d, (uint16_t)(cap + PCI_MSIX_CONTROL),
                (ctrl | PCI_MSIX_CTRL_ENABLE) & ~PCI_MSIX_CTRL_FUNCTION_MASK);
    set_intx_disable(d, true);
    d->irq_mode = PCI_IRQ_MSIX;
    d->irq_vector = vector;
    return 0;
}

static int setup_msi(struct pci_dev *d, uint8_t cap, irq_handler fn, void *ctx)
{
    char name[16];
    uint32_t address = pci_msi_address(lapic_id());
    if (address == 0) {
        kprintf("pci: %s: APIC ID %u too large for MSI\n", pci_dev_name(d, name), lapic_id());
        return -1;
    }
    uint8_t msix = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
    if (msix) { /* never both enabled (6.8.2) */
        uint16_t xc = pci_read16(d, (uint16_t)(msix + PCI_MSIX_CONTROL));
        if (xc & PCI_MSIX_CTRL_ENABLE)
            pci_write16(d, (uint16_t)(msix + PCI_MSIX_CONTROL), xc & ~PCI_MSIX_CTRL_ENABLE);
    }
    uint8_t vector = vector_for(d, fn, ctx);
    if (vector == 0)
        return -1;
    uint16_t ctrl = pci_read16(d, (uint16_t)(cap + PCI_MSI_CONTROL));
    bool is64 = ctrl & PCI_MSI_CTRL_64BIT;
    pci_write16(d, (uint16_t)(cap + PCI_MSI_CONTROL), ctrl & ~PCI_MSI_CTRL_ENABLE);
    pci_write32(d, (uint16_t)(cap + PCI_MSI_ADDR_LO), address);
    if (is64)
        pci_write32(d, (uint16_t)(cap + PCI_MSI_ADDR_HI), 0);
    pci_write16(d, (uint16_t)(cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32)),
                (uint16_t)pci_msi_data(vector));
    if (ctrl & PCI_MSI_CTRL_MASKABLE) {
        uint16_t mask = (uint16_t)(cap + (is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32));
        pci_write32(d, mask, pci_read32(d, mask) & ~1u);
    }
    pci_enable(d, false, false, true);
    /* Multiple Message Enable 0: one vector. */
    pci_write16(d, (uint16_t)(cap + PCI_MSI_CONTROL),
                (uint16_t)((ctrl & ~PCI_MSI_CTRL_MME) | PCI_MSI_CTRL_ENABLE));
    set_intx_disable(d, true);
    d->irq_mode = PCI_IRQ_MSI;
    d->irq_vector = vector;
    return 0;
}

/* vector 0: allocate one. */
static struct intx_line *intx_line_for(struct pci_dev *d, uint32_t gsi, uint8_t vector, bool *fresh)
{
    char name[16];
    *fresh = false;
    for (unsigned i = 0; i < nlines; i++)
        if (lines[i].gsi == gsi)
            return lines[i].broken ? NULL : &lines[i];
    if (nlines >= MAX_INTX_LINES) {
        kprintf("pci: %s: more than %u INTx lines in use\n", pci_dev_name(d, name), MAX_INTX_LINES);
        return NULL;
    }
    struct intx_line *l = &lines[nlines];
    l->gsi = gsi;
    l->vector = vector ? vector : irq_alloc_vector();
    if (l->vector == 0) {
        kprintf("pci: %s: no free interrupt vector\n", pci_dev_name(d, name));
        return NULL;
    }
    if (irq_register(l->vector, intx_dispatch, l) != 0)
        return NULL;
    nlines++;
    *fresh = true;
    return l;
}

static int setup_intx(struct pci_dev *d, irq_handler fn, void *ctx)
{
    char name[16];
    struct pci_intx_route route;
    const char *why;
    bool apic = intc_using_apic();
    if (pci_intx_route(d->irq_pin, d->irq_line, kernel_acpi.overrides, kernel_acpi.noverrides,
                       &route, &why) != 0) {
        kprintf("pci: %s: no INTx: %s\n", pci_dev_name(d, name), why);
        return -1;
    }
    if (!apic && d->irq_line >= 16) {
        kprintf("pci: %s: INTx line %u needs an IOAPIC\n", pci_dev_name(d, name), d->irq_line);
        return -1;
    }
    uint32_t key = apic ? route.gsi : d->irq_line;
    struct intx_handler *h = malloc(sizeof *h);
    if (h == NULL) {
        kprintf("pci: %s: out of memory\n", pci_dev_name(d, name));
        return -1;
    }
    /* The 8259s deliver IRQ n on a vector fixed by the hardware, whatever is
     * asked for, and intc_eoi() finds the PIC by that vector. */
    uint8_t fixed = apic ? 0 : intc_isa_vector(d->irq_line);
    bool fresh;
    struct intx_line *l = intx_line_for(d, key, fixed, &fresh);
    if (l == NULL) {
        free(h);
        return -1;
    }
    *h = (struct intx_handler){fn, ctx, NULL};
    uint64_t flags = pci_irq_save();
    h->next = l->handlers;
    l->handlers = h;
    pci_irq_restore(flags);
    if (fresh) {
        /* With the 8259s, PCI lines are level triggered through the ELCR,
         * which the firmware programs along with the Interrupt Line. */
        int rc = apic ? intc_route_gsi(route.gsi, l->vector, route.level, route.active_low)
                      : intc_route_isa_irq(d->irq_line, l->vector);
        if (rc != 0) {
            l->broken = true; /* never unmasked: nothing can run the handler */
            l->handlers = NULL;
            free(h);
            kprintf("pci: %s: cannot route INTx (GSI %u)\n", pci_dev_name(d, name), key);
            return -1;
        }
    }
    set_intx_disable(d, false);
    d->irq_mode = PCI_IRQ_INTX;
    d->irq_vector = l->vector;
    return 0;
}

enum pci_irq_mode pci_irq_setup(struct pci_dev *d, irq_handler fn, void *ctx)
{
    char name[16];
    if (fn == NULL)
        return PCI_IRQ_NONE;
    if (d->irq_mode != PCI_IRQ_NONE) {
        kprintf("pci: %s: interrupt already set up\n", pci_dev_name(d, name));
        return PCI_IRQ_NONE;
    }
    bool msi_ok = intc_using_apic() && !cmdline_has(kernel_cmdline(), "pci.nomsi");
    if (msi_ok) {
        uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
        if (cap && setup_msix(d, cap, fn, ctx) == 0)
            return PCI_IRQ_MSIX;
        cap = pci_find_capability(d, PCI_CAP_ID_MSI, 0);
        if (cap && setup_msi(d, cap, fn, ctx) == 0)
            return PCI_IRQ_MSI;
    }
    if (setup_intx(d, fn, ctx) == 0)
        return PCI_IRQ_INTX;
    kprintf("pci: %s: no usable interrupt\n", pci_dev_name(d, name));
    return PCI_IRQ_NONE;
}
