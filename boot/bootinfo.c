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
    if (declared_len != 0) {
        /* Linux boot.rst: cmdline_size counts characters without the NUL,
         * so a line that fills it need not be terminated. */
        uint64_t n = declared_len < max ? declared_len : max;
        const char *s = phys_ptr(w, addr, n);
        if (s == NULL) {
            bootinfo_error(err, errlen, who, "command line at ", addr,
                           " runs past the end of memory");
            return -1;
        }
        for (len = 0; len < n && s[len] != '\0'; len++)
            ;
    } else {
        long l = bootinfo_strlen(w, addr, max);
        if (l < 0) {
            bootinfo_error(err, errlen, who, "command line at ", addr,
                           " is not terminated before the end of memory");
            return -1;
        }
        len = (uint64_t)l;
    }
    if (len > max - 1) {
        kprintf("%s: warning: command line longer than %u bytes, truncated\n", who,
                (unsigned)(max - 1));
        len = max - 1;
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
