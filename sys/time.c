/* Clocks and sleeping. Every clock counts from the kernel's monotonic clock,
 * time_now_ns() (core/time.h): the monotonic ones (raw, coarse and boot time
 * alike: nothing suspends or slews it) directly, the real-time ones from the
 * wall-clock time at boot (sys/wallclock.h), the CPU-time ones directly too
 * (one CPU, one process: the application has had the CPU since boot, minus
 * halts nobody can tell apart). Sleeping is sleep_ns, the event loop's one
 * way to wait, so device work goes on while the application sleeps. Checks
 * follow Linux 6.1's kernel/time/posix-timers.c, posix-cpu-timers.c,
 * hrtimer.c and time.c. */
#include "core/time.h"
#include "sys/calls.h"
#include "sys/uaccess.h"
#include "core/wallclock.h"

#define NS_PER_SEC 1000000000ull

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t realtime_ns(void)
{
    return add_saturating(wallclock_boot_ns(), time_now_ns());
}

enum clock_kind { CLOCK_NONE, CLOCK_MONO, CLOCK_REAL, CLOCK_CPU_PROCESS, CLOCK_CPU_THREAD };

/* A negative id is a CPU clock (linux_abi.h): of this process (pid 0 or
 * 1, the process or its one thread) or of nothing. */
static enum clock_kind cpu_clock_kind(int clk)
{
    uint32_t pid = ~(uint32_t)clk >> 3;
    if ((clk & LINUX_CPUCLOCK_CLOCK_MASK) >= LINUX_CPUCLOCK_MAX || pid > 1)
        return CLOCK_NONE;
    return (clk & LINUX_CPUCLOCK_PERTHREAD_MASK) ? CLOCK_CPU_THREAD : CLOCK_CPU_PROCESS;
}

/* A clock id is an int (clockid_t): the register is truncated first. */
static enum clock_kind kind_of(int clk)
{
    if (clk < 0)
        return cpu_clock_kind(clk);
    switch (clk) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_REALTIME_COARSE:
        return CLOCK_REAL;
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
        return CLOCK_MONO;
    case LINUX_CLOCK_PROCESS_CPUTIME_ID:
        return CLOCK_CPU_PROCESS;
    case LINUX_CLOCK_THREAD_CPUTIME_ID:
        return CLOCK_CPU_THREAD;
    default:
        return CLOCK_NONE;
    }
}

long sys_clock_now(long clk, uint64_t *ns)
{
    switch (kind_of((int)clk)) {
    case CLOCK_REAL:
        *ns = realtime_ns();
        return 0;
    case CLOCK_MONO:
    case CLOCK_CPU_PROCESS:
    case CLOCK_CPU_THREAD:
        *ns = time_now_ns();
        return 0;
    default:
        return -LINUX_EINVAL;
    }
}

long sys_timespec_ns(long uptr, uint64_t *ns)
{
    struct linux_timespec ts;
    if (!user_read(&ts, uptr, sizeof ts))
        return -LINUX_EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || (uint64_t)ts.tv_nsec >= NS_PER_SEC)
        return -LINUX_EINVAL;
    uint64_t sec = (uint64_t)ts.tv_sec;
    *ns = sec > UINT64_MAX / NS_PER_SEC ? UINT64_MAX
                                        : add_saturating(sec * NS_PER_SEC, (uint64_t)ts.tv_nsec);
    return 0;
}

static bool put_timespec(long uptr, uint64_t ns)
{
    struct linux_timespec ts = {.tv_sec = (int64_t)(ns / NS_PER_SEC),
                                .tv_nsec = (int64_t)(ns % NS_PER_SEC)};
    return user_write(uptr, &ts, sizeof ts);
}

long sys_clock_gettime(const long *a)
{
    uint64_t ns;
    long r = sys_clock_now(a[0], &ns);
    if (r < 0)
        return r;
    return put_timespec(a[1], ns) ? 0 : -LINUX_EFAULT;
}

/* Every clock ticks in nanoseconds; the coarse ones too, being the same
 * clock. res may be NULL. */
long sys_clock_getres(const long *a)
{
    if (kind_of((int)a[0]) == CLOCK_NONE)
        return -LINUX_EINVAL;
    if (a[1] == 0)
        return 0;
    return put_timespec(a[1], 1) ? 0 : -LINUX_EFAULT;
}

long sys_gettimeofday(const long *a)
{
    if (a[0] != 0) {
        uint64_t ns = realtime_ns();
        struct linux_timeval tv = {.tv_sec = (int64_t)(ns / NS_PER_SEC),
                                   .tv_usec = (int64_t)(ns % NS_PER_SEC / 1000)};
        if (!user_write(a[0], &tv, sizeof tv))
            return -LINUX_EFAULT;
    }
    if (a[1] != 0) {
        struct linux_timezone tz = {0, 0}; /* UTC, no daylight saving */
        if (!user_write(a[1], &tz, sizeof tz))
            return -LINUX_EFAULT;
    }
    return 0;
}

long sys_time(const long *a)
{
    int64_t sec = (int64_t)(realtime_ns() / NS_PER_SEC);
    if (a[0] != 0 && !user_write(a[0], &sec, sizeof sec))
        return -LINUX_EFAULT;
    return (long)sec;
}

/* Sleeps are never cut short, so the remaining time, rem, is never
 * written: the one signal that can arrive while the application sleeps,
 * the kernel's SIGTERM when the host asks the VM to shut down
 * (sys_signal_post_kernel), is delivered when the sleep ends. Waits in
 * poll, select and epoll end at once with EINTR. (Cutting sleeps short
 * would cost every image, hello included, about 270 bytes.) */
long sys_nanosleep(const long *a)
{
    uint64_t ns;
    long r = sys_timespec_ns(a[0], &ns);
    if (r < 0)
        return r;
    sleep_ns(ns);
    return 0;
}

long sys_clock_nanosleep(const long *a)
{
    int clk = (int)a[0];
    bool absolute = (uint64_t)a[1] & LINUX_TIMER_ABSTIME;
    enum clock_kind kind = kind_of(clk);
    if (kind == CLOCK_NONE || kind == CLOCK_CPU_THREAD)
        return -LINUX_EINVAL;
    /* Clocks with no sleep in Linux (no nsleep in their k_clock). */
    if (clk == LINUX_CLOCK_MONOTONIC_RAW || clk == LINUX_CLOCK_REALTIME_COARSE ||
        clk == LINUX_CLOCK_MONOTONIC_COARSE)
        return -LINUX_EOPNOTSUPP;
    uint64_t ns;
    long r = sys_timespec_ns(a[2], &ns);
    if (r < 0)
        return r;
    if (absolute) {
        uint64_t now;
        sys_clock_now(clk, &now);
        ns = ns > now ? ns - now : 0;
    }
    if (ns)
        sleep_ns(ns);
    return 0;
}
