/* The kernel's own library (klib/): its formatter against the host C
 * library's printf for every conversion it supports, and its number parser. */
#include <limits.h>
#include <stdint.h>

#include "klib/format.h"
#include "klib/number.h"
#include "tests/unit/unit.h"

/* Formats with both and compares text and return value. */
#define SAME(fmt, ...)                                                                             \
    do {                                                                                           \
        char ours[256], host[256];                                                                 \
        int a = ksnprintf(ours, sizeof ours, fmt, __VA_ARGS__);                                    \
        int b = snprintf(host, sizeof host, fmt, __VA_ARGS__);                                     \
        if (a != b || strcmp(ours, host) != 0)                                                     \
            fprintf(stderr, "format \"%s\": ours \"%s\" (%d), host \"%s\" (%d)\n", fmt, ours, a,   \
                    host, b);                                                                      \
        CHECK(a == b && strcmp(ours, host) == 0);                                                  \
    } while (0)

TEST(integers_as_the_c_library_formats_them)
{
    SAME("%d %i %u", -42, 7, 3000000000u);
    SAME("%x %X %o", 0xbeefu, 0xbeefu, 8u);
    SAME("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42);
    SAME("%.3d|%8.3d|%-8.3x|%#x|%#o|%#X", 7, 7, 0x1fu, 0x1fu, 8u, 0xabu);
    SAME("%ld %lu %lld %llu", LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX);
    SAME("%hhd %hhu %hd %hu", (signed char)-1, (unsigned char)255, (short)-2,
         (unsigned short)65535);
    SAME("%zu %zd %td %jd", (size_t)123, (ssize_t)-5, (ptrdiff_t)-9, (intmax_t)INT64_MIN);
    SAME("%*d|%-*d|%.*d", 6, 1, 6, 2, 4, 3);
    SAME("%.0d|%.0x|%#.0o", 0, 0u, 0u);
}

TEST(characters_strings_and_pointers)
{
    SAME("%c%c|%3c|%-3c|", 'a', 'b', 'c', 'd');
    SAME("%s|%10s|%-10s|%.2s|%%", "anyvm", "right", "left", "cut");
    SAME("%p", (void *)0x1234abcdu);
    char buf[8];
    const char *volatile none = NULL; /* hidden from the compiler's format check */
    CHECK_EQ(ksnprintf(buf, sizeof buf, "%s", none), 6);
    CHECK_STR(buf, "(null)");
}

TEST(truncation_keeps_the_length_and_a_nul)
{
    char buf[8];
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(ksnprintf(buf, sizeof buf, "%s-%d", "abcdefgh", 12), 11);
    CHECK_STR(buf, "abcdefg");
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(ksnprintf(buf, 1, "%d", 12345), 5);
    CHECK_EQ(buf[0], '\0');
    CHECK_EQ(buf[1], 'x');
    CHECK_EQ(ksnprintf(NULL, 0, "%d", 12345), 5);
}

static uint64_t parse(const char *s, int base, size_t *consumed, bool *overflow)
{
    const char *end;
    uint64_t v = kstrtou64(s, &end, base, overflow);
    *consumed = (size_t)(end - s);
    return v;
}

TEST(numbers_in_every_base)
{
    size_t n;
    bool ovf;
    CHECK_EQ(parse("1234", 10, &n, &ovf), 1234u);
    CHECK(n == 4 && !ovf);
    CHECK_EQ(parse("0x1F4", 0, &n, &ovf), 500u);
    CHECK_EQ(n, 5u);
    CHECK_EQ(parse("0X1f4", 16, &n, &ovf), 500u);
    CHECK_EQ(parse("0755", 0, &n, &ovf), 0755u);
    CHECK_EQ(parse("0", 0, &n, &ovf), 0u);
    CHECK_EQ(n, 1u);
    CHECK_EQ(parse("101z", 2, &n, &ovf), 5u);
    CHECK_EQ(n, 3u);
    CHECK_EQ(parse("zz", 36, &n, &ovf), 35u * 36 + 35);
    CHECK_EQ(parse("18446744073709551615", 10, &n, &ovf), UINT64_MAX);
    CHECK(!ovf);
    /* "0x" without a hex digit is the number 0 followed by "x" */
    CHECK_EQ(parse("0xg", 0, &n, &ovf), 0u);
    CHECK_EQ(n, 1u);
}

TEST(no_digits_signs_blanks_and_overflow)
{
    size_t n;
    bool ovf;
    CHECK_EQ(parse("", 10, &n, &ovf), 0u);
    CHECK_EQ(n, 0u);
    CHECK_EQ(parse("-1", 10, &n, &ovf), 0u); /* no sign: a parameter is unsigned */
    CHECK_EQ(n, 0u);
    CHECK_EQ(parse(" 1", 10, &n, &ovf), 0u);
    CHECK_EQ(n, 0u);
    CHECK_EQ(parse("18446744073709551616", 10, &n, &ovf), UINT64_MAX);
    CHECK(ovf && n == 20);
    CHECK_EQ(parse("0x1ffffffffffffffff", 0, &n, &ovf), UINT64_MAX);
    CHECK(ovf);
    CHECK_EQ(parse("12", 1, &n, &ovf), 0u); /* no such base */
    CHECK_EQ(n, 0u);
    CHECK_EQ(parse("12", 37, &n, &ovf), 0u);
}

UNIT_MAIN();
