/* The SMBIOS reader (core/smbios.c) over a fake low memory: both entry
 * points, the structure walk, and firmware tables that lie. */
#include "core/smbios.h"
#include "tests/unit/unit.h"

#define MEM (2u << 20)
static uint8_t mem[MEM];
static const struct phys_window win = {(uintptr_t)mem, MEM};

#define TABLE 0x100000u
#define TAG "7783-7084-3265-9085-8269-3286-77"

static void fix_checksum(uint8_t *p, unsigned len, unsigned at)
{
    uint8_t sum = 0;
    p[at] = 0;
    for (unsigned i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    p[at] = (uint8_t)-sum;
}

/* A table: a type 1 structure, a type 3 whose asset tag is string 3
 * ("QEMU", "pc", the tag), the end structure. Returns its length. */
static uint16_t put_table(uint32_t at, uint8_t tag_index)
{
    uint8_t *t = mem + at;
    size_t n = 0;
    uint8_t sys[] = {1, 8, 0, 1, 1, 0, 0, 0};
    memcpy(t + n, sys, sizeof sys);
    n += sizeof sys;
    memcpy(t + n, "Vendor\0\0", 8);
    n += 8;
    uint8_t ch[] = {3, 9, 1, 0, 1, 1, 2, 0, tag_index};
    memcpy(t + n, ch, sizeof ch);
    n += sizeof ch;
    static const char strings[] = "QEMU\0pc\0" TAG "\0";
    memcpy(t + n, strings, sizeof strings); /* with the final NUL: the pair */
    n += sizeof strings;
    uint8_t end[] = {127, 4, 2, 0, 0, 0};
    memcpy(t + n, end, sizeof end);
    n += sizeof end;
    return (uint16_t)n;
}

static void put_ep2(uint32_t at, uint32_t table, uint16_t len)
{
    uint8_t *p = mem + at;
    memset(p, 0, 0x1F);
    memcpy(p, "_SM_", 4);
    p[5] = 0x1F;
    p[6] = 2;
    p[7] = 8;
    memcpy(p + 0x10, "_DMI_", 5);
    memcpy(p + 0x16, &len, 2);
    memcpy(p + 0x18, &table, 4);
    fix_checksum(p + 0x10, 0x0F, 5);
    fix_checksum(p, 0x1F, 4);
}

static void put_ep3(uint32_t at, uint64_t table, uint32_t len)
{
    uint8_t *p = mem + at;
    memset(p, 0, 0x18);
    memcpy(p, "_SM3_", 5);
    p[6] = 0x18;
    p[7] = 3;
    memcpy(p + 0x0C, &len, 4);
    memcpy(p + 0x10, &table, 8);
    fix_checksum(p, 0x18, 5);
}

static int setup_mem(void)
{
    memset(mem, 0, sizeof mem);
    return 0;
}

TEST(asset_tag_through_the_32_bit_entry_point)
{
    setup_mem();
    put_ep2(0xF5A10, TABLE, put_table(TABLE, 3));
    char tag[64];
    CHECK(smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK_STR(tag, TAG);
    /* Cut to the caller's buffer. */
    char small[5];
    CHECK(smbios_chassis_asset_tag(&win, 0, small, sizeof small));
    CHECK_STR(small, "7783");
}

TEST(asset_tag_through_the_64_bit_entry_point_and_a_hint)
{
    setup_mem();
    uint16_t len = put_table(TABLE, 3);
    put_ep3(0x80000, TABLE, len); /* not in the BIOS area: found only through the hint */
    char tag[64];
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK(smbios_chassis_asset_tag(&win, 0x80000, tag, sizeof tag));
    CHECK_STR(tag, TAG);
    /* In the BIOS area, the 64-bit one wins over a 32-bit one found first. */
    put_ep2(0xF0000, TABLE, len);
    put_table(TABLE + 0x1000, 2);
    put_ep3(0xF0100, TABLE + 0x1000, len);
    CHECK(smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK_STR(tag, "pc");
}

TEST(no_tag_or_no_table)
{
    setup_mem();
    char tag[64];
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag)); /* no entry point */
    put_ep2(0xF0000, TABLE, put_table(TABLE, 0));               /* string 0: none */
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    put_ep2(0xF0000, TABLE, put_table(TABLE, 9)); /* beyond its strings */
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
}

TEST(lying_tables_refused)
{
    setup_mem();
    char tag[64];
    uint16_t len = put_table(TABLE, 3);
    /* A bad checksum: not an entry point. */
    put_ep2(0xF0000, TABLE, len);
    mem[0xF0000 + 0x18] ^= 1;
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK(!smbios_chassis_asset_tag(&win, 0xF0000, tag, sizeof tag));
    CHECK(LOG_CONTAINS("smbios: no valid entry point at the firmware's address 0xf0000"));
    /* A table outside memory. */
    put_ep3(0xF0000, (uint64_t)MEM - 16, 64);
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK(LOG_CONTAINS("lies outside memory"));
    /* A structure longer than the table says. */
    put_ep2(0xF0000, TABLE, 12);
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK(LOG_CONTAINS("strings of the structure of type 1 run past the table"));
    mem[TABLE + 1] = 200;
    put_ep2(0xF0000, TABLE, len);
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK(LOG_CONTAINS("structure of type 1 at offset 0 has a bad length 200"));
    mem[TABLE + 1] = 2;
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
    CHECK(LOG_CONTAINS("bad length 2"));
    /* The tag's string runs to the table's end with no NUL. */
    mem[TABLE + 1] = 8;
    put_ep2(0xF0000, TABLE, (uint16_t)(8 + 8 + 9 + 10));
    CHECK(!smbios_chassis_asset_tag(&win, 0, tag, sizeof tag));
}

UNIT_MAIN()
