/* PVH start of day (xen/include/public/arch-x86/hvm/start_info.h, struct
 * hvm_start_info) into struct bootinfo. Pure logic: every address and length
 * is checked through the physical window and against the memory map
 * (bootinfo.h, enum bootinfo_use). A 0 in any address field means "not
 * present" (start_info.h). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "boot/bootinfo.h"
#include "core/unaligned.h"
#include "core/log.h"

#define WHO "pvh"

#define PVH_MAGIC 0x336ec578u
/* struct hvm_start_info: magic @0, version @4, flags @8, nr_modules @12,
 * modlist_paddr @16, cmdline_paddr @24, rsdp_paddr @32; version 1 adds
 * memmap_paddr @40, memmap_entries @48, reserved @52. */
#define PVH_V0_SIZE 40
#define PVH_V1_SIZE 56
#define PVH_MOD_SIZE 32    /* hvm_modlist_entry: paddr, size, cmdline_paddr, reserved */
#define PVH_MEMMAP_SIZE 24 /* hvm_memmap_table_entry: addr, size, type, reserved */

/* The first module becomes the initrd; a bad module is reported and ignored. */
static void parse_modules(struct bootinfo *bi, const struct phys_window *w, uint32_t count,
                          uint64_t addr)
{
    if (count == 0 || addr == 0)
        return;
    const uint8_t *mod = phys_ptr(w, addr, PVH_MOD_SIZE);
    if (mod == NULL || !bootinfo_in_memory(bi, addr, PVH_MOD_SIZE, BOOTINFO_LOADER_DATA)) {
        kprintf(WHO ": module list at 0x%llx lies outside memory; no initrd\n",
                (unsigned long long)addr);
        return;
    }
    uint64_t base = rd64(mod), size = rd64(mod + 8);
    if (base == 0 || phys_ptr(w, base, size) == NULL ||
        !bootinfo_in_memory(bi, base, size, BOOTINFO_MODULE)) {
        kprintf(WHO ": module 0 at 0x%llx (%llu bytes) is not in RAM; no initrd\n",
                (unsigned long long)base, (unsigned long long)size);
        return;
    }
    if (count > 1)
        kprintf(WHO ": %u modules; only the first is used (as the initrd)\n", count);
    bi->initrd_base = base;
    bi->initrd_size = size;
}

int bootinfo_from_pvh(struct bootinfo *bi, const struct phys_window *w, uint64_t start_info_addr,
                      char *err, unsigned errlen)
{
    bootinfo_reset(bi, BOOT_PVH);

    const uint8_t *si = phys_ptr(w, start_info_addr, PVH_V0_SIZE);
    if (si == NULL) {
        bootinfo_error(err, errlen, WHO, "start_info at ", start_info_addr, " is outside memory");
        return -1;
    }
    uint32_t magic = rd32(si);
    if (magic != PVH_MAGIC) {
        bootinfo_error(err, errlen, WHO, "bad start_info magic ", magic, " (want 0x336ec578)");
        return -1;
    }
    uint32_t version = rd32(si + 4);
    if (version == 0) {
        /* Version 0 has no memory map; a PVH guest of Xen would ask the
         * hypervisor, which no VMM we target offers. Guessing is unsafe. */
        bootinfo_error(err, errlen, WHO, "start_info version ", 0,
                       " carries no memory map; cannot size memory");
        return -1;
    }
    /* start_info.h: new versions are backwards-compatible (fields appended). */
    si = phys_ptr(w, start_info_addr, PVH_V1_SIZE);
    if (si == NULL) {
        bootinfo_error(err, errlen, WHO, "start_info at ", start_info_addr,
                       " runs past the end of memory");
        return -1;
    }

    uint64_t memmap = rd64(si + 40);
    uint32_t entries = rd32(si + 48);
    if (memmap == 0 || entries == 0) {
        bootinfo_error(err, errlen, WHO, "no memory map (memmap_paddr ", memmap, ")");
        return -1;
    }
    const uint8_t *m = phys_ptr(w, memmap, (uint64_t)entries * PVH_MEMMAP_SIZE);
    if (m == NULL) {
        bootinfo_error(err, errlen, WHO, "memory map at ", memmap, " runs past the end of memory");
        return -1;
    }
    uint32_t keep = entries < BOOTINFO_MEMMAP_MAX ? entries : BOOTINFO_MEMMAP_MAX;
    for (uint32_t i = 0; i < keep; i++) {
        const uint8_t *e = m + (uint64_t)i * PVH_MEMMAP_SIZE;
        bootinfo_add_memmap(bi, rd64(e), rd64(e + 8), rd32(e + 16));
    }
    bi->memmap_truncated += entries - keep;
    bootinfo_report_truncation(bi, WHO);
    if (!bootinfo_in_memory(bi, start_info_addr, PVH_V1_SIZE, BOOTINFO_LOADER_DATA) ||
        !bootinfo_in_memory(bi, memmap, (uint64_t)entries * PVH_MEMMAP_SIZE,
                            BOOTINFO_LOADER_DATA)) {
        bootinfo_error(err, errlen, WHO, "start_info at ", start_info_addr,
                       " or its memory map lies outside the memory that map lists");
        return -1;
    }

    bi->rsdp = rd64(si + 32); /* 0 under Firecracker: the kernel scans */
    parse_modules(bi, w, rd32(si + 12), rd64(si + 16));
    return bootinfo_copy_cmdline(bi, w, rd64(si + 24), 0, WHO, err, errlen);
}
