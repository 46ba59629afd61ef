/* Address parsers for the command line (net/stack/addr_parse.h). */
#include "net/stack/addr_parse.h"

#include <stddef.h>
#include <string.h>

/* Decimal 0..max with 1..3 digits and no leading zero (so "010" is not
 * mistaken for octal 8 either way); advances *s. */
static bool dec_byte(const char **s, unsigned max, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0, n = 0;
    while (*p >= '0' && *p <= '9' && n < 4) {
        v = v * 10 + (unsigned)(*p++ - '0');
        n++;
    }
    if (n == 0 || n > 3 || v > max || (n > 1 && **s == '0'))
        return false;
    *s = p;
    *out = v;
    return true;
}

bool addr_parse_ip4(const char *s, uint8_t out[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned v;
        if (!dec_byte(&s, 255, &v))
            return false;
        out[i] = (uint8_t)v;
        if (i < 3 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool addr_parse_ip6(const char *s, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    unsigned nhead = 0, ntail = 0;
    bool gap = false;
    if (s[0] == ':') {
        if (s[1] != ':')
            return false;
        gap = true;
        s += 2;
    }
    while (*s != '\0') {
        unsigned v = 0, n = 0;
        int d;
        while ((d = hex_digit(*s)) >= 0 && n < 5) {
            v = v << 4 | (unsigned)d;
            s++;
            n++;
        }
        if (n == 0 || n > 4)
            return false;
        if (nhead + ntail == 8)
            return false;
        if (gap)
            tail[ntail++] = (uint16_t)v;
        else
            head[nhead++] = (uint16_t)v;
        if (*s == '\0')
            break;
        if (*s++ != ':')
            return false;
        if (*s == ':') {
            if (gap)
                return false; /* a second "::" */
            gap = true;
            s++;
            if (*s == '\0')
                break;
        } else if (*s == '\0') {
            return false; /* a trailing single ':' */
        }
    }
    unsigned total = nhead + ntail;
    if ((!gap && total != 8) || (gap && total > 7))
        return false;
    memset(out, 0, 16);
    for (unsigned i = 0; i < nhead; i++) {
        out[2 * i] = (uint8_t)(head[i] >> 8);
        out[2 * i + 1] = (uint8_t)head[i];
    }
    for (unsigned i = 0; i < ntail; i++) {
        unsigned at = 8 - ntail + i;
        out[2 * at] = (uint8_t)(tail[i] >> 8);
        out[2 * at + 1] = (uint8_t)tail[i];
    }
    return true;
}

/* Splits "ADDR/LEN" into addr (copied, NUL-terminated) and the prefix. */
static bool split_prefix(const char *s, char *addr, size_t cap, unsigned *prefix, unsigned max,
                         unsigned def)
{
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= cap)
        return false;
    memcpy(addr, s, n);
    addr[n] = '\0';
    if (slash == NULL) {
        *prefix = def;
        return true;
    }
    const char *p = slash + 1;
    unsigned v;
    if (!dec_byte(&p, max, &v) || *p != '\0')
        return false;
    *prefix = v;
    return true;
}

bool addr_parse_ip4_prefix(const char *s, uint8_t out[4], unsigned *prefix, unsigned def)
{
    char addr[46];
    return split_prefix(s, addr, sizeof addr, prefix, 32, def) && addr_parse_ip4(addr, out);
}

bool addr_parse_ip6_prefix(const char *s, uint8_t out[16], unsigned *prefix, unsigned def)
{
    char addr[46];
    return split_prefix(s, addr, sizeof addr, prefix, 128, def) && addr_parse_ip6(addr, out);
}
