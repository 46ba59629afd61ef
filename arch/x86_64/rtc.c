/* The CMOS real-time clock (MC146818, as PC firmware and QEMU's pc, q35 and
 * microvm machines emulate it at I/O ports 0x70/0x71). Its registers change
 * once a second; reading them while the update runs can mix two seconds, so
 * they are read until two passes with the update-in-progress flag clear
 * agree (MC146818 data sheet, register A bit 7 UIP). Firecracker has no such
 * clock: its ports read 0xFF, which cmos_rtc_decode refuses. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/rtc.h"
#include "core/time.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80 /* bit 7 of the index masks NMI while we read */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0A
#define RTC_STATUS_B 0x0B
#define RTC_UIP 0x80
#define RTC_TRIES 8
#define RTC_UPDATE_NS 3000000 /* an update lasts under 2 ms (data sheet, tUC) */
#define RTC_ABSENT 0xFF       /* what reads of a port nobody decodes return */

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
    return inb(CMOS_DATA);
}

static bool read_once(struct cmos_rtc_raw *r, uint8_t century_index)
{
    uint64_t deadline = time_now_ns() + RTC_UPDATE_NS;
    for (uint8_t a; (a = cmos_read(RTC_STATUS_A)) & RTC_UIP;)
        if (a == RTC_ABSENT || time_now_ns() > deadline)
            return false;
    r->second = cmos_read(RTC_SECONDS);
    r->minute = cmos_read(RTC_MINUTES);
    r->hour = cmos_read(RTC_HOURS);
    r->day = cmos_read(RTC_DAY);
    r->month = cmos_read(RTC_MONTH);
    r->year = cmos_read(RTC_YEAR);
    r->status_b = cmos_read(RTC_STATUS_B);
    r->have_century = century_index != 0;
    r->century = century_index != 0 ? cmos_read(century_index) : 0;
    return true;
}

bool rtc_read(struct cmos_rtc_raw *out, uint8_t century_index)
{
    struct cmos_rtc_raw a, b;
    for (int i = 0; i < RTC_TRIES; i++) {
        if (!read_once(&a, century_index) || !read_once(&b, century_index))
            return false;
        if (a.second == b.second && a.minute == b.minute && a.hour == b.hour && a.day == b.day &&
            a.month == b.month && a.year == b.year && a.century == b.century) {
            *out = b;
            return true;
        }
    }
    return false;
}
