/* Matching a function against a driver's table of struct pci_device_id.
 * Pure logic, see pci_logic.h. */
#include "bus/pci/pci_logic.h"

const struct pci_device_id *pci_match_table(const struct pci_device_id *table, uint16_t vendor,
                                            uint16_t device, uint32_t class24, int *score)
{
    const struct pci_device_id *best = NULL;
    int best_score = -1;
    for (unsigned i = 0; table && i < PCI_MATCH_MAX_ENTRIES && table[i].vendor != 0; i++) {
        const struct pci_device_id *e = &table[i];
        if (e->vendor != PCI_ANY_ID && e->vendor != vendor)
            continue;
        if (e->device != PCI_ANY_ID && e->device != device)
            continue;
        if ((class24 & e->class_mask) != (e->class_code & e->class_mask))
            continue;
        int s = (e->vendor != PCI_ANY_ID ? 4 : 0) + (e->device != PCI_ANY_ID ? 2 : 0) +
                (e->class_mask != 0 ? 1 : 0);
        if (s > best_score) {
            best = e;
            best_score = s;
        }
    }
    if (score)
        *score = best_score;
    return best;
}
