/* The MP configuration table's OEM ID (Intel MultiProcessor Specification
 * 1.4, chapter 4): all the kernel reads from it, to recognise the VMM that
 * wrote it (Firecracker writes one on every release, with or without ACPI).
 * Pure logic over a phys_window. */
#ifndef ARCH_X86_64_MPTABLE_H
#define ARCH_X86_64_MPTABLE_H

#include <stdint.h>

#include "core/phys.h"

/* Searches for the MP floating pointer where section 4 says it may be: the
 * first KiB of the EBDA (ebda_base, 0 = none), the last KiB of base memory
 * (base_mem_end, 0 = assume 640 KiB) and the BIOS ROM 0xF0000-0xFFFFF. Both
 * the pointer and the configuration table must have valid checksums and
 * lengths. Returns 0 and the 8-byte OEM ID (NUL-terminated, blanks kept) in
 * oem, or -1 when there is no valid table. */
int mptable_find_oem(const struct phys_window *w, uint64_t ebda_base, uint64_t base_mem_end,
                     char oem[9]);

#endif
