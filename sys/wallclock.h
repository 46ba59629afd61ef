/* The wall clock the system-call layer reports (CLOCK_REALTIME,
 * gettimeofday, time). Provided outside sys/: by the kernel (from whatever
 * the platform offers: an RTC, a hypervisor's wall clock, the command line)
 * and by the host tests. */
#ifndef SYS_WALLCLOCK_H
#define SYS_WALLCLOCK_H

#include <stdint.h>

/* Unix time in nanoseconds at the moment time_now_ns() read 0, or 0 when
 * the wall clock is unknown (CLOCK_REALTIME then counts from 1970 at boot,
 * as on a Linux machine without a real-time clock). */
uint64_t wallclock_boot_ns(void);

#endif
