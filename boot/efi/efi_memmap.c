/* The final UEFI memory map (UEFI 2.10 section 7.2, GetMemoryMap) in e820
 * terms. Pure logic: descriptors are read at any alignment, every size is
 * checked, neighbours of one type are merged so that the usual map of a
 * hundred or more descriptors (most of them boot-services ranges that are
 * RAM once boot services have ended) fits struct bootinfo. */
#include <stdint.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_parse.h"
#include "core/log.h"
#include "core/unaligned.h"

#define WHO "uefi"
/* A descriptor larger than this is no descriptor of any UEFI revision. */
#define DESC_SIZE_MAX 4096
#define PAGES_MAX (1ull << 40) /* 2^52 bytes: the architectural physical limit */

uint32_t efi_memory_type_to_e820(uint32_t efi_type)
{
    switch (efi_type) {
    case EFI_LOADER_CODE:
    case EFI_LOADER_DATA:
    case EFI_BOOT_SERVICES_CODE:
    case EFI_BOOT_SERVICES_DATA:
    case EFI_CONVENTIONAL_MEMORY:
        return MEMMAP_RAM; /* section 7.4: free once ExitBootServices returned */
    case EFI_ACPI_RECLAIM_MEMORY:
        return MEMMAP_ACPI_RECLAIM;
    case EFI_ACPI_MEMORY_NVS:
        return MEMMAP_ACPI_NVS;
    case EFI_UNUSABLE_MEMORY:
    case EFI_UNACCEPTED_MEMORY: /* must be accepted before use: the kernel does not */
        return MEMMAP_UNUSABLE;
    default:
        /* Reserved, runtime services (the firmware keeps using them),
         * MMIO, PAL code, persistent memory and types this kernel does not
         * know: never RAM. */
        return MEMMAP_RESERVED;
    }
}

int efi_memmap_convert(struct bootinfo *bi, const uint8_t *map, uint64_t map_size,
                       uint64_t desc_size, char *err, unsigned errlen)
{
    if (desc_size < sizeof(struct efi_memory_descriptor) || desc_size > DESC_SIZE_MAX) {
        bootinfo_error(err, errlen, WHO, "memory map descriptor size ", desc_size,
                       " is outside 40-4096 bytes");
        return -1;
    }
    if (map_size % desc_size != 0)
        kprintf(WHO ": memory map of %llu bytes is no whole number of %llu-byte descriptors; "
                    "the last %llu bytes are ignored\n",
                (unsigned long long)map_size, (unsigned long long)desc_size,
                (unsigned long long)(map_size % desc_size));
    uint64_t count = map_size / desc_size;
    unsigned skipped = 0;
    int have_ram = 0;
    struct memmap_entry *last = NULL;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *d = map + i * desc_size;
        uint32_t type = rd32(d + offsetof(struct efi_memory_descriptor, type));
        uint64_t base = rd64(d + offsetof(struct efi_memory_descriptor, physical_start));
        uint64_t pages = rd64(d + offsetof(struct efi_memory_descriptor, number_of_pages));
        if (pages == 0)
            continue;
        if (base % EFI_PAGE_SIZE != 0 || pages > PAGES_MAX ||
            base > UINT64_MAX - pages * EFI_PAGE_SIZE) {
            if (skipped++ == 0)
                kprintf(WHO ": memory map descriptor %llu (type %u, %#llx, %llu pages) does not "
                            "add up; skipped\n",
                        (unsigned long long)i, type, (unsigned long long)base,
                        (unsigned long long)pages);
            continue;
        }
        uint64_t len = pages * EFI_PAGE_SIZE;
        uint32_t e820 = efi_memory_type_to_e820(type);
        have_ram |= e820 == MEMMAP_RAM;
        if (last != NULL && last->type == e820 && last->base + last->length == base) {
            last->length += len;
            continue;
        }
        uint32_t before = bi->memmap_count;
        bootinfo_add_memmap(bi, base, len, e820);
        last = bi->memmap_count > before ? &bi->memmap[before] : NULL;
    }
    if (skipped > 1)
        kprintf(WHO ": %u memory map descriptors skipped in all\n", skipped);
    bootinfo_report_truncation(bi, WHO);
    if (!have_ram) {
        bootinfo_error(err, errlen, WHO, "memory map of ", count, " descriptors lists no RAM");
        return -1;
    }
    return 0;
}
