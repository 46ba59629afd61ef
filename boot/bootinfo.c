/* What the boot-protocol parsers share: resetting struct bootinfo, appending
 * memory-map entries with truncation counting, bounded string reads through
 * the physical window, and error messages without a printf. Pure logic. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "boot/bootinfo.h"
#include "core/log.h"

const char *boot_protocol_name(enum boot_protocol p)
{
    switch (p) {
    case BOOT_MULTIBOOT:
        return "multiboot";
    case BOOT_PVH:
        return "pvh";
    case BOOT_LINUX64:
        return "linux64";
    case BOOT_UEFI:
        return "uefi";
    case BOOT_NONE:
        break;
    }
    return "none";
}

void bootinfo_reset(struct bootinfo *bi, enum boot_protocol p)
{
    uint64_t tsc = bi->entry_tsc;
    memset(bi, 0, sizeof *bi);
    bi->entry_tsc = tsc;
    bi->protocol = p;
}

void bootinfo_add_memmap(struct bootinfo *bi, uint64_t base, uint64_t length, uint32_t type)
{
    if (bi->memmap_count >= BOOTINFO_MEMMAP_MAX) {
        bi->memmap_truncated++;
        return;
    }
    struct memmap_entry *e = &bi->memmap[bi->memmap_count++];
    e->base = base;
    e->length = length;
    e->type = type;
}

void bootinfo_report_truncation(const struct bootinfo *bi, const char *who)
{
    if (bi->memmap_truncated > 0)
        kprintf("%s: warning: memory map has %u entries more than the %u kept; "
                "they are ignored\n",
                who, bi->memmap_truncated, (unsigned)BOOTINFO_MEMMAP_MAX);
}

#define LOW_MEMORY_END 0x100000ull /* firmware and loader areas lie below */

static uint64_t entry_end(const struct memmap_entry *e)
{
    return e->length > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->length;
}

/* The end of the part of e that suits use and starts at or below x, or x
 * when none does. */
static uint64_t fit_end(const struct memmap_entry *e, uint64_t x, enum bootinfo_use use)
{
    uint64_t end = entry_end(e);
    if (e->length == 0 || x < e->base || x >= end)
        return x;
    if (e->type == MEMMAP_RAM)
        return end;
    if (use == BOOTINFO_LOADER_DATA &&
        (e->type == MEMMAP_RESERVED || e->type == MEMMAP_ACPI_RECLAIM ||
         e->type == MEMMAP_ACPI_NVS))
        return end < LOW_MEMORY_END ? end : (x < LOW_MEMORY_END ? LOW_MEMORY_END : x);
    return x;
}

static int refusing_type(uint32_t type)
{
    return type < MEMMAP_RAM || type > MEMMAP_ACPI_NVS;
}

uint64_t bootinfo_extent(const struct bootinfo *bi, uint64_t addr, uint64_t max,
                         enum bootinfo_use use)
{
    uint64_t limit = max > UINT64_MAX - addr ? UINT64_MAX : addr + max;
    uint64_t cur = addr;
    /* Each step moves cur to the end of some entry: at most one per entry. */
    for (uint32_t step = 0; step <= bi->memmap_count && cur < limit; step++) {
        uint64_t next = cur;
        for (uint32_t i = 0; i < bi->memmap_count; i++) {
            uint64_t e = fit_end(&bi->memmap[i], cur, use);
            if (e > next)
                next = e;
        }
        if (next == cur)
            break;
        cur = next;
    }
    if (cur > limit)
        cur = limit;
    for (uint32_t i = 0; i < bi->memmap_count; i++) {
        const struct memmap_entry *e = &bi->memmap[i];
        if (e->length == 0 || !refusing_type(e->type))
            continue;
        if (e->base <= addr && entry_end(e) > addr)
            return 0;
        if (e->base > addr && e->base < cur)
            cur = e->base;
    }
    return cur - addr;
}

int bootinfo_in_memory(const struct bootinfo *bi, uint64_t addr, uint64_t len,
                       enum bootinfo_use use)
{
    if (len == 0)
        return bootinfo_extent(bi, addr, 1, use) == 1;
    return bootinfo_extent(bi, addr, len, use) == len;
}

long bootinfo_strlen(const struct phys_window *w, uint64_t addr, uint64_t max)
{
    if (addr >= w->size)
        return -1;
    uint64_t n = w->size - addr;
    if (n > max)
        n = max;
    const char *s = phys_ptr(w, addr, n);
    if (s == NULL)
        return -1;
    for (uint64_t i = 0; i < n; i++)
        if (s[i] == '\0')
            return (long)i;
    return n == max ? (long)max : -1;
}

int bootinfo_copy_cmdline(struct bootinfo *bi, const struct phys_window *w, uint64_t addr,
                          uint64_t declared_len, const char *who, char *err, unsigned errlen)
{
    const uint64_t max = BOOTINFO_CMDLINE_MAX;
    uint64_t len;

    bi->cmdline[0] = '\0';
    if (addr == 0)
        return 0;
    if (phys_ptr(w, addr, 1) == NULL) {
        bootinfo_error(err, errlen, who, "command line pointer ", addr, " is outside memory");
        return -1;
    }
    uint64_t in_ram = bootinfo_extent(bi, addr, max, BOOTINFO_LOADER_DATA);
    if (in_ram == 0) {
        bootinfo_error(err, errlen, who, "command line at ", addr,
                       " lies outside the memory the loader's map lists");
        return -1;
    }
    if (declared_len != 0) {
        /* Linux boot.rst: cmdline_size counts characters without the NUL,
         * so a line that fills it need not be terminated. */
        uint64_t n = declared_len < max ? declared_len : max;
        const char *s = phys_ptr(w, addr, n);
        if (s == NULL || n > in_ram) {
            bootinfo_error(err, errlen, who, "command line at ", addr,
                           s == NULL ? " runs past the end of memory"
                                     : " runs past the memory the loader's map lists");
            return -1;
        }
        for (len = 0; len < n && s[len] != '\0'; len++)
            ;
    } else {
        long l = bootinfo_strlen(w, addr, in_ram < max ? in_ram : max);
        if (l < 0 || ((uint64_t)l == in_ram && in_ram < max)) {
            bootinfo_error(err, errlen, who, "command line at ", addr,
                           " is not terminated within the memory the loader's map lists");
            return -1;
        }
        len = (uint64_t)l;
    }
    if (len > max - 1) {
        /* Cutting it would hand the app other arguments than it was given.
         * The first bytes are kept only so that the failure can still reach
         * the exit port the line names (arch/x86_64/boot.c). */
        memcpy(bi->cmdline, phys_ptr(w, addr, max - 1), max - 1);
        bi->cmdline[max - 1] = '\0';
        bootinfo_error(err, errlen, who, "command line at ", addr,
                       " is longer than the 2047 bytes the kernel takes");
        return -1;
    }
    memcpy(bi->cmdline, phys_ptr(w, addr, len), len);
    bi->cmdline[len] = '\0';
    return 0;
}

static void err_append(char *err, unsigned errlen, unsigned *pos, const char *s)
{
    while (*s != '\0' && *pos + 1 < errlen)
        err[(*pos)++] = *s++;
    err[*pos] = '\0';
}

void bootinfo_error(char *err, unsigned errlen, const char *who, const char *prefix, uint64_t value,
                    const char *suffix)
{
    static const char digits[] = "0123456789abcdef";
    char hex[19];
    int i = 18;

    if (err == NULL || errlen == 0)
        return;
    hex[i] = '\0';
    do {
        hex[--i] = digits[value & 0xF];
        value >>= 4;
    } while (value != 0);
    hex[--i] = 'x';
    hex[--i] = '0';

    unsigned pos = 0;
    err[0] = '\0';
    err_append(err, errlen, &pos, who);
    err_append(err, errlen, &pos, ": ");
    err_append(err, errlen, &pos, prefix);
    err_append(err, errlen, &pos, hex + i);
    err_append(err, errlen, &pos, suffix);
}
