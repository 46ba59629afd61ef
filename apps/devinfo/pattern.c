/* The disk pattern the host tests write and check (tests/boot/pattern.py
 * generates the same bytes). The disk is seen as 512-byte units i = 0, 1, ...
 * from its start, whatever the device's sector size; tag is one character
 * ('A', 'B', ...). Byte j of unit i:
 *   j < 16:  the text "ANYVM-<tag> <i as 7 decimal digits, mod 10^7>\n",
 *            e.g. "ANYVM-A 0000000\n" for unit 0 (readable in a hex dump);
 *   j >= 16: (i * 7 + j + tag) & 0xff.
 * Pure: no hardware access, tested by tests/unit/test_blk_pattern.c. */
#include <string.h>

#include "devinfo.h"

static void unit_fill(uint8_t *u, uint64_t i, char tag)
{
    memcpy(u, "ANYVM-", 6);
    u[6] = (uint8_t)tag;
    u[7] = ' ';
    uint64_t v = i % 10000000u;
    for (int k = 14; k >= 8; k--) {
        u[k] = (uint8_t)('0' + v % 10);
        v /= 10;
    }
    u[15] = '\n';
    for (unsigned j = 16; j < PATTERN_UNIT; j++)
        u[j] = (uint8_t)((i * 7 + j + (uint8_t)tag) & 0xff);
}

void pattern_fill(uint8_t *buf, uint64_t first_unit, size_t units, char tag)
{
    for (size_t k = 0; k < units; k++)
        unit_fill(buf + k * PATTERN_UNIT, first_unit + k, tag);
}

long pattern_check(const uint8_t *buf, uint64_t first_unit, size_t units, char tag)
{
    uint8_t expect[PATTERN_UNIT];
    for (size_t k = 0; k < units; k++) {
        unit_fill(expect, first_unit + k, tag);
        const uint8_t *got = buf + k * PATTERN_UNIT;
        if (memcmp(got, expect, PATTERN_UNIT) != 0)
            for (size_t j = 0; j < PATTERN_UNIT; j++)
                if (got[j] != expect[j])
                    return (long)(k * PATTERN_UNIT + j);
    }
    return -1;
}
