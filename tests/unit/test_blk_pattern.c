/* apps/devinfo/pattern.c: the disk pattern host tests write and check (the
 * Python side in tests/boot/pattern.py must produce the same bytes). */
#include <stdint.h>

#include "apps/devinfo/devinfo.h"
#include "tests/unit/unit.h"

TEST(unit_layout)
{
    uint8_t b[2 * PATTERN_UNIT];
    pattern_fill(b, 0, 2, 'A');
    CHECK(memcmp(b, "ANYVM-A 0000000\n", 16) == 0);
    CHECK_EQ(b[16], (uint8_t)(16 + 'A'));
    CHECK_EQ(b[511], (uint8_t)((511 + 'A') & 0xff));
    CHECK(memcmp(b + 512, "ANYVM-A 0000001\n", 16) == 0);
    CHECK_EQ(b[512 + 16], (uint8_t)(7 + 16 + 'A'));
    pattern_fill(b, 12345678, 1, 'B'); /* the number is taken mod 10^7 */
    CHECK(memcmp(b, "ANYVM-B 2345678\n", 16) == 0);
    CHECK_EQ(b[300], (uint8_t)((12345678ull * 7 + 300 + 'B') & 0xff));
}

TEST(check_finds_first_difference)
{
    uint8_t b[4 * PATTERN_UNIT];
    pattern_fill(b, 100, 4, 'C');
    CHECK_EQ(pattern_check(b, 100, 4, 'C'), -1);
    CHECK(pattern_check(b, 100, 4, 'D') >= 0);
    CHECK_EQ(pattern_check(b, 101, 1, 'C'), 14); /* "...0000100" vs "...0000101" */
    b[3 * PATTERN_UNIT + 200] ^= 1;
    CHECK_EQ(pattern_check(b, 100, 4, 'C'), 3 * PATTERN_UNIT + 200);
}

UNIT_MAIN()
