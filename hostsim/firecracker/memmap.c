#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/memmap.h"

static int add(struct e820_entry *out, unsigned *n, unsigned max, uint64_t addr, uint64_t size,
               uint32_t type)
{
    if (*n >= max)
        return -1;
    out[(*n)++] = (struct e820_entry){addr, size, type};
    return 0;
}

int fc_e820_build(const struct fc_ram_region *ram, unsigned nram, struct e820_entry *out,
                  unsigned max)
{
    unsigned n = 0;
    /* The low 640 KiB minus the last 1 KiB, then the "system" area that holds
     * the MP and ACPI tables up to the RSDP, then the PCI ECAM window (listed
     * even though no PCI exists without --enable-pci). [0xE0000, 1 MiB) is in
     * no entry. */
    if (add(out, &n, max, 0, FC_SYSTEM_MEM_START, E820_RAM) != 0 ||
        add(out, &n, max, FC_SYSTEM_MEM_START, FC_SYSTEM_MEM_SIZE, E820_RESERVED) != 0 ||
        add(out, &n, max, FC_PCI_MMCONFIG_START, FC_PCI_MMCONFIG_SIZE, E820_RESERVED) != 0)
        return -1;
    for (unsigned i = 0; i < nram; i++) {
        uint64_t start = ram[i].start > FC_HIMEM_START ? ram[i].start : FC_HIMEM_START;
        uint64_t end = ram[i].start + ram[i].size;
        if (end <= start)
            continue; /* cannot happen for the >= 2 MiB hostsim accepts */
        if (add(out, &n, max, start, end - start, E820_RAM) != 0)
            return -1;
    }
    return (int)n;
}
