/* libFuzzer harness: ACPI table discovery and parsing (core/acpi.c) over
 * arbitrary firmware memory. The input becomes low memory seen through a
 * phys_window whose buffer is sized exactly (ASan catches any read past the
 * end, and phys_ptr must refuse anything beyond it):
 *
 *   guest-physical 0 .. 0xE0000   zeros, except the EBDA segment word at 0x40E
 *   guest-physical 0xE0000 ..     the input after its 8-byte header (the
 *                                 BIOS area the RSDP scan looks at)
 *
 * (one static buffer, its bytes past the image poisoned for ASan: a fresh
 * megabyte per input would make this harness a hundred times slower).
 *
 * Header: flags (bits 0-1: 0 scan for the RSDP, 1 hint = 0xE0000 + hint_off,
 * 2 hint = hint_off, 3 hint = 2^64 - 1 - hint_off), one spare byte, the EBDA
 * segment (u16), hint_off (u32), all little-endian. Seeds: tests/fuzz/mkseeds.py.
 * Whatever acpi_parse reports must check out against the memory it came from.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_acpi.c core/acpi.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include "core/acpi.h"

/* Formats for real, so a bad argument (an unterminated %s) shows up. */
void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
}

#define IMAGE_BASE 0xE0000u
#define HEADER 8
#define IMAGE_MAX (1u << 20)

static uint8_t mem[IMAGE_BASE + IMAGE_MAX] __attribute__((aligned(4096)));

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t sum(const uint8_t *p, uint64_t n)
{
    uint8_t s = 0;
    for (uint64_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

/* A table acpi.c hands out must be what acpi_map_table promises: inside the
 * window, the signature, 36 <= length, checksum zero. */
static void check_table(const struct phys_window *w, uint64_t addr, const char *sig, uint32_t len)
{
    const uint8_t *t = phys_ptr(w, addr, 36);
    if (t == NULL || (sig != NULL && memcmp(t, sig, 4) != 0) || le32(t + 4) != len || len < 36)
        abort();
    t = phys_ptr(w, addr, len);
    if (t == NULL || sum(t, len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return 0;
    size_t n = size - HEADER;
    if (n > IMAGE_MAX)
        return 0;
    static int poisoned;
    if (!poisoned) {
        ASAN_POISON_MEMORY_REGION(mem + IMAGE_BASE, IMAGE_MAX);
        poisoned = 1;
    }
    ASAN_UNPOISON_MEMORY_REGION(mem + IMAGE_BASE, n);
    mem[0x40E] = data[2];
    mem[0x40F] = data[3];
    memcpy(mem + IMAGE_BASE, data + HEADER, n);
    struct phys_window w = {(uintptr_t)mem, IMAGE_BASE + n};

    uint32_t off = le32(data + 4);
    uint64_t hint = 0;
    switch (data[0] & 3) {
    case 1:
        hint = IMAGE_BASE + (uint64_t)off;
        break;
    case 2:
        hint = off;
        break;
    case 3:
        hint = UINT64_MAX - off;
        break;
    }

    static struct acpi_info info;
    int r = acpi_parse(&w, hint, &info);
    if ((r == 0) != info.found || acpi_find_rsdp(&w, hint) != (info.found ? info.rsdp : 0))
        abort();
    if (info.found) {
        const uint8_t *p = phys_ptr(&w, info.rsdp, 20);
        if (p == NULL || memcmp(p, "RSD PTR ", 8) != 0 || sum(p, 20) != 0 ||
            info.revision != p[15] || info.oem_id[6] != '\0')
            abort();
        const uint8_t *root = info.root_sdt != 0 ? phys_ptr(&w, info.root_sdt, 36) : NULL;
        if (info.root_sdt != 0 && root == NULL)
            abort();
        if (root != NULL)
            check_table(&w, info.root_sdt, info.root_is_xsdt ? "XSDT" : "RSDT", le32(root + 4));
    }
    if (info.cpu_count > ACPI_MAX_CPUS || info.nioapics > ACPI_MAX_IOAPICS ||
        info.noverrides > ACPI_MAX_OVERRIDES || info.nmcfg > ACPI_MAX_MCFG)
        abort();
    for (unsigned i = 0; i < info.cpu_count; i++)
        for (unsigned j = 0; j < i; j++)
            if (info.apic_ids[i] == info.apic_ids[j])
                abort(); /* a CPU listed as Local APIC and x2APIC counts once */
    for (unsigned i = 0; i < info.nmcfg; i++)
        if (info.mcfg[i].bus_start > info.mcfg[i].bus_end)
            abort();
    if (info.have_s5 && (info.s5_slp_typa > 7 || info.s5_slp_typb > 7))
        abort();
    if (info.dsdt != 0)
        check_table(&w, info.dsdt, "DSDT", info.dsdt_length);
    else if (info.dsdt_length != 0)
        abort();

    static const char *const sigs[] = {"DSDT", "APIC", "FACP", "MCFG", "SSDT", "HPET"};
    for (unsigned s = 0; s < sizeof sigs / sizeof sigs[0]; s++) {
        for (unsigned index = 0; index < 4; index++) {
            uint32_t len = 12345;
            uint64_t a = acpi_find_table(&w, &info, sigs[s], index, &len);
            if (a == 0) {
                if (len != 0)
                    abort();
                break; /* and so is every later index */
            }
            check_table(&w, a, sigs[s], len);
            if (s == 0 && (a != info.dsdt || len != info.dsdt_length))
                abort();
        }
        (void)acpi_find_table(&w, &info, sigs[s], 0, NULL);
    }
    ASAN_POISON_MEMORY_REGION(mem + IMAGE_BASE, n);
    return 0;
}
