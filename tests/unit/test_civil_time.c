/* core/civil_time.c: dates to and from Unix seconds, and the CMOS clock's
 * register encodings (MC146818: BCD or binary, 12- or 24-hour). */
#include <stdint.h>
#include <time.h>

#include "core/civil_time.h"
#include "tests/unit/unit.h"

static int64_t to_unix(int y, int mo, int d, int h, int mi, int s)
{
    struct civil_time t = {y, mo, d, h, mi, s};
    return civil_to_unix(&t);
}

TEST(known_dates)
{
    CHECK_EQ(to_unix(1970, 1, 1, 0, 0, 0), 0);
    CHECK_EQ(to_unix(1970, 1, 2, 0, 0, 1), 86401);
    CHECK_EQ(to_unix(2000, 2, 29, 12, 0, 0), 951825600);
    CHECK_EQ(to_unix(2026, 12, 4, 22, 30, 0), 1796423400);
    CHECK_EQ(to_unix(2038, 1, 19, 3, 14, 8), 2147483648ll);
    CHECK_EQ(to_unix(9999, 12, 31, 23, 59, 59), 253402300799ll);
}

TEST(invalid_dates_are_refused)
{
    CHECK_EQ(to_unix(1969, 12, 31, 23, 59, 59), -1);
    CHECK_EQ(to_unix(2023, 2, 29, 0, 0, 0), -1); /* not a leap year */
    CHECK_EQ(to_unix(1900, 2, 29, 0, 0, 0), -1); /* nor 1900 (before 1970 anyway) */
    CHECK_EQ(to_unix(2100, 2, 29, 0, 0, 0), -1); /* divisible by 100 */
    CHECK(to_unix(2400, 2, 29, 0, 0, 0) > 0);    /* but by 400 it is */
    CHECK_EQ(to_unix(2026, 13, 1, 0, 0, 0), -1);
    CHECK_EQ(to_unix(2026, 0, 1, 0, 0, 0), -1);
    CHECK_EQ(to_unix(2026, 4, 31, 0, 0, 0), -1);
    CHECK_EQ(to_unix(2026, 1, 1, 24, 0, 0), -1);
    CHECK_EQ(to_unix(2026, 1, 1, 0, 60, 0), -1);
    CHECK_EQ(to_unix(2026, 1, 1, 0, 0, 60), -1);
    CHECK_EQ(to_unix(10000, 1, 1, 0, 0, 0), -1);
}

/* Both directions against the host C library's gmtime for a day in every
 * ~97 days across four centuries, and every day of the leap years around
 * 2000 and 2100. */
static void round_trip(uint64_t secs)
{
    struct civil_time c;
    civil_from_unix(secs, &c);
    time_t tt = (time_t)secs;
    struct tm g;
    CHECK(gmtime_r(&tt, &g) != NULL);
    CHECK(c.year == g.tm_year + 1900 && c.month == g.tm_mon + 1 && c.day == g.tm_mday);
    CHECK(c.hour == g.tm_hour && c.minute == g.tm_min && c.second == g.tm_sec);
    CHECK_EQ((uint64_t)civil_to_unix(&c), secs);
}

TEST(round_trips_agree_with_gmtime)
{
    for (uint64_t s = 0; s < 253402300799ull; s += 97 * 86400 + 3601)
        round_trip(s);
    for (int64_t d = to_unix(1999, 12, 1, 0, 0, 0); d < to_unix(2001, 3, 1, 0, 0, 0); d += 86400)
        round_trip((uint64_t)d + 43199);
    for (int64_t d = to_unix(2099, 12, 1, 0, 0, 0); d < to_unix(2101, 3, 1, 0, 0, 0); d += 86400)
        round_trip((uint64_t)d);
}

static bool decode(struct cmos_rtc_raw raw, struct civil_time *t, const char **why)
{
    return cmos_rtc_decode(&raw, t, why);
}

TEST(cmos_bcd_24_hour)
{
    struct civil_time t;
    const char *why = NULL;
    /* QEMU's default: BCD, 24-hour (status B 0x02) */
    CHECK(decode((struct cmos_rtc_raw){0x33, 0x32, 0x22, 0x04, 0x12, 0x26, 0x02, false, 0}, &t,
                 &why));
    CHECK(t.year == 2026 && t.month == 12 && t.day == 4);
    CHECK(t.hour == 22 && t.minute == 32 && t.second == 33);
    /* with a century register (FADT CENTURY) */
    CHECK(decode((struct cmos_rtc_raw){0x00, 0x00, 0x00, 0x01, 0x01, 0x99, 0x02, true, 0x19}, &t,
                 &why));
    CHECK_EQ(t.year, 1999);
}

TEST(cmos_binary_and_12_hour)
{
    struct civil_time t;
    const char *why = NULL;
    /* binary, 24-hour (status B 0x06) */
    CHECK(decode((struct cmos_rtc_raw){59, 59, 23, 31, 12, 99, 0x06, true, 20}, &t, &why));
    CHECK(t.year == 2099 && t.hour == 23 && t.second == 59);
    /* BCD, 12-hour: 12 AM is 0, 12 PM is 12, 1 PM is 13 */
    CHECK(decode((struct cmos_rtc_raw){0, 0, 0x12, 1, 1, 0x26, 0x00, false, 0}, &t, &why));
    CHECK_EQ(t.hour, 0);
    CHECK(decode((struct cmos_rtc_raw){0, 0, 0x92, 1, 1, 0x26, 0x00, false, 0}, &t, &why));
    CHECK_EQ(t.hour, 12);
    CHECK(decode((struct cmos_rtc_raw){0, 0, 0x81, 1, 1, 0x26, 0x00, false, 0}, &t, &why));
    CHECK_EQ(t.hour, 13);
    /* binary 12-hour: 11 PM */
    CHECK(decode((struct cmos_rtc_raw){0, 0, 0x80 | 11, 1, 1, 26, 0x04, false, 0}, &t, &why));
    CHECK_EQ(t.hour, 23);
}

TEST(cmos_garbage_is_refused)
{
    struct civil_time t;
    const char *why = NULL;
    /* no clock: every port reads 0xFF */
    CHECK(!decode((struct cmos_rtc_raw){0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, false, 0}, &t,
                  &why));
    CHECK(why != NULL);
    why = NULL;
    CHECK(!decode((struct cmos_rtc_raw){0x1A, 0, 0, 1, 1, 0x26, 0x02, false, 0}, &t, &why));
    CHECK_STR(why, "a register is not BCD");
    CHECK(!decode((struct cmos_rtc_raw){0, 0, 0x00, 1, 1, 0x26, 0x00, false, 0}, &t, &why));
    CHECK_STR(why, "the 12-hour clock reads an hour outside 1-12");
    CHECK(!decode((struct cmos_rtc_raw){0, 0, 0, 0x31, 0x02, 0x26, 0x02, false, 0}, &t, &why));
    CHECK_STR(why, "a field is out of range");
    CHECK(!decode((struct cmos_rtc_raw){0, 0, 0, 1, 1, 0x26, 0x02, true, 0x05}, &t, &why));
    CHECK_STR(why, "the century register is out of range");
    CHECK(!decode((struct cmos_rtc_raw){0, 0, 0, 1, 1, 150, 0x06, false, 0}, &t, &why));
}

UNIT_MAIN();
