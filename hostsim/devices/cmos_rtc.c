/* The PC's CMOS real-time clock at I/O ports 0x70 (index; bit 7 masks NMI)
 * and 0x71 (data), as Hyper-V offers it to Gen1 and Gen2 VMs: the time of
 * day, in UTC, from the host's clock. Registers (Motorola MC146818A data
 * sheet): 0x00 seconds, 0x02 minutes, 0x04 hours, 0x06 day of the week,
 * 0x07 day of the month, 0x08 month, 0x09 year, 0x0A status A (bit 7
 * update in progress: never set, the values are computed at each read),
 * 0x0B status B (bit 1 24-hour mode, bit 2 clear: BCD), 0x0D status D (bit
 * 7 valid RAM and time), 0x32 the century (the PC/AT's place for it, which
 * the FADT's CENTURY field names). Writes set the index only; the clock
 * itself is read-only here, as the guest has no business setting the
 * host's time. Other registers read 0. */
#include <time.h>

#include "hostsim/devices/legacy.h"
#include "hostsim/registry.h"

static const struct hostsim_backend cmos_rtc_backend = {
    .name = "cmos-rtc",
    .summary = "the CMOS real-time clock at 0x70/0x71 (hyperv), the host's UTC time in BCD",
};
HOSTSIM_REGISTER_BACKEND(cmos_rtc_backend);

static uint8_t bcd(unsigned v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

uint8_t cmos_rtc_register(const struct cmos_rtc *c, uint8_t reg)
{
    time_t t = c->now ? c->now() : time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return 0;
    unsigned year = (unsigned)tm.tm_year + 1900;
    switch (reg) {
    case 0x00:
        return bcd((unsigned)tm.tm_sec % 60);
    case 0x02:
        return bcd((unsigned)tm.tm_min);
    case 0x04:
        return bcd((unsigned)tm.tm_hour);
    case 0x06:
        return bcd((unsigned)tm.tm_wday + 1);
    case 0x07:
        return bcd((unsigned)tm.tm_mday);
    case 0x08:
        return bcd((unsigned)tm.tm_mon + 1);
    case 0x09:
        return bcd(year % 100);
    case 0x0A:
        return 0x26; /* 32.768 kHz time base, 1024 Hz rate, UIP clear */
    case 0x0B:
        return 0x02; /* 24-hour, BCD */
    case 0x0D:
        return 0x80; /* valid */
    case CMOS_RTC_CENTURY:
        return bcd(year / 100 % 100);
    default:
        return 0;
    }
}

void cmos_rtc_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size)
{
    struct cmos_rtc *c = ctx;
    (void)vcpu;
    for (unsigned i = 0; i < size; i++)
        data[i] = offset + i == 0 ? c->index : cmos_rtc_register(c, c->index & 0x7F);
}

void cmos_rtc_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                    unsigned size)
{
    struct cmos_rtc *c = ctx;
    (void)vcpu;
    if (offset == 0 && size >= 1)
        c->index = data[0];
}

int cmos_rtc_register_ports(struct cmos_rtc *c, struct iobus *pio)
{
    c->index = 0;
    return iobus_add(pio, CMOS_RTC_BASE, CMOS_RTC_PORTS, "CMOS RTC", cmos_rtc_read, cmos_rtc_write,
                     c);
}
