/* PVH boot parameters (Xen's public arch-x86/hvm/start_info.h, version 1;
 * Firecracker writes them in arch/x86_64/mod.rs configure_pvh with
 * linux-loader src/loader/elf/start_info.rs): hvm_start_info, 56 bytes,
 *   0 magic 0x336EC578, 4 version, 8 flags, 12 nr_modules, 16 modlist_paddr,
 *   24 cmdline_paddr, 32 rsdp_paddr, 40 memmap_paddr, 48 memmap_entries,
 *   52 reserved;
 * each memmap entry 24 bytes: addr, size, type, reserved; each module
 * (hvm_modlist_entry) 32 bytes: 0 paddr, 8 size, 16 cmdline_paddr,
 * 24 reserved. */
#ifndef HOSTSIM_BOOT_PVH_H
#define HOSTSIM_BOOT_PVH_H

#include <stdint.h>

#include "hostsim/boot/e820.h"
#include "hostsim/guest_mem.h"

#define PVH_START_MAGIC 0x336EC578u
#define PVH_START_INFO_SIZE 56
#define PVH_MEMMAP_ENTRY_SIZE 24
#define PVH_MODLIST_ENTRY_SIZE 32

struct pvh_params {
    uint64_t cmdline_paddr; /* 0: none */
    uint64_t rsdp_paddr;    /* 0: the guest scans for the RSDP */
    uint64_t memmap_paddr;
    const struct e820_entry *map;
    unsigned nmap;
    /* One module (the initrd) when module_size is not 0: its entry goes to
     * modlist_paddr, without a command line. */
    uint64_t modlist_paddr;
    uint64_t module_paddr, module_size;
};

/* Writes start_info at start_info_gpa, the memmap at p->memmap_paddr and
 * the module list. Returns 0, or -1 when any of them is not in RAM. */
int pvh_write(const struct guest_mem *mem, uint64_t start_info_gpa, const struct pvh_params *p);

#endif
