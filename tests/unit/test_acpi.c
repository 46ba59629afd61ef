/* core/acpi.c against synthetic firmware tables built in a buffer that stands
 * in for low memory: valid layouts like QEMU pc/q35, microvm and Firecracker
 * produce, then corrupted ones. */
#include <stdint.h>
#include "core/acpi.h"
#include "unit.h"

#define MEM_SIZE 0x140000u /* 1.25 MiB: covers the BIOS area */

static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
static struct phys_window win;
static struct acpi_info info;

/* Layout of the standard image */
#define RSDP_AT 0xF5A40u
#define RSDT_AT 0x10000u
#define XSDT_AT 0x10400u
#define FADT_AT 0x11000u
#define MADT_AT 0x12000u
#define MCFG_AT 0x13000u
#define SSDT_AT 0x14000u
#define SSDT2_AT 0x15000u
#define DSDT_AT 0x20000u

static void mem_reset(void)
{
    memset(mem, 0, sizeof mem);
    win.base = (uintptr_t)mem;
    win.size = MEM_SIZE;
}

static void w8(uint64_t a, uint8_t v)
{
    mem[a] = v;
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
static uint32_t r32(uint64_t a)
{
    uint32_t v;
    memcpy(&v, mem + a, 4);
    return v;
}

static uint8_t sum(uint64_t a, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + mem[a + i]);
    return s;
}

/* Sets the checksum byte at a + off so that len bytes from a sum to zero. */
static void fix_sum(uint64_t a, uint32_t len, uint32_t off)
{
    mem[a + off] = 0;
    mem[a + off] = (uint8_t)(0 - sum(a, len));
}

/* Table header; the caller sets the length later with table_end. */
static void table_start(uint64_t a, const char *sig, uint8_t rev)
{
    memset(mem + a, 0, 0x400);
    memcpy(mem + a, sig, 4);
    w32(a + 4, 36);
    w8(a + 8, rev);
    memcpy(mem + a + 10, "BOCHS ", 6);
    memcpy(mem + a + 16, "BXPCTEST", 8);
    w32(a + 24, 1);
    memcpy(mem + a + 28, "BXPC", 4);
    w32(a + 32, 1);
}

static void table_end(uint64_t a, uint32_t len)
{
    w32(a + 4, len);
    fix_sum(a, len, 9);
}

static void put_rsdp(uint64_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memcpy(mem + a, "RSD PTR ", 8);
    memcpy(mem + a + 9, "BOCHS ", 6);
    w8(a + 15, rev);
    w32(a + 16, rsdt);
    if (rev >= 2) {
        w32(a + 20, 36);
        w64(a + 24, xsdt);
    }
    fix_sum(a, 20, 8);
    if (rev >= 2)
        fix_sum(a, 36, 32); /* covers the first checksum too */
}

/* RSDT and XSDT over the same list of tables. */
static void put_roots(const uint32_t *tables, unsigned n)
{
    table_start(RSDT_AT, "RSDT", 1);
    table_start(XSDT_AT, "XSDT", 1);
    for (unsigned i = 0; i < n; i++) {
        w32(RSDT_AT + 36 + 4 * i, tables[i]);
        w64(XSDT_AT + 36 + 8 * i, tables[i]);
    }
    table_end(RSDT_AT, 36 + 4 * n);
    table_end(XSDT_AT, 36 + 8 * n);
}

/* MADT builder */
static uint32_t madt_len;
static void madt_begin(uint32_t lapic, uint32_t flags)
{
    table_start(MADT_AT, "APIC", 3);
    w32(MADT_AT + 36, lapic);
    w32(MADT_AT + 40, flags);
    madt_len = 44;
}
static void madt_raw(const uint8_t *b, unsigned n)
{
    memcpy(mem + MADT_AT + madt_len, b, n);
    madt_len += n;
}
static void madt_lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t e[8] = {0, 8, uid, id};
    memcpy(e + 4, &flags, 4);
    madt_raw(e, 8);
}
static void madt_ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
    uint8_t e[12] = {1, 12, id, 0};
    memcpy(e + 4, &addr, 4);
    memcpy(e + 8, &gsi, 4);
    madt_raw(e, 12);
}
static void madt_iso(uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t e[10] = {2, 10, bus, irq};
    memcpy(e + 4, &gsi, 4);
    memcpy(e + 8, &flags, 2);
    madt_raw(e, 10);
}
static void madt_x2apic(uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t e[16] = {9, 16};
    memcpy(e + 4, &id, 4);
    memcpy(e + 8, &flags, 4);
    memcpy(e + 12, &uid, 4);
    madt_raw(e, 16);
}
static void madt_nmi(void)
{
    uint8_t e[6] = {4, 6, 0xFF, 0, 0, 1}; /* Local APIC NMI: skipped by type */
    madt_raw(e, 6);
}
static void madt_end(void)
{
    table_end(MADT_AT, madt_len);
}

/* DSDT whose body is the given AML bytes. */
static void put_aml_table(uint64_t a, const char *sig, const uint8_t *aml, unsigned n)
{
    table_start(a, sig, 2);
    memcpy(mem + a + 36, aml, n);
    table_end(a, 36 + n);
}

/* Scope(\) { Name(_S5, Package(4){Zero, Zero, Zero, Zero}) } as QEMU pc emits
 * it, preceded by a device so the scan has something to skip. */
static const uint8_t aml_pc[] = {
    0x08, 'P',  'I',  'C', 'F', 0x00,                         /* Name(PICF, Zero) */
    0x10, 0x0E, 0x5C,                                         /* Scope(\) PkgLength 14 */
    0x08, '_',  'S',  '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0, /* Name(_S5_, Package) */
};

/* microvm: Name(_S5, Package(4){0x05, Zero, Zero, Zero}) */
static const uint8_t aml_microvm[] = {
    0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0A, 0x05, 0x00, 0x00, 0x00,
};

static void put_fadt_q35(uint32_t dsdt)
{
    table_start(FADT_AT, "FACP", 3);
    w32(FADT_AT + 40, dsdt);
    w16(FADT_AT + 46, 9);               /* SCI_INT */
    w32(FADT_AT + 48, 0xB2);            /* SMI_CMD */
    w8(FADT_AT + 52, 0xF1);             /* ACPI_ENABLE */
    w8(FADT_AT + 53, 0xF0);             /* ACPI_DISABLE */
    w32(FADT_AT + 56, 0x600);           /* PM1a_EVT_BLK */
    w32(FADT_AT + 64, 0x604);           /* PM1a_CNT_BLK */
    w16(FADT_AT + 109, 0x0002);         /* IAPC_BOOT_ARCH: 8042 */
    w32(FADT_AT + 112, (1u << 10) | 1); /* RESET_REG_SUP | WBINVD */
    w8(FADT_AT + 116, 1);               /* RESET_REG: system I/O */
    w8(FADT_AT + 117, 8);
    w64(FADT_AT + 120, 0xCF9);
    w8(FADT_AT + 128, 0x0F);  /* RESET_VALUE */
    w64(FADT_AT + 140, dsdt); /* X_DSDT */
    w8(FADT_AT + 172, 1);     /* X_PM1a_CNT_BLK */
    w8(FADT_AT + 173, 16);
    w64(FADT_AT + 176, 0x604);
    table_end(FADT_AT, 244);
}

static void put_mcfg(unsigned n)
{
    table_start(MCFG_AT, "MCFG", 1);
    for (unsigned i = 0; i < n; i++) {
        uint64_t e = MCFG_AT + 44 + 16 * i;
        w64(e, 0xB0000000ull + 0x10000000ull * i);
        w16(e + 8, (uint16_t)i);
        w8(e + 10, 0);
        w8(e + 11, 0xFF);
    }
    table_end(MCFG_AT, 44 + 16 * n);
}

/* A q35-like machine: RSDP rev 2, XSDT and RSDT, FADT rev 3, MADT with two
 * CPUs, an I/O APIC and overrides, MCFG, an SSDT without _S5_. */
static void build_q35(void)
{
    mem_reset();
    put_aml_table(DSDT_AT, "DSDT", aml_pc, sizeof aml_pc);
    put_fadt_q35(DSDT_AT);
    madt_begin(0xFEE00000, 1);
    madt_lapic(0, 0, 1);
    madt_lapic(1, 1, 1);
    madt_ioapic(0, 0xFEC00000, 0);
    madt_iso(0, 0, 2, 0);
    madt_iso(0, 5, 5, 0xD);
    madt_iso(0, 9, 9, 0xD);
    madt_nmi();
    madt_end();
    put_mcfg(1);
    static const uint8_t ssdt_body[] = {0x08, 'X', 'Y', 'Z', '_', 0x01};
    put_aml_table(SSDT_AT, "SSDT", ssdt_body, sizeof ssdt_body);
    uint32_t list[] = {FADT_AT, MADT_AT, MCFG_AT, SSDT_AT};
    put_roots(list, 4);
    put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
}

/* ---- RSDP ---- */

TEST(rsdp_found_in_bios_area)
{
    build_q35();
    CHECK_EQ(acpi_find_rsdp(&win, 0), RSDP_AT);
}

TEST(rsdp_found_in_ebda_first)
{
    build_q35();
    w16(0x40E, 0x9FC0);
    put_rsdp(0x9FC20, 0, RSDT_AT, 0);
    CHECK_EQ(acpi_find_rsdp(&win, 0), 0x9FC20u);
}

TEST(rsdp_hint_used_and_bad_hint_falls_back_to_scan)
{
    build_q35();
    put_rsdp(0x30000, 0, RSDT_AT, 0);
    CHECK_EQ(acpi_find_rsdp(&win, 0x30000), 0x30000u);
    CHECK_EQ(acpi_find_rsdp(&win, 0x30010), RSDP_AT);
    CHECK(LOG_CONTAINS("no valid RSDP at the boot loader's address 0x30010"));
    CHECK_EQ(acpi_find_rsdp(&win, 0x7FFFFFFFFull), RSDP_AT);
}

TEST(rsdp_bad_checksum_skipped)
{
    build_q35();
    put_rsdp(0xE0000, 0, RSDT_AT, 0);
    mem[0xE0000 + 8] ^= 0x55;
    CHECK_EQ(acpi_find_rsdp(&win, 0), RSDP_AT);
    CHECK(LOG_CONTAINS("RSDP at 0xe0000 fails its checksum"));
}

TEST(rsdp_bad_extended_checksum_rejected)
{
    build_q35();
    mem[RSDP_AT + 32] ^= 1;
    CHECK_EQ(acpi_find_rsdp(&win, 0), 0u);
    CHECK(LOG_CONTAINS("fails its extended checksum"));
    CHECK_EQ(acpi_parse(&win, 0, &info), -1);
    CHECK(!info.found);
    CHECK_EQ(info.rsdp, 0u);
}

TEST(rsdp_bad_extended_length_rejected)
{
    build_q35();
    w32(RSDP_AT + 20, 0x10000000);
    fix_sum(RSDP_AT, 20, 8);
    CHECK_EQ(acpi_find_rsdp(&win, 0), 0u);
    CHECK(LOG_CONTAINS("bad length 268435456"));
    w32(RSDP_AT + 20, 20);
    fix_sum(RSDP_AT, 20, 8);
    CHECK_EQ(acpi_find_rsdp(&win, 0), 0u);
}

TEST(rsdp_scan_in_small_window_finds_nothing)
{
    build_q35();
    win.size = 0x10000;
    CHECK_EQ(acpi_find_rsdp(&win, 0), 0u);
    CHECK_EQ(acpi_parse(&win, 0, &info), -1);
    win.size = 0xF5A40 + 30; /* RSDP v2 cut by the end of memory */
    CHECK_EQ(acpi_find_rsdp(&win, 0), 0u);
    /* Cut right after the v1 part: the v2 Length field itself lies outside
     * (found by tests/fuzz/fuzz_acpi: it used to be read anyway). */
    win.size = 0xF5A40 + 20;
    CHECK_EQ(acpi_find_rsdp(&win, 0xF5A40), 0u);
    CHECK(LOG_CONTAINS("length field lies outside memory"));
}

/* ---- whole parse ---- */

TEST(parse_q35_layout)
{
    build_q35();
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.found);
    CHECK_EQ(info.rsdp, RSDP_AT);
    CHECK_EQ(info.revision, 2);
    CHECK_STR(info.oem_id, "BOCHS ");
    CHECK(info.root_is_xsdt);
    CHECK_EQ(info.root_sdt, XSDT_AT);
    CHECK_EQ(info.tables_rejected, 0u);

    CHECK(info.have_madt);
    CHECK_EQ(info.lapic_address, 0xFEE00000u);
    CHECK(info.pcat_compat);
    CHECK_EQ(info.cpu_count, 2u);
    CHECK_EQ(info.apic_ids[0], 0u);
    CHECK_EQ(info.apic_ids[1], 1u);
    CHECK_EQ(info.nioapics, 1u);
    CHECK_EQ(info.ioapics[0].address, 0xFEC00000u);
    CHECK_EQ(info.ioapics[0].gsi_base, 0u);
    CHECK_EQ(info.noverrides, 3u);
    CHECK_EQ(info.overrides[0].isa_irq, 0);
    CHECK_EQ(info.overrides[0].gsi, 2u);
    CHECK_EQ(info.overrides[0].flags, 0);
    CHECK_EQ(info.overrides[2].isa_irq, 9);
    CHECK_EQ(info.overrides[2].gsi, 9u);
    CHECK_EQ(info.overrides[2].flags, 0xD);

    CHECK(info.have_fadt);
    CHECK_EQ(info.fadt_revision, 3);
    CHECK(!info.hw_reduced);
    CHECK_EQ(info.pm1a_cnt_port, 0x604u);
    CHECK_EQ(info.pm1b_cnt_port, 0u);
    CHECK_EQ(info.smi_cmd_port, 0xB2u);
    CHECK_EQ(info.acpi_enable_value, 0xF1);
    CHECK(info.reset_supported);
    CHECK_EQ(info.reset_reg.space, 1);
    CHECK_EQ(info.reset_reg.bit_width, 8);
    CHECK_EQ(info.reset_reg.address, 0xCF9u);
    CHECK_EQ(info.reset_value, 0x0F);
    CHECK_EQ(info.iapc_boot_arch, 2);
    CHECK_EQ(info.sleep_control.address, 0u);
    CHECK_EQ(info.dsdt, DSDT_AT);
    CHECK_EQ(info.dsdt_length, 36u + sizeof aml_pc);

    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 0);
    CHECK_EQ(info.s5_slp_typb, 0);

    CHECK_EQ(info.nmcfg, 1u);
    CHECK_EQ(info.mcfg[0].base, 0xB0000000u);
    CHECK_EQ(info.mcfg[0].segment, 0);
    CHECK_EQ(info.mcfg[0].bus_start, 0);
    CHECK_EQ(info.mcfg[0].bus_end, 0xFF);
}

TEST(parse_rsdt_only_acpi1)
{
    build_q35();
    memset(mem + RSDP_AT, 0, 36);
    put_rsdp(0xE0010, 0, RSDT_AT, 0);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.rsdp, 0xE0010u);
    CHECK_EQ(info.revision, 0);
    CHECK(!info.root_is_xsdt);
    CHECK_EQ(info.root_sdt, RSDT_AT);
    CHECK_EQ(info.cpu_count, 2u);
    CHECK(info.have_fadt);
    CHECK_EQ(info.tables_rejected, 0u);
}

TEST(parse_uses_hint)
{
    build_q35();
    memset(mem + RSDP_AT, 0, 36);
    put_rsdp(0x31000, 2, RSDT_AT, XSDT_AT);
    CHECK_EQ(acpi_parse(&win, 0x31000, &info), 0);
    CHECK_EQ(info.rsdp, 0x31000u);
    CHECK(info.root_is_xsdt);
}

TEST(xsdt_outside_memory_falls_back_to_rsdt)
{
    build_q35();
    put_rsdp(RSDP_AT, 2, RSDT_AT, 0x100000000ull);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(!info.root_is_xsdt);
    CHECK_EQ(info.root_sdt, RSDT_AT);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("XSDT table at 0x100000000 lies outside memory"));
    CHECK(LOG_CONTAINS("falling back to the RSDT"));
    CHECK_EQ(info.cpu_count, 2u);
}

TEST(xsdt_bad_checksum_falls_back_to_rsdt)
{
    build_q35();
    mem[XSDT_AT + 40] ^= 0x10;
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(!info.root_is_xsdt);
    CHECK(LOG_CONTAINS("XSDT at 0x10400 (length 68) fails its checksum"));
    CHECK(info.have_madt);
}

TEST(xsdt_wrong_signature_and_no_rsdt)
{
    build_q35();
    memcpy(mem + XSDT_AT, "RSDT", 4);
    fix_sum(XSDT_AT, r32(XSDT_AT + 4), 9);
    put_rsdp(RSDP_AT, 2, 0, XSDT_AT);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.found);
    CHECK_EQ(info.root_sdt, 0u);
    CHECK(!info.have_madt);
    CHECK(LOG_CONTAINS("expected XSDT at 0x10400, found \"RSDT\""));
    CHECK(LOG_CONTAINS("names no usable RSDT or XSDT"));
    uint32_t len = 99;
    CHECK_EQ(acpi_find_table(&win, &info, "APIC", 0, &len), 0u);
    CHECK_EQ(len, 0u);
}

TEST(root_entry_outside_memory_skipped)
{
    build_q35();
    uint32_t list[] = {FADT_AT, 0x7FF00000, MADT_AT, 0, MCFG_AT};
    put_roots(list, 5);
    put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("table at 0x7ff00000 lies outside memory"));
    CHECK(info.have_madt && info.have_fadt);
    CHECK_EQ(info.nmcfg, 1u);
}

TEST(xsdt_trailing_bytes_ignored)
{
    build_q35();
    table_end(XSDT_AT, r32(XSDT_AT + 4) + 3);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.root_is_xsdt);
    CHECK(LOG_CONTAINS("XSDT at 0x10400: 3 trailing bytes ignored"));
    CHECK_EQ(info.cpu_count, 2u);
}

/* ---- table headers ---- */

TEST(table_bad_checksum_rejected)
{
    build_q35();
    mem[MADT_AT + 50] ^= 0xFF;
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(!info.have_madt);
    CHECK_EQ(info.cpu_count, 0u);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("APIC at 0x12000 (length"));
    CHECK(LOG_CONTAINS("fails its checksum"));
    CHECK(info.have_fadt);
    CHECK_EQ(acpi_find_table(&win, &info, "APIC", 0, NULL), 0u);
}

TEST(table_length_past_window_rejected)
{
    build_q35();
    w32(MCFG_AT + 4, MEM_SIZE); /* from 0x13000 runs past the end */
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.nmcfg, 0u);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("MCFG at 0x13000 (length 1310720) runs outside memory"));
}

TEST(table_length_short_or_huge_rejected)
{
    build_q35();
    w32(MCFG_AT + 4, 20);
    w32(SSDT_AT + 4, 0x2000000);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.tables_rejected, 2u);
    CHECK(LOG_CONTAINS("MCFG at 0x13000 (length 20) is shorter than its header"));
    CHECK(LOG_CONTAINS("SSDT at 0x14000 (length 33554432) is implausibly large"));
}

TEST(table_header_at_window_edge)
{
    build_q35();
    uint32_t list[] = {MEM_SIZE - 20, MADT_AT};
    put_roots(list, 2);
    put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK_EQ(info.cpu_count, 2u);
}

/* ---- MADT ---- */

TEST(madt_entry_length_zero_stops_parsing)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    madt_lapic(0, 0, 1);
    madt_lapic(1, 1, 1);
    static const uint8_t bad[] = {0, 0, 0, 0, 0, 0, 0, 0};
    madt_raw(bad, sizeof bad);
    madt_lapic(2, 2, 1);
    madt_end();
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.have_madt);
    CHECK(!info.pcat_compat);
    CHECK_EQ(info.cpu_count, 2u);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("APIC at 0x12000: entry at offset 60 (type 0) has bad length 0"));
}

TEST(madt_entry_length_one_stops_parsing)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    madt_ioapic(3, 0xFEC01000, 24);
    static const uint8_t bad[] = {7, 1, 0, 0};
    madt_raw(bad, sizeof bad);
    madt_end();
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.nioapics, 1u);
    CHECK_EQ(info.ioapics[0].id, 3);
    CHECK_EQ(info.ioapics[0].gsi_base, 24u);
    CHECK(LOG_CONTAINS("(type 7) has bad length 1"));
}

TEST(madt_entry_running_past_end)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    madt_lapic(0, 0, 1);
    madt_ioapic(0, 0xFEC00000, 0);
    madt_end();
    /* Shrink the table so that the I/O APIC entry sticks out by 4 bytes. */
    table_end(MADT_AT, madt_len - 4);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.cpu_count, 1u);
    CHECK_EQ(info.nioapics, 0u);
    CHECK(LOG_CONTAINS("entry at offset 52 (type 1) has bad length 12 (table length 60)"));
}

TEST(madt_single_trailing_byte)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    madt_lapic(0, 0, 1);
    static const uint8_t one[] = {0};
    madt_raw(one, 1);
    madt_end();
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.cpu_count, 1u);
    CHECK(LOG_CONTAINS("entry header at offset 52 runs past the end"));
}

TEST(madt_known_type_too_short)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    static const uint8_t short_lapic[] = {0, 4, 0, 5};
    madt_raw(short_lapic, sizeof short_lapic);
    madt_lapic(1, 1, 1);
    madt_end();
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.cpu_count, 0u);
    CHECK(LOG_CONTAINS("(type 0) has bad length 4"));
}

TEST(madt_too_short_for_fixed_fields)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    table_end(MADT_AT, 40);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(!info.have_madt);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("length 40 too short for the MADT fields"));
}

TEST(madt_cpu_flags_x2apic_and_duplicates)
{
    build_q35();
    madt_begin(0xFEE00000, 1);
    madt_lapic(0, 0, 1);                                 /* enabled */
    madt_lapic(1, 1, 0);                                 /* disabled: not counted */
    madt_lapic(2, 2, 2);                                 /* online capable: counted */
    madt_x2apic(0, 1, 0);                                /* duplicate of APIC id 0 */
    madt_x2apic(300, 1, 300);                            /* x2APIC only */
    madt_x2apic(301, 0, 301);                            /* disabled */
    static const uint8_t unknown[] = {0x7F, 5, 1, 2, 3}; /* skipped by length */
    madt_raw(unknown, sizeof unknown);
    static const uint8_t override[] = {5, 12, 0, 0, 0, 0, 0xD0, 0xFE, 0, 0, 0, 0};
    madt_raw(override, sizeof override);
    madt_iso(1, 4, 4, 0); /* not ISA: ignored */
    madt_end();
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.cpu_count, 3u);
    CHECK_EQ(info.apic_ids[0], 0u);
    CHECK_EQ(info.apic_ids[1], 2u);
    CHECK_EQ(info.apic_ids[2], 300u);
    CHECK_EQ(info.lapic_address, 0xFED00000u);
    CHECK_EQ(info.noverrides, 0u);
    CHECK(LOG_CONTAINS("override for bus 1 (not ISA) ignored"));
    CHECK_EQ(info.tables_rejected, 0u);
}

TEST(madt_more_cpus_than_supported)
{
    build_q35();
    madt_begin(0xFEE00000, 0);
    for (unsigned i = 0; i < 300; i++)
        madt_x2apic(i, 1, i);
    for (unsigned i = 0; i < 10; i++)
        madt_ioapic((uint8_t)i, 0xFEC00000 + 0x1000 * i, 24 * i);
    for (unsigned i = 0; i < 20; i++)
        madt_iso(0, (uint8_t)i, i, 0);
    madt_end(); /* 5164 bytes: runs over where the MCFG was, so drop it */
    uint32_t list[] = {FADT_AT, MADT_AT};
    put_roots(list, 2);
    put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.cpu_count, (unsigned)ACPI_MAX_CPUS);
    CHECK_EQ(info.apic_ids[255], 255u);
    CHECK_EQ(info.nioapics, (unsigned)ACPI_MAX_IOAPICS);
    CHECK_EQ(info.ioapics[7].address, 0xFEC07000u);
    CHECK_EQ(info.noverrides, (unsigned)ACPI_MAX_OVERRIDES);
    CHECK(LOG_CONTAINS("44 CPUs beyond the 256 supported ignored"));
    CHECK(LOG_CONTAINS("2 I/O APICs beyond"));
    CHECK(LOG_CONTAINS("4 interrupt source overrides beyond"));
    CHECK_EQ(info.tables_rejected, 0u);
}

TEST(madt_firecracker_style)
{
    /* Firecracker: MADT with IOAPIC id 0 plus one LAPIC per vCPU, tables in
     * the system data area, RSDP at 0xE0000 (found by scanning in PVH). */
    mem_reset();
    put_aml_table(0x9FC00 + 0x400, "DSDT", aml_microvm, sizeof aml_microvm);
    table_start(0x9FC00 + 0x800, "FACP", 6);
    w32(0x9FC00 + 0x800 + 112, 1u << 20);
    w64(0x9FC00 + 0x800 + 140, 0x9FC00 + 0x400);
    table_end(0x9FC00 + 0x800, 276);
    uint64_t madt = 0x9FC00 + 0xA00;
    table_start(madt, "APIC", 6);
    w32(madt + 36, 0xFEE00000);
    uint8_t io[12] = {1, 12, 0, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0};
    memcpy(mem + madt + 44, io, 12);
    for (unsigned i = 0; i < 4; i++) {
        uint8_t l[8] = {0, 8, (uint8_t)i, (uint8_t)i, 1, 0, 0, 0};
        memcpy(mem + madt + 56 + 8 * i, l, 8);
    }
    table_end(madt, 56 + 32);
    uint64_t xsdt = 0x9FC00 + 0xC00;
    table_start(xsdt, "XSDT", 1);
    w64(xsdt + 36, 0x9FC00 + 0x800);
    w64(xsdt + 44, madt);
    table_end(xsdt, 52);
    put_rsdp(0xE0000, 2, 0, xsdt);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.rsdp, 0xE0000u);
    CHECK_EQ(info.cpu_count, 4u);
    CHECK_EQ(info.nioapics, 1u);
    CHECK_EQ(info.ioapics[0].address, 0xFEC00000u);
    CHECK(info.hw_reduced);
    CHECK(!info.pcat_compat);
    CHECK_EQ(info.pm1a_cnt_port, 0u);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 5);
    CHECK_EQ(info.tables_rejected, 0u);
}

/* ---- FADT ---- */

TEST(fadt_microvm_hw_reduced_sleep_register)
{
    build_q35();
    put_aml_table(DSDT_AT, "DSDT", aml_microvm, sizeof aml_microvm);
    table_start(FADT_AT, "FACP", 5);
    w32(FADT_AT + 112, (1u << 20) | (1u << 10));
    w8(FADT_AT + 116, 0); /* RESET_REG in memory: GED reset register */
    w8(FADT_AT + 117, 8);
    w64(FADT_AT + 120, 0xFEA00004);
    w8(FADT_AT + 128, 0x42);
    w64(FADT_AT + 140, DSDT_AT);
    w8(FADT_AT + 244, 0); /* SLEEP_CONTROL_REG */
    w8(FADT_AT + 245, 8);
    w64(FADT_AT + 248, 0xFEA00000);
    table_end(FADT_AT, 276);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.have_fadt);
    CHECK(info.hw_reduced);
    CHECK_EQ(info.fadt_revision, 5);
    CHECK_EQ(info.pm1a_cnt_port, 0u);
    CHECK_EQ(info.smi_cmd_port, 0u);
    CHECK_EQ(info.sleep_control.space, 0);
    CHECK_EQ(info.sleep_control.bit_width, 8);
    CHECK_EQ(info.sleep_control.address, 0xFEA00000u);
    CHECK_EQ(info.reset_reg.address, 0xFEA00004u);
    CHECK_EQ(info.reset_value, 0x42);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 5);
    CHECK_EQ(info.s5_slp_typb, 0);
}

TEST(fadt_sleep_register_needs_length_256)
{
    build_q35();
    table_start(FADT_AT, "FACP", 5);
    w32(FADT_AT + 40, DSDT_AT);
    w32(FADT_AT + 112, 1u << 20);
    w64(FADT_AT + 248, 0xFEA00000);
    table_end(FADT_AT, 252);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.hw_reduced);
    CHECK_EQ(info.sleep_control.address, 0u);
}

TEST(fadt_acpi1_layout)
{
    build_q35();
    table_start(FADT_AT, "FACP", 1);
    w32(FADT_AT + 40, DSDT_AT);
    w32(FADT_AT + 48, 0xB2);
    w8(FADT_AT + 52, 0xF1);
    w32(FADT_AT + 64, 0xB004);
    w16(FADT_AT + 109, 0xFFFF); /* reserved in ACPI 1.0: must be ignored */
    w32(FADT_AT + 112, 1u << 10);
    table_end(FADT_AT, 116);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.have_fadt);
    CHECK_EQ(info.fadt_revision, 1);
    CHECK_EQ(info.pm1a_cnt_port, 0xB004u);
    CHECK_EQ(info.iapc_boot_arch, 0);
    CHECK(info.reset_supported);
    CHECK_EQ(info.reset_reg.address, 0u);
    CHECK_EQ(info.dsdt, DSDT_AT);
    CHECK(info.have_s5);
}

TEST(fadt_too_short_rejected)
{
    build_q35();
    table_end(FADT_AT, 100);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(!info.have_fadt);
    CHECK_EQ(info.dsdt, 0u);
    CHECK(!info.have_s5);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("FACP at 0x11000: length 100 shorter than the ACPI 1.0 FADT"));
}

TEST(fadt_x_dsdt_preferred_and_bad_one_falls_back)
{
    build_q35();
    put_aml_table(0x28000, "DSDT", aml_microvm, sizeof aml_microvm);
    w64(FADT_AT + 140, 0x28000);
    fix_sum(FADT_AT, 244, 9);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.dsdt, 0x28000u);
    CHECK_EQ(info.s5_slp_typa, 5);

    mem[0x28000 + 40] ^= 1; /* break the X_DSDT's checksum */
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.dsdt, DSDT_AT);
    CHECK_EQ(info.s5_slp_typa, 0);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("DSDT at 0x28000"));
}

TEST(fadt_dsdt_wrong_signature)
{
    build_q35();
    put_aml_table(0x28000, "SSDT", aml_microvm, sizeof aml_microvm);
    w32(FADT_AT + 40, 0x28000);
    w64(FADT_AT + 140, 0);
    fix_sum(FADT_AT, 244, 9);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.have_fadt);
    CHECK_EQ(info.dsdt, 0u);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("expected DSDT at 0x28000, found \"SSDT\""));
    CHECK_EQ(acpi_find_table(&win, &info, "DSDT", 0, NULL), 0u);
}

TEST(fadt_x_pm1_blocks)
{
    build_q35();
    w32(FADT_AT + 64, 0x1004);
    w32(FADT_AT + 68, 0x2004);
    w64(FADT_AT + 176, 0x4004); /* X_PM1a_CNT_BLK, system I/O */
    w8(FADT_AT + 184, 0);       /* X_PM1b_CNT_BLK in memory: not a port */
    w64(FADT_AT + 188, 0xFED00000);
    fix_sum(FADT_AT, 244, 9);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.pm1a_cnt_port, 0x4004u);
    CHECK_EQ(info.pm1b_cnt_port, 0x2004u);
    CHECK(LOG_CONTAINS("X_PM1b_CNT_BLK (space 0, address 0xfed00000) is not an I/O port"));
}

/* ---- \_S5_ ---- */

static int parse_with_dsdt(const uint8_t *aml, unsigned n)
{
    build_q35();
    put_aml_table(DSDT_AT, "DSDT", aml, n);
    return acpi_parse(&win, 0, &info);
}

TEST(s5_encodings)
{
    static const uint8_t root_word[] = {0x08, 0x5C, '_',  'S',  '5',  '_',  0x12,
                                        0x06, 0x02, 0x0B, 0x07, 0x00, 0x01, 0x00};
    CHECK_EQ(parse_with_dsdt(root_word, sizeof root_word), 0);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 7);
    CHECK_EQ(info.s5_slp_typb, 1);

    /* two-byte PkgLength (0x40 | low nibble, then next byte << 4), DWord */
    static const uint8_t long_pkg[] = {0x08, '_',  'S',  '5', '_', 0x12, 0x4A, 0x00,
                                       0x02, 0x0C, 0x03, 0,   0,   0,    0x0A, 0x04};
    CHECK_EQ(parse_with_dsdt(long_pkg, sizeof long_pkg), 0);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 3);
    CHECK_EQ(info.s5_slp_typb, 4);

    static const uint8_t one_elem[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x01};
    CHECK_EQ(parse_with_dsdt(one_elem, sizeof one_elem), 0);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 1);
    CHECK_EQ(info.s5_slp_typb, 1);

    static const uint8_t qword[] = {0x08, '_', 'S', '5', '_', 0x12, 0x0C, 0x02, 0x0E,
                                    6,    0,   0,   0,   0,   0,    0,    0,    0x00};
    CHECK_EQ(parse_with_dsdt(qword, sizeof qword), 0);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 6);
    CHECK_EQ(info.s5_slp_typb, 0);
    CHECK_EQ(info.tables_rejected, 0u);
}

TEST(s5_ignores_names_that_are_not_declarations)
{
    /* "_S5_" as a reference (no NameOp before it), then the real one */
    static const uint8_t aml[] = {0x5B, 0x12, '_', 'S',  '5',  '_',  0x60, 0x08, '_',
                                  'S',  '5',  '_', 0x12, 0x04, 0x01, 0x0A, 0x03};
    CHECK_EQ(parse_with_dsdt(aml, sizeof aml), 0);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 3);
    /* Name(_S5_, 5): not a package, so no S5 */
    static const uint8_t notpkg[] = {0x08, '_', 'S', '5', '_', 0x0A, 0x05};
    CHECK_EQ(parse_with_dsdt(notpkg, sizeof notpkg), 0);
    CHECK(!info.have_s5);
    CHECK_EQ(info.tables_rejected, 0u);
}

TEST(s5_truncated_dsdt_mid_package)
{
    /* the DSDT ends (valid checksum) after the first element */
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0A, 0x05};
    CHECK_EQ(parse_with_dsdt(aml, sizeof aml), 0);
    CHECK(!info.have_s5);
    CHECK_EQ(info.tables_rejected, 1u);
    CHECK(LOG_CONTAINS("DSDT at 0x20000: the \\_S5_ package at offset 37 runs past the end of "
                       "the table"));
}

TEST(s5_truncated_everywhere)
{
    static const uint8_t after_name[] = {0x08, '_', 'S', '5', '_'};
    CHECK_EQ(parse_with_dsdt(after_name, sizeof after_name), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("truncated before its PkgLength"));

    static const uint8_t after_op[] = {0x08, '_', 'S', '5', '_', 0x12};
    CHECK_EQ(parse_with_dsdt(after_op, sizeof after_op), 0);
    CHECK(!info.have_s5);

    static const uint8_t in_pkglen[] = {0x08, '_', 'S', '5', '_', 0x12, 0xC5, 0x01};
    CHECK_EQ(parse_with_dsdt(in_pkglen, sizeof in_pkglen), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("PkgLength that runs past the end"));

    /* the package claims 2 elements but holds 1 */
    static const uint8_t few[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0A, 0x05, 0xAA};
    CHECK_EQ(parse_with_dsdt(few, sizeof few), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("has fewer elements than it declares"));

    /* the package ends inside a WordPrefix integer */
    static const uint8_t mid_int[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0B, 0x05, 0};
    CHECK_EQ(parse_with_dsdt(mid_int, sizeof mid_int), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("truncated inside an integer"));
}

TEST(s5_malformed_values)
{
    static const uint8_t big[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0A, 0x08, 0x00};
    CHECK_EQ(parse_with_dsdt(big, sizeof big), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("SLP_TYP value above 7"));

    static const uint8_t str[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0D, 'a', 0x00};
    CHECK_EQ(parse_with_dsdt(str, sizeof str), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("not an integer constant"));

    static const uint8_t empty[] = {0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00};
    CHECK_EQ(parse_with_dsdt(empty, sizeof empty), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("is empty"));

    static const uint8_t small[] = {0x08, '_', 'S', '5', '_', 0x12, 0x01, 0x02, 0x00};
    CHECK_EQ(parse_with_dsdt(small, sizeof small), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("PkgLength too small"));

    static const uint8_t badlen[] = {0x08, '_', 'S', '5', '_', 0x12, 0x75, 0x00, 0x01, 0x00};
    CHECK_EQ(parse_with_dsdt(badlen, sizeof badlen), 0);
    CHECK(!info.have_s5);
    CHECK(LOG_CONTAINS("malformed PkgLength"));
}

TEST(s5_found_in_ssdt)
{
    static const uint8_t none[] = {0x08, 'A', 'B', 'C', 'D', 0x00};
    CHECK_EQ(parse_with_dsdt(none, sizeof none), 0);
    CHECK(!info.have_s5);
    put_aml_table(SSDT_AT, "SSDT", aml_microvm, sizeof aml_microvm);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK(info.have_s5);
    CHECK_EQ(info.s5_slp_typa, 5);
}

/* ---- MCFG ---- */

TEST(mcfg_entries)
{
    build_q35();
    put_mcfg(2);
    w8(MCFG_AT + 44 + 16 + 10, 0x10);
    w8(MCFG_AT + 44 + 16 + 11, 0x3F);
    fix_sum(MCFG_AT, 76, 9);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.nmcfg, 2u);
    CHECK_EQ(info.mcfg[1].base, 0xC0000000u);
    CHECK_EQ(info.mcfg[1].segment, 1);
    CHECK_EQ(info.mcfg[1].bus_start, 0x10);
    CHECK_EQ(info.mcfg[1].bus_end, 0x3F);
    CHECK_EQ(info.tables_rejected, 0u);
}

TEST(mcfg_malformed_entries)
{
    build_q35();
    put_mcfg(10);
    w8(MCFG_AT + 44 + 11, 0); /* entry 0: bus 0..0 fine */
    w8(MCFG_AT + 44 + 16 + 10, 5);
    w8(MCFG_AT + 44 + 16 + 11, 4); /* entry 1: inverted */
    table_end(MCFG_AT, 44 + 16 * 10 + 7);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.nmcfg, (unsigned)ACPI_MAX_MCFG);
    CHECK_EQ(info.mcfg[0].bus_end, 0);
    CHECK_EQ(info.mcfg[1].segment, 2);
    CHECK(LOG_CONTAINS("7 trailing bytes after 10 entries ignored"));
    CHECK(LOG_CONTAINS("entry 1 has bus range 5-4; skipped"));
    CHECK(LOG_CONTAINS("entries beyond 8 ignored"));
    CHECK_EQ(info.tables_rejected, 1u);
}

/* ---- acpi_find_table ---- */

TEST(find_table_by_signature_and_index)
{
    build_q35();
    put_aml_table(SSDT2_AT, "SSDT", aml_microvm, sizeof aml_microvm);
    put_aml_table(0x16000, "SSDT", aml_pc, sizeof aml_pc);
    mem[0x16000 + 40] ^= 1; /* third SSDT is corrupt */
    uint32_t list[] = {FADT_AT, SSDT_AT, MADT_AT, 0x16000, SSDT2_AT};
    put_roots(list, 5);
    put_rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.tables_rejected, 1u);
    uint32_t len = 0;
    CHECK_EQ(acpi_find_table(&win, &info, "SSDT", 0, &len), SSDT_AT);
    CHECK_EQ(len, 42u);
    CHECK_EQ(acpi_find_table(&win, &info, "SSDT", 1, &len), SSDT2_AT);
    CHECK_EQ(len, 36u + sizeof aml_microvm);
    CHECK_EQ(acpi_find_table(&win, &info, "SSDT", 2, &len), 0u);
    CHECK_EQ(len, 0u);
    CHECK_EQ(acpi_find_table(&win, &info, "APIC", 0, &len), MADT_AT);
    CHECK_EQ(acpi_find_table(&win, &info, "HPET", 0, &len), 0u);
    CHECK_EQ(acpi_find_table(&win, &info, "DSDT", 0, &len), DSDT_AT);
    CHECK_EQ(len, 36u + sizeof aml_pc);
    CHECK_EQ(acpi_find_table(&win, &info, "DSDT", 1, &len), 0u);
    /* The S5 of the valid second SSDT is not needed: the DSDT has one. */
    CHECK_EQ(info.s5_slp_typa, 0);
}

/* A root table listing thousands of tables (each could cost a 16 MiB
 * checksum) is looked at only up to 256 entries, by the parser and by
 * acpi_find_table alike, so a caller walking the indices ends. */
TEST(root_table_entry_count_bounded)
{
    build_q35();
    const uint64_t big = 0x40000;
    const unsigned entries = 3000;
    table_start(big, "RSDT", 1);
    for (unsigned i = 0; i < entries; i++)
        w32(big + 36 + 4 * i, i == 0 ? FADT_AT : i == entries - 1 ? MADT_AT : SSDT_AT);
    table_end(big, 36 + 4 * entries);
    memset(mem + RSDP_AT, 0, 36);
    put_rsdp(RSDP_AT, 0, (uint32_t)big, 0);
    CHECK_EQ(acpi_parse(&win, 0, &info), 0);
    CHECK_EQ(info.root_sdt, big);
    CHECK(LOG_CONTAINS("RSDT at 0x40000 lists 3000 tables; only the first 256 are used"));
    CHECK(info.have_fadt);
    CHECK(!info.have_madt); /* listed last, beyond the bound */
    CHECK_EQ(acpi_find_table(&win, &info, "SSDT", 254, NULL), SSDT_AT);
    CHECK_EQ(acpi_find_table(&win, &info, "SSDT", 255, NULL), 0u);
    CHECK_EQ(acpi_find_table(&win, &info, "APIC", 0, NULL), 0u);
}

TEST(find_table_without_acpi)
{
    mem_reset();
    CHECK_EQ(acpi_parse(&win, 0, &info), -1);
    CHECK_EQ(acpi_find_table(&win, &info, "APIC", 0, NULL), 0u);
}

/* ---- random corruption: must never read outside the window ---- */

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

TEST(random_corruption_stays_in_bounds)
{
    static const uint32_t regions[][2] = {
        {RSDP_AT, 36}, {RSDT_AT, 64}, {XSDT_AT, 80}, {FADT_AT, 244},
        {MADT_AT, 96}, {MCFG_AT, 60}, {DSDT_AT, 60}, {SSDT_AT, 48},
    };
    build_q35();
    static uint8_t saved[MEM_SIZE];
    memcpy(saved, mem, sizeof mem);
    for (int iter = 0; iter < 3000; iter++) {
        int n = 1 + (int)(rng() % 6);
        for (int k = 0; k < n; k++) {
            const uint32_t *r = regions[rng() % 8];
            mem[r[0] + rng() % r[1]] = (uint8_t)rng();
            if (rng() % 2) { /* keep checksums valid half of the time */
                fix_sum(RSDP_AT, 20, 8);
                for (unsigned t = 1; t < 8; t++) {
                    uint32_t a = regions[t][0], len = r32(a + 4);
                    if (len >= 36 && len <= 0x1000)
                        fix_sum(a, len, 9);
                }
            }
        }
        unit_log_clear();
        acpi_parse(&win, 0, &info);
        CHECK(info.cpu_count <= ACPI_MAX_CPUS);
        CHECK(info.nioapics <= ACPI_MAX_IOAPICS);
        CHECK(info.noverrides <= ACPI_MAX_OVERRIDES);
        CHECK(info.nmcfg <= ACPI_MAX_MCFG);
        CHECK(!info.have_s5 || (info.s5_slp_typa <= 7 && info.s5_slp_typb <= 7));
        acpi_find_table(&win, &info, "SSDT", 0, NULL);
        for (unsigned t = 0; t < 8; t++)
            memcpy(mem + regions[t][0], saved + regions[t][0], 0x1000);
    }
}

UNIT_MAIN()
