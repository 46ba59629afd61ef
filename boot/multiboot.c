/* Multiboot v1 information structure (Multiboot Specification 0.6.96, 3.3
 * "Boot information format") into struct bootinfo. Pure logic: every field is
 * read through the physical window and checked, and every pointer against
 * the memory map (bootinfo.h, enum bootinfo_use). Multiboot v1 carries no RSDP,
 * so bi->rsdp stays 0 and the kernel scans for it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "boot/bootinfo.h"
#include "core/unaligned.h"
#include "core/log.h"

#define WHO "multiboot"

/* flags bits (3.3) and the byte just past the fields each one validates */
#define MB_FLAG_MEM (1u << 0)          /* mem_lower @4, mem_upper @8 */
#define MB_FLAG_CMDLINE (1u << 2)      /* cmdline @16 */
#define MB_FLAG_MODS (1u << 3)         /* mods_count @20, mods_addr @24 */
#define MB_FLAG_MMAP (1u << 6)         /* mmap_length @44, mmap_addr @48 */
#define MB_FLAG_LOADER (1u << 9)       /* boot_loader_name @64 */
#define MB_FLAG_FRAMEBUFFER (1u << 12) /* framebuffer_addr @88 ... color_info @110-115 */

/* The framebuffer table (3.3): framebuffer_type values and field offsets. */
#define MB_FB_TYPE_INDEXED 0
#define MB_FB_TYPE_RGB 1
#define MB_FB_TYPE_EGA_TEXT 2
#define MB_FB_ADDR 88
#define MB_FB_PITCH 96
#define MB_FB_WIDTH 100
#define MB_FB_HEIGHT 104
#define MB_FB_BPP 108
#define MB_FB_TYPE 109
#define MB_FB_COLOR_INFO 110 /* RGB: red, green, blue (field position, mask size) */
#define MB_FB_END 116

#define MB_MOD_SIZE 16       /* mod_start, mod_end, string, reserved */
#define MB_MMAP_ENTRY_MIN 20 /* base_addr(8) length(8) type(4); size excludes itself */

/* Bytes of the info structure that the set flags make us read. */
static uint64_t info_size_needed(uint32_t flags)
{
    if (flags & MB_FLAG_FRAMEBUFFER)
        return MB_FB_END;
    if (flags & MB_FLAG_LOADER)
        return 68;
    if (flags & MB_FLAG_MMAP)
        return 52;
    if (flags & MB_FLAG_MODS)
        return 28;
    if (flags & MB_FLAG_CMDLINE)
        return 20;
    if (flags & MB_FLAG_MEM)
        return 12;
    return 4;
}

/* mmap entries: a u32 size (excluding itself) followed by size bytes, of which
 * the first 20 are base, length, type. Returns 0 when the whole map was sound
 * and added, -1 (bi->memmap untouched) when any entry is malformed: a partial
 * map could drop a reserved range that overlaps RAM. */
static int parse_mmap(struct bootinfo *bi, const struct phys_window *w, uint64_t addr,
                      uint32_t length)
{
    const uint8_t *m = phys_ptr(w, addr, length);
    if (m == NULL) {
        kprintf(WHO ": memory map at 0x%llx (%u bytes) lies outside memory\n",
                (unsigned long long)addr, length);
        return -1;
    }
    uint32_t count = 0;
    for (uint64_t off = 0; off < length; count++) {
        if (length - off < 4) {
            kprintf(WHO ": memory map entry %u at offset %llu: size field runs past "
                        "mmap_length %u\n",
                    count, (unsigned long long)off, length);
            return -1;
        }
        uint32_t size = rd32(m + off);
        if (size < MB_MMAP_ENTRY_MIN) {
            kprintf(WHO ": memory map entry %u has size %u (< %u)\n", count, size,
                    MB_MMAP_ENTRY_MIN);
            return -1;
        }
        if (size > length - off - 4) {
            kprintf(WHO ": memory map entry %u (size %u) runs past mmap_length %u\n", count, size,
                    length);
            return -1;
        }
        off += (uint64_t)size + 4;
    }
    for (uint64_t off = 0; off < length;) {
        const uint8_t *e = m + off;
        bootinfo_add_memmap(bi, rd64(e + 4), rd64(e + 12), rd32(e + 20));
        off += (uint64_t)rd32(e) + 4;
    }
    /* A map that does not list the memory it was handed over in describes
     * some other machine. */
    if (!bootinfo_in_memory(bi, addr, length, BOOTINFO_LOADER_DATA)) {
        kprintf(WHO ": memory map at 0x%llx (%u bytes) lies outside the memory it lists\n",
                (unsigned long long)addr, length);
        bi->memmap_count = 0;
        bi->memmap_truncated = 0;
        return -1;
    }
    return 0;
}

/* First module becomes the initrd; a bad module is reported and ignored. */
static void parse_modules(struct bootinfo *bi, const struct phys_window *w, uint32_t count,
                          uint32_t addr)
{
    if (count == 0)
        return;
    const uint8_t *mod = phys_ptr(w, addr, MB_MOD_SIZE);
    if (mod == NULL || !bootinfo_in_memory(bi, addr, MB_MOD_SIZE, BOOTINFO_LOADER_DATA)) {
        kprintf(WHO ": module list at 0x%x lies outside memory; no initrd\n", addr);
        return;
    }
    uint32_t start = rd32(mod), end = rd32(mod + 4);
    if (end < start || phys_ptr(w, start, end - start) == NULL ||
        !bootinfo_in_memory(bi, start, end - start, BOOTINFO_MODULE)) {
        kprintf(WHO ": module 0 [0x%x, 0x%x) is not a valid range of RAM; no initrd\n", start, end);
        return;
    }
    if (count > 1)
        kprintf(WHO ": %u modules; only the first is used (as the initrd)\n", count);
    bi->initrd_base = start;
    bi->initrd_size = end - start;
}

static void parse_loader_name(struct bootinfo *bi, const struct phys_window *w, uint32_t addr)
{
    const uint64_t max = sizeof bi->loader_name - 1;
    uint64_t in_ram = bootinfo_extent(bi, addr, max + 1, BOOTINFO_LOADER_DATA);
    long len = bootinfo_strlen(w, addr, in_ram < max ? in_ram : max);
    if (addr == 0 || len < 0 || (in_ram <= max && (uint64_t)len == in_ram)) {
        kprintf(WHO ": boot loader name at 0x%x is outside memory; ignored\n", addr);
        return;
    }
    memcpy(bi->loader_name, phys_ptr(w, addr, (uint64_t)len), (size_t)len);
    bi->loader_name[len] = '\0';
}

/* GRUB 2 fills the table for the mode it set, or EGA text at 0xB8000 when
 * it left the VGA in text mode; QEMU's own loader sets no bit 12. */
static void parse_framebuffer(struct bootinfo *bi, const uint8_t *mbi)
{
    struct framebuffer fb = {
        .addr = rd64(mbi + MB_FB_ADDR),
        .pitch = rd32(mbi + MB_FB_PITCH),
        .width = rd32(mbi + MB_FB_WIDTH),
        .height = rd32(mbi + MB_FB_HEIGHT),
        .bpp = mbi[MB_FB_BPP],
    };
    switch (mbi[MB_FB_TYPE]) {
    case MB_FB_TYPE_INDEXED:
        fb.kind = FRAMEBUFFER_INDEXED;
        break;
    case MB_FB_TYPE_RGB:
        fb.kind = FRAMEBUFFER_RGB;
        for (unsigned i = 0; i < 3; i++) { /* red, green, blue: position, then size */
            fb.rgb[i].pos = mbi[MB_FB_COLOR_INFO + 2 * i];
            fb.rgb[i].size = mbi[MB_FB_COLOR_INFO + 2 * i + 1];
        }
        break;
    case MB_FB_TYPE_EGA_TEXT:
        fb.kind = FRAMEBUFFER_EGA_TEXT;
        break;
    default:
        fb.kind = FRAMEBUFFER_UNKNOWN; /* refused, with the rest of what it says */
        break;
    }
    bootinfo_set_framebuffer(bi, &fb, WHO);
}

/* QEMU 7.2's multiboot loader writes the -kernel argument, one blank and the
 * -append text: kcmdline = g_strdup_printf("%s %s", kernel_filename,
 * kernel_cmdline) (hw/i386/multiboot.c at tag v7.2.0, load_multiboot), with
 * the file name exactly as given on QEMU's command line. GRUB 2 passes only
 * the text. Nothing in guest memory marks where the name ends, so a name
 * with a blank in it cannot be told from the text that follows: the name is
 * taken to end at the first blank, and anyvm's tools hand QEMU a kernel path
 * without blanks (tools/anyvm_lib/launch.py). Only that one blank is QEMU's;
 * blanks after it belong to the -append text. */
static void drop_qemu_file_name(char *s)
{
    char *blank = strchr(s, ' ');
    if (blank == NULL) {
        s[0] = '\0';
        return;
    }
    memmove(s, blank + 1, strlen(blank + 1) + 1);
}

int bootinfo_from_multiboot(struct bootinfo *bi, const struct phys_window *w, uint64_t mbi_addr,
                            char *err, unsigned errlen)
{
    bootinfo_reset(bi, BOOT_MULTIBOOT);

    const uint8_t *mbi = phys_ptr(w, mbi_addr, 4);
    if (mbi == NULL) {
        bootinfo_error(err, errlen, WHO, "info structure at ", mbi_addr, " is outside memory");
        return -1;
    }
    uint32_t flags = rd32(mbi);
    mbi = phys_ptr(w, mbi_addr, info_size_needed(flags));
    if (mbi == NULL) {
        bootinfo_error(err, errlen, WHO, "info structure at ", mbi_addr,
                       " runs past the end of memory");
        return -1;
    }

    if (flags & MB_FLAG_MEM)
        bi->low_mem_kib = rd32(mbi + 4);

    bool have_map = false;
    if (flags & MB_FLAG_MMAP) {
        uint32_t length = rd32(mbi + 44);
        if (length > 0 && parse_mmap(bi, w, rd32(mbi + 48), length) == 0)
            have_map = bi->memmap_count > 0;
        else if (length > 0)
            kprintf(WHO ": memory map discarded%s\n",
                    (flags & MB_FLAG_MEM) ? "; using mem_lower/mem_upper" : "");
    }
    if (!have_map && (flags & MB_FLAG_MEM)) {
        /* 3.3: mem_lower from 0, mem_upper from 1 MiB, both in KiB. */
        bootinfo_add_memmap(bi, 0, (uint64_t)rd32(mbi + 4) * 1024, MEMMAP_RAM);
        bootinfo_add_memmap(bi, 0x100000, (uint64_t)rd32(mbi + 8) * 1024, MEMMAP_RAM);
        have_map = true;
    }
    if (!have_map) {
        bootinfo_error(err, errlen, WHO, "no usable memory information (flags ", flags, ")");
        return -1;
    }
    bootinfo_report_truncation(bi, WHO);
    if (!bootinfo_in_memory(bi, mbi_addr, info_size_needed(flags), BOOTINFO_LOADER_DATA)) {
        bootinfo_error(err, errlen, WHO, "info structure at ", mbi_addr,
                       " lies outside the memory its map lists");
        return -1;
    }

    if (flags & MB_FLAG_LOADER)
        parse_loader_name(bi, w, rd32(mbi + 64));

    if (flags & MB_FLAG_MODS)
        parse_modules(bi, w, rd32(mbi + 20), rd32(mbi + 24));

    if (flags & MB_FLAG_FRAMEBUFFER)
        parse_framebuffer(bi, mbi);

    if (flags & MB_FLAG_CMDLINE) {
        uint32_t addr = rd32(mbi + 16);
        if (addr == 0) {
            bootinfo_error(err, errlen, WHO, "command line flag set but pointer is ", 0, "");
            return -1;
        }
        if (bootinfo_copy_cmdline(bi, w, addr, 0, WHO, err, errlen) != 0)
            return -1;
        if (strcmp(bi->loader_name, "qemu") == 0)
            drop_qemu_file_name(bi->cmdline);
    }
    return 0;
}
