/* klib/number.h */
#include "klib/number.h"

static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'z')
        return (unsigned)(c - 'a') + 10;
    if (c >= 'A' && c <= 'Z')
        return (unsigned)(c - 'A') + 10;
    return 36; /* no digit in any base */
}

uint64_t kstrtou64(const char *s, const char **end, int base, bool *overflow)
{
    const char *p = s;
    *overflow = false;
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    uint64_t v = 0;
    const char *start = p;
    if (base >= 2 && base <= 36) {
        for (unsigned d; (d = digit_value(*p)) < (unsigned)base; p++) {
            if (v > (UINT64_MAX - d) / (unsigned)base)
                *overflow = true;
            v = *overflow ? UINT64_MAX : v * (unsigned)base + d;
        }
    }
    *end = p == start ? s : p;
    return v;
}
