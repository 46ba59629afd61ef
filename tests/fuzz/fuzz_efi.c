/* libFuzzer harness: what the EFI entry takes from the firmware
 * (boot/efi/efi_cmdline.c, efi_memmap.c, efi_tables.c) on arbitrary bytes.
 * Input: byte 0 chooses the parser (mod 4), bytes 1-2 a size or descriptor
 * size (u16, little-endian), the rest the firmware's bytes, in a buffer of
 * exactly that size (ASan catches overreads).
 *   0  load options: the output is NUL-terminated within the buffer and, read
 *      as UCS-2, is well-formed UTF-8; widened UTF-8 is the input's low bytes
 *   1  memory map: every entry page-aligned, not wrapping, within the table,
 *      no two neighbours that should have merged; a refusal says why
 *   2  device path: a found node lies inside the input
 *   3  graphics mode: an accepted mode's lines fit the framebuffer size
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_efi.c boot/efi/efi_cmdline.c boot/efi/efi_memmap.c \
 *     boot/efi/efi_tables.c boot/bootinfo.c klib/format.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "boot/efi/efi_parse.h"

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
}

/* Whether s is well-formed UTF-8 (RFC 3629). */
static int utf8_ok(const unsigned char *s)
{
    while (*s) {
        unsigned n = *s < 0x80 ? 0 : *s >= 0xF0 ? 3 : *s >= 0xE0 ? 2 : *s >= 0xC2 ? 1 : 9;
        if (n == 9 || *s > 0xF4)
            return 0;
        uint32_t cp = n ? *s & (0x3F >> n) : *s;
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3F);
        }
        static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

static void load_options(const uint8_t *data, size_t size)
{
    static char out[BOOTINFO_CMDLINE_MAX];
    char err[160];
    memset(out, 0x5A, sizeof out);
    int form = efi_cmdline_to_utf8(data, size, out, sizeof out, err, sizeof err);
    if (memchr(out, 0, sizeof out) == NULL)
        abort();
    if (form < 0) {
        if (out[0] != '\0' || err[0] == '\0')
            abort();
        return;
    }
    if (!utf8_ok((const unsigned char *)out))
        abort();
    if (form == EFI_CMDLINE_WIDENED_UTF8)
        for (size_t i = 0; out[i]; i++)
            if (data[2 * i] != (uint8_t)out[i] || data[2 * i + 1] != 0)
                abort();
}

static void memory_map(const uint8_t *data, size_t size, uint16_t desc_size)
{
    static struct bootinfo bi;
    char err[160] = "";
    memset(&bi, 0, sizeof bi);
    if (efi_memmap_convert(&bi, data, size, desc_size, err, sizeof err) != 0) {
        if (err[0] == '\0')
            abort();
        return;
    }
    if (bi.memmap_count > BOOTINFO_MEMMAP_MAX || bi.memmap_count == 0)
        abort();
    for (uint32_t i = 0; i < bi.memmap_count; i++) {
        const struct memmap_entry *e = &bi.memmap[i];
        if (e->base % 4096 || e->length % 4096 || e->length == 0 || e->base + e->length < e->base)
            abort();
        if (i > 0 && e[-1].type == e->type && e[-1].base + e[-1].length == e->base)
            abort();
    }
}

static void device_path(const uint8_t *data, size_t size, uint16_t hid_low)
{
    uint32_t uid = 0xDEADBEEF;
    if (efi_device_path_find_acpi(data, size, EFI_EISA_PNP_ID(hid_low), &uid) == 0) {
        int found = 0;
        for (size_t i = 0; i + 12 <= size && !found; i++)
            found = memcmp(data + i + 8, &uid, 4) == 0;
        if (!found)
            abort();
    }
}

static void graphics_mode(const uint8_t *data, size_t size, uint16_t info_size)
{
    struct efi_graphics_output_mode_information info;
    if (size < sizeof info + 8)
        return;
    memcpy(&info, data, sizeof info);
    uint64_t fb_size;
    memcpy(&fb_size, data + sizeof info, 8);
    struct framebuffer fb;
    const char *why = NULL;
    if (efi_gop_framebuffer(&info, info_size, 0xC0000000, fb_size, &fb, &why) == 0) {
        if ((uint64_t)fb.pitch * fb.height > fb_size || fb.pitch < fb.width * 4u)
            abort();
    } else if (why == NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint16_t arg = (uint16_t)(data[1] | data[2] << 8);
    size_t n = size - 3;
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, data + 3, n);
    switch (data[0] % 4) {
    case 0:
        load_options(copy, n);
        break;
    case 1:
        memory_map(copy, n, arg);
        break;
    case 2:
        device_path(copy, n, arg);
        break;
    default:
        graphics_mode(copy, n, arg);
        break;
    }
    free(copy);
    return 0;
}
