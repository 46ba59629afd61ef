/* Configuration-space addresses: mechanism #1 (PCI Local Bus 3.0,
 * 3.2.2.3.2) and ECAM (PCIe Base 4.0, 7.2.2; regions from the ACPI MCFG,
 * PCI Firmware 3.3, 4.1.2). Pure logic, see pci_logic.h. */
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

#define ECAM_BUS_SHIFT 20 /* 1 MiB of configuration space per bus */
#define ECAM_ADDRESS_LIMIT (1ull << 47)

uint32_t pci_cf8_address(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    if (dev > 31 || fn > 7 || off > 255)
        return 0;
    return PCI_CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 |
           (off & 0xFCu);
}

uint64_t pci_ecam_address(const struct acpi_mcfg_entry *e, uint8_t bus, uint8_t dev, uint8_t fn,
                          uint16_t off)
{
    if (bus < e->bus_start || bus > e->bus_end || dev > 31 || fn > 7 || off > 4095)
        return 0;
    return e->base +
           ((uint64_t)bus << ECAM_BUS_SHIFT | (uint64_t)dev << 15 | (uint64_t)fn << 12 | off);
}

const char *pci_ecam_entry_problem(const struct acpi_mcfg_entry *e)
{
    if (e->base == 0)
        return "base address 0";
    if (e->base & ((1ull << ECAM_BUS_SHIFT) - 1))
        return "base address not 1 MiB aligned";
    if (e->bus_start > e->bus_end)
        return "bus range reversed";
    /* The region must lie inside the address space: base + 256 MiB cannot
     * wrap once base is below 2^47. */
    uint64_t end = e->base + ((uint64_t)e->bus_end + 1) * (1ull << ECAM_BUS_SHIFT);
    if (e->base >= ECAM_ADDRESS_LIMIT || end > ECAM_ADDRESS_LIMIT)
        return "region beyond the 48-bit address space";
    return NULL;
}

int pci_ecam_lookup(const struct acpi_mcfg_entry *e, unsigned n, uint16_t segment, uint8_t bus)
{
    for (unsigned i = 0; i < n; i++)
        if (e[i].segment == segment && bus >= e[i].bus_start && bus <= e[i].bus_end)
            return (int)i;
    return -1;
}
