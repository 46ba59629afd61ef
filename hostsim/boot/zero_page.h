/* The Linux x86 boot protocol's zero page (struct boot_params), as a boot
 * loader fills it for a kernel it loaded itself: offsets from Linux
 * Documentation/arch/x86/zero-page.rst and boot.rst. Firecracker fills these
 * fields for an ELF kernel (arch/x86_64/mod.rs configure_64bit_boot) on a page
 * that starts all zero, so version and loadflags stay 0. Pure logic. */
#ifndef HOSTSIM_BOOT_ZERO_PAGE_H
#define HOSTSIM_BOOT_ZERO_PAGE_H

#include <stdint.h>

#include "hostsim/boot/e820.h"

#define ZERO_PAGE_SIZE 4096
#define ZERO_PAGE_E820_MAX 128 /* E820_MAX_ENTRIES_ZEROPAGE */

#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_E820_ENTRIES 0x1E8
#define ZP_BOOT_FLAG 0x1FE
#define ZP_HEADER 0x202
#define ZP_TYPE_OF_LOADER 0x210
#define ZP_RAMDISK_IMAGE 0x218
#define ZP_RAMDISK_SIZE 0x21C
#define ZP_CMD_LINE_PTR 0x228
#define ZP_KERNEL_ALIGNMENT 0x230
#define ZP_CMDLINE_SIZE 0x238
#define ZP_E820_TABLE 0x2D0
#define ZP_E820_ENTRY_SIZE 20

struct zero_page_params {
    uint64_t acpi_rsdp_addr;
    uint32_t cmd_line_ptr;
    uint32_t cmdline_size; /* with the NUL */
    uint32_t kernel_alignment;
    uint8_t type_of_loader; /* 0xFF: undefined loader */
    uint32_t ramdisk_image; /* the initrd's guest-physical address; 0: none */
    uint32_t ramdisk_size;
    const struct e820_entry *map;
    unsigned nmap;
};

/* Fills zp (all of it) with boot_flag 0xAA55, header "HdrS" and the fields
 * of p. Returns 0, or -1 when the map has more than 128 entries. */
int zero_page_build(uint8_t zp[ZERO_PAGE_SIZE], const struct zero_page_params *p);

#endif
