/* boot/efi/efi_{cmdline,memmap,tables}.c: what the EFI entry takes from the
 * firmware, against load options, memory maps and graphics modes as OVMF
 * gives them (recorded under QEMU 7.2 with Debian's OVMF 2022.11) and
 * against malformed ones. */
#include <stdint.h>
#include "boot/bootinfo.h"
#include "boot/efi/efi_parse.h"
#include "unit.h"

static struct bootinfo bi;
static char out[BOOTINFO_CMDLINE_MAX];
static char err[160];

static void reset(void)
{
    memset(&bi, 0, sizeof bi);
    memset(out, 0x5A, sizeof out);
    err[0] = '\0';
}

/* UCS-2 code units, little-endian, into bytes; returns the byte count. */
static uint64_t units(uint8_t *buf, const uint16_t *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = (uint8_t)u[i];
        buf[2 * i + 1] = (uint8_t)(u[i] >> 8);
    }
    return 2 * n;
}

static int convert(const uint16_t *u, size_t n)
{
    reset();
    static uint8_t buf[2 * 4096 + 2];
    uint64_t size = units(buf + 1, u, n); /* odd address: read at any alignment */
    return efi_cmdline_to_utf8(buf + 1, size, out, sizeof out, err, sizeof err);
}

TEST(cmdline_ascii_with_nul_as_ovmf_gives_it)
{
    /* qemu -append "hello world": LoadOptionsSize 24, the NUL included. */
    const uint16_t u[] = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', 0};
    CHECK_EQ(convert(u, 12), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "hello world");
}

TEST(cmdline_without_nul_takes_every_unit)
{
    const uint16_t u[] = {'a', ' ', 'b'};
    CHECK_EQ(convert(u, 3), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "a b");
}

TEST(cmdline_ends_at_first_nul_binary_data_after)
{
    const uint16_t u[] = {'x', 0, 0xD800, 0xFFFF};
    CHECK_EQ(convert(u, 4), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "x");
}

TEST(cmdline_ucs2_to_utf8)
{
    /* é (2 bytes), € (3 bytes), U+1F600 as a surrogate pair (4 bytes) */
    const uint16_t u[] = {0xE9, ' ', 0x20AC, ' ', 0xD83D, 0xDE00, 0};
    CHECK_EQ(convert(u, 7), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(cmdline_widened_utf8_bytes_are_taken_as_bytes)
{
    /* OVMF's -kernel loader widens each byte of "wörld": C3 B6 -> two units. */
    const uint16_t u[] = {'w', 0xC3, 0xB6, 'r', 'l', 'd', 0};
    CHECK_EQ(convert(u, 7), EFI_CMDLINE_WIDENED_UTF8);
    CHECK_STR(out, "w\xC3\xB6rld");
}

TEST(cmdline_latin1_that_is_no_utf8_stays_ucs2)
{
    /* "é!" as UCS-2: 0xE9 starts a 3-byte sequence that '!' does not continue. */
    const uint16_t u[] = {0xE9, '!', 0};
    CHECK_EQ(convert(u, 3), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "\xC3\xA9!");
    /* An overlong form (C0 80) is no UTF-8 either. */
    const uint16_t v[] = {0xC0, 0x80, 0};
    CHECK_EQ(convert(v, 3), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "\xC3\x80\xC2\x80");
}

TEST(cmdline_refuses_odd_size)
{
    uint8_t buf[3] = {'a', 0, 'b'};
    CHECK_EQ(efi_cmdline_to_utf8(buf, 3, out, sizeof out, err, sizeof err), -1);
    CHECK(strstr(err, "odd size") != NULL);
    CHECK_STR(out, "");
}

TEST(cmdline_refuses_unpaired_surrogates)
{
    const uint16_t hi[] = {'a', 0xD800, 'b', 0};
    CHECK_EQ(convert(hi, 4), -1);
    CHECK(strstr(err, "unpaired high surrogate at character 0x1") != NULL);
    const uint16_t hi_end[] = {'a', 0xDBFF};
    CHECK_EQ(convert(hi_end, 2), -1);
    const uint16_t lo[] = {0xDC00, 0};
    CHECK_EQ(convert(lo, 2), -1);
    CHECK(strstr(err, "unpaired low surrogate") != NULL);
    CHECK_STR(out, "");
}

TEST(cmdline_refuses_too_long_never_cuts)
{
    static uint16_t u[2048];
    for (size_t i = 0; i < 2047; i++)
        u[i] = 'a';
    u[2047] = 0;
    CHECK_EQ(convert(u, 2048), EFI_CMDLINE_UCS2); /* 2047 bytes: fits */
    CHECK_EQ(strlen(out), 2047u);
    u[2046] = 0xE9; /* now 2048 bytes of UTF-8 */
    CHECK_EQ(convert(u, 2048), -1);
    CHECK(strstr(err, "longer than the 2047 bytes") != NULL);
    CHECK_STR(out, "");
    static uint16_t w[2049];
    for (size_t i = 0; i < 2048; i++)
        w[i] = i == 0 ? 0xC3 : (i == 1 ? 0xA9 : 'b');
    w[2048] = 0;
    CHECK_EQ(convert(w, 2049), -1); /* widened UTF-8 of 2048 bytes */
}

TEST(cmdline_none)
{
    CHECK_EQ(efi_cmdline_to_utf8(NULL, 0, out, sizeof out, err, sizeof err), EFI_CMDLINE_UCS2);
    CHECK_STR(out, "");
}

/* Memory descriptors of desc_size bytes (OVMF: 48). */
static uint8_t map[64 * 256];
static size_t map_n;
static void desc(uint64_t desc_size, uint32_t type, uint64_t base, uint64_t pages)
{
    uint8_t *d = map + map_n++ * desc_size;
    memset(d, 0xEE, desc_size); /* bytes past the known fields are not read */
    memcpy(d, &type, 4);
    memcpy(d + 8, &base, 8);
    memset(d + 16, 0, 8);
    memcpy(d + 24, &pages, 8);
}

TEST(memmap_ovmf_like_merges_and_types)
{
    map_n = 0;
    reset();
    desc(48, EFI_BOOT_SERVICES_CODE, 0x0, 1);
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9F);
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700);
    desc(48, EFI_ACPI_MEMORY_NVS, 0x800000, 8);
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x808000, 8);
    desc(48, EFI_LOADER_CODE, 0x810000, 0x10);
    desc(48, EFI_BOOT_SERVICES_DATA, 0x820000, 0x100);
    desc(48, EFI_ACPI_RECLAIM_MEMORY, 0x7B7E000, 4);
    desc(48, EFI_RUNTIME_SERVICES_DATA, 0x7B82000, 0x20);
    desc(48, EFI_UNUSABLE_MEMORY, 0x7BA2000, 1);
    desc(48, EFI_MEMORY_MAPPED_IO, 0xFFC00000, 0x400);
    desc(48, 0x70000000, 0xFEE00000, 1); /* an OEM type */
    CHECK_EQ(efi_memmap_convert(&bi, map, map_n * 48, 48, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 9u);
    CHECK_EQ(bi.memmap[0].base, 0u);
    CHECK_EQ(bi.memmap[0].length, 0xA0000u); /* boot services + conventional */
    CHECK_EQ(bi.memmap[0].type, (uint32_t)MEMMAP_RAM);
    CHECK_EQ(bi.memmap[1].base, 0x100000u);
    CHECK_EQ(bi.memmap[2].type, (uint32_t)MEMMAP_ACPI_NVS);
    CHECK_EQ(bi.memmap[3].base, 0x808000u);
    CHECK_EQ(bi.memmap[3].length, 0x118000u); /* conventional + loader + boot data */
    CHECK_EQ(bi.memmap[4].type, (uint32_t)MEMMAP_ACPI_RECLAIM);
    CHECK_EQ(bi.memmap[5].type, (uint32_t)MEMMAP_RESERVED);
    CHECK_EQ(bi.memmap[6].type, (uint32_t)MEMMAP_UNUSABLE);
    CHECK_EQ(bi.memmap[7].type, (uint32_t)MEMMAP_RESERVED);
    CHECK_EQ(bi.memmap[8].type, (uint32_t)MEMMAP_RESERVED);
}

TEST(memmap_descriptor_size_is_the_firmwares)
{
    map_n = 0;
    reset();
    desc(40, EFI_CONVENTIONAL_MEMORY, 0x100000, 0x100);
    desc(40, EFI_ACPI_RECLAIM_MEMORY, 0x200000, 1);
    CHECK_EQ(efi_memmap_convert(&bi, map, 80, 40, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 2u);
    CHECK_EQ(bi.memmap[1].base, 0x200000u);
}

TEST(memmap_refuses_bad_descriptor_sizes)
{
    map_n = 0;
    reset();
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x100000, 0x100);
    CHECK_EQ(efi_memmap_convert(&bi, map, 48, 32, err, sizeof err), -1);
    CHECK(strstr(err, "descriptor size 0x20") != NULL);
    CHECK_EQ(efi_memmap_convert(&bi, map, 48, 8192, err, sizeof err), -1);
    CHECK_EQ(bi.memmap_count, 0u);
}

TEST(memmap_partial_tail_and_bad_entries_are_skipped)
{
    map_n = 0;
    reset();
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x100001, 1);           /* not page-aligned */
    desc(48, EFI_CONVENTIONAL_MEMORY, 0xFFFFFFFFFFFFF000, 2); /* wraps */
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x0, 1ull << 41);       /* beyond 2^52 bytes */
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x200000, 0);           /* empty */
    desc(48, EFI_CONVENTIONAL_MEMORY, 0x300000, 0x10);
    CHECK_EQ(efi_memmap_convert(&bi, map, 5 * 48 + 20, 48, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, 1u);
    CHECK_EQ(bi.memmap[0].base, 0x300000u);
    CHECK(LOG_CONTAINS("the last 20 bytes are ignored"));
    CHECK(LOG_CONTAINS("does not add up"));
    CHECK(LOG_CONTAINS("3 memory map descriptors skipped"));
}

TEST(memmap_without_ram_is_refused)
{
    map_n = 0;
    reset();
    desc(48, EFI_RUNTIME_SERVICES_CODE, 0x100000, 0x10);
    CHECK_EQ(efi_memmap_convert(&bi, map, 48, 48, err, sizeof err), -1);
    CHECK(strstr(err, "lists no RAM") != NULL);
    CHECK_EQ(efi_memmap_convert(&bi, map, 0, 48, err, sizeof err), -1);
}

TEST(memmap_long_maps_are_truncated_and_counted)
{
    map_n = 0;
    reset();
    for (unsigned i = 0; i < 200; i++) /* alternating types: nothing merges */
        desc(48, i % 2 ? EFI_ACPI_MEMORY_NVS : EFI_CONVENTIONAL_MEMORY, 0x100000 + i * 0x1000, 1);
    CHECK_EQ(efi_memmap_convert(&bi, map, map_n * 48, 48, err, sizeof err), 0);
    CHECK_EQ(bi.memmap_count, (uint32_t)BOOTINFO_MEMMAP_MAX);
    CHECK_EQ(bi.memmap_truncated, 200u - BOOTINFO_MEMMAP_MAX);
}

TEST(config_table_lookup)
{
    const struct efi_guid acpi20 = EFI_ACPI_20_TABLE_GUID, smbios = EFI_SMBIOS_TABLE_GUID,
                          smbios3 = EFI_SMBIOS3_TABLE_GUID;
    struct efi_configuration_table t[3] = {
        {EFI_SMBIOS_TABLE_GUID, (void *)0x7520000},
        {EFI_ACPI_10_TABLE_GUID, (void *)0xF0000},
        {EFI_ACPI_20_TABLE_GUID, (void *)0xF77D014},
    };
    CHECK_EQ(efi_config_find(t, 3, &acpi20), 0xF77D014u);
    CHECK_EQ(efi_config_find(t, 3, &smbios), 0x7520000u);
    CHECK_EQ(efi_config_find(t, 3, &smbios3), 0u);
    CHECK_EQ(efi_config_find(t, 2, &acpi20), 0u); /* only the first n */
}

TEST(gop_bgr_as_ovmf_gives_it)
{
    struct efi_graphics_output_mode_information info = {
        .horizontal_resolution = 1280,
        .vertical_resolution = 800,
        .pixel_format = EFI_PIXEL_BGR_RESERVED_8BIT,
        .pixels_per_scan_line = 1280,
    };
    struct framebuffer fb;
    const char *why = NULL;
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0xC0000000, 1280 * 800 * 4, &fb, &why), 0);
    CHECK_EQ(fb.kind, FRAMEBUFFER_RGB);
    CHECK_EQ(fb.pitch, 5120u);
    CHECK_EQ(fb.bpp, 32u);
    CHECK_EQ(fb.rgb[FB_RED].pos, 16u);
    CHECK_EQ(fb.rgb[FB_BLUE].pos, 0u);
    CHECK_EQ(fb.rgb[FB_GREEN].size, 8u);
}

TEST(gop_bitmask_and_refusals)
{
    struct efi_graphics_output_mode_information info = {
        .horizontal_resolution = 800,
        .vertical_resolution = 600,
        .pixel_format = EFI_PIXEL_BIT_MASK,
        .red_mask = 0xF800,
        .green_mask = 0x07E0,
        .blue_mask = 0x001F,
        .pixels_per_scan_line = 800,
    };
    struct framebuffer fb;
    const char *why = NULL;
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0xC0000000, 800 * 600 * 4, &fb, &why), 0);
    CHECK_EQ(fb.rgb[FB_RED].pos, 11u);
    CHECK_EQ(fb.rgb[FB_RED].size, 5u);
    CHECK_EQ(fb.rgb[FB_GREEN].size, 6u);
    info.green_mask = 0x0660; /* a hole */
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0xC0000000, 800 * 600 * 4, &fb, &why), -1);
    CHECK(strstr(why, "not contiguous") != NULL);
    info.pixel_format = EFI_PIXEL_BLT_ONLY;
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0, 0, &fb, &why), -1);
    info.pixel_format = 7;
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0, 0, &fb, &why), -1);
    info.pixel_format = EFI_PIXEL_RGB_RESERVED_8BIT;
    info.pixels_per_scan_line = 799;
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0xC0000000, 1 << 30, &fb, &why), -1);
    info.pixels_per_scan_line = 800;
    CHECK_EQ(efi_gop_framebuffer(&info, sizeof info, 0xC0000000, 800 * 599 * 4, &fb, &why), -1);
    CHECK(strstr(why, "smaller than its lines") != NULL);
    CHECK_EQ(efi_gop_framebuffer(&info, 20, 0xC0000000, 800 * 600 * 4, &fb, &why), -1);
    CHECK_EQ(efi_gop_framebuffer(NULL, 36, 0xC0000000, 800 * 600 * 4, &fb, &why), -1);
}

TEST(device_path_acpi_node)
{
    /* OVMF's COM1: Acpi(PNP0A03,0)/Pci(0x1f,0)/Acpi(PNP0501,0)/Uart/End */
    static const uint8_t dp[] = {
        2,    1,    12, 0, 0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0, /* PCI root bridge */
        1,    1,    6,  0, 0,    0x1f,                         /* PCI device */
        2,    1,    12, 0, 0xd0, 0x41, 0x01, 0x05, 0, 0, 0, 0, /* PNP0501, UID 0 */
        3,    14,   4,  0,                                     /* (a UART node, shortened) */
        0x7f, 0xff, 4,  0,                                     /* end */
    };
    uint32_t uid = 99;
    CHECK_EQ(efi_device_path_find_acpi(dp, sizeof dp, EFI_EISA_PNP_ID(0x0501), &uid), 0);
    CHECK_EQ(uid, 0u);
    CHECK_EQ(efi_device_path_find_acpi(dp, sizeof dp, EFI_EISA_PNP_ID(0x0a03), &uid), 0);
    CHECK_EQ(efi_device_path_find_acpi(dp, sizeof dp, EFI_EISA_PNP_ID(0x0400), &uid), -1);
    CHECK_EQ(efi_device_path_find_acpi(dp, 20, EFI_EISA_PNP_ID(0x0501), &uid), -1); /* cut */
    uint8_t bad[16];
    memcpy(bad, dp, sizeof bad);
    bad[2] = 2; /* a node shorter than its header */
    CHECK_EQ(efi_device_path_find_acpi(bad, sizeof bad, EFI_EISA_PNP_ID(0x0a03), &uid), -1);
    bad[2] = 200; /* past the end */
    CHECK_EQ(efi_device_path_find_acpi(bad, sizeof bad, EFI_EISA_PNP_ID(0x0a03), &uid), -1);
}

UNIT_MAIN()
