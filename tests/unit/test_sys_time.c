/* sys/time.c through __anyvm_syscall on the fake clock
 * (tests/unit/host_platform.h: time moves only when the code under test
 * waits, to the deadline it armed): every clock id, the wall-clock base,
 * sleeping through the event loop (a timer callback runs during the sleep),
 * absolute sleeps, and invalid clocks, timespecs and pointers. */
#include "core/time.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define SEC 1000000000ull

static uint64_t ns_of(struct linux_timespec ts)
{
    return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static long read_clock(long clk, uint64_t *ns)
{
    struct linux_timespec ts = {-1, -1};
    long r = SC(LINUX_NR_clock_gettime, clk, &ts);
    *ns = ns_of(ts);
    return r;
}

/* musl's encodings (src/time/clock_getcpuclockid.c,
 * src/thread/pthread_getcpuclockid.c): (-pid-1)*8+2, (-tid-1)*8+6. */
#define PROCESS_CLOCK(pid) ((-(long)(pid)-1) * 8 + 2)
#define THREAD_CLOCK(tid) ((-(long)(tid)-1) * 8 + 6)

TEST(monotonic_and_cpu_clocks_read_the_kernel_clock)
{
    host_sys_reset(0);
    host_now_ns = 5 * SEC + 123;
    long ids[] = {LINUX_CLOCK_MONOTONIC,
                  LINUX_CLOCK_MONOTONIC_RAW,
                  LINUX_CLOCK_MONOTONIC_COARSE,
                  LINUX_CLOCK_BOOTTIME,
                  LINUX_CLOCK_PROCESS_CPUTIME_ID,
                  LINUX_CLOCK_THREAD_CPUTIME_ID,
                  PROCESS_CLOCK(0),
                  PROCESS_CLOCK(1),
                  THREAD_CLOCK(1),
                  THREAD_CLOCK(0),
                  (1l << 32) | LINUX_CLOCK_MONOTONIC /* clockid_t is an int */};
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint64_t ns;
        CHECK_EQ(read_clock(ids[i], &ns), 0);
        CHECK_EQ(ns, 5 * SEC + 123);
    }
}

TEST(real_time_is_the_wall_clock_at_boot_plus_the_kernel_clock)
{
    host_sys_reset(0);
    host_now_ns = 2 * SEC + 500;
    uint64_t ns;
    CHECK_EQ(read_clock(LINUX_CLOCK_REALTIME, &ns), 0);
    CHECK_EQ(ns, 2 * SEC + 500); /* unknown wall clock: 1970 at boot */
    host_wallclock_ns = 1700000000 * SEC + 999999999;
    CHECK_EQ(read_clock(LINUX_CLOCK_REALTIME, &ns), 0);
    CHECK_EQ(ns, 1700000003 * SEC + 499);
    CHECK_EQ(read_clock(LINUX_CLOCK_REALTIME_COARSE, &ns), 0);
    CHECK_EQ(ns, 1700000003 * SEC + 499);
    /* gettimeofday and time agree, in their units. */
    struct linux_timeval tv;
    struct linux_timezone tz = {5, 5};
    CHECK_EQ(SC(LINUX_NR_gettimeofday, &tv, &tz), 0);
    CHECK_EQ(tv.tv_sec, 1700000003);
    CHECK_EQ(tv.tv_usec, 0);
    CHECK(tz.tz_minuteswest == 0 && tz.tz_dsttime == 0);
    CHECK_EQ(SC(LINUX_NR_gettimeofday, NULL, NULL), 0);
    int64_t t = 0;
    CHECK_EQ(SC(LINUX_NR_time, &t), 1700000003);
    CHECK_EQ(t, 1700000003);
    CHECK_EQ(SC(LINUX_NR_time, NULL), 1700000003);
    /* A wall clock that would overflow saturates rather than wraps. */
    host_wallclock_ns = UINT64_MAX - 10;
    CHECK_EQ(read_clock(LINUX_CLOCK_REALTIME, &ns), 0);
    CHECK_EQ(ns, UINT64_MAX);
}

TEST(unknown_clocks_and_bad_pointers)
{
    host_sys_reset(0);
    struct linux_timespec ts;
    long bad[] = {8, 9, 10, 11, 12, 100, -1, PROCESS_CLOCK(2), THREAD_CLOCK(7), INT32_MIN};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(SC(LINUX_NR_clock_gettime, bad[i], &ts), -LINUX_EINVAL);
        CHECK_EQ(SC(LINUX_NR_clock_getres, bad[i], &ts), -LINUX_EINVAL);
        CHECK_EQ(SC(LINUX_NR_clock_nanosleep, bad[i], 0, &ts, NULL), -LINUX_EINVAL);
    }
    CHECK_EQ(SC(LINUX_NR_clock_gettime, LINUX_CLOCK_MONOTONIC, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_clock_gettime, LINUX_CLOCK_MONOTONIC, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_clock_getres, LINUX_CLOCK_MONOTONIC, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_gettimeofday, 16, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_gettimeofday, NULL, -8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_time, 1), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_nanosleep, NULL, NULL), -LINUX_EFAULT);
}

TEST(every_clock_ticks_in_nanoseconds)
{
    host_sys_reset(0);
    struct linux_timespec res = {9, 9};
    CHECK_EQ(SC(LINUX_NR_clock_getres, LINUX_CLOCK_REALTIME_COARSE, &res), 0);
    CHECK(res.tv_sec == 0 && res.tv_nsec == 1);
    CHECK_EQ(SC(LINUX_NR_clock_getres, LINUX_CLOCK_MONOTONIC, NULL), 0);
}

static unsigned fired;
static uint64_t fired_at;
static void on_timer(struct timer *t)
{
    (void)t;
    fired++;
    fired_at = time_now_ns();
}

TEST(nanosleep_waits_in_the_event_loop)
{
    host_sys_reset(0);
    host_now_ns = 1000;
    static struct timer t = {.fn = on_timer};
    fired = 0;
    timer_arm(&t, 1000 + 3000000); /* device work due during the sleep */
    struct linux_timespec ts = {0, 10000000};
    CHECK_EQ(SC(LINUX_NR_nanosleep, &ts, NULL), 0);
    CHECK_EQ(fired, 1u);
    CHECK_EQ(fired_at, 1000 + 3000000u);
    CHECK(time_now_ns() >= 1000 + 10000000u);
    CHECK(host_idles >= 2);
    uint64_t before = time_now_ns();
    ts = (struct linux_timespec){0, 0};
    CHECK_EQ(SC(LINUX_NR_nanosleep, &ts, NULL), 0);
    CHECK_EQ(time_now_ns(), before);
}

TEST(invalid_timespecs_are_einval)
{
    host_sys_reset(0);
    struct linux_timespec bad[] = {{0, -1}, {0, 1000000000}, {-1, 0}, {0, INT64_MAX}};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(SC(LINUX_NR_nanosleep, &bad[i], NULL), -LINUX_EINVAL);
        CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_MONOTONIC, 0, &bad[i], NULL),
                 -LINUX_EINVAL);
        CHECK_EQ(
            SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_REALTIME, LINUX_TIMER_ABSTIME, &bad[i], NULL),
            -LINUX_EINVAL);
    }
    CHECK_EQ(host_now_ns, 0u);
}

TEST(clock_nanosleep_relative_and_absolute)
{
    host_sys_reset(0);
    host_now_ns = 10 * SEC;
    struct linux_timespec rel = {1, 0};
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_MONOTONIC, 0, &rel, NULL), 0);
    CHECK_EQ(host_now_ns, 11 * SEC);
    struct linux_timespec abs = {12, 500};
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_MONOTONIC, LINUX_TIMER_ABSTIME, &abs, NULL),
             0);
    CHECK_EQ(host_now_ns, 12 * SEC + 500);
    /* An absolute time already past returns at once. */
    unsigned idles = host_idles;
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_BOOTTIME, LINUX_TIMER_ABSTIME, &abs, NULL),
             0);
    CHECK_EQ(host_idles, idles);
    CHECK_EQ(host_now_ns, 12 * SEC + 500);
    /* Absolute real time goes through the wall clock. */
    host_wallclock_ns = 1000 * SEC;
    abs = (struct linux_timespec){1013, 0};
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_REALTIME, LINUX_TIMER_ABSTIME, &abs, NULL),
             0);
    CHECK_EQ(host_now_ns, 13 * SEC);
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_PROCESS_CPUTIME_ID, 0, &rel, NULL), 0);
    CHECK_EQ(host_now_ns, 14 * SEC);
}

TEST(clock_nanosleep_refusals_in_linuxs_order)
{
    host_sys_reset(0);
    struct linux_timespec ts = {0, 1};
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, THREAD_CLOCK(1), 0, &ts, NULL), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_MONOTONIC_RAW, 0, &ts, NULL),
             -LINUX_EOPNOTSUPP);
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_MONOTONIC_COARSE, 0, NULL, NULL),
             -LINUX_EOPNOTSUPP);
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_REALTIME_COARSE, 0, &ts, NULL),
             -LINUX_EOPNOTSUPP);
    CHECK_EQ(SC(LINUX_NR_clock_nanosleep, LINUX_CLOCK_MONOTONIC, 0, NULL, NULL), -LINUX_EFAULT);
    CHECK_EQ(host_now_ns, 0u);
}

TEST(a_sleep_past_the_end_of_the_clock_saturates)
{
    host_sys_reset(0);
    host_now_ns = 5;
    struct linux_timespec forever = {INT64_MAX, 999999999};
    CHECK_EQ(SC(LINUX_NR_nanosleep, &forever, NULL), 0);
    CHECK_EQ(host_now_ns, UINT64_MAX);
}

UNIT_MAIN()
