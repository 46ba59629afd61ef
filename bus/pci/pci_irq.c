/* Interrupts for a function: MSI-X with one table entry per source (PCI Local
 * Bus 3.0, 6.8.2), else MSI with one vector (6.8.1), else the INTx pin
 * through the IOAPIC (or the 8259s when there is no APIC), a line shared by
 * every function on it (core/irq.c keeps the sharing). MSI and MSI-X need the
 * local APIC, so with the PICs alone only INTx is tried; `pci.nomsi` on the
 * command line forces INTx too, and `pci.nomsix` skips MSI-X (MSI, else
 * INTx), so that a device's every mode can be tested. A driver whose device
 * names the mode it wants asks for no better (pci_irq_setup_upto). */
#include "arch/x86_64/intc.h"
#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/log.h"
#include "core/param.h"
#include "core/platform.h"

KERNEL_PARAM(param_pci_nomsi, "pci.nomsi", "use INTx for every PCI device, never MSI or MSI-X");
KERNEL_PARAM(param_pci_nomsix, "pci.nomsix",
             "never use MSI-X: MSI where a device has it, else INTx");

static void set_intx_disable(struct pci_dev *d, bool disable)
{
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    uint16_t want = disable ? cmd | PCI_COMMAND_INTX_DISABLE : cmd & ~PCI_COMMAND_INTX_DISABLE;
    if (want != cmd)
        pci_write16(d, PCI_COMMAND, want);
}

static void msi_off(struct pci_dev *d)
{
    uint8_t msi = pci_find_capability(d, PCI_CAP_ID_MSI, 0);
    if (msi) {
        uint16_t mc = pci_read16(d, (uint16_t)(msi + PCI_MSI_CONTROL));
        if (mc & PCI_MSI_CTRL_ENABLE)
            pci_write16(d, (uint16_t)(msi + PCI_MSI_CONTROL), mc & ~PCI_MSI_CTRL_ENABLE);
    }
}

static void msix_off(struct pci_dev *d)
{
    uint8_t msix = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
    if (msix) {
        uint16_t xc = pci_read16(d, (uint16_t)(msix + PCI_MSIX_CONTROL));
        if (xc & PCI_MSIX_CTRL_ENABLE)
            pci_write16(d, (uint16_t)(msix + PCI_MSIX_CONTROL), xc & ~PCI_MSIX_CTRL_ENABLE);
    }
}

static volatile uint32_t *msix_entry(struct pci_dev *d, unsigned i)
{
    return d->msix_table + i * (PCI_MSIX_ENTRY_SIZE / 4);
}

/* Entries 0..n-1 (n <= the table's size), one vector each. */
static int setup_msix(struct pci_dev *d, uint8_t cap, struct irq_action *actions, unsigned n)
{
    uint16_t ctrl = pci_read16(d, (uint16_t)(cap + PCI_MSIX_CONTROL));
    uint32_t table_reg = pci_read32(d, (uint16_t)(cap + PCI_MSIX_TABLE));
    uint64_t table_addr;
    unsigned entries;
    const char *why;
    if (pci_msix_table(table_reg, ctrl, d->bar, &table_addr, &entries, &why) != 0) {
        kprintf("pci: %s: %s; trying MSI\n", d->dev.name, why);
        return -1;
    }
    if (entries < n) {
        kprintf("pci: %s: MSI-X table has %u entries, %u wanted; sharing one vector\n", d->dev.name,
                entries, n);
        return -1;
    }
    uint32_t address = pci_msi_address(lapic_id());
    if (address == 0) {
        kprintf("pci: %s: APIC ID %u too large for MSI-X\n", d->dev.name, lapic_id());
        return -1;
    }
    unsigned bir = table_reg & PCI_MSIX_BIR;
    volatile uint8_t *bar = pci_map_bar(d, bir);
    if (bar == NULL)
        return -1;
    uint8_t vectors[32];
    if (n > sizeof vectors) {
        kprintf("pci: %s: %u MSI-X vectors asked for, at most %zu\n", d->dev.name, n,
                sizeof vectors);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        /* Vectors are consecutive from the allocator, never returned. */
        vectors[i] = irq_alloc_vector();
        if (vectors[i] == 0)
            return -1;
    }
    d->msix_table = (volatile uint32_t *)(bar + (table_addr - d->bar[bir].base));
    d->msix_entries = (uint16_t)entries;
    d->msix_cap = cap;

    /* Function Mask holds every entry back while the entries are written
     * (6.8.2.3); the table is memory in a BAR, so memory decoding is on,
     * and a message is a memory write by the device: bus mastering. */
    msi_off(d);
    pci_enable(d, true, false, true);
    pci_write16(d, (uint16_t)(cap + PCI_MSIX_CONTROL),
                ctrl | PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_FUNCTION_MASK);
    /* Entries come out of reset masked (6.8.2.9); firmware may have used
     * some, so any left unmasked is masked (one read each, a write only
     * where needed: each access is a VM exit). */
    for (unsigned i = n; i < entries; i++) {
        volatile uint32_t *ctl = msix_entry(d, i) + PCI_MSIX_ENTRY_CONTROL / 4;
        uint32_t c = *ctl;
        if (!(c & PCI_MSIX_ENTRY_MASKED))
            *ctl = c | PCI_MSIX_ENTRY_MASKED;
    }
    for (unsigned i = 0; i < n; i++) {
        irq_attach(vectors[i], &actions[i]);
        volatile uint32_t *e = msix_entry(d, i);
        e[PCI_MSIX_ENTRY_ADDR_LO / 4] = address;
        e[PCI_MSIX_ENTRY_ADDR_HI / 4] = 0;
        e[PCI_MSIX_ENTRY_DATA / 4] = pci_msi_data(vectors[i]);
        e[PCI_MSIX_ENTRY_CONTROL / 4] &= ~(uint32_t)PCI_MSIX_ENTRY_MASKED;
    }
    pci_write16(d, (uint16_t)(cap + PCI_MSIX_CONTROL),
                (ctrl | PCI_MSIX_CTRL_ENABLE) & ~PCI_MSIX_CTRL_FUNCTION_MASK);
    set_intx_disable(d, true);
    d->irq_mode = PCI_IRQ_MSIX;
    d->irq_vector = vectors[0];
    d->irq_nvectors = (uint8_t)n;
    return 0;
}

static int setup_msi(struct pci_dev *d, uint8_t cap, struct irq_action *action)
{
    uint32_t address = pci_msi_address(lapic_id());
    if (address == 0) {
        kprintf("pci: %s: APIC ID %u too large for MSI\n", d->dev.name, lapic_id());
        return -1;
    }
    msix_off(d); /* never both enabled (6.8.2) */
    uint8_t vector = irq_alloc_vector();
    if (vector == 0 || irq_attach(vector, action) != 0)
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
    d->irq_nvectors = 1;
    return 0;
}

/* The pin's line: a GSI through the MADT's overrides with an IOAPIC, the
 * firmware's Interrupt Line (an ISA IRQ) with the 8259s alone. Level
 * triggered and shared: every handler on it checks its own device. */
static int setup_intx(struct pci_dev *d, struct irq_action *action)
{
    struct pci_intx_route route;
    const char *why;
    const struct acpi_info *acpi = platform_acpi();
    if (pci_intx_route(d->irq_pin, d->irq_line, acpi->overrides, acpi->noverrides, &route, &why) !=
        0) {
        kprintf("pci: %s: no INTx: %s\n", d->dev.name, why);
        return -1;
    }
    struct irq_line line = {IRQ_LINE_GSI, route.gsi, route.level, route.active_low};
    if (!intc_using_apic()) /* the ELCR, programmed by firmware, sets the trigger */
        line = (struct irq_line){IRQ_LINE_ISA, d->irq_line, true, true};
    uint8_t vector;
    if (irq_line_attach(&line, action, &vector) != 0) {
        kprintf("pci: %s: cannot use INTx line %u\n", d->dev.name, line.number);
        return -1;
    }
    set_intx_disable(d, false);
    d->irq_mode = PCI_IRQ_INTX;
    d->irq_vector = vector;
    d->irq_nvectors = 1;
    return 0;
}

unsigned pci_irq_setup(struct pci_dev *d, struct irq_action *actions, unsigned n)
{
    return pci_irq_setup_upto(d, actions, n, PCI_IRQ_MSIX);
}

unsigned pci_irq_setup_upto(struct pci_dev *d, struct irq_action *actions, unsigned n,
                            enum pci_irq_mode best)
{
    if (actions == NULL || n == 0)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (actions[i].name == NULL)
            actions[i].name = d->dev.name;
    if (d->irq_mode != PCI_IRQ_NONE) {
        kprintf("pci: %s: interrupt already set up\n", d->dev.name);
        return 0;
    }
    d->irq_actions = actions;
    bool msi_ok = intc_using_apic() && !param_present(&param_pci_nomsi) &&
                  (best == PCI_IRQ_MSIX || best == PCI_IRQ_MSI);
    bool msix_ok = msi_ok && best == PCI_IRQ_MSIX && !param_present(&param_pci_nomsix);
    if (msi_ok) {
        uint8_t cap = msix_ok ? pci_find_capability(d, PCI_CAP_ID_MSIX, 0) : 0;
        if (cap && setup_msix(d, cap, actions, n) == 0)
            return n;
        /* One vector for every source from here on. */
        if (cap && n > 1 && setup_msix(d, cap, actions, 1) == 0)
            return 1;
        cap = pci_find_capability(d, PCI_CAP_ID_MSI, 0);
        if (cap && setup_msi(d, cap, &actions[0]) == 0)
            return 1;
    }
    if (setup_intx(d, &actions[0]) == 0)
        return 1;
    kprintf("pci: %s: no usable interrupt\n", d->dev.name);
    return 0;
}

void pci_irq_teardown(struct pci_dev *d)
{
    switch (d->irq_mode) {
    case PCI_IRQ_MSIX:
        for (unsigned i = 0; i < d->irq_nvectors; i++)
            msix_entry(d, i)[PCI_MSIX_ENTRY_CONTROL / 4] |= PCI_MSIX_ENTRY_MASKED;
        msix_off(d);
        break;
    case PCI_IRQ_MSI:
        msi_off(d);
        break;
    case PCI_IRQ_INTX:
        set_intx_disable(d, true);
        break;
    case PCI_IRQ_NONE:
        return;
    }
    /* The device is silent now; its handlers leave their vectors (and the
     * shared line, which stays routed for the others on it). */
    for (unsigned i = 0; i < d->irq_nvectors; i++)
        irq_detach((uint8_t)(d->irq_vector + i), &d->irq_actions[i]);
    d->irq_mode = PCI_IRQ_NONE;
    d->irq_nvectors = 0;
}
