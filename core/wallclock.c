/* core/wallclock.h */
#include "core/wallclock.h"

#include <stdbool.h>

#include "arch/x86_64/rtc.h"
#include "core/acpi.h"
#include "core/civil_time.h"
#include "core/log.h"
#include "core/time.h"
#include "hv/hv.h"

#define NSEC_PER_SEC 1000000000ull
#define IAPC_BOOT_ARCH_NO_CMOS_RTC (1u << 5) /* ACPI 6.5, 5.2.9.3 */

static uint64_t boot_ns;

uint64_t wallclock_boot_ns(void)
{
    return boot_ns;
}

/* The CMOS clock counts whole seconds: the time of day it shows began at
 * most a second before it was read. */
static uint64_t rtc_boot_ns(const struct acpi_info *acpi)
{
    if (acpi->have_fadt && (acpi->iapc_boot_arch & IAPC_BOOT_ARCH_NO_CMOS_RTC))
        return 0;
    struct cmos_rtc_raw raw;
    uint64_t now = time_now_ns();
    if (!rtc_read(&raw, acpi->rtc_century_index))
        return 0;
    struct civil_time t;
    const char *why;
    if (!cmos_rtc_decode(&raw, &t, &why)) {
        /* all ones: no clock at those ports (Firecracker) */
        if (raw.second != 0xFF || raw.status_b != 0xFF)
            kprintf("wallclock: CMOS clock ignored: %s\n", why);
        return 0;
    }
    uint64_t wall = (uint64_t)civil_to_unix(&t) * NSEC_PER_SEC;
    return wall > now ? wall - now : 0;
}

static void print_wallclock(const char *source)
{
    struct civil_time t;
    uint64_t now = boot_ns + time_now_ns();
    civil_from_unix(now / NSEC_PER_SEC, &t);
    kprintf("wallclock: %04d-%02d-%02d %02d:%02d:%02d UTC (%s)\n", t.year, t.month, t.day, t.hour,
            t.minute, t.second, source);
}

void wallclock_set_now(uint64_t unix_ns, const char *source)
{
    uint64_t now = time_now_ns();
    if (unix_ns <= now)
        return;
    boot_ns = unix_ns - now;
    print_wallclock(source);
}

void wallclock_init(const struct acpi_info *acpi)
{
    const char *source = "kvmclock";
    boot_ns = kvmclock_wall_boot_ns();
    if (boot_ns == 0) {
        source = "vmport GETTIMEFULL";
        boot_ns = vmware_wall_boot_ns();
    }
    if (boot_ns == 0) {
        source = "CMOS clock";
        boot_ns = rtc_boot_ns(acpi);
    }
    if (boot_ns == 0) {
        kprintf("wallclock: none (the time of day starts at 1970-01-01)\n");
        return;
    }
    print_wallclock(source);
}
