/* The one funnel: every boot protocol (multiboot, PVH, Linux 64-bit, later
 * UEFI) turns what its loader handed over into this structure, and nothing
 * above boot/ knows how the image was started. Everything is copied in, so the
 * loader's memory can be reused once the parser has run. */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#include <stdint.h>
#include "core/phys.h"

#define BOOTINFO_CMDLINE_MAX 2048 /* Firecracker's CMDLINE_MAX_SIZE, incl. NUL */
#define BOOTINFO_MEMMAP_MAX 128   /* Firecracker and Linux E820_MAX_ENTRIES_ZEROPAGE */

enum boot_protocol {
    BOOT_NONE = 0,
    BOOT_MULTIBOOT,
    BOOT_PVH,
    BOOT_LINUX64,
};

/* e820 / multiboot / PVH memory types share these values. */
enum memmap_type {
    MEMMAP_RAM = 1,
    MEMMAP_RESERVED = 2,
    MEMMAP_ACPI_RECLAIM = 3,
    MEMMAP_ACPI_NVS = 4,
    MEMMAP_UNUSABLE = 5,
};

struct memmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;
};

struct bootinfo {
    enum boot_protocol protocol;
    char loader_name[64]; /* "" when the protocol names none */
    char cmdline[BOOTINFO_CMDLINE_MAX];
    struct memmap_entry memmap[BOOTINFO_MEMMAP_MAX];
    uint32_t memmap_count;
    uint32_t memmap_truncated; /* entries dropped because the table was full */
    uint64_t rsdp;             /* physical address, 0 = unknown (scan) */
    uint64_t initrd_base, initrd_size;
    uint64_t entry_tsc;   /* TSC read at the first instruction */
    uint64_t low_mem_kib; /* multiboot mem_lower, informational */
};

const char *boot_protocol_name(enum boot_protocol p);

/* Parsers, each pure (no hardware access): they read the loader's structures
 * through the window, check every address and length, copy into bi and return
 * 0, or return -1 after writing a reason into err. Warnings about tolerated
 * oddities (truncated memory maps, overlong command lines) go through kprintf. */
int bootinfo_from_multiboot(struct bootinfo *bi, const struct phys_window *w, uint64_t mbi_addr,
                            char *err, unsigned errlen);
int bootinfo_from_pvh(struct bootinfo *bi, const struct phys_window *w, uint64_t start_info_addr,
                      char *err, unsigned errlen);
int bootinfo_from_linux(struct bootinfo *bi, const struct phys_window *w, uint64_t zero_page_addr,
                        char *err, unsigned errlen);

/* Helpers shared by the parsers (boot/bootinfo.c). */

/* Zeroes *bi except entry_tsc (set by the entry code before parsing), then
 * records the protocol. */
void bootinfo_reset(struct bootinfo *bi, enum boot_protocol p);

/* Appends one memory-map entry, or counts it in memmap_truncated when the
 * table is full; bootinfo_report_truncation prints the warning once. */
void bootinfo_add_memmap(struct bootinfo *bi, uint64_t base, uint64_t length, uint32_t type);
void bootinfo_report_truncation(const struct bootinfo *bi, const char *who);

/* Length of the NUL-terminated string at addr: its length when the NUL lies
 * within max bytes, max when all max bytes are visible and none is NUL, -1
 * when the window ends first (or addr is outside it). */
long bootinfo_strlen(const struct phys_window *w, uint64_t addr, uint64_t max);

/* Copies the command line at addr into bi->cmdline. addr 0 means none (empty
 * line). declared_len is the loader's length for it (Linux cmdline_size: at
 * most that many characters, NUL optional) or 0 when unknown (NUL required).
 * A line longer than BOOTINFO_CMDLINE_MAX - 1 is truncated with a warning; a
 * pointer outside the window or a line that runs out of it is an error. */
int bootinfo_copy_cmdline(struct bootinfo *bi, const struct phys_window *w, uint64_t addr,
                          uint64_t declared_len, const char *who, char *err, unsigned errlen);

/* Writes "<who>: <prefix>0x<value><suffix>" into err (bounded, always
 * terminated; nothing when err is NULL or errlen 0). */
void bootinfo_error(char *err, unsigned errlen, const char *who, const char *prefix, uint64_t value,
                    const char *suffix);

#endif
