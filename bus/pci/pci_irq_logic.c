/* Interrupt arithmetic: MSI and MSI-X messages for the local APIC, the MSI-X
 * table location, and where an INTx pin arrives at the IOAPIC. Pure logic,
 * see pci_logic.h. */
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

/* MPS INTI flags in a MADT interrupt source override (ACPI 6.5, 5.2.12.5). */
#define INTI_POLARITY_MASK 0x3
#define INTI_POLARITY_HIGH 0x1
#define INTI_TRIGGER_SHIFT 2
#define INTI_TRIGGER_EDGE 0x1

uint32_t pci_msi_address(uint32_t apic_id)
{
    if (apic_id > 0xFF)
        return 0;
    return PCI_MSI_ADDRESS_BASE | apic_id << 12;
}

uint32_t pci_msi_data(uint8_t vector)
{
    return vector; /* delivery mode 000 fixed, bit 15 = 0 edge */
}

int pci_msix_table(uint32_t table_reg, uint16_t control, const struct pci_bar bar[6],
                   uint64_t *addr, unsigned *entries, const char **why)
{
    unsigned bir = table_reg & PCI_MSIX_BIR;
    uint64_t offset = table_reg & ~(uint32_t)PCI_MSIX_BIR;
    unsigned n = (control & PCI_MSIX_CTRL_SIZE) + 1u;
    if (bir > 5) {
        *why = "MSI-X table in a reserved BAR indicator";
        return -1;
    }
    const struct pci_bar *b = &bar[bir];
    if (b->size == 0 || b->io) {
        *why = "MSI-X table BAR is not a memory BAR";
        return -1;
    }
    if (b->base == 0) {
        *why = "MSI-X table BAR is unassigned";
        return -1;
    }
    if (offset > b->size || (uint64_t)n * PCI_MSIX_ENTRY_SIZE > b->size - offset) {
        *why = "MSI-X table does not fit in its BAR";
        return -1;
    }
    *addr = b->base + offset;
    *entries = n;
    return 0;
}

int pci_intx_route(uint8_t pin, uint8_t line, const struct acpi_irq_override *ov, unsigned nov,
                   struct pci_intx_route *out, const char **why)
{
    if (pin == 0) {
        *why = "no interrupt pin";
        return -1;
    }
    if (pin > 4) {
        *why = "interrupt pin register out of range";
        return -1;
    }
    if (line == 0 || line == 0xFF) {
        *why = "interrupt line not set by firmware (no _PRT support)";
        return -1;
    }
    /* PCI INTx is level triggered, active low (PCI Local Bus 3.0, 2.2.6). */
    out->gsi = line;
    out->level = true;
    out->active_low = true;
    if (line >= 16)
        return 0;
    for (unsigned i = 0; i < nov; i++) {
        if (ov[i].isa_irq != line)
            continue;
        /* "Conforms to the bus" (00) keeps the PCI defaults. */
        out->gsi = ov[i].gsi;
        unsigned pol = ov[i].flags & INTI_POLARITY_MASK;
        unsigned trig = (ov[i].flags >> INTI_TRIGGER_SHIFT) & 0x3;
        if (pol == INTI_POLARITY_HIGH)
            out->active_low = false;
        if (trig == INTI_TRIGGER_EDGE)
            out->level = false;
        break;
    }
    return 0;
}
