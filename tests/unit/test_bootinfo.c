/* boot/{bootinfo,multiboot,pvh,linux64}.c against synthetic loader
 * structures in a buffer that stands in for low memory: the layouts QEMU,
 * GRUB and Firecracker produce, then corrupted ones. */
#include <stdint.h>
#include "boot/bootinfo.h"
#include "unit.h"

#define MEM_SIZE 0x40000u /* 256 KiB */

static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
static struct phys_window win;
static struct bootinfo bi;
static char err[128];

static void mem_reset(void)
{
    memset(mem, 0, sizeof mem);
    win.base = (uintptr_t)mem;
    win.size = MEM_SIZE;
    memset(&bi, 0x5A, sizeof bi); /* parsers must initialise what they own */
    bi.entry_tsc = 0x123456789ull;
    err[0] = '\0';
}

static void w16(uint64_t a, uint16_t v)
{
    memcpy(mem + a, &v, 2);
}
static void w32(uint64_t a, uint32_t v)
{
    memcpy(mem + a, &v, 4);
}
static void w64(uint64_t a, uint64_t v)
{
    memcpy(mem + a, &v, 8);
}
static void wstr(uint64_t a, const char *s)
{
    memcpy(mem + a, s, strlen(s) + 1);
}

#define ERR_CONTAINS(s) (strstr(err, (s)) != NULL)

TEST(protocol_names)
{
    CHECK_STR(boot_protocol_name(BOOT_MULTIBOOT), "multiboot");
    CHECK_STR(boot_protocol_name(BOOT_PVH), "pvh");
    CHECK_STR(boot_protocol_name(BOOT_LINUX64), "linux64");
    CHECK_STR(boot_protocol_name(BOOT_UEFI), "uefi");
    CHECK_STR(boot_protocol_name(BOOT_NONE), "none");
    CHECK_STR(boot_protocol_name((enum boot_protocol)42), "none");
}

TEST(error_text_is_bounded)
{
    char small[12];
    bootinfo_error(small, sizeof small, "pvh", "bad ", 0xDEADBEEF, " thing");
    CHECK_STR(small, "pvh: bad 0x");
    bootinfo_error(err, sizeof err, "pvh", "bad ", 0, "");
    CHECK_STR(err, "pvh: bad 0x0");
    bootinfo_error(err, sizeof err, "x", "v=", 0xFFFFFFFFFFFFFFFFull, ".");
    CHECK_STR(err, "x: v=0xffffffffffffffff.");
    bootinfo_error(NULL, 0, "x", "y", 1, "z"); /* must not crash */
}

TEST(strlen_through_window)
{
    mem_reset();
    wstr(0x1000, "abc");
    CHECK_EQ(bootinfo_strlen(&win, 0x1000, 64), 3);
    CHECK_EQ(bootinfo_strlen(&win, 0x1000, 2), 2); /* not terminated within max */
    memset(mem + MEM_SIZE - 4, 'x', 4);
    CHECK_EQ(bootinfo_strlen(&win, MEM_SIZE - 4, 64), -1);
    CHECK_EQ(bootinfo_strlen(&win, MEM_SIZE, 64), -1);
    CHECK_EQ(bootinfo_strlen(&win, 0xFFFFFFFFFFFFFFF0ull, 64), -1);
}

/* ---- multiboot ---- */

#define MBI 0x9500u
#define MB_MMAP 0x9000u
#define MB_CMDLINE 0x9800u
#define MB_LOADER 0x9A00u
#define MB_MODS 0x9C00u

static uint32_t mb_mmap_len, mb_mmap_at = MB_MMAP;
static void mb_mmap_entry(uint32_t size, uint64_t base, uint64_t len, uint32_t type)
{
    uint64_t a = mb_mmap_at + mb_mmap_len;
    w32(a, size);
    w64(a + 4, base);
    w64(a + 12, len);
    w32(a + 20, type);
    mb_mmap_len += size + 4;
}

/* What QEMU's multiboot loader (and its option ROM) hands over for 128 MiB. */
static void build_qemu_multiboot(const char *cmdline)
{
    mem_reset();
    mb_mmap_len = 0;
    mb_mmap_at = MB_MMAP;
    mb_mmap_entry(20, 0, 0x9FC00, 1);
    mb_mmap_entry(20, 0x9FC00, 0x400, 2);
    mb_mmap_entry(20, 0xF0000, 0x10000, 2);
    mb_mmap_entry(20, 0x100000, 0x7EE0000, 1);
    mb_mmap_entry(20, 0xFFFC0000, 0x40000, 2);
    w32(MBI, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    w32(MBI + 4, 639);
    w32(MBI + 8, 130048);
    w32(MBI + 12, 0x8000FFFF);
    w32(MBI + 16, MB_CMDLINE);
    w32(MBI + 20, 0);
    w32(MBI + 24, MB_MODS);
    w32(MBI + 44, mb_mmap_len);
    w32(MBI + 48, MB_MMAP);
    w32(MBI + 64, MB_LOADER);
    wstr(MB_CMDLINE, cmdline);
    wstr(MB_LOADER, "qemu");
}

TEST(multiboot_qemu)
{
    build_qemu_multiboot("/home/u/build/hello.elf console=ttyS0 -- a b");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.protocol, BOOT_MULTIBOOT);
    CHECK_STR(bi.loader_name, "qemu");
    CHECK_STR(bi.cmdline, "console=ttyS0 -- a b");
    CHECK_EQ(bi.entry_tsc, 0x123456789ull);
    CHECK_EQ(bi.memmap_count, 5u);
    CHECK_EQ(bi.memmap_truncated, 0u);
    CHECK_EQ(bi.memmap[0].base, 0u);
    CHECK_EQ(bi.memmap[0].length, 0x9FC00u);
    CHECK_EQ(bi.memmap[0].type, (uint32_t)MEMMAP_RAM);
    CHECK_EQ(bi.memmap[3].base, 0x100000u);
    CHECK_EQ(bi.memmap[3].length, 0x7EE0000u);
    CHECK_EQ(bi.memmap[4].base, 0xFFFC0000u);
    CHECK_EQ(bi.memmap[4].type, (uint32_t)MEMMAP_RESERVED);
    CHECK_EQ(bi.rsdp, 0u);
    CHECK_EQ(bi.initrd_base, 0u);
    CHECK_EQ(bi.initrd_size, 0u);
    CHECK_EQ(bi.low_mem_kib, 639u);
}

TEST(multiboot_qemu_without_append)
{
    /* QEMU formats "%s %s": the file name and a trailing space */
    build_qemu_multiboot("/x/hello.elf ");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "");
    /* only the one blank after the name is QEMU's */
    build_qemu_multiboot("hello.elf   -- \"a b\"");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "  -- \"a b\"");
}

TEST(multiboot_grub_keeps_whole_line)
{
    build_qemu_multiboot("-- a b");
    wstr(MB_LOADER, "GRUB 2.06-13+deb12u1");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.loader_name, "GRUB 2.06-13+deb12u1");
    CHECK_STR(bi.cmdline, "-- a b");
    build_qemu_multiboot("console=ttyS0 -- a");
    wstr(MB_LOADER, "GRUB 2.06");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "console=ttyS0 -- a");
}

TEST(multiboot_no_loader_name_keeps_whole_line)
{
    build_qemu_multiboot("hello.elf x=1");
    w32(MBI, (1u << 0) | (1u << 2) | (1u << 6));
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.loader_name, "");
    CHECK_STR(bi.cmdline, "hello.elf x=1");
}

TEST(multiboot_no_cmdline_flag)
{
    build_qemu_multiboot("ignored");
    w32(MBI, (1u << 0) | (1u << 6));
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "");
    CHECK_EQ(bi.memmap_count, 5u);
}

TEST(multiboot_mmap_entry_stride_follows_size)
{
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_entry(24, 0, 0x9F000, 1); /* 4 bytes of padding per entry */
    mb_mmap_entry(20, 0x100000, 0x100000, 1);
    mb_mmap_entry(28, 0xE0000, 0x20000, 3);
    w32(MBI + 44, mb_mmap_len);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 3u);
    CHECK_EQ(bi.memmap[1].base, 0x100000u);
    CHECK_EQ(bi.memmap[2].base, 0xE0000u);
    CHECK_EQ(bi.memmap[2].type, (uint32_t)MEMMAP_ACPI_RECLAIM);
}

TEST(multiboot_mmap_size_below_20_falls_back_to_mem_fields)
{
    build_qemu_multiboot("k");
    w32(MB_MMAP + 24, 16); /* second entry */
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("memory map entry 1 has size 16 (< 20)"));
    CHECK(LOG_CONTAINS("memory map discarded; using mem_lower/mem_upper"));
    CHECK_EQ(bi.memmap_count, 2u);
    CHECK_EQ(bi.memmap[0].base, 0u);
    CHECK_EQ(bi.memmap[0].length, 639u * 1024);
    CHECK_EQ(bi.memmap[1].base, 0x100000u);
    CHECK_EQ(bi.memmap[1].length, 130048ull * 1024);
    CHECK_EQ(bi.memmap[1].type, (uint32_t)MEMMAP_RAM);
}

TEST(multiboot_mmap_entry_past_length)
{
    build_qemu_multiboot("k");
    w32(MBI + 44, mb_mmap_len - 8); /* last entry sticks out */
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("memory map entry 4 (size 20) runs past mmap_length 112"));
    CHECK_EQ(bi.memmap_count, 2u);

    build_qemu_multiboot("k");
    w32(MBI + 44, mb_mmap_len + 2); /* two stray bytes after the last entry */
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("size field runs past"));
    CHECK_EQ(bi.memmap_count, 2u);

    /* without mem_lower/mem_upper there is nothing to fall back on */
    build_qemu_multiboot("k");
    w32(MB_MMAP, 19);
    w32(MBI, (1u << 2) | (1u << 6));
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("multiboot: no usable memory information (flags 0x44)"));
}

TEST(multiboot_mmap_outside_memory)
{
    build_qemu_multiboot("k");
    w32(MBI + 48, MEM_SIZE - 16);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("lies outside memory"));
    CHECK_EQ(bi.memmap_count, 2u);
}

TEST(multiboot_memory_fields_only)
{
    build_qemu_multiboot("k");
    w32(MBI, 1u);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 2u);
    CHECK_EQ(bi.memmap[1].length, 130048ull * 1024);
    CHECK_EQ(bi.cmdline[0], '\0');
}

TEST(multiboot_too_many_mmap_entries)
{
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_at = 0x10000;             /* 3600 bytes: more than fit below the MBI */
    mb_mmap_entry(20, 0, 0x9FC00, 1); /* where the MBI and the map are */
    for (unsigned i = 1; i < 150; i++)
        mb_mmap_entry(20, 0x100000ull * (i + 1), 0x1000, 1);
    w32(MBI + 44, mb_mmap_len);
    w32(MBI + 48, mb_mmap_at);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, (uint32_t)BOOTINFO_MEMMAP_MAX);
    CHECK_EQ(bi.memmap_truncated, 22u);
    CHECK_EQ(bi.memmap[127].base, 0x100000ull * 128);
    CHECK(LOG_CONTAINS("memory map has 22 entries more than the 128 kept"));
}

TEST(multiboot_cmdline_pointer_out_of_range)
{
    build_qemu_multiboot("k");
    w32(MBI + 16, 0x80000000);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK_STR(err, "multiboot: command line pointer 0x80000000 is outside memory");
    build_qemu_multiboot("k");
    w32(MBI + 16, 0);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("pointer is 0x0"));
}

TEST(multiboot_cmdline_unterminated)
{
    build_qemu_multiboot("k");
    memset(mem + MEM_SIZE - 100, 'a', 100);
    w32(MBI + 16, MEM_SIZE - 100);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("is not terminated within the memory the loader's map lists"));
}

TEST(multiboot_cmdline_overlong_refused)
{
    build_qemu_multiboot("k");
    wstr(MB_LOADER, "GRUB");
    memset(mem + 0x20000, 'b', 3000);
    mem[0x20000 + 3000] = '\0';
    w32(MBI + 16, 0x20000);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK_STR(err, "multiboot: command line at 0x20000 is longer than the 2047 bytes the kernel "
                   "takes");
    /* one byte over is refused, exactly 2047 characters fit */
    mem[0x20000 + 2048] = '\0';
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    mem[0x20000 + 2047] = '\0';
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(strlen(bi.cmdline), 2047u);
}

TEST(multiboot_module_is_initrd)
{
    build_qemu_multiboot("k");
    w32(MBI + 20, 2);
    w32(MB_MODS, 0x30000);
    w32(MB_MODS + 4, 0x38000);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_base, 0x30000u);
    CHECK_EQ(bi.initrd_size, 0x8000u);
    CHECK(LOG_CONTAINS("2 modules; only the first is used"));
}

TEST(multiboot_bad_module_ignored)
{
    build_qemu_multiboot("k");
    w32(MBI + 20, 1);
    w32(MB_MODS, 0x38000);
    w32(MB_MODS + 4, 0x30000); /* end before start */
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_size, 0u);
    CHECK(LOG_CONTAINS("module 0 [0x38000, 0x30000) is not a valid range of RAM"));

    build_qemu_multiboot("k");
    w32(MBI + 20, 1);
    w32(MB_MODS, 0x30000);
    w32(MB_MODS + 4, 0x7000000); /* beyond memory */
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_base, 0u);

    build_qemu_multiboot("k");
    w32(MBI + 20, 1);
    w32(MBI + 24, MEM_SIZE - 8);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_base, 0u);
    CHECK(LOG_CONTAINS("module list at 0x3fff8 lies outside memory"));
}

TEST(multiboot_loader_name_bad_or_long)
{
    build_qemu_multiboot("hello.elf a");
    w32(MBI + 64, 0x90000000);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("boot loader name at 0x90000000 is outside memory"));
    CHECK_STR(bi.loader_name, "");
    CHECK_STR(bi.cmdline, "hello.elf a"); /* unknown loader: keep everything */

    build_qemu_multiboot("hello.elf a");
    memset(mem + MB_LOADER, 'q', 100); /* unterminated, longer than the field */
    mem[MB_LOADER + 100] = '\0';
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(strlen(bi.loader_name), sizeof bi.loader_name - 1);
}

TEST(multiboot_info_outside_memory)
{
    build_qemu_multiboot("k");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MEM_SIZE + 16, err, sizeof err), -1);
    CHECK_STR(err, "multiboot: info structure at 0x40010 is outside memory");
    /* flags readable, but the fields they promise are not */
    w32(MEM_SIZE - 8, (1u << 9) | 1);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MEM_SIZE - 8, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("runs past the end of memory"));
    CHECK_EQ(bi.entry_tsc, 0x123456789ull);
}

/* Multiboot 0.6.96, 3.3: flags bit 12 and the framebuffer table at 88. */
static void mb_framebuffer(uint64_t addr, uint32_t pitch, uint32_t width, uint32_t height,
                           uint8_t bpp, uint8_t type, const uint8_t color[6])
{
    w32(MBI, mem[MBI] | (uint32_t)mem[MBI + 1] << 8 | (1u << 12));
    w64(MBI + 88, addr);
    w32(MBI + 96, pitch);
    w32(MBI + 100, width);
    w32(MBI + 104, height);
    mem[MBI + 108] = bpp;
    mem[MBI + 109] = type;
    if (color != NULL)
        memcpy(mem + MBI + 110, color, 6);
}

TEST(multiboot_without_framebuffer)
{
    build_qemu_multiboot("k");
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_NONE);
}

TEST(multiboot_grub_text_mode)
{
    /* What GRUB 2.06 hands over when it leaves the VGA in text mode
     * (measured: the iso boot case prints it). */
    build_qemu_multiboot("k -- a");
    wstr(MB_LOADER, "GRUB 2.06");
    mb_framebuffer(0xB8000, 160, 80, 25, 16, 2, NULL);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_EGA_TEXT);
    CHECK_EQ(bi.framebuffer.addr, 0xB8000u);
    CHECK_EQ(bi.framebuffer.pitch, 160u);
    CHECK_EQ(bi.framebuffer.width, 80u);
    CHECK_EQ(bi.framebuffer.height, 25u);
    CHECK_EQ(bi.framebuffer.bpp, 16);
    CHECK_STR(framebuffer_kind_name(bi.framebuffer.kind), "EGA text");
    CHECK_STR(bi.cmdline, "k -- a");
}

TEST(multiboot_rgb_framebuffer)
{
    static const uint8_t xrgb[6] = {16, 8, 8, 8, 0, 8}; /* red at 16, green at 8, blue at 0 */
    build_qemu_multiboot("k");
    mb_framebuffer(0xFD000000, 4096, 1024, 768, 32, 1, xrgb);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_RGB);
    CHECK_EQ(bi.framebuffer.addr, 0xFD000000u);
    CHECK_EQ(bi.framebuffer.rgb[FB_RED].pos, 16);
    CHECK_EQ(bi.framebuffer.rgb[FB_RED].size, 8);
    CHECK_EQ(bi.framebuffer.rgb[FB_GREEN].pos, 8);
    CHECK_EQ(bi.framebuffer.rgb[FB_BLUE].pos, 0);
    CHECK_EQ(bi.framebuffer.rgb[FB_BLUE].size, 8);
    /* a 15-bit and an 8-bit indexed mode */
    static const uint8_t rgb555[6] = {10, 5, 5, 5, 0, 5};
    build_qemu_multiboot("k");
    mb_framebuffer(0xFD000000, 2048, 1024, 768, 15, 1, rgb555);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_RGB);
    build_qemu_multiboot("k");
    mb_framebuffer(0xFD000000, 640, 640, 480, 8, 0, NULL);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_INDEXED);
}

/* A framebuffer that does not add up is reported and dropped; the boot
 * goes on with everything else the loader said. */
static void check_refused(const char *why)
{
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_NONE);
    CHECK(LOG_CONTAINS("multiboot: framebuffer "));
    CHECK(LOG_CONTAINS(why));
    CHECK_STR(bi.cmdline, "keep");
    CHECK_EQ(bi.memmap_count, 5u);
    unit_log_clear();
}

TEST(multiboot_framebuffer_refused)
{
    static const uint8_t xrgb[6] = {16, 8, 8, 8, 0, 8};
    static const uint8_t wide[6] = {28, 8, 8, 8, 0, 8}; /* red runs to bit 36 */
    static const uint8_t empty[6] = {16, 0, 8, 8, 0, 8};
    struct {
        uint64_t addr;
        uint32_t pitch, width, height;
        uint8_t bpp, type;
        const uint8_t *color;
        const char *why;
    } cases[] = {
        {0xFD000000, 4096, 1024, 768, 32, 3, xrgb, "unknown type or bad pixel size"},
        {0xFD000000, 4096, 1024, 768, 0, 1, xrgb, "unknown type or bad pixel size"},
        {0xFD000000, 4096, 1024, 768, 12, 1, xrgb, "unknown type or bad pixel size"},
        {0xFD000000, 4096, 1024, 768, 200, 1, xrgb, "unknown type or bad pixel size"},
        {0xB8000, 160, 80, 25, 8, 2, NULL, "unknown type or bad pixel size"},
        {0xFD000000, 4096, 1024, 768, 16, 0, NULL, "unknown type or bad pixel size"},
        {0xFD000000, 4096, 1024, 768, 32, 1, wide, "colour field outside the pixel"},
        {0xFD000000, 4096, 1024, 768, 32, 1, empty, "colour field outside the pixel"},
        {0xFD000000, 4096, 0, 768, 32, 1, xrgb, "bad width or height"},
        {0xFD000000, 4096, 1024, 0, 32, 1, xrgb, "bad width or height"},
        {0xFD000000, 0xFFFFFFFF, 1024, 40000, 32, 1, xrgb, "bad width or height"},
        {0xFD000000, 4095, 1024, 768, 32, 1, xrgb, "pitch shorter than a line"},
        {0xB8000, 159, 80, 25, 16, 2, NULL, "pitch shorter than a line"},
        {0, 4096, 1024, 768, 32, 1, xrgb, "beyond physical memory"},
        {0xFFFFFFFFFFFFF000ull, 4096, 1024, 768, 32, 1, xrgb, "beyond physical memory"},
        {(1ull << 52) - 4096, 4096, 1024, 768, 32, 1, xrgb, "beyond physical memory"},
        /* in RAM by the map: 0x100000 up, and the low 639 KiB */
        {0x200000, 4096, 1024, 768, 32, 1, xrgb, "overlaps RAM"},
        {0x9F000, 160, 80, 25, 16, 2, NULL, "overlaps RAM"},
        {0x90000, 4096, 1024, 768, 32, 1, xrgb, "overlaps RAM"}, /* runs from low RAM on */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        build_qemu_multiboot("x keep");
        mb_framebuffer(cases[i].addr, cases[i].pitch, cases[i].width, cases[i].height, cases[i].bpp,
                       cases[i].type, cases[i].color);
        check_refused(cases[i].why);
    }
}

/* ---- PVH ---- */

#define SI 0x6000u
#define SI_MODS 0x6040u
#define SI_MEMMAP 0x7000u
#define SI_CMDLINE 0x20000u

static void pvh_memmap_entry(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
    uint64_t a = SI_MEMMAP + 24 * i;
    w64(a, base);
    w64(a + 8, len);
    w32(a + 16, type);
    w32(a + 20, 0);
}

/* Firecracker's configure_pvh for 128 MiB with an initrd. */
static void build_firecracker_pvh(const char *cmdline)
{
    mem_reset();
    w32(SI, 0x336ec578);
    w32(SI + 4, 1);
    w32(SI + 12, 1);
    w64(SI + 16, SI_MODS);
    w64(SI + 24, SI_CMDLINE);
    w64(SI + 32, 0);
    w64(SI + 40, SI_MEMMAP);
    w32(SI + 48, 4);
    w64(SI_MODS, 0x7F00000);
    w64(SI_MODS + 8, 0x1000);
    pvh_memmap_entry(0, 0, 0x9FC00, 1);
    pvh_memmap_entry(1, 0x9FC00, 0x40400, 2);
    pvh_memmap_entry(2, 0xEEC00000, 0x10000000, 2);
    pvh_memmap_entry(3, 0x100000, 0x7F00000, 1);
    wstr(SI_CMDLINE, cmdline);
}

TEST(pvh_firecracker)
{
    build_firecracker_pvh("console=ttyS0 reboot=k panic=1 pci=off -- x");
    w64(SI_MODS, 0x30000); /* Firecracker's 0x7F00000 lies outside our buffer */
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), 0);
    CHECK_EQ(bi.protocol, BOOT_PVH);
    CHECK_STR(bi.cmdline, "console=ttyS0 reboot=k panic=1 pci=off -- x");
    CHECK_STR(bi.loader_name, "");
    CHECK_EQ(bi.memmap_count, 4u);
    CHECK_EQ(bi.memmap[1].base, 0x9FC00u);
    CHECK_EQ(bi.memmap[1].length, 0x40400u);
    CHECK_EQ(bi.memmap[1].type, 2u);
    CHECK_EQ(bi.memmap[3].length, 0x7F00000u);
    CHECK_EQ(bi.rsdp, 0u);
    CHECK_EQ(bi.initrd_base, 0x30000u);
    CHECK_EQ(bi.initrd_size, 0x1000u);
    CHECK_EQ(bi.entry_tsc, 0x123456789ull);
    CHECK_EQ(bi.low_mem_kib, 0u);
}

TEST(pvh_qemu_passes_rsdp_no_modules)
{
    build_firecracker_pvh("");
    w32(SI + 12, 0);
    w64(SI + 16, 0);
    w64(SI + 32, 0xF5A40);
    w64(SI + 24, 0); /* no command line */
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), 0);
    CHECK_EQ(bi.rsdp, 0xF5A40u);
    CHECK_EQ(bi.initrd_size, 0u);
    CHECK_STR(bi.cmdline, "");
}

TEST(pvh_bad_magic)
{
    build_firecracker_pvh("k");
    w32(SI, 0x2BADB002);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK_STR(err, "pvh: bad start_info magic 0x2badb002 (want 0x336ec578)");
}

TEST(pvh_version0_has_no_memmap)
{
    build_firecracker_pvh("k");
    w32(SI + 4, 0);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("version 0x0 carries no memory map"));
}

TEST(pvh_later_version_is_compatible)
{
    build_firecracker_pvh("k");
    w32(SI + 4, 2);
    w64(SI_MODS, 0x30000);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 4u);
}

TEST(pvh_start_info_outside_memory)
{
    build_firecracker_pvh("k");
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, MEM_SIZE - 16, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("start_info at 0x3fff0 is outside memory"));
    /* v1 fields cut off by the end of memory */
    w32(MEM_SIZE - 48, 0x336ec578);
    w32(MEM_SIZE - 44, 1);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, MEM_SIZE - 48, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("runs past the end of memory"));
}

TEST(pvh_memmap_problems)
{
    build_firecracker_pvh("k");
    w64(SI + 40, MEM_SIZE - 24 * 3);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("pvh: memory map at 0x3ffb8 runs past the end of memory"));

    build_firecracker_pvh("k");
    w32(SI + 48, 0);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("no memory map"));

    build_firecracker_pvh("k");
    w32(SI + 48, 0xFFFFFFFF);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
}

TEST(pvh_too_many_memmap_entries)
{
    build_firecracker_pvh("k");
    w64(SI_MODS, 0x30000);
    pvh_memmap_entry(0, 0, 0x9FC00, 1); /* where start_info and the map are */
    for (unsigned i = 1; i < 200; i++)
        pvh_memmap_entry(i, 0x100000ull * i, 0x1000, 1);
    w32(SI + 48, 200);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 128u);
    CHECK_EQ(bi.memmap_truncated, 72u);
    CHECK_EQ(bi.memmap[127].base, 0x100000ull * 127);
    CHECK(LOG_CONTAINS("pvh: warning: memory map has 72 entries more than the 128 kept"));
}

TEST(pvh_cmdline_and_module_problems)
{
    build_firecracker_pvh("k");
    w64(SI + 24, 0x100000000ull);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK_STR(err, "pvh: command line pointer 0x100000000 is outside memory");

    build_firecracker_pvh("k");
    w64(SI_MODS, 0x3F000);
    w64(SI_MODS + 8, 0x2000); /* runs past the end */
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_size, 0u);
    CHECK(LOG_CONTAINS("module 0 at 0x3f000 (8192 bytes) is not in RAM"));

    build_firecracker_pvh("k");
    w64(SI + 16, MEM_SIZE - 8);
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("module list at 0x3fff8 lies outside memory"));
}

/* ---- Linux zero page ---- */

#define ZP 0x7000u
#define ZP_CMDLINE 0x20000u

static void zp_e820(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
    uint64_t a = ZP + 0x2D0 + 20 * i;
    w64(a, base);
    w64(a + 8, len);
    w32(a + 16, type);
}

/* Firecracker's configure_64bit_boot for an ELF kernel, 128 MiB. */
static void build_firecracker_zero_page(const char *cmdline)
{
    mem_reset();
    w64(ZP + 0x070, 0xE0000);
    mem[ZP + 0x1E8] = 4;
    w16(ZP + 0x1FE, 0xAA55);
    w32(ZP + 0x202, 0x53726448);
    mem[ZP + 0x210] = 0xFF;
    w32(ZP + 0x228, ZP_CMDLINE);
    w32(ZP + 0x230, 0x1000000);
    w32(ZP + 0x238, (uint32_t)strlen(cmdline) + 1);
    zp_e820(0, 0, 0x9FC00, 1);
    zp_e820(1, 0x9FC00, 0x40400, 2);
    zp_e820(2, 0xEEC00000, 0x10000000, 2);
    zp_e820(3, 0x100000, 0x7F00000, 1);
    wstr(ZP_CMDLINE, cmdline);
}

TEST(linux_firecracker)
{
    build_firecracker_zero_page("console=ttyS0 reboot=k panic=1 pci=off");
    w32(ZP + 0x218, 0x30000);
    w32(ZP + 0x21C, 0x4000);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.protocol, BOOT_LINUX64);
    CHECK_STR(bi.cmdline, "console=ttyS0 reboot=k panic=1 pci=off");
    CHECK_EQ(bi.memmap_count, 4u);
    CHECK_EQ(bi.memmap[2].base, 0xEEC00000u);
    CHECK_EQ(bi.memmap[2].length, 0x10000000u);
    CHECK_EQ(bi.memmap[2].type, 2u);
    CHECK_EQ(bi.rsdp, 0xE0000u);
    CHECK_EQ(bi.initrd_base, 0x30000u);
    CHECK_EQ(bi.initrd_size, 0x4000u);
    CHECK_EQ(bi.entry_tsc, 0x123456789ull);
    CHECK_STR(bi.loader_name, "");
}

TEST(linux_bad_magics)
{
    build_firecracker_zero_page("k");
    w16(ZP + 0x1FE, 0x55AA);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK_STR(err, "linux64: bad boot_flag 0x55aa (want 0xaa55)");
    build_firecracker_zero_page("k");
    w32(ZP + 0x202, 0x48647253);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("bad setup header magic 0x48647253"));
}

TEST(linux_zero_page_outside_memory)
{
    build_firecracker_zero_page("k");
    CHECK_EQ(bootinfo_from_linux(&bi, &win, MEM_SIZE - 2048, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("zero page at 0x3f800 is outside memory"));
}

TEST(linux_e820_counts)
{
    build_firecracker_zero_page("k");
    mem[ZP + 0x1E8] = 0;
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("no e820 memory map"));

    build_firecracker_zero_page("k");
    zp_e820(0, 0, 0x9FC00, 1); /* where the zero page is */
    for (unsigned i = 1; i < 128; i++)
        zp_e820(i, 0x100000ull * i, 0x1000, 1);
    mem[ZP + 0x1E8] = 200;
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 128u);
    CHECK_EQ(bi.memmap_truncated, 72u);
    CHECK_EQ(bi.memmap[127].base, 0x100000ull * 127);
    CHECK(LOG_CONTAINS("zero page claims 200 e820 entries; its table holds 128"));
    CHECK(LOG_CONTAINS("72 entries more than the 128 kept"));
}

TEST(linux_cmdline_size_rules)
{
    /* cmdline_size 0: NUL required */
    build_firecracker_zero_page("a=1 b=2");
    w32(ZP + 0x238, 0);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "a=1 b=2");

    /* cmdline_size shorter than the text: at most that many characters */
    build_firecracker_zero_page("a=1 b=2");
    w32(ZP + 0x238, 3);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "a=1");

    /* cmdline_size running past the end of memory */
    build_firecracker_zero_page("x");
    w32(ZP + 0x228, MEM_SIZE - 10);
    wstr(MEM_SIZE - 10, "short");
    w32(ZP + 0x238, 100);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("command line at 0x3fff6 runs past the end of memory"));

    /* ... while without cmdline_size the terminated string is fine */
    w32(ZP + 0x238, 0);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "short");

    /* no command line at all */
    build_firecracker_zero_page("x");
    w32(ZP + 0x228, 0);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_STR(bi.cmdline, "");
}

TEST(linux_cmdline_overlong)
{
    build_firecracker_zero_page("x");
    memset(mem + ZP_CMDLINE, 'c', 4000);
    mem[ZP_CMDLINE + 4000] = '\0';
    w32(ZP + 0x238, 4001);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("is longer than the 2047 bytes the kernel takes"));
    w32(ZP + 0x238, 0);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    /* cmdline_size 2047 with more characters after it: the line is 2047 */
    w32(ZP + 0x238, 2047);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(strlen(bi.cmdline), 2047u);
}

TEST(linux_ext_fields)
{
    /* ext_cmd_line_ptr puts the command line above 4 GiB: outside memory */
    build_firecracker_zero_page("x");
    w32(ZP + 0x0C8, 1);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK_STR(err, "linux64: command line pointer 0x100020000 is outside memory");

    /* ext_ramdisk_image above 4 GiB: ignored with a message */
    build_firecracker_zero_page("x");
    w32(ZP + 0x218, 0x30000);
    w32(ZP + 0x21C, 0x1000);
    w32(ZP + 0x0C0, 2);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_base, 0u);
    CHECK(LOG_CONTAINS("initrd at 0x200030000 (4096 bytes) is not in RAM"));

    /* ext_ramdisk_size making it too large */
    build_firecracker_zero_page("x");
    w32(ZP + 0x218, 0x30000);
    w32(ZP + 0x21C, 0x1000);
    w32(ZP + 0x0C4, 1);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_size, 0u);
}

/* Linux boot protocol: screen_info at the zero page's start
 * (include/uapi/linux/screen_info.h). */
static void zp_lfb(uint8_t type, uint32_t base, uint32_t ext_base, uint16_t depth)
{
    mem[ZP + 0x0F] = type;
    w16(ZP + 0x12, 1280);
    w16(ZP + 0x14, 800);
    w16(ZP + 0x16, depth);
    w32(ZP + 0x18, base);
    w16(ZP + 0x24, 5120);
    static const uint8_t fields[6] = {8, 16, 8, 8, 8, 0}; /* size, position: R, G, B */
    memcpy(mem + ZP + 0x26, fields, 6);
    if (ext_base) {
        w32(ZP + 0x36, 1u << 1); /* VIDEO_CAPABILITY_64BIT_BASE */
        w32(ZP + 0x3A, ext_base);
    }
}

TEST(linux_screen_info)
{
    /* Firecracker leaves screen_info zero: no framebuffer */
    build_firecracker_zero_page("x");
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_NONE);
    /* VESA linear framebuffer (VIDEO_TYPE_VLFB) */
    build_firecracker_zero_page("x");
    zp_lfb(0x23, 0xC0000000, 0, 32);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_RGB);
    CHECK_EQ(bi.framebuffer.addr, 0xC0000000u);
    CHECK_EQ(bi.framebuffer.width, 1280u);
    CHECK_EQ(bi.framebuffer.height, 800u);
    CHECK_EQ(bi.framebuffer.pitch, 5120u);
    CHECK_EQ(bi.framebuffer.bpp, 32);
    CHECK_EQ(bi.framebuffer.rgb[FB_RED].pos, 16);
    CHECK_EQ(bi.framebuffer.rgb[FB_RED].size, 8);
    CHECK_EQ(bi.framebuffer.rgb[FB_BLUE].pos, 0);
    /* EFI GOP (VIDEO_TYPE_EFI) above 4 GiB: the high half counts only
     * with VIDEO_CAPABILITY_64BIT_BASE */
    build_firecracker_zero_page("x");
    zp_lfb(0x70, 0x80000000, 0x4, 32);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.addr, 0x480000000ull);
    build_firecracker_zero_page("x");
    zp_lfb(0x70, 0x80000000, 0, 32);
    w32(ZP + 0x3A, 0x4); /* no capability bit: ignored */
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.addr, 0x80000000u);
    /* text mode (VIDEO_TYPE_VGAC) is no linear framebuffer */
    build_firecracker_zero_page("x");
    zp_lfb(0x22, 0xC0000000, 0, 32);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_NONE);
    /* a depth beyond a byte, and a framebuffer in RAM, are refused; the
     * boot goes on */
    build_firecracker_zero_page("x");
    zp_lfb(0x23, 0xC0000000, 0, 0x120);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_NONE);
    CHECK(LOG_CONTAINS("linux64: framebuffer 1280x800x0 at 0xc0000000 ignored: unknown type or "
                       "bad pixel size"));
    build_firecracker_zero_page("x");
    zp_lfb(0x23, 0x1000000, 0, 32);
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), 0);
    CHECK_EQ(bi.framebuffer.kind, FRAMEBUFFER_NONE);
    CHECK(LOG_CONTAINS("ignored: overlaps RAM"));
    CHECK_STR(bi.cmdline, "x");
}

/* ---- loader pointers against the loader's own memory map ---- */

static void map_reset(void)
{
    memset(&bi, 0, sizeof bi);
}

static void map_add(uint64_t base, uint64_t len, uint32_t type)
{
    bootinfo_add_memmap(&bi, base, len, type);
}

/* QEMU microvm's e820 (measured): RAM, reserved, ACPI NVS, reserved, RAM, and
 * a zero-length type-0 entry. */
static void microvm_map(uint64_t ram_end)
{
    map_reset();
    map_add(0, 0x9FC00, MEMMAP_RAM);
    map_add(0x9FC00, 0x400, MEMMAP_RESERVED);
    map_add(0xD0000, 0x20000, MEMMAP_ACPI_NVS);
    map_add(0xF0000, 0x10000, MEMMAP_RESERVED);
    map_add(0x100000, ram_end - 0x100000, MEMMAP_RAM);
    map_add(0, 0, 0);
}

TEST(extent_ram_and_low_firmware_areas)
{
    microvm_map(0x4000000);
    /* QEMU's PVH loader on microvm: start_info in reserved, command line in
     * ACPI NVS, both below 1 MiB: loader data, but never a module */
    CHECK(bootinfo_in_memory(&bi, 0xF31E0, 56, BOOTINFO_LOADER_DATA));
    CHECK(bootinfo_in_memory(&bi, 0xEFC60, 21, BOOTINFO_LOADER_DATA));
    CHECK(!bootinfo_in_memory(&bi, 0xEFC60, 21, BOOTINFO_MODULE));
    CHECK(bootinfo_in_memory(&bi, 0x9500, 88, BOOTINFO_MODULE));
    /* contiguous entries of fitting types join up, across 1 MiB too */
    CHECK(bootinfo_in_memory(&bi, 0x9F000, 0x1000, BOOTINFO_LOADER_DATA));
    CHECK(bootinfo_in_memory(&bi, 0xFF000, 0x2000, BOOTINFO_LOADER_DATA));
    CHECK(!bootinfo_in_memory(&bi, 0xFF000, 0x2000, BOOTINFO_MODULE));
    /* the hole 0xA0000-0xD0000 is in no entry */
    CHECK_EQ(bootinfo_extent(&bi, 0xA0000, 16, BOOTINFO_LOADER_DATA), 0u);
    CHECK_EQ(bootinfo_extent(&bi, 0x9FF00, 0x1000, BOOTINFO_LOADER_DATA), 0x100u);
    /* RAM ends: the extent stops there */
    CHECK_EQ(bootinfo_extent(&bi, 0x3FFFFF0, 0x100, BOOTINFO_LOADER_DATA), 0x10u);
    CHECK_EQ(bootinfo_extent(&bi, 0x4000000, 0x100, BOOTINFO_LOADER_DATA), 0u);
    /* len 0 asks about addr alone */
    CHECK(bootinfo_in_memory(&bi, 0x1000, 0, BOOTINFO_LOADER_DATA));
    CHECK(!bootinfo_in_memory(&bi, 0xB0000, 0, BOOTINFO_LOADER_DATA));
}

TEST(extent_reserved_above_1m_is_a_device_window)
{
    map_reset();
    map_add(0, 0x9FC00, MEMMAP_RAM);
    map_add(0x100000, 0x7F00000, MEMMAP_RAM);
    map_add(0xB0000000, 0x10000000, MEMMAP_RESERVED); /* q35's ECAM */
    CHECK_EQ(bootinfo_extent(&bi, 0xB0000000, 64, BOOTINFO_LOADER_DATA), 0u);
    /* a type-5 or unknown entry over RAM refuses what it covers */
    map_add(0x200000, 0x1000, MEMMAP_UNUSABLE);
    map_add(0x300000, 0x1000, 77);
    CHECK_EQ(bootinfo_extent(&bi, 0x1FF000, 0x10000, BOOTINFO_LOADER_DATA), 0x1000u);
    CHECK_EQ(bootinfo_extent(&bi, 0x200800, 16, BOOTINFO_LOADER_DATA), 0u);
    CHECK_EQ(bootinfo_extent(&bi, 0x2FF000, 0x10000, BOOTINFO_MODULE), 0x1000u);
    /* no map at all: nothing is memory */
    map_reset();
    CHECK_EQ(bootinfo_extent(&bi, 0x1000, 16, BOOTINFO_LOADER_DATA), 0u);
    /* the top of the address space does not wrap */
    map_add(0xFFFFFFFFFFFFF000ull, 0x2000, MEMMAP_RAM);
    CHECK_EQ(bootinfo_extent(&bi, 0xFFFFFFFFFFFFF800ull, UINT64_MAX, BOOTINFO_LOADER_DATA), 0x7FFu);
}

/* -m 1140K under QEMU: the map's RAM ends just past the image, and the
 * command line QEMU put after the image lies beyond it. Scaled into the
 * test's buffer: RAM ends at 0x30000, the command line is at 0x30010. */
TEST(multiboot_cmdline_beyond_ram_is_refused)
{
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_entry(20, 0, 0x30000, 1);
    w32(MBI + 44, mb_mmap_len);
    wstr(0x30010, "/x/hello.elf console=ttyS0 -- floor-check");
    w32(MBI + 16, 0x30010);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK_STR(err, "multiboot: command line at 0x30010 lies outside the memory the loader's map "
                   "lists");

    /* begins in RAM, ends beyond it */
    wstr(0x2FFF0, "/x/hello.elf console=ttyS0 -- floor-check");
    w32(MBI + 16, 0x2FFF0);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("is not terminated within the memory the loader's map lists"));

    /* the loader name beyond RAM is ignored with a message */
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_entry(20, 0, 0x30000, 1);
    w32(MBI + 44, mb_mmap_len);
    wstr(0x30100, "qemu");
    w32(MBI + 64, 0x30100);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_STR(bi.loader_name, "");
    CHECK(LOG_CONTAINS("boot loader name at 0x30100 is outside memory"));
}

TEST(multiboot_structures_outside_their_map)
{
    /* the MBI itself outside the memory its map lists */
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_entry(20, 0x100000, 0x100000, 1);
    mb_mmap_entry(20, 0, 0x9400, 1); /* the map at 0x9000 is listed, the MBI is not */
    w32(MBI + 44, mb_mmap_len);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), -1);
    CHECK_STR(err, "multiboot: info structure at 0x9500 lies outside the memory its map lists");

    /* a map that does not list its own location is discarded */
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_entry(20, 0x100000, 0x100000, 1);
    w32(MBI + 44, mb_mmap_len);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK(LOG_CONTAINS("memory map at 0x9000 (24 bytes) lies outside the memory it lists"));
    CHECK_EQ(bi.memmap_count, 2u); /* mem_lower / mem_upper instead */

    /* a module in reserved memory is not an initrd */
    build_qemu_multiboot("k");
    mb_mmap_len = 0;
    mb_mmap_entry(20, 0, 0x30000, 1);
    mb_mmap_entry(20, 0x30000, 0x10000, 2);
    w32(MBI + 44, mb_mmap_len);
    w32(MBI + 20, 1);
    w32(MB_MODS, 0x30000);
    w32(MB_MODS + 4, 0x31000);
    CHECK_EQ(bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err), 0);
    CHECK_EQ(bi.initrd_size, 0u);
    CHECK(LOG_CONTAINS("is not a valid range of RAM"));
}

TEST(pvh_and_linux_structures_outside_their_map)
{
    build_firecracker_pvh("k");
    w64(SI_MODS, 0x30000);
    pvh_memmap_entry(0, 0x7000, 0x9FC00 - 0x7000, 1); /* start_info at 0x6000 unlisted */
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("pvh: start_info at 0x6000 or its memory map lies outside"));

    build_firecracker_pvh("console=ttyS0");
    w64(SI_MODS, 0x30000);
    pvh_memmap_entry(0, 0, 0x20000, 1); /* the command line at 0x20000 unlisted */
    CHECK_EQ(bootinfo_from_pvh(&bi, &win, SI, err, sizeof err), -1);
    CHECK_STR(err, "pvh: command line at 0x20000 lies outside the memory the loader's map lists");

    build_firecracker_zero_page("k");
    zp_e820(0, 0x8000, 0x9FC00 - 0x8000, 1); /* the zero page at 0x7000 unlisted */
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK_STR(err, "linux64: zero page at 0x7000 lies outside the memory its e820 map lists");

    build_firecracker_zero_page("console=ttyS0");
    zp_e820(0, 0, 0x20004, 1); /* cmdline_size runs past the end of RAM */
    CHECK_EQ(bootinfo_from_linux(&bi, &win, ZP, err, sizeof err), -1);
    CHECK(ERR_CONTAINS("runs past the memory the loader's map lists"));
}

/* ---- random corruption: must never read outside the window ---- */

static uint32_t rng_state = 777;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void mutate(uint32_t base, uint32_t span, int n)
{
    for (int k = 0; k < n; k++) {
        uint32_t off = base + rng() % span;
        switch (rng() % 4) {
        case 0:
            mem[off] = (uint8_t)rng();
            break;
        case 1: /* a plausible pointer or length */
            if (off + 4 <= MEM_SIZE)
                w32(off, rng() % (MEM_SIZE + 0x100));
            break;
        case 2:
            if (off + 4 <= MEM_SIZE)
                w32(off, 0xFFFFFFFFu - rng() % 64);
            break;
        default:
            mem[off] = 0;
        }
    }
}

TEST(random_corruption_stays_in_bounds)
{
    for (int iter = 0; iter < 600; iter++) {
        build_qemu_multiboot("hello.elf console=ttyS0 -- a");
        mutate(MB_MMAP, 0x1000, 1 + (int)(rng() % 4));
        unit_log_clear();
        bootinfo_from_multiboot(&bi, &win, MBI, err, sizeof err);
        CHECK(bi.memmap_count <= BOOTINFO_MEMMAP_MAX);
        CHECK(strlen(bi.cmdline) < BOOTINFO_CMDLINE_MAX);
        CHECK(strlen(bi.loader_name) < sizeof bi.loader_name);

        build_firecracker_pvh("console=ttyS0");
        mutate(SI, 0x1100, 1 + (int)(rng() % 4));
        unit_log_clear();
        bootinfo_from_pvh(&bi, &win, SI, err, sizeof err);
        CHECK(bi.memmap_count <= BOOTINFO_MEMMAP_MAX);
        CHECK(strlen(bi.cmdline) < BOOTINFO_CMDLINE_MAX);

        build_firecracker_zero_page("console=ttyS0");
        mutate(ZP, 0x1000, 1 + (int)(rng() % 4));
        unit_log_clear();
        bootinfo_from_linux(&bi, &win, ZP, err, sizeof err);
        CHECK(bi.memmap_count <= BOOTINFO_MEMMAP_MAX);
        CHECK(strlen(bi.cmdline) < BOOTINFO_CMDLINE_MAX);
        CHECK_EQ(bi.entry_tsc, 0x123456789ull);
    }
}

UNIT_MAIN()
