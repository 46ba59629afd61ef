/* hostsim's CMOS real-time clock (hostsim/devices/cmos_rtc.c) read through
 * its ports as the kernel reads it, and decoded by the kernel's own decoder
 * (core/civil_time.c cmos_rtc_decode): the same instant comes back, in BCD
 * and 24-hour mode, at the turn of a day, a leap day and a century. */
#include <time.h>

#include "core/civil_time.h"
#include "hostsim/devices/legacy.h"
#include "unit.h"

static time_t fixed;
static time_t fixed_now(void)
{
    return fixed;
}

static int index_mismatches;
static uint8_t port_read(struct cmos_rtc *c, uint8_t reg)
{
    uint8_t idx = 0x80 | reg, v = 0; /* NMI masked, as the kernel writes it */
    cmos_rtc_write(c, NULL, 0, &idx, 1);
    cmos_rtc_read(c, NULL, 0, &v, 1);
    index_mismatches += v != idx; /* the index reads back */
    cmos_rtc_read(c, NULL, 1, &v, 1);
    return v;
}

static void round_trip(time_t t)
{
    struct cmos_rtc c = {.now = fixed_now};
    fixed = t;
    struct cmos_rtc_raw raw = {
        .second = port_read(&c, 0x00),
        .minute = port_read(&c, 0x02),
        .hour = port_read(&c, 0x04),
        .day = port_read(&c, 0x07),
        .month = port_read(&c, 0x08),
        .year = port_read(&c, 0x09),
        .status_b = port_read(&c, 0x0B),
        .have_century = true,
        .century = port_read(&c, CMOS_RTC_CENTURY),
    };
    CHECK_EQ(port_read(&c, 0x0A) & 0x80, 0); /* never "update in progress" */
    CHECK_EQ(index_mismatches, 0);
    struct civil_time ct;
    const char *why = "";
    CHECK(cmos_rtc_decode(&raw, &ct, &why));
    struct tm tm;
    gmtime_r(&t, &tm);
    CHECK_EQ(ct.year, tm.tm_year + 1900);
    CHECK_EQ(ct.month, tm.tm_mon + 1);
    CHECK_EQ(ct.day, tm.tm_mday);
    CHECK_EQ(ct.hour, tm.tm_hour);
    CHECK_EQ(ct.minute, tm.tm_min);
    CHECK_EQ(ct.second, tm.tm_sec);
}

TEST(the_kernel_decodes_what_hostsim_encodes)
{
    round_trip(1796515198); /* 2026-12-05 23:59:58 */
    round_trip(1709251199); /* 2024-02-29 23:59:59, a leap day */
    round_trip(4102444799); /* 2099-12-31 23:59:59 */
    round_trip(4102444800); /* 2100-01-01 00:00:00: the century register moves */
    round_trip(0);
}

TEST(bcd_and_24_hour_mode)
{
    struct cmos_rtc c = {.now = fixed_now};
    fixed = 1796515198; /* 23:59:58 */
    CHECK_EQ(cmos_rtc_register(&c, 0x04), 0x23);
    CHECK_EQ(cmos_rtc_register(&c, 0x0B), 0x02);
    CHECK_EQ(cmos_rtc_register(&c, 0x09), 0x26);
    CHECK_EQ(cmos_rtc_register(&c, CMOS_RTC_CENTURY), 0x20);
    CHECK_EQ(cmos_rtc_register(&c, 0x0E), 0); /* CMOS RAM: nothing kept */
}

UNIT_MAIN()
