/* The one funnel: every boot protocol (multiboot, PVH, Linux 64-bit,
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
    BOOT_UEFI, /* the .efi's entry (boot/efi/) */
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

/* A linear framebuffer the loader set up (multiboot flags bit 12, Linux's
 * screen_info). Described, not yet drawn on: a console on it comes with the
 * machines that have no COM1 (Hyper-V Gen2, UEFI). */
enum framebuffer_kind {
    FRAMEBUFFER_NONE = 0,
    FRAMEBUFFER_RGB,      /* direct colour: the field positions and sizes below */
    FRAMEBUFFER_INDEXED,  /* palette indices */
    FRAMEBUFFER_EGA_TEXT, /* character + attribute cells; width and height in characters */
    FRAMEBUFFER_UNKNOWN,  /* a type this kernel does not know: never taken */
};

enum { FB_RED, FB_GREEN, FB_BLUE };

struct framebuffer {
    enum framebuffer_kind kind;
    uint64_t addr;          /* physical */
    uint32_t pitch;         /* bytes from one line (text: row) to the next */
    uint32_t width, height; /* pixels, or characters for EGA text */
    uint8_t bpp;            /* bits per pixel (16 for EGA text cells) */
    struct {
        uint8_t pos, size; /* the field's lowest bit in a pixel, and its width */
    } rgb[3];              /* RGB only: FB_RED, FB_GREEN, FB_BLUE */
};

struct bootinfo {
    enum boot_protocol protocol;
    char loader_name[64]; /* "" when the protocol names none */
    char cmdline[BOOTINFO_CMDLINE_MAX];
    struct memmap_entry memmap[BOOTINFO_MEMMAP_MAX];
    uint32_t memmap_count;
    uint32_t memmap_truncated; /* entries dropped because the table was full */
    uint64_t rsdp;             /* physical address, 0 = unknown (scan) */
    uint64_t smbios;           /* SMBIOS (3.0 or 2.1) entry point, 0 = not given */
    uint16_t serial_port;      /* a 16550 the firmware lists (UEFI), 0 = none known */
    uint64_t tsc_hz;           /* the TSC rate the loader measured (UEFI Stall), 0 = none */
    uint64_t initrd_base, initrd_size;
    uint64_t entry_tsc;             /* TSC read at the first instruction */
    uint64_t low_mem_kib;           /* multiboot mem_lower, informational */
    struct framebuffer framebuffer; /* kind FRAMEBUFFER_NONE when there is none */
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
/* The struct bootinfo the EFI entry filled before it left boot services
 * (boot/efi/efi_bootinfo.c, linked only into the .efi). */
int bootinfo_from_uefi(struct bootinfo *bi, const struct phys_window *w, uint64_t addr, char *err,
                       unsigned errlen);

/* Helpers shared by the parsers (boot/bootinfo.c). */

/* Zeroes *bi except entry_tsc (set by the entry code before parsing), then
 * records the protocol. */
void bootinfo_reset(struct bootinfo *bi, enum boot_protocol p);

/* Appends one memory-map entry, or counts it in memmap_truncated when the
 * table is full; bootinfo_report_truncation prints the warning once. */
void bootinfo_add_memmap(struct bootinfo *bi, uint64_t base, uint64_t length, uint32_t type);
void bootinfo_report_truncation(const struct bootinfo *bi, const char *who);

/* Where loader data may lie. A pointer from the loader is used only when
 * the whole range it names lies in memory that the loader's own memory map
 * lists, with a type that suits what is there (checked after the map is
 * parsed; the structure that carried the map is checked against it too):
 *   BOOTINFO_LOADER_DATA  the info structure, the memory map, the module
 *                         list, the command line, the loader's name: RAM
 *                         anywhere; reserved or ACPI (types 2-4) only below
 *                         1 MiB, where firmware and loaders keep their own
 *                         data (measured: QEMU microvm's firmware hands the
 *                         PVH start_info over at 0xf31e0, type 2, and the
 *                         command line at 0xefc60, type 4). Reserved ranges
 *                         above 1 MiB are device windows (PCI ECAM, flash).
 *   BOOTINFO_MODULE       a module's (initrd's) contents: RAM only.
 * An entry of any other type (5 unusable, or unknown) overlapping the range
 * refuses it, as does a byte no entry covers. Measured, all in acceptable
 * memory: QEMU 7.2 multiboot (MBI 0x9500, map 0x9000, command line and name
 * after the image, RAM), GRUB 2 (MBI 0x10000, RAM), QEMU's PVH loader on pc
 * (start_info 0x21e0, command line 0x11c0, RAM), Firecracker (start_info
 * 0x6000, zero page and map 0x7000, command line 0x20000, RAM). */
enum bootinfo_use { BOOTINFO_LOADER_DATA, BOOTINFO_MODULE };

/* How many bytes from addr, at most max, lie in memory fit for use by the
 * map in bi (0 when addr itself does not). */
uint64_t bootinfo_extent(const struct bootinfo *bi, uint64_t addr, uint64_t max,
                         enum bootinfo_use use);
/* True when [addr, addr + len) lies wholly in such memory (len 0: addr does). */
int bootinfo_in_memory(const struct bootinfo *bi, uint64_t addr, uint64_t len,
                       enum bootinfo_use use);

/* Length of the NUL-terminated string at addr: its length when the NUL lies
 * within max bytes, max when all max bytes are visible and none is NUL, -1
 * when the window ends first (or addr is outside it). */
long bootinfo_strlen(const struct phys_window *w, uint64_t addr, uint64_t max);

/* Copies the command line at addr into bi->cmdline. addr 0 means none (empty
 * line). declared_len is the loader's length for it (Linux cmdline_size: at
 * most that many characters, NUL optional) or 0 when unknown (NUL required).
 * A line longer than BOOTINFO_CMDLINE_MAX - 1 is an error (never cut: its
 * first bytes stay in bi->cmdline only for the exit-port scan); a line not
 * wholly in loader memory (bootinfo_extent, so bi->memmap must be
 * filled first) or outside the window is an error: the app must not run
 * without the arguments it was given. */
int bootinfo_copy_cmdline(struct bootinfo *bi, const struct phys_window *w, uint64_t addr,
                          uint64_t declared_len, const char *who, char *err, unsigned errlen);

/* Takes the framebuffer a loader described into bi->framebuffer when it is
 * coherent (boot/framebuffer.c): a known kind, sizes that fit each other
 * (pitch holds a line, colour fields inside a pixel), an extent that neither
 * wraps nor overlaps RAM in bi's map (so the map must be filled first). One
 * that is not is reported ("<who>: framebuffer ... ignored: <why>") and
 * dropped: a framebuffer is never needed to boot. Returns 0 when taken. */
int bootinfo_set_framebuffer(struct bootinfo *bi, const struct framebuffer *fb, const char *who);
const char *framebuffer_kind_name(enum framebuffer_kind k);

/* Writes "<who>: <prefix>0x<value><suffix>" into err (bounded, always
 * terminated; nothing when err is NULL or errlen 0). */
void bootinfo_error(char *err, unsigned errlen, const char *who, const char *prefix, uint64_t value,
                    const char *suffix);

#endif
