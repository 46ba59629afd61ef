/* hostsim's AML writer (hostsim/acpi/aml.c) against golden bytes. Each
 * expected array is the encoding ACPI 6.5 gives (chapter 20: 20.2.4
 * PkgLength, 20.2.2 NameString, 20.2.3 data objects, 20.2.5 named objects
 * and statements; 6.4 resource descriptors; 19.6.35 EISAID), and the
 * composite block below is byte for byte what iasl 20200925 (ACPICA)
 * compiles from the ASL quoted above it.
 * Links: hostsim/acpi/aml.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/acpi/aml.h"

static uint8_t buf[8192];

static int same(const struct hs_aml *a, const uint8_t *want, size_t n)
{
    struct hs_aml copy = *a;
    size_t len = hs_aml_finish(&copy);
    if (len != n) {
        printf("# length %zu, want %zu\n", len, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != want[i]) {
            printf("# byte %zu is 0x%02x, want 0x%02x\n", i, buf[i], want[i]);
            return 0;
        }
    }
    return 1;
}

TEST(name_integer_encodings)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    /* 20.2.3: ZeroOp 0x00, OneOp 0x01, OnesOp 0xFF, BytePrefix 0x0A,
     * WordPrefix 0x0B, DWordPrefix 0x0C, QWordPrefix 0x0E. */
    hs_aml_name(&a, "_UID");
    hs_aml_integer(&a, 0);
    hs_aml_name(&a, "_UID");
    hs_aml_integer(&a, 1);
    hs_aml_integer(&a, UINT64_MAX);
    hs_aml_integer(&a, 0x17);
    hs_aml_integer(&a, 0x1234);
    hs_aml_integer(&a, 0x12345678);
    hs_aml_integer(&a, 0x123456789Aull);
    hs_aml_byte(&a, 0);
    hs_aml_dword(&a, 5);
    static const uint8_t want[] = {
        0x08, '_',  'U',  'I',  'D',  0x00, 0x08, '_',  'U',  'I',  'D',  0x01, 0xFF,
        0x0A, 0x17, 0x0B, 0x34, 0x12, 0x0C, 0x78, 0x56, 0x34, 0x12, 0x0E, 0x9A, 0x78,
        0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x0C, 0x05, 0x00, 0x00, 0x00,
    };
    CHECK(same(&a, want, sizeof want));
}

TEST(strings_and_eisa_ids)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_name(&a, "_HID");
    hs_aml_string(&a, "LNRO0005"); /* StringPrefix 0x0D, ASCII, NullChar */
    hs_aml_name(&a, "_HID");
    hs_aml_eisa_id(&a, "PNP0501"); /* "P" 0x10, "N" 0x0E, "P" 0x10, 0501 */
    hs_aml_name(&a, "_CID");
    hs_aml_eisa_id(&a, "PNP0A03");
    static const uint8_t want[] = {
        0x08, '_',  'H',  'I',  'D', 0x0D, 'L',  'N',  'R',  'O',  '0',  '0',
        '0',  '5',  0x00, 0x08, '_', 'H',  'I',  'D',  0x0C, 0x41, 0xD0, 0x05,
        0x01, 0x08, '_',  'C',  'I', 'D',  0x0C, 0x41, 0xD0, 0x0A, 0x03,
    };
    CHECK(same(&a, want, sizeof want));
    CHECK_EQ(hs_aml_eisa_id_value("PNP0303"), 0x0303D041u);
    CHECK_EQ(hs_aml_eisa_id_value("pnp0501"), 0u); /* lower case is no EISA id */
    CHECK_EQ(hs_aml_eisa_id_value("PNP050"), 0u);
    CHECK_EQ(hs_aml_eisa_id_value("PNP050G"), 0u);
}

TEST(name_paths)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_name(&a, "\\_S5");          /* RootChar, padded NameSeg */
    hs_aml_name(&a, "_SB_.COM1");      /* DualNamePrefix 0x2E */
    hs_aml_name(&a, "\\_SB.PCI0.S08"); /* MultiNamePrefix 0x2F, SegCount 3 */
    hs_aml_name(&a, "^^PS2");          /* ParentPrefixChar 0x5E */
    static const uint8_t want[] = {
        0x08, '\\', '_', 'S',  '5',  '_',  0x08, 0x2E, '_', 'S', 'B', '_', 'C',
        'O',  'M',  '1', 0x08, '\\', 0x2F, 3,    '_',  'S', 'B', '_', 'P', 'C',
        'I',  '0',  'S', '0',  '8',  '_',  0x08, '^',  '^', 'P', 'S', '2', '_',
    };
    CHECK(same(&a, want, sizeof want));
}

TEST(bad_names_are_errors)
{
    static const char *const bad[] = {"", "TOOLONG", "1ABC", "A..B", "AB.", "a_b", ".ABC"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hs_aml a;
        hs_aml_init(&a, buf, sizeof buf);
        hs_aml_name(&a, bad[i]);
        hs_aml_integer(&a, 0);
        CHECK_EQ(hs_aml_finish(&a), 0u);
    }
}

/* Name (_S5_, Package (0x04) { 0x05, Zero, Zero, Zero }) - the sleep
 * package a FADT's S5 needs (7.4.2). PackageOp 0x12, PkgLength,
 * NumElements. */
TEST(package_s5)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_name(&a, "_S5_");
    hs_aml_package(&a, 4);
    hs_aml_integer(&a, 5);
    hs_aml_integer(&a, 0);
    hs_aml_integer(&a, 0);
    hs_aml_integer(&a, 0);
    hs_aml_end(&a);
    static const uint8_t want[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x07,
                                   0x04, 0x0A, 0x05, 0x00, 0x00, 0x00};
    CHECK(same(&a, want, sizeof want));
}

/* Resource descriptors (6.4.2.1 IRQ without flags, 6.4.2.5 I/O port,
 * 6.4.3.4 32-bit fixed memory, 6.4.3.6 extended interrupt, 6.4.2.9 end tag),
 * inside a ResourceTemplate: BufferOp 0x11, PkgLength, BufferSize. */
TEST(resource_descriptors)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_resources(&a);
    hs_aml_rd_io(&a, 0x3F8, 0x3F8, 1, 8);
    hs_aml_rd_irq_noflags(&a, 1u << 4);
    hs_aml_rd_memory32_fixed(&a, true, 0xFEB00000, 0x200);
    hs_aml_rd_memory32_fixed(&a, false, 0x1000, 0x10);
    hs_aml_rd_interrupt(&a, true, true, false, false, 5);
    hs_aml_rd_interrupt(&a, false, false, true, true, 0x12345678);
    hs_aml_end(&a);
    static const uint8_t want[] = {
        0x11, 0x3A, 0x0A, 0x37,                                           /* 55 bytes */
        0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08,                   /* IO */
        0x22, 0x10, 0x00,                                                 /* IRQNoFlags {4} */
        0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xB0, 0xFE, 0x00, 0x02, 0x00, /* Memory32Fixed */
        0x00, 0x86, 0x09, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, /* read-only */
        0x00, 0x00, 0x89, 0x06, 0x00, 0x03, 0x01, 0x05, 0x00, 0x00, 0x00, /* Interrupt {5} */
        0x89, 0x06, 0x00, 0x0C, 0x01, 0x78, 0x56, 0x34, 0x12,             /* level, low, shared */
        0x79, 0x00,                                                       /* End Tag */
    };
    CHECK(same(&a, want, sizeof want));
}

TEST(descriptor_outside_template_is_error)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_rd_io(&a, 0x60, 0x60, 1, 1);
    CHECK_EQ(hs_aml_finish(&a), 0u);
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_device(&a, "DEV0");
    hs_aml_rd_irq_noflags(&a, 2);
    hs_aml_end(&a);
    CHECK_EQ(hs_aml_finish(&a), 0u);
}

/* The block iasl compiles from (DSDT body after the 36-byte header):
 *   Name (_S5, Package (0x04) { 0x05, Zero, Zero, Zero })
 *   Scope (\_SB) {
 *       Device (COM1) {
 *           Name (_HID, EisaId ("PNP0501"))
 *           Name (_CID, "PNP0500")
 *           Name (_UID, One)
 *           Name (_CRS, ResourceTemplate () {
 *               IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
 *               IRQNoFlags () {4}
 *           })
 *       }
 *       Device (VR00) {
 *           Name (_HID, "LNRO0005")
 *           Name (_UID, 0x17)
 *           Name (_CRS, ResourceTemplate () {
 *               Memory32Fixed (ReadWrite, 0xFEB00000, 0x00000200)
 *               Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) {5}
 *           })
 *           Method (_STA, 0, NotSerialized) { Return (0x0F) }
 *       }
 *   }
 * (iasl writes Scope (\_SB) at the root as the NameSeg "_SB_".) */
static const uint8_t iasl_block[] = {
    0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00, 0x10, 0x49, 0x08,
    0x5f, 0x53, 0x42, 0x5f, 0x5b, 0x82, 0x39, 0x43, 0x4f, 0x4d, 0x31, 0x08, 0x5f, 0x48, 0x49, 0x44,
    0x0c, 0x41, 0xd0, 0x05, 0x01, 0x08, 0x5f, 0x43, 0x49, 0x44, 0x0d, 0x50, 0x4e, 0x50, 0x30, 0x35,
    0x30, 0x30, 0x00, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x01, 0x08, 0x5f, 0x43, 0x52, 0x53, 0x11, 0x10,
    0x0a, 0x0d, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00, 0x5b,
    0x82, 0x46, 0x04, 0x56, 0x52, 0x30, 0x30, 0x08, 0x5f, 0x48, 0x49, 0x44, 0x0d, 0x4c, 0x4e, 0x52,
    0x4f, 0x30, 0x30, 0x30, 0x35, 0x00, 0x08, 0x5f, 0x55, 0x49, 0x44, 0x0a, 0x17, 0x08, 0x5f, 0x43,
    0x52, 0x53, 0x11, 0x1a, 0x0a, 0x17, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xb0, 0xfe, 0x00, 0x02,
    0x00, 0x00, 0x89, 0x06, 0x00, 0x03, 0x01, 0x05, 0x00, 0x00, 0x00, 0x79, 0x00, 0x14, 0x09, 0x5f,
    0x53, 0x54, 0x41, 0x00, 0xa4, 0x0a, 0x0f,
};

TEST(block_matches_iasl)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_name(&a, "_S5");
    hs_aml_package(&a, 4);
    hs_aml_integer(&a, 5);
    hs_aml_integer(&a, 0);
    hs_aml_integer(&a, 0);
    hs_aml_integer(&a, 0);
    hs_aml_end(&a);
    hs_aml_scope(&a, "_SB");
    hs_aml_device(&a, "COM1");
    hs_aml_name(&a, "_HID");
    hs_aml_eisa_id(&a, "PNP0501");
    hs_aml_name(&a, "_CID");
    hs_aml_string(&a, "PNP0500");
    hs_aml_name(&a, "_UID");
    hs_aml_integer(&a, 1);
    hs_aml_name(&a, "_CRS");
    hs_aml_resources(&a);
    hs_aml_rd_io(&a, 0x3F8, 0x3F8, 1, 8);
    hs_aml_rd_irq_noflags(&a, 1u << 4);
    hs_aml_end(&a);
    hs_aml_end(&a);
    hs_aml_device(&a, "VR00");
    hs_aml_name(&a, "_HID");
    hs_aml_string(&a, "LNRO0005");
    hs_aml_name(&a, "_UID");
    hs_aml_integer(&a, 0x17);
    hs_aml_name(&a, "_CRS");
    hs_aml_resources(&a);
    hs_aml_rd_memory32_fixed(&a, true, 0xFEB00000, 0x200);
    hs_aml_rd_interrupt(&a, true, true, false, false, 5);
    hs_aml_end(&a);
    hs_aml_method(&a, "_STA", 0, false);
    hs_aml_return(&a);
    hs_aml_integer(&a, 0x0F);
    hs_aml_end(&a);
    hs_aml_end(&a);
    hs_aml_end(&a);
    CHECK(same(&a, iasl_block, sizeof iasl_block));
}

/* 20.2.4: one byte up to 63 (the value counts itself); then bits 7:6 say
 * how many bytes follow, bits 3:0 are the low nibble. A body of n bytes
 * gets PkgLength n + 1 .. n + 4. */
static size_t scope_with_body(size_t body_names, uint8_t *lead, size_t *pkglen)
{
    struct hs_aml a;
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_scope(&a, "S000");
    for (size_t i = 0; i < body_names; i++) {
        hs_aml_name(&a, "ABCD"); /* 5 bytes */
        hs_aml_integer(&a, 0);   /* 1 byte */
    }
    hs_aml_end(&a);
    size_t len = hs_aml_finish(&a);
    *lead = buf[1];
    unsigned extra = buf[1] >> 6;
    size_t v = extra ? (buf[1] & 0x0F) : (buf[1] & 0x3F);
    for (unsigned i = 0; i < extra; i++)
        v |= (size_t)buf[2 + i] << (4 + 8 * i);
    *pkglen = v;
    return len;
}

TEST(pkglength_sizes)
{
    uint8_t lead;
    size_t pkglen;
    /* body 4 + 6*9 = 58: one byte, 59 */
    CHECK_EQ(scope_with_body(9, &lead, &pkglen), 60u);
    CHECK_EQ(lead, 59);
    /* body 4 + 6*10 = 64: two bytes, 66 = 0x42 -> 0x42 0x04 */
    CHECK_EQ(scope_with_body(10, &lead, &pkglen), 67u);
    CHECK_EQ(lead, 0x42);
    CHECK_EQ(buf[2], 0x04);
    CHECK_EQ(pkglen, 66u);
    /* body 4 + 6*700 = 4204: three bytes */
    CHECK_EQ(scope_with_body(700, &lead, &pkglen), 1u + 3 + 4204);
    CHECK_EQ(lead >> 6, 2);
    CHECK_EQ(pkglen, 4204u + 3);
}

TEST(errors_are_sticky)
{
    struct hs_aml a;
    uint8_t small[8];
    hs_aml_init(&a, small, sizeof small);
    hs_aml_name(&a, "_HID");
    hs_aml_string(&a, "LNRO0005"); /* does not fit */
    CHECK(a.error);
    CHECK_EQ(hs_aml_finish(&a), 0u);
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_end(&a); /* nothing open */
    CHECK_EQ(hs_aml_finish(&a), 0u);
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_device(&a, "DEV0"); /* never closed */
    CHECK_EQ(hs_aml_finish(&a), 0u);
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_method(&a, "M000", 8, false); /* ArgCount is 3 bits */
    CHECK_EQ(hs_aml_finish(&a), 0u);
    hs_aml_init(&a, buf, sizeof buf);
    hs_aml_string(&a, "caf\xc3\xa9"); /* not ASCII */
    CHECK_EQ(hs_aml_finish(&a), 0u);
    /* Nesting deeper than HS_AML_MAX_DEPTH. */
    hs_aml_init(&a, buf, sizeof buf);
    for (unsigned i = 0; i <= HS_AML_MAX_DEPTH; i++)
        hs_aml_scope(&a, "S000");
    CHECK(a.error);
}

UNIT_MAIN()
