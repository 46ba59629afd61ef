/* arch/x86_64/power_policy.c (how the VM ends, anyvm.exit_port) and
 * arch/x86_64/mptable.c (the MP table's OEM ID that names Firecracker). */
#include <stdint.h>
#include <stdlib.h>

#include "arch/x86_64/mptable.h"
#include "arch/x86_64/power_policy.h"
#include "unit.h"

static enum exit_method plan[EXIT_PLAN_MAX];

static unsigned plan_for(uint16_t port, bool s5, bool fc, int status, bool failure)
{
    struct exit_platform p = {port, s5, fc};
    memset(plan, 0xff, sizeof plan);
    return exit_plan(&p, status, failure, plan);
}

TEST(plan_without_anything_halts)
{
    CHECK_EQ(plan_for(0, false, false, 0, false), 1u);
    CHECK_EQ(plan[0], EXIT_METHOD_HALT);
    CHECK_EQ(plan_for(0, false, false, 127, true), 1u);
    CHECK_EQ(plan[0], EXIT_METHOD_HALT);
}

TEST(plan_port_only_when_named)
{
    CHECK_EQ(plan_for(0xf4, true, false, 3, false), 3u);
    CHECK_EQ(plan[0], EXIT_METHOD_PORT);
    CHECK_EQ(plan[1], EXIT_METHOD_ACPI_S5);
    CHECK_EQ(plan[2], EXIT_METHOD_HALT);
    CHECK_EQ(plan_for(0, true, false, 3, false), 2u);
    CHECK_EQ(plan[0], EXIT_METHOD_ACPI_S5);
    CHECK_EQ(plan[1], EXIT_METHOD_HALT);
}

TEST(plan_firecracker_resets_or_triple_faults)
{
    CHECK_EQ(plan_for(0, false, true, 0, false), 1u);
    CHECK_EQ(plan[0], EXIT_METHOD_I8042_RESET);
    CHECK_EQ(plan_for(0, false, true, 3, false), 1u); /* the app failed: exit code 1 */
    CHECK_EQ(plan[0], EXIT_METHOD_TRIPLE_FAULT);
    CHECK_EQ(plan_for(0, true, true, 0, true), 1u); /* a panic; ACPI S5 is never used */
    CHECK_EQ(plan[0], EXIT_METHOD_TRIPLE_FAULT);
    CHECK_EQ(plan_for(0xf4, false, true, 0, false), 2u);
    CHECK_EQ(plan[0], EXIT_METHOD_PORT);
    CHECK_EQ(plan[1], EXIT_METHOD_I8042_RESET);
}

TEST(plan_never_resets_outside_firecracker)
{
    for (int port = 0; port < 2; port++)
        for (int s5 = 0; s5 < 2; s5++)
            for (int failure = 0; failure < 2; failure++) {
                unsigned n = plan_for(port ? 0xf4 : 0, s5, false, failure ? 127 : 0, failure);
                CHECK(n >= 1 && n <= EXIT_PLAN_MAX);
                CHECK_EQ(plan[n - 1], EXIT_METHOD_HALT);
                for (unsigned i = 0; i < n; i++)
                    CHECK(plan[i] != EXIT_METHOD_I8042_RESET &&
                          plan[i] != EXIT_METHOD_TRIPLE_FAULT);
            }
}

TEST(plan_described)
{
    char buf[128];
    struct exit_platform p = {0xf4, true, false};
    exit_plan_describe(&p, buf, sizeof buf);
    CHECK_STR(buf, "port 0xf4, else ACPI S5, else halt");
    p = (struct exit_platform){0, false, false};
    exit_plan_describe(&p, buf, sizeof buf);
    CHECK_STR(buf, "halt");
    p = (struct exit_platform){0, false, true};
    exit_plan_describe(&p, buf, sizeof buf);
    CHECK_STR(buf, "i8042 reset (failure: triple fault)");
    p = (struct exit_platform){0x501, false, true};
    exit_plan_describe(&p, buf, 12);
    CHECK_STR(buf, "port 0x501,");
    CHECK_STR(exit_method_name((enum exit_method)99), "?");
}

TEST(exit_port_values)
{
    static const struct {
        const char *text;
        uint16_t port;
    } good[] = {{"0xf4", 0xf4},     {"0XF4", 0xf4},   {"244", 244},
                {"1", 1},           {"65535", 65535}, {"0xffff", 0xffff},
                {"0x0000f4", 0xf4}, {"000244", 244},  {"0x501", 0x501}};
    char err[128];
    for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint16_t port = 0;
        CHECK_EQ(exit_port_parse(good[i].text, &port, err, sizeof err), 0);
        CHECK_EQ(port, good[i].port);
    }
    static const char *const bad[] = {"0",   "0x0",         "0x",       "65536",     "0x10000",
                                      "f4",  "0xg",         "-1",       " 244",      "244 ",
                                      "1e3", "99999999999", "0x1ffff0", "0x00000f4", "0000244"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint16_t port = 7;
        CHECK_EQ(exit_port_parse(bad[i], &port, err, sizeof err), -1);
        CHECK_EQ(port, 7);
        CHECK(strstr(err, "is not an I/O port number (1-0xffff, decimal or 0x-hex)") != NULL);
    }
    CHECK_EQ(exit_port_parse("", NULL, err, sizeof err), -1);
    CHECK_STR(err, "anyvm.exit_port needs a value: a port number (1-0xffff)");
    CHECK_EQ(exit_port_parse(NULL, NULL, err, sizeof err), -1);
    /* a long value is quoted only in part */
    CHECK_EQ(exit_port_parse("0x1234567890abcdef0123", NULL, err, sizeof err), -1);
    CHECK_STR(err, "anyvm.exit_port=0x1234567890abcd... is not an I/O port number (1-0xffff, "
                   "decimal or 0x-hex)");
    char tiny[4];
    CHECK_EQ(exit_port_parse("x", NULL, tiny, sizeof tiny), -1);
    CHECK_STR(tiny, "any");
}

TEST(exit_port_scan_follows_the_command_line_rules)
{
    uint16_t port = 0;
    const char *line = "console=ttyS0 anyvm.exit_port=0xf4 -- a b";
    CHECK_EQ(exit_port_scan(line, strlen(line) + 1, &port), 0);
    CHECK_EQ(port, 0xf4);
    port = 0;
    CHECK_EQ(exit_port_scan("anyvm.exit_port=0xf4", 64, &port), 0);
    CHECK_EQ(port, 0xf4);
    CHECK_EQ(exit_port_scan("\tanyvm.exit_port=244\n", 64, &port), 0);
    CHECK_EQ(port, 244);
    /* the last occurrence counts, as cmdline_get has it */
    CHECK_EQ(exit_port_scan("anyvm.exit_port=0xf4 anyvm.exit_port=0x501", 64, &port), 0);
    CHECK_EQ(port, 0x501);
    CHECK_EQ(exit_port_scan("anyvm.exit_port=0xf4 anyvm.exit_port=0x10000", 64, &port), -1);
    /* the app's arguments are not parameters */
    CHECK_EQ(exit_port_scan("console=ttyS0 -- anyvm.exit_port=0xf4", 64, &port), -1);
    CHECK_EQ(exit_port_scan("--x anyvm.exit_port=0xf4", 64, &port), 0);
    /* only whole words */
    CHECK_EQ(exit_port_scan("xanyvm.exit_port=0xf4 anyvm.exit_port=0xf4x", 64, &port), -1);
    CHECK_EQ(exit_port_scan("anyvm.exit_port=", 64, &port), -1);
    CHECK_EQ(exit_port_scan("anyvm.exit_port=0x00000000000000f4", 64, &port), -1);
    CHECK_EQ(exit_port_scan("", 64, &port), -1);
    /* max bounds the scan: no NUL needed within it */
    char raw[24];
    memcpy(raw, "anyvm.exit_port=0xf4xxxx", 24);
    CHECK_EQ(exit_port_scan(raw, 20, &port), 0);
    CHECK_EQ(exit_port_scan(raw, 19, &port), 0);
    CHECK_EQ(port, 0xf);
    CHECK_EQ(exit_port_scan(raw, 16, &port), -1);
}

TEST(firecracker_recognised_by_its_oem_ids)
{
    CHECK(platform_is_firecracker("FIRECK", NULL));
    CHECK(platform_is_firecracker(NULL, "FC      "));
    CHECK(platform_is_firecracker("", "FC"));
    CHECK(!platform_is_firecracker("BOCHS ", "BOCHSCPU"));
    CHECK(!platform_is_firecracker("FIRECKX", "FCX     "));
    CHECK(!platform_is_firecracker("FC", NULL)); /* an ACPI OEM ID of "FC" is not Firecracker's */
    CHECK(!platform_is_firecracker(NULL, NULL));
    CHECK(!platform_is_firecracker("", ""));
}

/* ---- MP tables in a stand-in for the first MiB ---- */

#define LOW_MEM 0x100000u
static uint8_t *low;
static struct phys_window lw;

static void low_reset(void)
{
    if (low == NULL)
        low = malloc(LOW_MEM);
    memset(low, 0, LOW_MEM);
    lw.base = (uintptr_t)low;
    lw.size = LOW_MEM;
}

static void fix_checksum(uint8_t *p, unsigned n, unsigned at)
{
    uint8_t sum = 0;
    p[at] = 0;
    for (unsigned i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    p[at] = (uint8_t)-sum;
}

/* What Firecracker's mptable.rs writes at 0x9fc00 (MultiProcessor
 * Specification 1.4, 4.1 and 4.2): the floating pointer, then the table with
 * one processor entry. */
static void put_mptable(uint32_t at, const char oem[8])
{
    uint8_t *mpf = low + at, *mpc = low + at + 16;
    memcpy(mpf, "_MP_", 4);
    uint32_t table = at + 16;
    memcpy(mpf + 4, &table, 4);
    mpf[8] = 1;
    mpf[9] = 4;
    fix_checksum(mpf, 16, 10);
    uint16_t len = 44 + 20;
    memcpy(mpc, "PCMP", 4);
    memcpy(mpc + 4, &len, 2);
    mpc[6] = 4;
    memcpy(mpc + 8, oem, 8);
    memcpy(mpc + 16, "000000000000", 12);
    mpc[44] = 0; /* processor entry */
    mpc[45] = 0;
    mpc[47] = 3;
    fix_checksum(mpc, len, 7);
}

TEST(mptable_firecracker_layout)
{
    low_reset();
    put_mptable(0x9FC00, "FC      ");
    char oem[9];
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), 0); /* Firecracker has no BIOS data area */
    CHECK_STR(oem, "FC      ");
    CHECK(platform_is_firecracker(NULL, oem));
}

TEST(mptable_in_ebda_and_bios_rom)
{
    char oem[9];
    low_reset();
    put_mptable(0x9FC00 - 0x400, "EBDA    ");
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), -1); /* not where the spec says to look */
    CHECK_EQ(mptable_find_oem(&lw, 0x9F800, 0, oem), 0);
    CHECK_STR(oem, "EBDA    ");
    CHECK_EQ(mptable_find_oem(&lw, 0, 0x9FC00, oem), 0); /* base memory ends at 639 KiB */
    low_reset();
    put_mptable(0xF5A40, "BOCHSCPU"); /* SeaBIOS keeps it in the F segment */
    CHECK_EQ(mptable_find_oem(&lw, 0x9FC00, 639 * 1024, oem), 0);
    CHECK_STR(oem, "BOCHSCPU");
    CHECK(!platform_is_firecracker(NULL, oem));
}

TEST(mptable_rejects_bad_tables)
{
    char oem[9];
    low_reset();
    put_mptable(0x9FC00, "FC      ");
    low[0x9FC00 + 10] ^= 1; /* pointer checksum */
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), -1);
    CHECK_STR(oem, "");

    low_reset();
    put_mptable(0x9FC00, "FC      ");
    low[0x9FC10 + 7] ^= 1; /* table checksum */
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), -1);

    low_reset();
    put_mptable(0x9FC00, "FC      ");
    uint32_t far = 0xFFFFFFF0u; /* table outside the window */
    memcpy(low + 0x9FC04, &far, 4);
    fix_checksum(low + 0x9FC00, 16, 10);
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), -1);

    low_reset();
    put_mptable(0x9FC00, "FC      ");
    low[0x9FC08] = 0; /* length 0 */
    fix_checksum(low + 0x9FC00, 16, 10);
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), -1);

    low_reset();
    put_mptable(0x9FC00, "FC      ");
    uint16_t short_len = 40; /* shorter than the header */
    memcpy(low + 0x9FC14, &short_len, 2);
    fix_checksum(low + 0x9FC10, 40, 7);
    CHECK_EQ(mptable_find_oem(&lw, 0, 0, oem), -1);

    /* a window that ends inside the BIOS ROM */
    low_reset();
    struct phys_window half = {lw.base, 0xF8000};
    CHECK_EQ(mptable_find_oem(&half, 0xFFFF0, 0x7FFFFFFF, oem), -1);
}

UNIT_MAIN()
