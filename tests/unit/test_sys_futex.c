/* sys/futex.c through __anyvm_syscall on the fake CPU: a wait whose value
 * matches waits in the event loop, so work and timer callbacks run meanwhile
 * and can wake it (the only other code that runs with one thread); timeouts
 * relative and absolute, bitsets, requeueing, nested waits, and every
 * refusal. */
#include "core/event.h"
#include "core/time.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define MS 1000000ull
#define PRIV LINUX_FUTEX_PRIVATE_FLAG

static _Alignas(8) uint32_t word, other;

static void fresh(void)
{
    host_sys_reset(0);
    word = other = 0;
}

/* A timer callback that wakes `word` (or does what wake_op says). */
static long wake_result = -1;
static long (*wake_op)(void);
static long wake_word(void)
{
    return SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE | PRIV, 1);
}
static void on_timer(struct timer *t)
{
    (void)t;
    wake_result = wake_op();
}
static struct timer waker = {.fn = on_timer};

static void wake_at(uint64_t when, long (*op)(void))
{
    wake_result = -1;
    wake_op = op;
    timer_arm(&waker, when);
}

TEST(wake_with_nobody_waiting_wakes_nobody)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE, 1), 0);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE | PRIV, INT32_MAX), 0);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE_BITSET, 1, 0, 0, 1), 0);
}

TEST(a_wait_on_a_changed_value_returns_eagain_at_once)
{
    fresh();
    word = 7;
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT | PRIV, 6, NULL), -LINUX_EAGAIN);
    CHECK_EQ(host_idles, 0u);
}

TEST(refusals_in_linuxs_order)
{
    fresh();
    struct linux_timespec bad_ts = {0, -1}, ts = {1, 0};
    uint8_t *bytes = (uint8_t *)&word;
    CHECK_EQ(SC(LINUX_NR_futex, bytes + 1, LINUX_FUTEX_WAIT, 0, NULL), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_futex, bytes + 2, LINUX_FUTEX_WAKE, 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_futex, NULL, LINUX_FUTEX_WAIT, 0, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_futex, 0x1000 - 4, LINUX_FUTEX_WAKE, 1), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, &bad_ts), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT_BITSET, 0, &ts, 0, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE_BITSET, 1, 0, 0, 0), -LINUX_EINVAL);
    /* FUTEX_CLOCK_REALTIME only with FUTEX_WAIT_BITSET (and the PI waits). */
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT | LINUX_FUTEX_CLOCK_REALTIME, 0, &ts),
             -LINUX_ENOSYS);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE | LINUX_FUTEX_CLOCK_REALTIME, 1),
             -LINUX_ENOSYS);
    int unserved[] = {2 /* FD */, 5 /* WAKE_OP */, 6 /* LOCK_PI */, 7, 8, 11, 12, 13, 14, 99};
    for (unsigned i = 0; i < sizeof unserved / sizeof unserved[0]; i++)
        CHECK_EQ(SC(LINUX_NR_futex, &word, unserved[i], 0, NULL, &other, 0), -LINUX_ENOSYS);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_REQUEUE, -1, 1, &other), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_REQUEUE, 1, -1, &other), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_CMP_REQUEUE, 1, 1, NULL, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_CMP_REQUEUE, 1, 1, &other, 5), -LINUX_EAGAIN);
    CHECK_EQ(host_idles, 0u);
}

TEST(a_wait_nobody_wakes_times_out_at_its_deadline)
{
    fresh();
    host_now_ns = 100;
    struct linux_timespec ts = {0, 5 * MS};
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT | PRIV, 0, &ts), -LINUX_ETIMEDOUT);
    CHECK_EQ(host_now_ns, 100 + 5 * MS);
    CHECK(host_idles >= 1); /* the CPU halted, it did not spin */
}

TEST(a_timer_callback_wakes_the_waiter)
{
    fresh();
    struct linux_timespec ts = {1, 0};
    wake_at(2 * MS, wake_word);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT | PRIV, 0, &ts), 0);
    CHECK_EQ(wake_result, 1);
    CHECK_EQ(host_now_ns, 2 * MS);
    /* Without a timeout too, said once on the console. */
    wake_at(3 * MS, wake_word);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, NULL), 0);
    CHECK(LOG_CONTAINS("sys: futex wait with no timeout and no other thread"));
    wake_at(4 * MS, wake_word);
    unit_log_clear();
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, NULL), 0);
    CHECK(!LOG_CONTAINS("futex"));
}

/* On the fake clock an untimed wait nobody wakes reaches the clock's end. */
TEST(an_untimed_wait_nobody_wakes_lasts_until_the_clock_ends)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, NULL), -LINUX_ETIMEDOUT);
    CHECK_EQ(host_now_ns, UINT64_MAX);
}

static long wake_bit2(void)
{
    return SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE_BITSET, 1, 0, 0, 2);
}
static long wake_bit1(void)
{
    return SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE_BITSET, 1, 0, 0, 1);
}

TEST(bitsets_choose_whom_a_wake_reaches)
{
    fresh();
    host_now_ns = 10 * MS;
    struct linux_timespec abs = {0, 20 * MS}; /* absolute, monotonic */
    wake_at(12 * MS, wake_bit2);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT_BITSET, 0, &abs, 0, 1), -LINUX_ETIMEDOUT);
    CHECK_EQ(wake_result, 0);
    CHECK_EQ(host_now_ns, 20 * MS);
    abs.tv_nsec = 30 * MS;
    wake_at(25 * MS, wake_bit1);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT_BITSET, 0, &abs, 0, 3), 0);
    CHECK_EQ(wake_result, 1);
    /* An absolute time already past times out at once. */
    abs.tv_nsec = 1;
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT_BITSET, 0, &abs, 0, 1), -LINUX_ETIMEDOUT);
    CHECK_EQ(host_now_ns, 25 * MS);
}

TEST(absolute_real_time_goes_through_the_wall_clock)
{
    fresh();
    host_wallclock_ns = 1000000000ull * 1000;
    struct linux_timespec abs = {1000, 7 * MS};
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT_BITSET | LINUX_FUTEX_CLOCK_REALTIME, 0,
                &abs, 0, LINUX_FUTEX_BITSET_MATCH_ANY),
             -LINUX_ETIMEDOUT);
    CHECK_EQ(host_now_ns, 7 * MS);
}

static long requeue_then_check(void)
{
    /* The waiter moves from word to other; a wake on word finds nobody. */
    long moved = SC(LINUX_NR_futex, &word, LINUX_FUTEX_CMP_REQUEUE | PRIV, 0, 1, &other, 0);
    long on_word = SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE | PRIV, 1);
    long on_other = SC(LINUX_NR_futex, &other, LINUX_FUTEX_WAKE | PRIV, 1);
    return moved * 100 + on_word * 10 + on_other;
}

TEST(requeue_moves_a_waiter_to_another_word)
{
    fresh();
    struct linux_timespec ts = {1, 0};
    wake_at(MS, requeue_then_check);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT | PRIV, 0, &ts), 0);
    CHECK_EQ(wake_result, 101);
}

static long requeue_wakes_first(void)
{
    return SC(LINUX_NR_futex, &word, LINUX_FUTEX_REQUEUE, 1, 0, &other);
}

TEST(requeue_wakes_up_to_its_count_first)
{
    fresh();
    struct linux_timespec ts = {1, 0};
    wake_at(MS, requeue_wakes_first);
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, &ts), 0);
    CHECK_EQ(wake_result, 1);
}

/* Work that runs during a wait may wait in turn (on another word, with a
 * timeout), then wake the outer waiter. */
static long inner_result = -1, inner_wake = -1;
static void nested(struct work *w)
{
    (void)w;
    struct linux_timespec ts = {0, MS};
    inner_result = SC(LINUX_NR_futex, &other, LINUX_FUTEX_WAIT, 0, &ts);
    inner_wake = SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAKE, INT32_MAX);
}
static struct work nested_work = WORK_INIT(nested);
static bool interrupt_once(void)
{
    host_device_interrupt = NULL;
    work_queue(&nested_work);
    return true;
}

TEST(waits_nest_in_work_that_runs_meanwhile)
{
    fresh();
    host_device_interrupt = interrupt_once;
    CHECK_EQ(SC(LINUX_NR_futex, &word, LINUX_FUTEX_WAIT, 0, NULL), 0);
    CHECK_EQ(inner_result, -LINUX_ETIMEDOUT);
    CHECK_EQ(inner_wake, 1); /* only the outer waiter was on word */
    CHECK_EQ(host_now_ns, MS);
}

UNIT_MAIN()
