/* Mapping a BAR for a driver: identity-mapped and uncached, above 4 GiB on
 * demand. Addresses are the firmware's: a BAR left at 0 is unassigned and
 * never mapped (docs/pci.md). */
#include <stdint.h>

#include "arch/x86_64/paging.h"
#include "bus/pci/pci_internal.h"
#include "core/log.h"

#define PCI_MAP_BAR_MAX (1ull << 30)

volatile void *pci_map_bar(struct pci_dev *d, unsigned bar)
{
    if (bar >= 6 || (d->bar_bad & (1u << bar)))
        return NULL;
    const struct pci_bar *b = &d->bar[bar];
    if (b->io || b->size == 0 || b->base == 0)
        return NULL;
    /* The size is the device's word (the BAR's read-only bits): above 4 GiB
     * every GiB mapped costs a page table, and a BAR of 2^46 bytes would
     * take every free page. No driver here needs a BAR that large. */
    if (b->size > PCI_MAP_BAR_MAX) {
        char name[16];
        kprintf("pci: %s: bar%u of 0x%llx bytes is larger than the 0x%llx mapped; not mapped\n",
                pci_dev_name(d, name), bar, (unsigned long long)b->size,
                (unsigned long long)PCI_MAP_BAR_MAX);
        return NULL;
    }
    if (!(d->bar_mapped & (1u << bar))) {
        if (paging_identity_map(b->base, b->size, true) != 0) {
            char name[16];
            kprintf("pci: %s: cannot map bar%u at 0x%llx size 0x%llx\n", pci_dev_name(d, name), bar,
                    (unsigned long long)b->base, (unsigned long long)b->size);
            return NULL;
        }
        d->bar_mapped |= (uint8_t)(1u << bar);
    }
    return (volatile void *)(uintptr_t)b->base;
}
