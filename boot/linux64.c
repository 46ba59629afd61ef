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
/* screen_info, the zero page's first 0x40 bytes (Linux
 * include/uapi/linux/screen_info.h): a linear framebuffer when
 * orig_video_isVGA says VESA (VIDEO_TYPE_VLFB) or EFI (VIDEO_TYPE_EFI). */
#define SI_VIDEO_TYPE 0x0F   /* u8 orig_video_isVGA */
#define SI_LFB_WIDTH 0x12    /* u16 */
#define SI_LFB_HEIGHT 0x14   /* u16 */
#define SI_LFB_DEPTH 0x16    /* u16, bits per pixel */
#define SI_LFB_BASE 0x18     /* u32 */
#define SI_LFB_PITCH 0x24    /* u16 lfb_linelength */
#define SI_RED_SIZE 0x26     /* u8 each: red, green, blue (size, position) */
#define SI_CAPABILITIES 0x36 /* u32 */
#define SI_EXT_LFB_BASE 0x3A /* u32, the base's high half */
#define VIDEO_TYPE_VLFB 0x23
#define VIDEO_TYPE_EFI 0x70
#define VIDEO_CAPABILITY_64BIT_BASE (1u << 1)

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

static void parse_screen_info(struct bootinfo *bi, const uint8_t *zp)
{
    uint8_t type = zp[SI_VIDEO_TYPE];
    if (type != VIDEO_TYPE_VLFB && type != VIDEO_TYPE_EFI)
        return; /* text mode or nothing (Firecracker leaves it zero) */
    uint64_t base = rd32(zp + SI_LFB_BASE);
    if (rd32(zp + SI_CAPABILITIES) & VIDEO_CAPABILITY_64BIT_BASE)
        base |= (uint64_t)rd32(zp + SI_EXT_LFB_BASE) << 32;
    uint16_t depth = rd16(zp + SI_LFB_DEPTH);
    struct framebuffer fb = {
        .kind = FRAMEBUFFER_RGB,
        .addr = base,
        .pitch = rd16(zp + SI_LFB_PITCH),
        .width = rd16(zp + SI_LFB_WIDTH),
        .height = rd16(zp + SI_LFB_HEIGHT),
        .bpp = depth > UINT8_MAX ? 0 : (uint8_t)depth, /* refused below */
    };
    for (unsigned i = 0; i < 3; i++) { /* red, green, blue: size, then position */
        fb.rgb[i].size = zp[SI_RED_SIZE + 2 * i];
        fb.rgb[i].pos = zp[SI_RED_SIZE + 2 * i + 1];
    }
    bootinfo_set_framebuffer(bi, &fb, WHO);
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
    parse_screen_info(bi, zp);

    uint64_t cmdline = rd32(zp + HDR_CMD_LINE_PTR) | (uint64_t)rd32(zp + ZP_EXT_CMD_LINE_PTR) << 32;
    return bootinfo_copy_cmdline(bi, w, cmdline, rd32(zp + HDR_CMDLINE_SIZE), WHO, err, errlen);
}
