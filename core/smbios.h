/* SMBIOS (DMTF DSP0134, "System Management BIOS Reference Specification",
 * 3.x): the firmware's table of what the machine is. The kernel reads one
 * string from it, the chassis asset tag, by which Azure names its VMs.
 * Pure logic over a physical-memory window (host tests). */
#ifndef CORE_SMBIOS_H
#define CORE_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/phys.h"

/* The chassis asset tag (structure type 3, "Asset Tag Number" at offset
 * 08h) into out (cap bytes, NUL-terminated, cut to fit). The entry point is
 * at entry_hint when the firmware gave one (UEFI's configuration table),
 * else found where DSP0134 section 5.2 puts it on BIOS machines: a 16-byte
 * boundary in 0xF0000-0xFFFFF, the 64-bit "_SM3_" one preferred over the
 * 32-bit "_SM_" one. False when there is no valid entry point, no type 3
 * structure or no tag; a malformed table is logged. */
bool smbios_chassis_asset_tag(const struct phys_window *w, uint64_t entry_hint, char *out,
                              size_t cap);

#endif
