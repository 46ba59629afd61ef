/* What hostsim's Firecracker model writes into guest memory besides the
 * kernel: the DSDT (hostsim/firecracker/dsdt.c) against the bytes
 * Firecracker's acpi-tables crate produces for the same devices (its
 * src/acpi-tables/src/aml.rs at v1.16.1: Device, Name, EisaName, the u8 and
 * u32 integers with fixed prefixes, ResourceTemplate, Interrupt, Io,
 * Memory32Fixed, Method, Return; device_manager/legacy.rs and mmio.rs say
 * which), the MP and ACPI tables (firecracker/tables.c, acpi/tables.c,
 * acpi/mptable.c: checksums, links, entries), the e820 map and the two boot
 * parameter blocks (boot/pvh.c, boot/zero_page.c) with the initrd in them,
 * and where the initrd goes (firecracker/initrd.c).
 * Links: hostsim/firecracker/{dsdt,tables,memmap,ram,virtio_layout,initrd}.c
 *        hostsim/acpi/{aml,tables,mptable}.c hostsim/boot/{pvh,zero_page}.c
 *        hostsim/guest_mem.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/boot/pvh.h"
#include "hostsim/boot/zero_page.h"
#include "hostsim/firecracker/dsdt.h"
#include "hostsim/firecracker/initrd.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/memmap.h"
#include "hostsim/firecracker/ram.h"
#include "hostsim/firecracker/tables.h"

/* Device (_SB_.COM1) as legacy.rs append_aml_bytes builds it. */
static const uint8_t fc_com1[] = {
    0x5B, 0x82, 0x43, 0x04, 0x2E, '_',  'S',  'B',  '_',  'C',  'O',  'M', '1', /* */
    0x08, '_',  'H',  'I',  'D',  0x0C, 0x41, 0xD0, 0x05, 0x01,                 /* PNP0501 */
    0x08, '_',  'U',  'I',  'D',  0x0A, 0x00,                                   /* &0u8 */
    0x08, '_',  'D',  'D',  'N',  0x0D, 'C',  'O',  'M',  '1',  0x00,           /* "COM1" */
    0x08, '_',  'C',  'R',  'S',  0x11, 0x16, 0x0A, 0x13,                       /* */
    0x89, 0x06, 0x00, 0x03, 0x01, 0x04, 0x00, 0x00, 0x00, /* Interrupt(true,true,false,false,4) */
    0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08,       /* Io(0x3f8, 0x3f8, 1, 8) */
    0x79, 0x00,
};

/* Device (_SB_.PS2_) with its _STA method. */
static const uint8_t fc_ps2[] = {
    0x5B, 0x82, 0x43, 0x04, 0x2E, '_',  'S',  'B',  '_',  'P',  'S', '2', '_', /* */
    0x08, '_',  'H',  'I',  'D',  0x0C, 0x41, 0xD0, 0x03, 0x03,                /* PNP0303 */
    0x14, 0x09, '_',  'S',  'T',  'A',  0x00, 0xA4, 0x0A, 0x0F, /* Method, Return(0x0fu8) */
    0x08, '_',  'C',  'R',  'S',  0x11, 0x1E, 0x0A, 0x1B,       /* */
    0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,             /* Io(0x60) */
    0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01,             /* Io(0x64) */
    0x89, 0x06, 0x00, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00,       /* Interrupt(.., 1) */
    0x79, 0x00,
};

/* Device (V000) as mmio.rs add_virtio_aml builds it for GSI 5. */
static const uint8_t fc_v000[] = {
    0x5B, 0x82, 0x45, 0x04, 'V',  '0',  '0',  '0',                                    /* */
    0x08, '_',  'H',  'I',  'D',  0x0D, 'L',  'N',  'R',  'O',  '0',  '0',  '0', '5', /* */
    0x00, 0x08, '_',  'U',  'I',  'D',  0x0C, 0x00, 0x00, 0x00, 0x00,                 /* u32 */
    0x08, '_',  'C',  'C',  'A',  0x01,                                               /* ONE */
    0x08, '_',  'C',  'R',  'S',  0x11, 0x1A, 0x0A, 0x17,                             /* */
    0x86, 0x09, 0x00, 0x01, 0x00, 0x10, 0x00, 0xC0, 0x00, 0x10, 0x00, 0x00, /* Memory32Fixed */
    0x89, 0x06, 0x00, 0x03, 0x01, 0x05, 0x00, 0x00, 0x00,                   /* Interrupt 5 */
    0x79, 0x00,
};

static uint8_t dsdt[8192];

static uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

TEST(dsdt_legacy_devices_as_firecracker)
{
    size_t len = fc_dsdt_build(0, dsdt, sizeof dsdt);
    CHECK_EQ(len, sizeof fc_com1 + sizeof fc_ps2);
    CHECK(memcmp(dsdt, fc_com1, sizeof fc_com1) == 0);
    CHECK(memcmp(dsdt + sizeof fc_com1, fc_ps2, sizeof fc_ps2) == 0);
}

TEST(dsdt_virtio_first_then_legacy)
{
    size_t len = fc_dsdt_build(3, dsdt, sizeof dsdt);
    CHECK_EQ(len, 3 * sizeof fc_v000 + sizeof fc_com1 + sizeof fc_ps2);
    CHECK(memcmp(dsdt, fc_v000, sizeof fc_v000) == 0);
    /* V002: name, _UID 2, base 0xC0003000, GSI 7. */
    const uint8_t *v2 = dsdt + 2 * sizeof fc_v000;
    CHECK(memcmp(v2 + 4, "V002", 4) == 0);
    CHECK_EQ(le32(v2 + 29), 2u);
    CHECK_EQ(le32(v2 + 52), 0xC0003000u);
    CHECK_EQ(le32(v2 + 65), 7u);
    CHECK(memcmp(dsdt + 3 * sizeof fc_v000, fc_com1, sizeof fc_com1) == 0);
    CHECK_EQ(fc_dsdt_build(19, dsdt, sizeof dsdt),
             19 * sizeof fc_v000 + sizeof fc_com1 + sizeof fc_ps2);
    CHECK_EQ(fc_dsdt_build(3, dsdt, 100), 0u); /* does not fit: refused */
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint8_t area[FC_SYSTEM_MEM_SIZE];

static const uint8_t *at(uint64_t gpa)
{
    return area + (gpa - FC_SYSTEM_MEM_START);
}

TEST(tables_linked_and_checksummed)
{
    struct fc_tables t;
    CHECK_EQ(fc_tables_build(area, FC_SYSTEM_MEM_START, sizeof area, 2, 1, &t), 0);
    /* MP table first: floating pointer, then PCMP, both summing to 0. */
    CHECK(memcmp(area, "_MP_", 4) == 0);
    CHECK_EQ(sum(area, 16), 0);
    CHECK_EQ(le32(area + 4), FC_SYSTEM_MEM_START + 16);
    const uint8_t *mpc = area + 16;
    CHECK(memcmp(mpc, "PCMP", 4) == 0);
    uint16_t base_len;
    memcpy(&base_len, mpc + 4, 2);
    CHECK_EQ(sum(mpc, base_len), 0);
    /* 2 CPUs, bus, IOAPIC, 24 IRQs, 2 LINTs, + the floating pointer. */
    uint16_t entries;
    memcpy(&entries, mpc + 34, 2);
    CHECK_EQ(entries, 2 + 1 + 1 + 24 + 2 + 1);
    CHECK_EQ(t.mptable_len, 16u + base_len);
    CHECK(memcmp(mpc + 8, "FC      ", 8) == 0);
    /* ACPI right after, in Firecracker's order, packed. */
    CHECK_EQ(t.dsdt, FC_SYSTEM_MEM_START + t.mptable_len);
    CHECK(t.dsdt < t.fadt && t.fadt < t.madt && t.madt < t.mcfg && t.mcfg < t.xsdt);
    const uint64_t tables[] = {t.dsdt, t.fadt, t.madt, t.mcfg, t.xsdt};
    static const char *const sigs[] = {"DSDT", "FACP", "APIC", "MCFG", "XSDT"};
    for (unsigned i = 0; i < 5; i++) {
        const uint8_t *p = at(tables[i]);
        CHECK(memcmp(p, sigs[i], 4) == 0);
        CHECK_EQ(sum(p, le32(p + 4)), 0);
        CHECK(memcmp(p + 10, "FIRECK", 6) == 0);
        CHECK(memcmp(p + 28, "FCAT", 4) == 0);
        CHECK_EQ(le32(p + 32), 0x20240119u);
        if (i + 1 < 5)
            CHECK_EQ(tables[i] + le32(p + 4), tables[i + 1]);
    }
    /* The DSDT holds the block dsdt.c builds. */
    size_t n = fc_dsdt_build(1, dsdt, sizeof dsdt);
    CHECK_EQ(le32(at(t.dsdt) + 4), 36u + n);
    CHECK(memcmp(at(t.dsdt) + 36, dsdt, n) == 0);
    /* FADT: X_DSDT, flags, minor 5, vendor. */
    const uint8_t *fadt = at(t.fadt);
    CHECK_EQ(le64(fadt + 140), t.dsdt);
    CHECK_EQ(le32(fadt + 40), 0u);
    CHECK_EQ(le32(fadt + 112), (1u << 20) | (1u << 4) | (1u << 5));
    CHECK_EQ(fadt[131], 5);
    CHECK(memcmp(fadt + 268, "FIRECKVM", 8) == 0);
    /* MADT: IOAPIC id 0, then LAPICs 0 and 1. */
    const uint8_t *madt = at(t.madt);
    CHECK_EQ(le32(madt + 36), FC_LAPIC_ADDR);
    CHECK_EQ(madt[44], 1);
    CHECK_EQ(madt[46], 0);
    CHECK_EQ(le32(madt + 48), FC_IOAPIC_ADDR);
    CHECK_EQ(madt[56], 0);
    CHECK_EQ(madt[59], 0);
    CHECK_EQ(madt[64], 0);
    CHECK_EQ(madt[67], 1);
    /* XSDT lists FADT, MADT, MCFG; the RSDP points at the XSDT. */
    const uint8_t *xsdt = at(t.xsdt);
    CHECK_EQ(le32(xsdt + 4), 36u + 24);
    CHECK_EQ(le64(xsdt + 36), t.fadt);
    CHECK_EQ(le64(xsdt + 44), t.madt);
    CHECK_EQ(le64(xsdt + 52), t.mcfg);
    CHECK(memcmp(t.rsdp, "RSD PTR ", 8) == 0);
    CHECK_EQ(sum(t.rsdp, 20), 0);
    CHECK_EQ(sum(t.rsdp, 36), 0);
    CHECK_EQ(t.rsdp[15], 2);
    CHECK_EQ(le64(t.rsdp + 24), t.xsdt);
    CHECK_EQ(le64(at(t.mcfg) + 44), FC_PCI_MMCONFIG_START);
}

TEST(tables_refused_when_they_do_not_fit)
{
    struct fc_tables t;
    CHECK_EQ(fc_tables_build(area, FC_SYSTEM_MEM_START, 600, 1, 0, &t), -1);
    CHECK_EQ(fc_tables_build(area, FC_SYSTEM_MEM_START, sizeof area, 0, 0, &t), -1);
}

TEST(e820_firecracker_order)
{
    struct fc_ram_region ram[FC_RAM_MAX_REGIONS];
    struct e820_entry map[8];
    unsigned nram = fc_ram_regions(4ull << 30, ram);
    CHECK_EQ(nram, 2u);
    int n = fc_e820_build(ram, nram, map, 8);
    CHECK_EQ(n, 5);
    CHECK(map[0].addr == 0 && map[0].size == 0x9FC00 && map[0].type == E820_RAM);
    CHECK(map[1].addr == 0x9FC00 && map[1].size == 0x40400 && map[1].type == E820_RESERVED);
    CHECK(map[2].addr == 0xEEC00000 && map[2].size == 0x10000000);
    CHECK(map[3].addr == 0x100000 && map[3].size == 0xBFF00000);
    CHECK(map[4].addr == 0x100000000ull && map[4].size == 0x40000000);
    CHECK_EQ(fc_e820_build(ram, nram, map, 4), -1);
}

static uint8_t ram_buf[0x10000];

TEST(zero_page_and_pvh_blocks)
{
    struct e820_entry map[2] = {{0, 0x9FC00, E820_RAM}, {0x100000, 0x7F00000, E820_RAM}};
    static uint8_t zp[ZERO_PAGE_SIZE];
    struct zero_page_params p = {.acpi_rsdp_addr = 0xE0000,
                                 .cmd_line_ptr = 0x20000,
                                 .cmdline_size = 42,
                                 .kernel_alignment = 0x1000000,
                                 .type_of_loader = 0xFF,
                                 .map = map,
                                 .nmap = 2};
    CHECK_EQ(zero_page_build(zp, &p), 0);
    CHECK_EQ(le64(zp + 0x70), 0xE0000u);
    CHECK_EQ(zp[0x1E8], 2);
    CHECK(zp[0x1FE] == 0x55 && zp[0x1FF] == 0xAA);
    CHECK(memcmp(zp + 0x202, "HdrS", 4) == 0);
    CHECK_EQ(zp[0x210], 0xFF);
    CHECK_EQ(le32(zp + 0x228), 0x20000u);
    CHECK_EQ(le32(zp + 0x230), 0x1000000u);
    CHECK_EQ(le32(zp + 0x238), 42u);
    CHECK_EQ(le64(zp + 0x2D0 + 20), 0x100000u);
    CHECK_EQ(le32(zp + 0x2D0 + 20 + 16), 1u);
    CHECK_EQ(zp[0x206], 0);         /* version 0: a zero page for an ELF, no setup header */
    CHECK_EQ(le32(zp + 0x218), 0u); /* no initrd */
    CHECK_EQ(le32(zp + 0x21C), 0u);
    p.ramdisk_image = 0x7fb5000;
    p.ramdisk_size = 0x4a000 + 17;
    CHECK_EQ(zero_page_build(zp, &p), 0);
    CHECK_EQ(le32(zp + 0x218), 0x7fb5000u); /* boot.rst: ramdisk_image */
    CHECK_EQ(le32(zp + 0x21C), 0x4a011u);   /* ramdisk_size */
    p.nmap = 129;
    CHECK_EQ(zero_page_build(zp, &p), -1);

    struct guest_mem mem = {0};
    CHECK_EQ(guest_mem_add(&mem, 0, sizeof ram_buf, ram_buf), 0);
    struct pvh_params pv = {
        .cmdline_paddr = 0x20000, .rsdp_paddr = 0, .memmap_paddr = 0x7000, .map = map, .nmap = 2};
    CHECK_EQ(pvh_write(&mem, 0x6000, &pv), 0);
    CHECK_EQ(le32(ram_buf + 0x6000), 0x336EC578u);
    CHECK_EQ(le32(ram_buf + 0x6004), 1u);
    CHECK_EQ(le64(ram_buf + 0x6000 + 24), 0x20000u);
    CHECK_EQ(le64(ram_buf + 0x6000 + 32), 0u);
    CHECK_EQ(le64(ram_buf + 0x6000 + 40), 0x7000u);
    CHECK_EQ(le32(ram_buf + 0x6000 + 48), 2u);
    CHECK_EQ(le64(ram_buf + 0x7000 + 24 + 8), 0x7F00000u);
    CHECK_EQ(le32(ram_buf + 0x6000 + 12), 0u); /* no module */
    CHECK_EQ(le64(ram_buf + 0x6000 + 16), 0u);
    /* the initrd: one hvm_modlist_entry at 0x6040 */
    memset(ram_buf + 0x6040, 0xa5, 32);
    pv.modlist_paddr = 0x6040;
    pv.module_paddr = 0x7fb5000;
    pv.module_size = 12345;
    CHECK_EQ(pvh_write(&mem, 0x6000, &pv), 0);
    CHECK_EQ(le32(ram_buf + 0x6000 + 12), 1u);
    CHECK_EQ(le64(ram_buf + 0x6000 + 16), 0x6040u);
    CHECK_EQ(le64(ram_buf + 0x6040), 0x7fb5000u);
    CHECK_EQ(le64(ram_buf + 0x6040 + 8), 12345u);
    CHECK_EQ(le64(ram_buf + 0x6040 + 16), 0u); /* no command line */
    CHECK_EQ(le64(ram_buf + 0x6040 + 24), 0u);
    pv.modlist_paddr = sizeof ram_buf - 16; /* the entry would leave RAM */
    CHECK_EQ(pvh_write(&mem, 0x6000, &pv), -1);
    pv.modlist_paddr = 0x6040;
    pv.memmap_paddr = sizeof ram_buf - 24; /* the second entry would leave RAM */
    CHECK_EQ(pvh_write(&mem, 0x6000, &pv), -1);
}

/* Firecracker's initrd_load_addr: the top of the first region, page-aligned
 * down; hostsim's refusals name what is wrong. */
TEST(initrd_placement)
{
    char err[256];
    uint64_t at = 0;
    const uint64_t mib = 1 << 20, kernel_end = 0x115000;
    CHECK_EQ(fc_initrd_place(128 * mib, kernel_end, 300 * 1024, &at, err, sizeof err), 0);
    CHECK_EQ(at, 128 * mib - 300 * 1024);
    CHECK_EQ(fc_initrd_place(128 * mib, kernel_end, 4097, &at, err, sizeof err), 0);
    CHECK_EQ(at, 128 * mib - 8192); /* rounded down to its page */
    CHECK_EQ(fc_initrd_place(128 * mib, kernel_end, 1, &at, err, sizeof err), 0);
    CHECK_EQ(at, 128 * mib - 4096);
    /* 3 GiB low region of a 4 GiB VM */
    CHECK_EQ(fc_initrd_place(3ull << 30, kernel_end, 1 * mib, &at, err, sizeof err), 0);
    CHECK_EQ(at, (3ull << 30) - mib);
    /* refused: too big for the region, over the kernel, empty */
    CHECK_EQ(fc_initrd_place(2 * mib, kernel_end, 3 * mib, &at, err, sizeof err), -1);
    CHECK(strstr(err, "larger than the first RAM region") != NULL);
    CHECK_EQ(fc_initrd_place(2 * mib, kernel_end, 2 * mib - 0x114000, &at, err, sizeof err), -1);
    CHECK(strstr(err, "inside the kernel loaded up to 0x115000") != NULL);
    CHECK_EQ(fc_initrd_place(2 * mib, kernel_end, 2 * mib - 0x115000, &at, err, sizeof err), 0);
    CHECK_EQ(at, kernel_end); /* right after the kernel: fine */
    CHECK_EQ(fc_initrd_place(128 * mib, kernel_end, 0, &at, err, sizeof err), -1);
    CHECK(strstr(err, "empty") != NULL);
}

UNIT_MAIN()
