/* The memory map Firecracker hands the guest, identical in the zero page's
 * e820 table (Linux boot) and the PVH memmap (arch/x86_64/mod.rs
 * configure_64bit_boot, configure_pvh). Pure logic. */
#ifndef HOSTSIM_FC_MEMMAP_H
#define HOSTSIM_FC_MEMMAP_H

#include <stdint.h>

#include "hostsim/boot/e820.h"
#include "hostsim/firecracker/ram.h"

/* Writes the entries in Firecracker's order (unsorted): {0, 0x9FC00, RAM},
 * {0x9FC00, 0x40400, reserved}, {0xEEC00000, 256 MiB, reserved}, then one
 * RAM entry per region from max(start, 1 MiB) to its end. Regions must each
 * end above 1 MiB. Returns the count, or -1 if more than max. */
int fc_e820_build(const struct fc_ram_region *ram, unsigned nram, struct e820_entry *out,
                  unsigned max);

#endif
