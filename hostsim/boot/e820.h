/* A memory map entry as the x86 boot protocols carry it: the zero page's
 * e820 table (Linux Documentation/arch/x86/zero-page.rst, 20-byte entries)
 * and PVH's memmap (Xen public/arch-x86/hvm/start_info.h, 24-byte entries)
 * hold the same three values. Types from ACPI 6.5, 15.1 "Address Range
 * Types". */
#ifndef HOSTSIM_BOOT_E820_H
#define HOSTSIM_BOOT_E820_H

#include <stdint.h>

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
};

#endif
