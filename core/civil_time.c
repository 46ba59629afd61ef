/* core/civil_time.h */
#include "core/civil_time.h"

#include <stddef.h>

#define SECONDS_PER_DAY 86400
#define DAYS_PER_400_YEARS 146097 /* 400 * 365 + 97 leap days */
#define RTC_STATUS_B_BINARY 0x04  /* MC146818 data sheet, register B bit 2 (DM) */
#define RTC_STATUS_B_24H 0x02     /* register B bit 1 (24/12) */
#define RTC_HOUR_PM 0x80

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d, by the shifted-year method (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms"): counting years from March
 * makes February, with its leap day, the year's last month, so a day's
 * number in the year depends on the month alone (153 days in every 5
 * months from March), and whole 400-year eras carry the leap rule. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = yy / 400; /* y >= 1970: never negative */
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * DAYS_PER_400_YEARS + doe - 719468; /* 719468: 0000-03-01 to 1970-01-01 */
}

int64_t civil_to_unix(const struct civil_time *t)
{
    if (t->year < 1970 || t->year > 9999 || t->month < 1 || t->month > 12 || t->day < 1 ||
        t->day > days_in_month(t->year, t->month) || t->hour < 0 || t->hour > 23 || t->minute < 0 ||
        t->minute > 59 || t->second < 0 || t->second > 59)
        return -1;
    return days_from_civil(t->year, t->month, t->day) * SECONDS_PER_DAY + t->hour * 3600 +
           t->minute * 60 + t->second;
}

void civil_from_unix(uint64_t seconds, struct civil_time *out)
{
    int64_t days = (int64_t)(seconds / SECONDS_PER_DAY) + 719468;
    uint64_t rem = seconds % SECONDS_PER_DAY;
    int64_t era = days / DAYS_PER_400_YEARS;
    int64_t doe = days - era * DAYS_PER_400_YEARS;
    /* the year of the era: the day less the leap days before it (one per
     * 1460 days, none per 36524, one per 146096), in years of 365 days */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->year = (int)(yoe + era * 400 + (out->month <= 2));
    out->hour = (int)(rem / 3600);
    out->minute = (int)(rem / 60 % 60);
    out->second = (int)(rem % 60);
}

/* A BCD byte's value, or -1 when a nibble is not a decimal digit. */
static int from_bcd(uint8_t v)
{
    if ((v & 0x0F) > 9 || (v >> 4) > 9)
        return -1;
    return (v >> 4) * 10 + (v & 0x0F);
}

bool cmos_rtc_decode(const struct cmos_rtc_raw *raw, struct civil_time *out, const char **why)
{
    bool binary = raw->status_b & RTC_STATUS_B_BINARY;
    bool h24 = raw->status_b & RTC_STATUS_B_24H;
    bool pm = !h24 && (raw->hour & RTC_HOUR_PM);
    uint8_t fields[6] = {raw->second, raw->minute, (uint8_t)(h24 ? raw->hour : raw->hour & 0x7F),
                         raw->day,    raw->month,  raw->year};
    int v[6];
    for (size_t i = 0; i < 6; i++) {
        v[i] = binary ? fields[i] : from_bcd(fields[i]);
        if (v[i] < 0) {
            *why = "a register is not BCD";
            return false;
        }
    }
    int century = 20;
    if (raw->have_century) {
        century = binary ? raw->century : from_bcd(raw->century);
        if (century < 19 || century > 99) {
            *why = "the century register is out of range";
            return false;
        }
    }
    int hour = v[2];
    if (!h24) {
        if (hour < 1 || hour > 12) {
            *why = "the 12-hour clock reads an hour outside 1-12";
            return false;
        }
        hour = hour % 12 + (pm ? 12 : 0);
    }
    *out = (struct civil_time){century * 100 + v[5], v[4], v[3], hour, v[1], v[0]};
    if (v[5] > 99 || civil_to_unix(out) < 0) {
        *why = "a field is out of range";
        return false;
    }
    return true;
}
