/* Capability list walk (PCI Local Bus 3.0, 6.7) over a configuration-space
 * read callback, bounded against looping and out-of-range lists. Pure logic,
 * see pci_logic.h. */
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

uint8_t pci_cap_walk(pci_read8_fn rd, void *ctx, uint8_t header_type, uint8_t cap_id, uint8_t from,
                     bool after, bool *malformed)
{
    if (malformed)
        *malformed = false;
    if (!(rd(ctx, PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    uint8_t layout = header_type & PCI_HEADER_LAYOUT;
    uint8_t ptr = rd(ctx, layout == PCI_HEADER_CARDBUS ? PCI_CARDBUS_CAP_PTR : PCI_CAP_PTR);
    uint8_t seen[256 / 8] = {0};
    bool reached = from == 0; /* the start position has been passed */
    for (unsigned step = 0; step < PCI_CAP_MAX_STEPS; step++) {
        ptr &= 0xFC;
        if (ptr == 0)
            return 0; /* normal end of list */
        if (ptr < PCI_CAP_FIRST || (seen[ptr / 8] & (1u << (ptr % 8))))
            break;
        seen[ptr / 8] |= (uint8_t)(1u << (ptr % 8));
        if (!reached && ptr == from) {
            reached = true;
            if (after) {
                ptr = rd(ctx, (uint16_t)(ptr + 1));
                continue;
            }
        }
        if (reached && rd(ctx, ptr) == cap_id)
            return ptr;
        ptr = rd(ctx, (uint16_t)(ptr + 1));
    }
    if (malformed && (ptr & 0xFC) != 0)
        *malformed = true;
    return 0;
}
