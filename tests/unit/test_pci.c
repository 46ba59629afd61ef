/* Host tests of the pure PCI logic (bus/pci/pci_logic.h): configuration
 * addresses, BAR decoding, capability walk, driver matching, interrupt
 * arithmetic and the pci.list text. Malformed input included. */
#include "tests/unit/unit.h"

#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"

/* ---- addresses ---- */

TEST(cf8_address)
{
    CHECK_EQ(pci_cf8_address(0, 0, 0, 0), 0x80000000u);
    CHECK_EQ(pci_cf8_address(1, 2, 3, 0x10), 0x80000000u | 1u << 16 | 2u << 11 | 3u << 8 | 0x10);
    CHECK_EQ(pci_cf8_address(255, 31, 7, 0xFF), 0x80FFFFFCu); /* low bits select the byte lane */
    CHECK_EQ(pci_cf8_address(0, 32, 0, 0), 0u);
    CHECK_EQ(pci_cf8_address(0, 0, 8, 0), 0u);
    CHECK_EQ(pci_cf8_address(0, 0, 0, 256), 0u);
}

TEST(ecam_address)
{
    struct acpi_mcfg_entry e = {.base = 0xB0000000, .segment = 0, .bus_start = 0, .bus_end = 255};
    CHECK_EQ(pci_ecam_address(&e, 0, 0, 0, 0), 0xB0000000ull);
    CHECK_EQ(pci_ecam_address(&e, 1, 2, 3, 0x104),
             0xB0000000ull + 0x100000 + 0x10000 + 0x3000 + 0x104);
    CHECK_EQ(pci_ecam_address(&e, 255, 31, 7, 4095), 0xB0000000ull + 0x0FFFFFFF);
    CHECK_EQ(pci_ecam_address(&e, 0, 32, 0, 0), 0ull);
    CHECK_EQ(pci_ecam_address(&e, 0, 0, 8, 0), 0ull);
    CHECK_EQ(pci_ecam_address(&e, 0, 0, 0, 4096), 0ull);
    /* The base is bus 0's address even when the entry starts later. */
    struct acpi_mcfg_entry f = {
        .base = 0x800000000ull, .segment = 1, .bus_start = 0x10, .bus_end = 0x1F};
    CHECK_EQ(pci_ecam_address(&f, 0x10, 0, 0, 0), 0x800000000ull + 0x1000000);
    CHECK_EQ(pci_ecam_address(&f, 0x0F, 0, 0, 0), 0ull);
    CHECK_EQ(pci_ecam_address(&f, 0x20, 0, 0, 0), 0ull);
}

TEST(ecam_entry_checks)
{
    struct acpi_mcfg_entry ok = {.base = 0xB0000000, .bus_start = 0, .bus_end = 255};
    CHECK(pci_ecam_entry_problem(&ok) == NULL);
    struct acpi_mcfg_entry zero = {.base = 0, .bus_end = 255};
    CHECK(pci_ecam_entry_problem(&zero) != NULL);
    struct acpi_mcfg_entry odd = {.base = 0xB0000800, .bus_end = 255};
    CHECK(pci_ecam_entry_problem(&odd) != NULL);
    struct acpi_mcfg_entry reversed = {.base = 0xB0000000, .bus_start = 5, .bus_end = 4};
    CHECK(pci_ecam_entry_problem(&reversed) != NULL);
    struct acpi_mcfg_entry high = {.base = 0xFFFFFFFFFFF00000ull, .bus_end = 255};
    CHECK(pci_ecam_entry_problem(&high) != NULL);
    struct acpi_mcfg_entry edge = {.base = (1ull << 47) - (256ull << 20), .bus_end = 255};
    CHECK(pci_ecam_entry_problem(&edge) == NULL);
    edge.base += 1ull << 20;
    CHECK(pci_ecam_entry_problem(&edge) != NULL);
}

TEST(ecam_lookup)
{
    struct acpi_mcfg_entry e[3] = {
        {.base = 0xB0000000, .segment = 0, .bus_start = 0, .bus_end = 0x3F},
        {.base = 0xC0000000, .segment = 1, .bus_start = 0, .bus_end = 255},
        {.base = 0xB0000000, .segment = 0, .bus_start = 0x80, .bus_end = 0x8F},
    };
    CHECK_EQ(pci_ecam_lookup(e, 3, 0, 0), 0);
    CHECK_EQ(pci_ecam_lookup(e, 3, 0, 0x3F), 0);
    CHECK_EQ(pci_ecam_lookup(e, 3, 0, 0x40), -1);
    CHECK_EQ(pci_ecam_lookup(e, 3, 0, 0x85), 2);
    CHECK_EQ(pci_ecam_lookup(e, 3, 1, 0x85), 1);
    CHECK_EQ(pci_ecam_lookup(e, 3, 2, 0), -1);
    CHECK_EQ(pci_ecam_lookup(e, 0, 0, 0), -1);
}

/* ---- BARs ---- */

TEST(bar_io)
{
    struct pci_bar b;
    /* 32 ports at 0xC000, 16-bit decoder: upper half reads back 0. */
    CHECK_EQ(pci_bar_decode(0xC001, 0x0000FFE1, 0, 0, true, &b), 1);
    CHECK(b.io && b.base == 0xC000 && b.size == 0x20 && !b.is64 && !b.prefetchable);
    /* 32-bit decoder. */
    CHECK_EQ(pci_bar_decode(0xC041, 0xFFFFFFC1, 0, 0, true, &b), 1);
    CHECK(b.io && b.base == 0xC040 && b.size == 0x40);
    /* Unassigned. */
    CHECK_EQ(pci_bar_decode(0x1, 0xFFFFFF01, 0, 0, true, &b), 1);
    CHECK(b.io && b.base == 0 && b.size == 0x100);
    /* Beyond the 16-bit port space. */
    CHECK_EQ(pci_bar_decode(0x10001, 0xFFFFFF01, 0, 0, true, &b), -1);
    CHECK(b.size == 0 && b.base == 0);
    CHECK_EQ(pci_bar_decode(0xFFE1, 0xFFFFFFE1, 0, 0, true, &b), 1); /* ends at 0xFFFF */
    CHECK(b.base == 0xFFE0 && b.size == 0x20);
}

TEST(bar_mem32)
{
    struct pci_bar b;
    CHECK_EQ(pci_bar_decode(0xFEB80000, 0xFFFE0000, 0, 0, true, &b), 1);
    CHECK(!b.io && b.base == 0xFEB80000 && b.size == 0x20000 && !b.is64 && !b.prefetchable);
    CHECK_EQ(pci_bar_decode(0xFD000008, 0xFF000008, 0, 0, false, &b), 1);
    CHECK(b.base == 0xFD000000 && b.size == 0x1000000 && b.prefetchable);
    /* Legacy below-1 MiB type decodes as 32-bit. */
    CHECK_EQ(pci_bar_decode(0x000A0002, 0xFFFE0002, 0, 0, true, &b), 1);
    CHECK(b.base == 0xA0000 && b.size == 0x20000 && !b.is64);
    /* Low bits a device should hold at zero are masked. */
    CHECK_EQ(pci_bar_decode(0xFEB80100, 0xFFFFF000, 0, 0, true, &b), 1);
    CHECK(b.base == 0xFEB80000 && b.size == 0x1000);
    /* 2 GiB BAR. */
    CHECK_EQ(pci_bar_decode(0x80000000, 0x80000000, 0, 0, true, &b), 1);
    CHECK(b.base == 0x80000000 && b.size == 0x80000000);
}

TEST(bar_mem64)
{
    struct pci_bar b;
    CHECK(pci_bar_is_mem64(0xFE00000C));
    CHECK(!pci_bar_is_mem64(0xFE000008));
    CHECK(!pci_bar_is_mem64(0xC005)); /* I/O with bit 2 set */
    CHECK_EQ(pci_bar_decode(0xFE00000C, 0xFFFFC00C, 0, 0xFFFFFFFF, true, &b), 2);
    CHECK(!b.io && b.is64 && b.prefetchable && b.base == 0xFE000000 && b.size == 0x4000);
    CHECK_EQ(pci_bar_decode(0x0020000C, 0xFFFFC00C, 0x4, 0xFFFFFFFF, true, &b), 2);
    CHECK(b.base == 0x400200000ull && b.size == 0x4000);
    /* 8 GiB: the size lives in the upper half. */
    CHECK_EQ(pci_bar_decode(0x0000000C, 0x0000000C, 0x2, 0xFFFFFFFE, true, &b), 2);
    CHECK(b.base == 0x200000000ull && b.size == 0x200000000ull);
    /* 64-bit in the last register: malformed. */
    CHECK_EQ(pci_bar_decode(0xFE00000C, 0xFFFFC00C, 0, 0, false, &b), -1);
    CHECK(b.size == 0);
    /* Range that would wrap past 2^64. */
    CHECK_EQ(pci_bar_decode(0xFFFFF004, 0xFFFFF004, 0xFFFFFFFF, 0xFFFFFFFF, true, &b), -1);
    CHECK(b.size == 0);
}

TEST(bar_unimplemented_and_reserved)
{
    struct pci_bar b;
    CHECK_EQ(pci_bar_decode(0, 0, 0, 0, true, &b), 1);
    CHECK(b.size == 0 && b.base == 0);
    CHECK_EQ(pci_bar_decode(0x4, 0x4, 0, 0, true, &b), 2); /* 64-bit, nothing writable */
    CHECK(b.size == 0);
    /* Type 11b is reserved; also what a vanished device reads (all ones). */
    CHECK_EQ(pci_bar_decode(0x6, 0xFFFFFFF6, 0, 0, true, &b), -1);
    CHECK_EQ(pci_bar_decode(0xFFFFFFFE, 0xFFFFFFFE, 0, 0, true, &b), -1);
    /* Unassigned memory BAR keeps its size. */
    CHECK_EQ(pci_bar_decode(0x0, 0xFFFFF000, 0, 0, true, &b), 1);
    CHECK(b.base == 0 && b.size == 0x1000);
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) ^ (rng_state << 20);
}

TEST(bar_random_invariants)
{
    for (int i = 0; i < 200000; i++) {
        uint32_t o = rng(), p = rng(), oh = rng(), ph = rng();
        bool next = rng() & 1;
        struct pci_bar b;
        int n = pci_bar_decode(o, p, oh, ph, next, &b);
        CHECK(n == -1 || n == 1 || n == 2);
        if (n < 0) {
            CHECK(b.size == 0 && b.base == 0);
            continue;
        }
        CHECK(n == 1 || next);
        if (b.size == 0)
            continue;
        CHECK((b.size & (b.size - 1)) == 0);
        CHECK((b.base & (b.size - 1)) == 0);
        CHECK(b.base + b.size > b.base);
        if (b.io)
            CHECK(b.base + b.size <= 0x10000);
    }
}

/* ---- capabilities ---- */

struct fake_cfg {
    uint8_t b[256];
    unsigned reads;
};

static uint8_t fake_read8(void *ctx, uint16_t off)
{
    struct fake_cfg *c = ctx;
    c->reads++;
    return off < 256 ? c->b[off] : 0xFF;
}

static void add_cap(struct fake_cfg *c, uint8_t at, uint8_t id, uint8_t next)
{
    c->b[at] = id;
    c->b[at + 1] = next;
}

static void cfg_with_list(struct fake_cfg *c, uint8_t head)
{
    memset(c, 0, sizeof *c);
    c->b[PCI_STATUS] = PCI_STATUS_CAP_LIST;
    c->b[PCI_CAP_PTR] = head;
}

TEST(cap_walk_normal)
{
    struct fake_cfg c;
    cfg_with_list(&c, 0x98);
    add_cap(&c, 0x98, PCI_CAP_ID_MSIX, 0x84);
    add_cap(&c, 0x84, PCI_CAP_ID_VENDOR, 0x70);
    add_cap(&c, 0x70, PCI_CAP_ID_VENDOR, 0x60);
    add_cap(&c, 0x60, PCI_CAP_ID_VENDOR, 0x50);
    add_cap(&c, 0x50, PCI_CAP_ID_MSI, 0x00);
    bool bad = true;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSIX, 0, false, &bad), 0x98);
    CHECK(!bad);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0x50);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_PCIE, 0, false, &bad), 0);
    CHECK(!bad);
    /* Every vendor capability, in list order (not address order). */
    uint8_t seen[4], n = 0;
    for (uint8_t off = pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_VENDOR, 0, false, NULL);
         off && n < 4; off = pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_VENDOR, off, true, NULL))
        seen[n++] = off;
    CHECK_EQ(n, 3);
    CHECK(seen[0] == 0x84 && seen[1] == 0x70 && seen[2] == 0x60);
    /* "At or after": the start itself counts when after is false. */
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_VENDOR, 0x70, false, NULL), 0x70);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_VENDOR, 0x60, true, NULL), 0);
    /* A start that is not in the list finds nothing. */
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_VENDOR, 0x74, false, NULL), 0);
}

TEST(cap_walk_no_list)
{
    struct fake_cfg c;
    cfg_with_list(&c, 0x40);
    add_cap(&c, 0x40, PCI_CAP_ID_MSI, 0);
    c.b[PCI_STATUS] = 0; /* Capabilities List bit clear: the pointer means nothing */
    bool bad = true;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0);
    CHECK(!bad);
    cfg_with_list(&c, 0);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0);
    CHECK(!bad);
}

TEST(cap_walk_cardbus_pointer)
{
    struct fake_cfg c;
    cfg_with_list(&c, 0x40);
    add_cap(&c, 0x40, PCI_CAP_ID_MSI, 0);
    c.b[PCI_CARDBUS_CAP_PTR] = 0x80;
    add_cap(&c, 0x80, PCI_CAP_ID_PM, 0);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, PCI_HEADER_CARDBUS, PCI_CAP_ID_PM, 0, false, NULL), 0x80);
    CHECK_EQ(
        pci_cap_walk(fake_read8, &c, PCI_HEADER_CARDBUS | 0x80, PCI_CAP_ID_MSI, 0, false, NULL), 0);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, PCI_HEADER_BRIDGE, PCI_CAP_ID_MSI, 0, false, NULL), 0x40);
}

TEST(cap_walk_low_bits_masked)
{
    struct fake_cfg c;
    cfg_with_list(&c, 0x43);
    add_cap(&c, 0x40, PCI_CAP_ID_PM, 0x52);
    add_cap(&c, 0x50, PCI_CAP_ID_MSI, 0x03); /* 0x03 masks to 0: end */
    bool bad = true;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0x50);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_PCIE, 0, false, &bad), 0);
    CHECK(!bad);
}

TEST(cap_walk_loop)
{
    struct fake_cfg c;
    cfg_with_list(&c, 0x40);
    add_cap(&c, 0x40, PCI_CAP_ID_PM, 0x50);
    add_cap(&c, 0x50, PCI_CAP_ID_VENDOR, 0x40);
    bool bad = false;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0);
    CHECK(bad);
    CHECK(c.reads < 20);
    /* Self loop. */
    cfg_with_list(&c, 0x40);
    add_cap(&c, 0x40, PCI_CAP_ID_PM, 0x40);
    bad = false;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0);
    CHECK(bad);
    /* A capability before the loop closes is still found. */
    cfg_with_list(&c, 0x40);
    add_cap(&c, 0x40, PCI_CAP_ID_MSIX, 0x40);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSIX, 0, false, &bad), 0x40);
}

TEST(cap_walk_bad_pointers)
{
    struct fake_cfg c;
    cfg_with_list(&c, 0x20); /* inside the standard header */
    add_cap(&c, 0x20, PCI_CAP_ID_MSI, 0);
    bool bad = false;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0);
    CHECK(bad);
    cfg_with_list(&c, 0x40);
    add_cap(&c, 0x40, PCI_CAP_ID_PM, 0x3C);
    bad = false;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0);
    CHECK(bad);
    /* The last dword is a valid place. */
    cfg_with_list(&c, 0xFC);
    add_cap(&c, 0xFC, PCI_CAP_ID_MSI, 0);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0xFC);
    CHECK(!bad);
}

TEST(cap_walk_longest_list)
{
    /* 48 capabilities fill 0x40-0xFF: a list that long is legal... */
    struct fake_cfg c;
    cfg_with_list(&c, 0x40);
    for (unsigned at = 0x40; at <= 0xFC; at += 4)
        add_cap(&c, (uint8_t)at, PCI_CAP_ID_VENDOR, at == 0xFC ? 0 : (uint8_t)(at + 4));
    c.b[0xFC] = PCI_CAP_ID_MSI;
    bool bad = true;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_MSI, 0, false, &bad), 0xFC);
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_PCIE, 0, false, &bad), 0);
    CHECK(!bad);
    /* ...and one more step must be a repeat. */
    c.b[0xFD] = 0x40;
    CHECK_EQ(pci_cap_walk(fake_read8, &c, 0, PCI_CAP_ID_PCIE, 0, false, &bad), 0);
    CHECK(bad);
}

TEST(cap_walk_random)
{
    struct fake_cfg c;
    for (int i = 0; i < 20000; i++) {
        for (unsigned j = 0; j < 256; j++)
            c.b[j] = (uint8_t)rng();
        c.reads = 0;
        uint8_t id = (uint8_t)rng();
        uint8_t off = pci_cap_walk(fake_read8, &c, c.b[PCI_HEADER_TYPE], id, 0, false, NULL);
        CHECK(off == 0 || (off >= 0x40 && (off & 3) == 0 && c.b[off] == id));
        CHECK(c.reads <= 3 + 2 * PCI_CAP_MAX_STEPS);
    }
}

/* ---- driver matching ---- */

TEST(match_exact_and_any)
{
    static const struct pci_device_id t[] = {
        {0x8086, 0x100E, 0, 0},
        {0x1AF4, PCI_ANY_ID, 0, 0},
        {0, 0, 0, 0},
        {0x1234, 0x1111, 0, 0}, /* after the terminator: never read */
    };
    int score;
    CHECK(pci_match_table(t, 0x8086, 0x100E, 0x020000, &score) == &t[0]);
    CHECK_EQ(score, 6);
    CHECK(pci_match_table(t, 0x1AF4, 0x1041, 0x020000, &score) == &t[1]);
    CHECK_EQ(score, 4);
    CHECK(pci_match_table(t, 0x8086, 0x10D3, 0x020000, &score) == NULL);
    CHECK_EQ(score, -1);
    CHECK(pci_match_table(t, 0x1234, 0x1111, 0x030000, NULL) == NULL);
    CHECK(pci_match_table(NULL, 0x1234, 0x1111, 0, NULL) == NULL);
}

TEST(match_class)
{
    static const struct pci_device_id t[] = {
        {PCI_ANY_ID, PCI_ANY_ID, 0x010802, 0xFFFFFF}, /* NVMe */
        {PCI_ANY_ID, PCI_ANY_ID, 0x010600, 0xFFFF00}, /* any SATA prog-if */
        {0, 0, 0, 0},
    };
    int score;
    CHECK(pci_match_table(t, 0x1B36, 0x0010, 0x010802, &score) == &t[0]);
    CHECK_EQ(score, 1);
    CHECK(pci_match_table(t, 0x1B36, 0x0010, 0x010801, NULL) == NULL);
    CHECK(pci_match_table(t, 0x8086, 0x2922, 0x010601, NULL) == &t[1]);
    CHECK(pci_match_table(t, 0x8086, 0x2922, 0x010101, NULL) == NULL);
}

TEST(match_most_specific_wins)
{
    static const struct pci_device_id t[] = {
        {PCI_ANY_ID, PCI_ANY_ID, 0x020000, 0xFFFF00},
        {0x8086, PCI_ANY_ID, 0, 0},
        {0x8086, 0x100E, 0, 0},
        {0x8086, 0x100E, 0x020000, 0xFF0000},
        {0x8086, 0x100E, 0, 0}, /* a tie: the first stays */
        {0, 0, 0, 0},
    };
    int score;
    CHECK(pci_match_table(t, 0x8086, 0x100E, 0x020000, &score) == &t[3]);
    CHECK_EQ(score, 7);
    CHECK(pci_match_table(t, 0x8086, 0x100E, 0x030000, &score) == &t[2]);
    CHECK(pci_match_table(t, 0x10EC, 0x8139, 0x020000, &score) == &t[0]);
}

TEST(match_unterminated_table_bounded)
{
    static struct pci_device_id t[PCI_MATCH_MAX_ENTRIES + 8];
    for (unsigned i = 0; i < PCI_MATCH_MAX_ENTRIES + 8; i++)
        t[i] = (struct pci_device_id){0x1111, (uint16_t)i, 0, 0};
    CHECK(pci_match_table(t, 0x1111, 5, 0, NULL) == &t[5]);
    CHECK(pci_match_table(t, 0x1111, PCI_MATCH_MAX_ENTRIES + 2, 0, NULL) == NULL);
}

/* ---- interrupts ---- */

TEST(msi_message)
{
    CHECK_EQ(pci_msi_address(0), 0xFEE00000u);
    CHECK_EQ(pci_msi_address(3), 0xFEE03000u);
    CHECK_EQ(pci_msi_address(255), 0xFEEFF000u);
    CHECK_EQ(pci_msi_address(256), 0u);
    CHECK_EQ(pci_msi_data(0x41), 0x41u);
}

TEST(msix_table_location)
{
    struct pci_bar bar[6] = {0};
    bar[0] = (struct pci_bar){.base = 0xC000, .size = 0x40, .io = true};
    bar[1] = (struct pci_bar){.base = 0xFEB80000, .size = 0x1000};
    bar[2] = (struct pci_bar){.base = 0, .size = 0x1000};
    uint64_t addr = 0;
    unsigned n = 0;
    const char *why = NULL;
    CHECK_EQ(pci_msix_table(0x1, 0x0003, bar, &addr, &n, &why), 0);
    CHECK(addr == 0xFEB80000 && n == 4);
    CHECK_EQ(pci_msix_table(0x801, 0x0003, bar, &addr, &n, &why), 0);
    CHECK(addr == 0xFEB80800);
    /* 0x1000 - 0xFC0 = 64 bytes: room for exactly 4 entries, not 5. */
    CHECK_EQ(pci_msix_table(0xFC1, 0x0003, bar, &addr, &n, &why), 0);
    CHECK_EQ(pci_msix_table(0xFC1, 0x0004, bar, &addr, &n, &why), -1);
    CHECK(why != NULL);
    CHECK_EQ(pci_msix_table(0xFFFFFFF9, 0x07FF, bar, &addr, &n, &why), -1);
    CHECK_EQ(pci_msix_table(0x0, 0, bar, &addr, &n, &why), -1); /* I/O BAR */
    CHECK_EQ(pci_msix_table(0x2, 0, bar, &addr, &n, &why), -1); /* unassigned */
    CHECK_EQ(pci_msix_table(0x3, 0, bar, &addr, &n, &why), -1); /* not implemented */
    CHECK_EQ(pci_msix_table(0x6, 0, bar, &addr, &n, &why), -1); /* reserved BIR */
    CHECK_EQ(pci_msix_table(0x7, 0, bar, &addr, &n, &why), -1);
}

TEST(intx_route)
{
    /* QEMU's MADT: IRQ0 -> GSI2, and 5, 9, 10, 11 level / active high. */
    const struct acpi_irq_override qemu[] = {
        {0, 2, 0x0}, {5, 5, 0xD}, {9, 9, 0xD}, {10, 10, 0xD}, {11, 11, 0xD},
    };
    struct pci_intx_route r;
    const char *why = NULL;
    CHECK_EQ(pci_intx_route(1, 11, qemu, 5, &r, &why), 0);
    CHECK(r.gsi == 11 && r.level && !r.active_low);
    /* No override: PCI defaults, level and active low. */
    CHECK_EQ(pci_intx_route(1, 11, NULL, 0, &r, &why), 0);
    CHECK(r.gsi == 11 && r.level && r.active_low);
    /* An override to another GSI with explicit low/level. */
    const struct acpi_irq_override moved[] = {{9, 20, 0xF}};
    CHECK_EQ(pci_intx_route(2, 9, moved, 1, &r, &why), 0);
    CHECK(r.gsi == 20 && r.level && r.active_low);
    /* "Conforms to bus" keeps the PCI defaults; explicit edge is honoured. */
    const struct acpi_irq_override conform[] = {{10, 10, 0x0}, {11, 11, 0x5}};
    CHECK_EQ(pci_intx_route(1, 10, conform, 2, &r, &why), 0);
    CHECK(r.level && r.active_low);
    CHECK_EQ(pci_intx_route(1, 11, conform, 2, &r, &why), 0);
    CHECK(!r.level && !r.active_low);
    /* A GSI above the ISA range is used as is. */
    CHECK_EQ(pci_intx_route(4, 22, qemu, 5, &r, &why), 0);
    CHECK(r.gsi == 22 && r.level && r.active_low);
    /* Refusals. */
    CHECK_EQ(pci_intx_route(0, 11, qemu, 5, &r, &why), -1);
    CHECK(why && strstr(why, "pin"));
    CHECK_EQ(pci_intx_route(5, 11, qemu, 5, &r, &why), -1);
    CHECK_EQ(pci_intx_route(1, 0xFF, qemu, 5, &r, &why), -1);
    CHECK(why && strstr(why, "line"));
    CHECK_EQ(pci_intx_route(1, 0, qemu, 5, &r, &why), -1);
}

/* ---- text ---- */

TEST(format_names)
{
    char buf[16];
    CHECK_STR(pci_format_name(buf, 0, 0, 3, 0), "00:03.0");
    CHECK_STR(pci_format_name(buf, 0, 0xFF, 31, 7), "ff:1f.7");
    CHECK_STR(pci_format_name(buf, 1, 0x10, 0, 1), "0001:10:00.1");
    CHECK_STR(pci_format_name(buf, 0xFFFF, 0xFF, 31, 7), "ffff:ff:1f.7");
    CHECK_STR(pci_class_name(0x02, 0x00), "ethernet");
    CHECK_STR(pci_class_name(0x02, 0x80), "network");
    CHECK_STR(pci_class_name(0x01, 0x08), "nvme");
    CHECK_STR(pci_class_name(0x06, 0x04), "pci bridge");
    CHECK_STR(pci_class_name(0x06, 0x80), "bridge");
    CHECK_STR(pci_class_name(0x42, 0x00), "unknown class");
    CHECK_STR(pci_class_name(0xFF, 0x00), "vendor specific");
}

TEST(format_bars)
{
    char buf[80];
    struct pci_bar io = {.base = 0xC000, .size = 0x20, .io = true};
    pci_format_bar(buf, sizeof buf, 0, &io);
    CHECK_STR(buf, "bar0 io 0xc000 size 0x20");
    struct pci_bar m32 = {.base = 0xFEB80000, .size = 0x1000};
    pci_format_bar(buf, sizeof buf, 1, &m32);
    CHECK_STR(buf, "bar1 mem32 0xfeb80000 size 0x1000");
    struct pci_bar m64 = {
        .base = 0x400200000ull, .size = 0x4000, .is64 = true, .prefetchable = true};
    pci_format_bar(buf, sizeof buf, 4, &m64);
    CHECK_STR(buf, "bar4 mem64 pref 0x400200000 size 0x4000");
    struct pci_bar un = {.base = 0, .size = 0x1000};
    pci_format_bar(buf, sizeof buf, 2, &un);
    CHECK_STR(buf, "bar2 mem32 unassigned size 0x1000");
    char tiny[8];
    CHECK(pci_format_bar(tiny, sizeof tiny, 4, &m64) > 7);
    CHECK_EQ(strlen(tiny), 7u);
}

UNIT_MAIN()
