/* libFuzzer harness: the boot-protocol parsers (boot/multiboot.c, boot/pvh.c,
 * boot/linux64.c over boot/bootinfo.c) on arbitrary loader memory. Input:
 *
 *   byte 0      bits 0-1: 0 multiboot, 1 PVH, 2 Linux zero page, 3 all three;
 *               bit 7: the structure address counts down from 2^64 - 1
 *   bytes 1-2   the structure's guest-physical address (u16, little-endian)
 *   bytes 3-    guest-physical memory from address 0, in a buffer of exactly
 *               that size behind the phys_window (ASan catches overreads)
 *
 * Seeds: tests/fuzz/mkseeds.py. Whatever a parser accepts must be sound:
 * strings terminated, the command line what memory holds, the memory map
 * within its table, the initrd inside memory, and every structure it used in
 * memory that the loader's own map lists with a fitting type (an oracle of
 * its own, byte by byte), a framebuffer taken only when it is coherent; a
 * refusal says why.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_bootinfo.c boot/bootinfo.c boot/multiboot.c boot/pvh.c boot/linux64.c \
 *     boot/framebuffer.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootinfo.h"

/* Formats for real, so a bad argument (an unterminated %s) shows up. */
void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
}

#define TSC_MARK 0x0123456789abcdefull

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--)
        v = v << 8 | p[i - 1];
    return v;
}

/* The bytes at addr as the parser should have copied them: up to max
 * characters, stopping at a NUL. NULL when addr is outside memory. */
static void check_copied(const struct phys_window *w, uint64_t addr, uint64_t max, const char *got)
{
    size_t n = strlen(got);
    const uint8_t *m = phys_ptr(w, addr, n);
    if (m == NULL || memcmp(m, got, n) != 0)
        abort();
    /* It stopped at a NUL, at max, or at the 2047-byte limit. */
    const uint8_t *next = phys_ptr(w, addr + n, 1);
    if (n < max && n < BOOTINFO_CMDLINE_MAX - 1 && (next == NULL || *next != '\0'))
        abort();
}

/* An oracle written apart from bootinfo_extent: byte by byte, x is fit for
 * loader data when some entry of a fitting type covers it (RAM anywhere;
 * reserved or ACPI below 1 MiB; RAM only for a module) and no entry of
 * another type does. */
static int byte_fits(const struct bootinfo *bi, uint64_t x, int module)
{
    int ok = 0;
    for (uint32_t i = 0; i < bi->memmap_count; i++) {
        const struct memmap_entry *e = &bi->memmap[i];
        if (e->length == 0 || x < e->base || x - e->base >= e->length)
            continue;
        if (e->type == MEMMAP_RAM)
            ok = 1;
        else if (e->type >= MEMMAP_RESERVED && e->type <= MEMMAP_ACPI_NVS)
            ok |= !module && x < 0x100000;
        else
            return 0;
    }
    return ok;
}

static void check_in_map(const struct bootinfo *bi, uint64_t addr, uint64_t len, int module)
{
    for (uint64_t i = 0; i < len; i++)
        if (!byte_fits(bi, addr + i, module))
            abort();
    if (bootinfo_in_memory(bi, addr, len, module ? BOOTINFO_MODULE : BOOTINFO_LOADER_DATA) !=
        (len == 0 ? byte_fits(bi, addr, module) : 1))
        abort();
}

/* A framebuffer taken is one a display could be: its kind's pixel size,
 * colour fields inside a pixel, a pitch that holds a line, an extent inside
 * physical address space and clear of every RAM entry in the map. */
static void check_framebuffer(const struct bootinfo *bi)
{
    const struct framebuffer *fb = &bi->framebuffer;
    unsigned b = fb->bpp;
    switch (fb->kind) {
    case FRAMEBUFFER_NONE:
        return;
    case FRAMEBUFFER_RGB:
        if (b != 15 && b != 16 && b != 24 && b != 32)
            abort();
        for (int i = 0; i < 3; i++)
            if (fb->rgb[i].size == 0 || fb->rgb[i].pos + fb->rgb[i].size > b)
                abort();
        break;
    case FRAMEBUFFER_INDEXED:
        if (b < 1 || b > 8)
            abort();
        break;
    case FRAMEBUFFER_EGA_TEXT:
        if (b != 16)
            abort();
        break;
    default:
        abort();
    }
    if (fb->width == 0 || fb->height == 0 || (uint64_t)fb->pitch * 8 < (uint64_t)fb->width * b)
        abort();
    unsigned __int128 end = (unsigned __int128)fb->addr + (uint64_t)fb->pitch * fb->height;
    if (fb->addr == 0 || end > ((unsigned __int128)1 << 52))
        abort();
    for (uint32_t i = 0; i < bi->memmap_count; i++) {
        const struct memmap_entry *e = &bi->memmap[i];
        unsigned __int128 e_end = (unsigned __int128)e->base + e->length;
        if (e->type == MEMMAP_RAM && e->length != 0 && e->base < end && fb->addr < e_end)
            abort();
    }
    if (strcmp(framebuffer_kind_name(fb->kind), "none") == 0)
        abort();
}

static void run(int proto, const struct phys_window *w, uint64_t addr)
{
    static struct bootinfo bi;
    char err[96];
    memset(&bi, 0xA5, sizeof bi);
    bi.entry_tsc = TSC_MARK;
    memset(err, 'x', sizeof err);
    int r;
    enum boot_protocol want;
    switch (proto) {
    case 0:
        r = bootinfo_from_multiboot(&bi, w, addr, err, sizeof err);
        want = BOOT_MULTIBOOT;
        break;
    case 1:
        r = bootinfo_from_pvh(&bi, w, addr, err, sizeof err);
        want = BOOT_PVH;
        break;
    default:
        r = bootinfo_from_linux(&bi, w, addr, err, sizeof err);
        want = BOOT_LINUX64;
        break;
    }
    if (bi.protocol != want || bi.entry_tsc != TSC_MARK ||
        strcmp(boot_protocol_name(want), "none") == 0)
        abort();
    /* Accepted or not, the structure holds nothing unterminated. */
    if (memchr(bi.cmdline, '\0', sizeof bi.cmdline) == NULL ||
        memchr(bi.loader_name, '\0', sizeof bi.loader_name) == NULL ||
        bi.memmap_count > BOOTINFO_MEMMAP_MAX)
        abort();
    if (r != 0) {
        if (r != -1 || err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL)
            abort();
        return;
    }
    if (bi.memmap_count == 0)
        abort(); /* no parser accepts a boot without memory information */
    check_framebuffer(&bi);
    if ((bi.initrd_base != 0 || bi.initrd_size != 0) &&
        phys_ptr(w, bi.initrd_base, bi.initrd_size) == NULL)
        abort();
    /* What was used lies in memory its own map lists, with a fitting type. */
    if (bi.initrd_size != 0)
        check_in_map(&bi, bi.initrd_base, bi.initrd_size, 1);
    /* The command line is what memory holds at the pointer the protocol names. */
    if (proto == 1) {
        const uint8_t *si = phys_ptr(w, addr, 56);
        uint64_t cl = le(si + 24, 8);
        if (cl == 0 ? bi.cmdline[0] != '\0' : (check_copied(w, cl, UINT64_MAX, bi.cmdline), 0))
            abort();
        if (cl != 0)
            check_in_map(&bi, cl, strlen(bi.cmdline), 0);
        check_in_map(&bi, addr, 56, 0);
    } else if (proto == 2) {
        const uint8_t *zp = phys_ptr(w, addr, 4096);
        uint64_t cl = le(zp + 0x228, 4) | le(zp + 0xC8, 4) << 32;
        uint64_t size = le(zp + 0x238, 4);
        if (cl == 0 ? bi.cmdline[0] != '\0'
                    : (check_copied(w, cl, size != 0 ? size : UINT64_MAX, bi.cmdline), 0))
            abort();
        if (cl != 0)
            check_in_map(&bi, cl, strlen(bi.cmdline), 0);
        check_in_map(&bi, addr, 4096, 0);
    } else {
        const uint8_t *mbi = phys_ptr(w, addr, 4);
        if (!(le(mbi, 4) & (1u << 2)) && bi.cmdline[0] != '\0')
            abort();
        check_in_map(&bi, addr, 4, 0);
        if (bi.loader_name[0] != '\0')
            check_in_map(&bi, le(phys_ptr(w, addr, 68) + 64, 4), strlen(bi.loader_name), 0);
    }
    /* A short or absent error buffer is never overrun. */
    char small[4];
    (void)bootinfo_from_pvh(&bi, w, addr, small, sizeof small);
    (void)bootinfo_from_multiboot(&bi, w, addr, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t n = size - 3;
    uint8_t *mem = malloc(n ? n : 1);
    memcpy(mem, data + 3, n);
    struct phys_window w = {(uintptr_t)mem, n};
    uint64_t addr = le(data + 1, 2);
    if (data[0] & 0x80)
        addr = UINT64_MAX - addr;
    if ((data[0] & 3) == 3) {
        for (int p = 0; p < 3; p++)
            run(p, &w, addr);
    } else {
        run(data[0] & 3, &w, addr);
    }
    free(mem);
    return 0;
}
