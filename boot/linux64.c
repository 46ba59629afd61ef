/* Linux 64-bit boot protocol: the boot_params "zero page" (Linux
 * Documentation/arch/x86/boot.rst and zero-page.rst) into struct bootinfo, as
 * Firecracker before 1.12 hands it over in RSI. Pure logic: every address and
 * length is checked through the physical window and against the e820 map
 * (bootinfo.h, enum bootinfo_use). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "boot/bootinfo.h"
#include "core/unaligned.h"
#include "core/log.h"

#define WHO "linux64"

#define ZP_SIZE 4096
/* zero-page.rst offsets */
#define ZP_ACPI_RSDP_ADDR 0x070    /* u64 */
#define ZP_EXT_RAMDISK_IMAGE 0x0C0 /* u32, high half */
#define ZP_EXT_RAMDISK_SIZE 0x0C4  /* u32, high half */
#define ZP_EXT_CMD_LINE_PTR 0x0C8  /* u32, high half */
#define ZP_E820_ENTRIES 0x1E8      /* u8 */
#define ZP_E820_TABLE 0x2D0        /* 128 x 20-byte boot_e820_entry */
#define ZP_E820_MAX 128
#define ZP_E820_ENTRY_SIZE 20 /* addr u64, size u64, type u32, packed */
/* boot.rst setup header, at 0x1F1 in the zero page */
#define HDR_BOOT_FLAG 0x1FE     /* u16 0xAA55 */
#define HDR_HEADER 0x202        /* u32 "HdrS" */
#define HDR_RAMDISK_IMAGE 0x218 /* u32 */
#define HDR_RAMDISK_SIZE 0x21C  /* u32 */
#define HDR_CMD_LINE_PTR 0x228  /* u32 */
#define HDR_CMDLINE_SIZE 0x238  /* u32 */

#define BOOT_FLAG_MAGIC 0xAA55
#define HDRS_MAGIC 0x53726448u

static void parse_ramdisk(struct bootinfo *bi, const struct phys_window *w, const uint8_t *zp)
{
    uint64_t base = rd32(zp + HDR_RAMDISK_IMAGE) | (uint64_t)rd32(zp + ZP_EXT_RAMDISK_IMAGE) << 32;
    uint64_t size = rd32(zp + HDR_RAMDISK_SIZE) | (uint64_t)rd32(zp + ZP_EXT_RAMDISK_SIZE) << 32;
    if (base == 0 || size == 0)
        return;
    if (phys_ptr(w, base, size) == NULL || !bootinfo_in_memory(bi, base, size, BOOTINFO_MODULE)) {
        kprintf(WHO ": initrd at 0x%llx (%llu bytes) is not in RAM; ignored\n",
                (unsigned long long)base, (unsigned long long)size);
        return;
    }
    bi->initrd_base = base;
    bi->initrd_size = size;
}

int bootinfo_from_linux(struct bootinfo *bi, const struct phys_window *w, uint64_t zero_page_addr,
                        char *err, unsigned errlen)
{
    bootinfo_reset(bi, BOOT_LINUX64);

    const uint8_t *zp = phys_ptr(w, zero_page_addr, ZP_SIZE);
    if (zp == NULL) {
        bootinfo_error(err, errlen, WHO, "zero page at ", zero_page_addr, " is outside memory");
        return -1;
    }
    uint16_t boot_flag = rd16(zp + HDR_BOOT_FLAG);
    if (boot_flag != BOOT_FLAG_MAGIC) {
        bootinfo_error(err, errlen, WHO, "bad boot_flag ", boot_flag, " (want 0xaa55)");
        return -1;
    }
    uint32_t header = rd32(zp + HDR_HEADER);
    if (header != HDRS_MAGIC) {
        bootinfo_error(err, errlen, WHO, "bad setup header magic ", header,
                       " (want 0x53726448 \"HdrS\")");
        return -1;
    }

    unsigned entries = zp[ZP_E820_ENTRIES];
    if (entries == 0) {
        bootinfo_error(err, errlen, WHO, "no e820 memory map (e820_entries ", 0, ")");
        return -1;
    }
    unsigned keep = entries < ZP_E820_MAX ? entries : ZP_E820_MAX;
    if (entries > ZP_E820_MAX)
        kprintf(WHO ": zero page claims %u e820 entries; its table holds %u\n", entries,
                ZP_E820_MAX);
    for (unsigned i = 0; i < keep; i++) {
        const uint8_t *e = zp + ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
        bootinfo_add_memmap(bi, rd64(e), rd64(e + 8), rd32(e + 16));
    }
    bi->memmap_truncated += entries - keep;
    bootinfo_report_truncation(bi, WHO);
    if (!bootinfo_in_memory(bi, zero_page_addr, ZP_SIZE, BOOTINFO_LOADER_DATA)) {
        bootinfo_error(err, errlen, WHO, "zero page at ", zero_page_addr,
                       " lies outside the memory its e820 map lists");
        return -1;
    }

    bi->rsdp = rd64(zp + ZP_ACPI_RSDP_ADDR);
    parse_ramdisk(bi, w, zp);

    uint64_t cmdline = rd32(zp + HDR_CMD_LINE_PTR) | (uint64_t)rd32(zp + ZP_EXT_CMD_LINE_PTR) << 32;
    return bootinfo_copy_cmdline(bi, w, cmdline, rd32(zp + HDR_CMDLINE_SIZE), WHO, err, errlen);
}
