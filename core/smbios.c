/* The SMBIOS reader (core/smbios.h). Field offsets are DSP0134's: the
 * 64-bit entry point (section 5.2.2), the 32-bit one (5.2.1), the structure
 * header and its strings (6.1.2, 6.1.3) and the System Enclosure or
 * Chassis structure (7.4). Every address and length comes from firmware
 * and is checked against the window and the table's own length. */
#include "core/smbios.h"

#include <string.h>

#include "core/log.h"
#include "core/unaligned.h"

#define SCAN_START 0xF0000u
#define SCAN_LEN 0x10000u
#define EP3_LEN_MIN 0x18
#define EP2_LEN_MIN 0x1F
#define TABLE_MAX (1u << 20) /* far beyond any real table; bounds the walk */
#define TYPE_CHASSIS 3
#define TYPE_END 127
#define CHASSIS_ASSET_TAG 0x08

static bool checksum_ok(const uint8_t *p, unsigned len)
{
    uint8_t sum = 0;
    for (unsigned i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

/* The table an entry point at addr names: its address and length. */
static bool entry_point(const struct phys_window *w, uint64_t addr, uint64_t *table, uint32_t *len)
{
    const uint8_t *p = phys_ptr(w, addr, EP2_LEN_MIN);
    if (p == NULL)
        return false;
    if (memcmp(p, "_SM3_", 5) == 0) {
        uint8_t n = p[6];
        if (n < EP3_LEN_MIN || phys_ptr(w, addr, n) == NULL || !checksum_ok(p, n))
            return false;
        *table = rd64(p + 0x10);
        *len = rd32(p + 0x0C); /* the table's maximum size */
        return true;
    }
    if (memcmp(p, "_SM_", 4) == 0) {
        uint8_t n = p[5];
        if (n < EP2_LEN_MIN || phys_ptr(w, addr, n) == NULL || !checksum_ok(p, n) ||
            memcmp(p + 0x10, "_DMI_", 5) != 0 || !checksum_ok(p + 0x10, 0x0F))
            return false;
        *table = rd32(p + 0x18);
        *len = rd16(p + 0x16);
        return true;
    }
    return false;
}

static bool find_table(const struct phys_window *w, uint64_t hint, uint64_t *table, uint32_t *len)
{
    if (hint != 0) {
        if (entry_point(w, hint, table, len))
            return true;
        kprintf("smbios: no valid entry point at the firmware's address %#llx\n",
                (unsigned long long)hint);
        return false;
    }
    uint64_t found32 = 0;
    for (uint64_t a = SCAN_START; a < SCAN_START + SCAN_LEN; a += 16) {
        const uint8_t *p = phys_ptr(w, a, 5);
        if (p == NULL)
            break;
        if (p[0] != '_' || p[1] != 'S' || p[2] != 'M')
            continue;
        if (p[3] == '3' && entry_point(w, a, table, len))
            return true;
        if (p[3] == '_' && found32 == 0)
            found32 = a;
    }
    return found32 != 0 && entry_point(w, found32, table, len);
}

/* String number index (1-based) of the structure whose strings start at
 * s, within [s, end): NULL when the set has fewer strings. */
static const char *string_n(const char *s, const char *end, unsigned index)
{
    for (unsigned i = 1; s < end && *s != '\0'; i++) {
        const char *nul = memchr(s, '\0', (size_t)(end - s));
        if (nul == NULL)
            return NULL;
        if (i == index)
            return s;
        s = nul + 1;
    }
    return NULL;
}

bool smbios_chassis_asset_tag(const struct phys_window *w, uint64_t entry_hint, char *out,
                              size_t cap)
{
    uint64_t table;
    uint32_t len;
    if (cap == 0 || !find_table(w, entry_hint, &table, &len))
        return false;
    if (len > TABLE_MAX)
        len = TABLE_MAX;
    const char *t = phys_ptr(w, table, len);
    if (t == NULL || len < 4) {
        kprintf("smbios: structure table at %#llx (%u bytes) lies outside memory\n",
                (unsigned long long)table, len);
        return false;
    }
    const char *end = t + len;
    for (const char *s = t; end - s >= 4;) {
        uint8_t type = (uint8_t)s[0], flen = (uint8_t)s[1];
        if (flen < 4 || flen > end - s) {
            kprintf("smbios: structure of type %u at offset %u has a bad length %u\n", type,
                    (unsigned)(s - t), flen);
            return false;
        }
        const char *strings = s + flen;
        /* The string set ends with two NULs (one pair when there are none). */
        const char *next = strings;
        while (end - next >= 2 && (next[0] != '\0' || next[1] != '\0'))
            next++;
        if (end - next < 2) {
            kprintf("smbios: the strings of the structure of type %u run past the table\n", type);
            return false;
        }
        if (type == TYPE_CHASSIS && flen > CHASSIS_ASSET_TAG) {
            unsigned index = (uint8_t)s[CHASSIS_ASSET_TAG];
            const char *tag = index ? string_n(strings, next + 1, index) : NULL;
            if (tag == NULL)
                return false;
            size_t n = strnlen(tag, cap - 1);
            memcpy(out, tag, n);
            out[n] = '\0';
            return true;
        }
        if (type == TYPE_END)
            break;
        s = next + 2;
    }
    return false;
}
