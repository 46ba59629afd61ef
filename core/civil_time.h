/* Calendar time: a date and time of day in UTC, to and from seconds since
 * 1970-01-01T00:00:00Z (POSIX, no leap seconds; proleptic Gregorian
 * calendar), and the decoding of a CMOS real-time clock's registers. Pure
 * logic. */
#ifndef CORE_CIVIL_TIME_H
#define CORE_CIVIL_TIME_H

#include <stdbool.h>
#include <stdint.h>

struct civil_time {
    int year;   /* e.g. 2026 */
    int month;  /* 1-12 */
    int day;    /* 1-31 */
    int hour;   /* 0-23 */
    int minute; /* 0-59 */
    int second; /* 0-59 */
};

/* Seconds since the epoch, or -1 when t is not a valid date from 1970 to
 * 9999 (month lengths and leap years checked). */
int64_t civil_to_unix(const struct civil_time *t);
void civil_from_unix(uint64_t seconds, struct civil_time *out);

/* The MC146818-style CMOS clock's registers as read (seconds 0x00, minutes
 * 0x02, hours 0x04, day 0x07, month 0x08, year 0x09, status B 0x0B, and the
 * century register when the FADT names one). */
struct cmos_rtc_raw {
    uint8_t second, minute, hour, day, month, year, status_b;
    bool have_century;
    uint8_t century;
};

/* Decodes raw: BCD or binary (status B bit 2), 24- or 12-hour (bit 1; in
 * 12-hour mode bit 7 of the hour means PM), the century from its register
 * or, without one, 2000-2099. Returns false with *why set when a field is
 * out of range (a machine without the clock reads 0xFF everywhere). */
bool cmos_rtc_decode(const struct cmos_rtc_raw *raw, struct civil_time *out, const char **why);

#endif
