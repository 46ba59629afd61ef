/* The time of day: what the platform says it was when the kernel's
 * monotonic clock read 0, fixed once at boot (core/wallclock.c). CLOCK_REALTIME
 * is this plus time_now_ns(); it does not follow later changes of the
 * host's clock. */
#ifndef CORE_WALLCLOCK_H
#define CORE_WALLCLOCK_H

#include <stdint.h>

struct acpi_info;

/* Tries the platform's clocks in order of precision: kvmclock's wall clock
 * (KVM, Firecracker: nanoseconds), the VMware backdoor's GETTIMEFULL
 * (microseconds), then the CMOS real-time clock (QEMU, PC firmware:
 * seconds) unless the FADT says there is none. Prints the banner's
 * `wallclock:` line, with the source, or says there is none. */
void wallclock_init(const struct acpi_info *acpi);

/* Unix nanoseconds at time_now_ns() == 0, or 0 when no clock said
 * (CLOCK_REALTIME then counts from 1970 at boot, as on a Linux machine
 * without a real-time clock). The system-call layer's CLOCK_REALTIME,
 * gettimeofday and time read it; host tests supply their own. */
uint64_t wallclock_boot_ns(void);

/* A later, better answer: the time of day is now unix_ns (Unix
 * nanoseconds), said by source (Hyper-V's timesync service). Prints the
 * `wallclock:` line again. */
void wallclock_set_now(uint64_t unix_ns, const char *source);

#endif
