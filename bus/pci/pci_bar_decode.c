/* BAR sizing arithmetic (PCI Local Bus 3.0, 6.2.5.1): after all ones are
 * written, the read-only low address bits of a BAR read back as zero, so the
 * lowest writable address bit of the read-back mask is the size. Pure logic,
 * see pci_logic.h. */
#include <string.h>

#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

#define IO_SPACE_END 0x10000ull /* x86 ports are 16 bits */

bool pci_bar_is_mem64(uint32_t value)
{
    return !(value & PCI_BAR_IO) && (value & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_TYPE_64;
}

static int decode_io(uint32_t orig, uint32_t probe, struct pci_bar *out)
{
    uint32_t mask = probe & PCI_BAR_IO_MASK;
    if (mask == 0)
        return 1; /* all zeros: the device has no BAR in this slot (PCI 3.0, 6.2.5.1) */
    /* A device decoding only 16 address bits may read the upper half back as
     * zero (6.2.5.1): those bits then count as address bits. */
    if ((mask & 0xFFFF0000u) == 0)
        mask |= 0xFFFF0000u;
    uint64_t size = mask & (~mask + 1u); /* lowest set bit */
    uint64_t base = orig & PCI_BAR_IO_MASK & mask;
    if (base + size > IO_SPACE_END)
        return -1;
    out->io = true;
    out->base = base;
    out->size = size;
    return 1;
}

int pci_bar_decode(uint32_t orig, uint32_t probe, uint32_t orig_hi, uint32_t probe_hi,
                   bool has_next, struct pci_bar *out)
{
    memset(out, 0, sizeof *out);
    if (orig & PCI_BAR_IO) {
        int n = decode_io(orig, probe, out);
        if (n < 0)
            memset(out, 0, sizeof *out);
        return n;
    }
    uint32_t type = orig & PCI_BAR_MEM_TYPE;
    if (type == PCI_BAR_MEM_TYPE)
        return -1; /* reserved encoding */
    bool is64 = type == PCI_BAR_MEM_TYPE_64;
    if (is64 && !has_next)
        return -1;
    int used = is64 ? 2 : 1;
    uint64_t mask = probe & PCI_BAR_MEM_MASK;
    uint64_t base = orig & PCI_BAR_MEM_MASK;
    if (is64) {
        mask |= (uint64_t)probe_hi << 32;
        base |= (uint64_t)orig_hi << 32;
    } else if (mask) {
        mask |= 0xFFFFFFFF00000000ull; /* a 32-bit BAR decodes no higher bits */
    }
    if (mask == 0)
        return used; /* all zeros: the device has no BAR in this slot */
    uint64_t size = mask & (~mask + 1u);
    base &= mask; /* bits below the size are not address bits */
    if (base + size < base)
        return -1;
    out->base = base;
    out->size = size;
    out->is64 = is64;
    out->prefetchable = (orig & PCI_BAR_MEM_PREFETCH) != 0;
    return used;
}
