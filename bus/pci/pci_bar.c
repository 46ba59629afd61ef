/* BAR sizing at enumeration (PCI Local Bus 3.0, 6.2.5.1), through the
 * configuration accessors only (pci_dev.c), so host fuzzers run it over a
 * simulated configuration space; mapping for drivers is pci_bar_map.c.
 * Addresses are the firmware's: a BAR left at 0 is reported as unassigned
 * and never mapped (docs/pci.md). */
#include <stdint.h>

#include "bus/pci/pci_internal.h"
#include "core/arch.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

static unsigned bar_count(const struct pci_dev *d)
{
    switch (d->header_type) {
    case PCI_HEADER_ENDPOINT:
        return 6;
    case PCI_HEADER_BRIDGE:
        return 2;
    default:
        return 0; /* CardBus: its one BAR is the socket register block, not sized */
    }
}

void pci_bars_size(struct pci_dev *d)
{
    unsigned n = bar_count(d);
    if (n == 0)
        return;
    /* Decoding stays off while a BAR holds all ones, so the device never
     * answers at that address; interrupts stay off so no handler touches
     * the device meanwhile. Host bridges keep decoding: on some chipsets
     * turning it off cuts the CPU off from memory, and on QEMU q35 each
     * toggle of the MCH's command register costs milliseconds. */
    uint64_t flags = arch_irq_save();
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    bool host_bridge = d->class_code == PCI_CLASS_BRIDGE && d->subclass == PCI_SUBCLASS_HOST;
    bool toggle = !host_bridge && (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    if (toggle)
        pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (unsigned i = 0; i < n;) {
        uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
        uint32_t orig = pci_read32(d, off);
        pci_write32(d, off, 0xFFFFFFFFu);
        uint32_t probe = pci_read32(d, off);
        pci_write32(d, off, orig);
        uint32_t orig_hi = 0, probe_hi = 0;
        bool has_next = i + 1 < n;
        if (pci_bar_is_mem64(orig) && has_next) {
            orig_hi = pci_read32(d, off + 4);
            pci_write32(d, off + 4, 0xFFFFFFFFu);
            probe_hi = pci_read32(d, off + 4);
            pci_write32(d, off + 4, orig_hi);
        }
        int used = pci_bar_decode(orig, probe, orig_hi, probe_hi, has_next, &d->bar[i]);
        if (used < 0) {
            d->bar_bad |= (uint8_t)(1u << i);
            used = 1;
        }
        i += (unsigned)used;
    }
    if (toggle)
        pci_write16(d, PCI_COMMAND, cmd);
    arch_irq_restore(flags);
}
