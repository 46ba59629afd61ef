/* core/event.c and core/timer.c on the fake CPU of tests/unit/host_platform.c:
 * work items (once per queueing, in order, never nested in themselves),
 * wait_until (conditions, deadlines, halting rather than spinning, polling
 * when it cannot halt), timers as events, pollers, and the wake-up that
 * lands between a pass and the halt. */
#include <stdint.h>

#include "core/event.h"
#include "core/time.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

static char order[64];
static unsigned norder;

static void record(char c)
{
    if (norder < sizeof order - 1)
        order[norder++] = c;
    order[norder] = '\0';
}

static void fn_a(struct work *w)
{
    (void)w;
    record('a');
}
static void fn_b(struct work *w)
{
    (void)w;
    record('b');
}

static void setup(void)
{
    host_platform_reset();
    norder = 0;
    order[0] = '\0';
    event_run_pending(); /* leftovers of an earlier test */
}

static bool never(void *ctx)
{
    (void)ctx;
    return false;
}

TEST(work_runs_once_in_order)
{
    setup();
    struct work a = WORK_INIT(fn_a), b = WORK_INIT(fn_b);
    work_queue(&b);
    work_queue(&a);
    work_queue(&b); /* already queued: nothing more */
    CHECK(event_run_pending());
    CHECK_STR(order, "ba");
    CHECK(!event_run_pending()); /* nothing left */
    CHECK_STR(order, "ba");
}

TEST(cancelled_work_does_not_run)
{
    setup();
    struct work a = WORK_INIT(fn_a), b = WORK_INIT(fn_b);
    work_queue(&a);
    work_queue(&b);
    work_cancel(&a);
    event_run_pending();
    CHECK_STR(order, "b");
    work_cancel(&a); /* not queued: harmless */
    work_queue(&a);
    event_run_pending();
    CHECK_STR(order, "ba");
}

/* A work function that waits runs the loop again: it must not be re-entered
 * even when it is queued meanwhile; it runs again after it returns. */
static struct work nested;
static unsigned nested_depth, nested_max, nested_runs;
static void nested_fn(struct work *w)
{
    nested_depth++;
    nested_runs++;
    if (nested_depth > nested_max)
        nested_max = nested_depth;
    if (nested_runs == 1) {
        work_queue(w); /* as an interrupt would */
        wait_until(never, NULL, time_now_ns() + 1000);
    }
    nested_depth--;
}

TEST(work_is_never_nested_in_itself)
{
    setup();
    nested = (struct work)WORK_INIT(nested_fn);
    nested_depth = nested_max = nested_runs = 0;
    work_queue(&nested);
    event_run_pending();
    CHECK_EQ(nested_max, 1u);
    CHECK_EQ(nested_runs, 1u); /* the re-queue waits for the function to return */
    event_run_pending();
    CHECK_EQ(nested_runs, 2u);
    CHECK_EQ(nested_max, 1u);
}

/* A device that keeps its work queued (a flood) must not starve the waiter:
 * each pass runs what was queued when it began. */
static unsigned flood_runs;
static void flood_fn(struct work *w)
{
    flood_runs++;
    work_queue(w);
}
static bool after_ten_floods(void *ctx)
{
    (void)ctx;
    return flood_runs >= 10;
}

TEST(a_self_requeuing_work_does_not_starve_the_loop)
{
    setup();
    struct work f = WORK_INIT(flood_fn);
    flood_runs = 0;
    work_queue(&f);
    CHECK(wait_until(after_ten_floods, NULL, WAIT_FOREVER));
    CHECK_EQ(flood_runs, 10u);
    CHECK_EQ(host_idles, 0u); /* always something to do: never halted */
    work_cancel(&f);
}

static bool flag;
static bool flag_set(void *ctx)
{
    (void)ctx;
    return flag;
}

TEST(wait_returns_at_once_when_the_condition_holds)
{
    setup();
    host_now_ns = 500;
    flag = true;
    CHECK(wait_until(flag_set, NULL, WAIT_FOREVER));
    flag = false;
    CHECK(!wait_until(flag_set, NULL, 400)); /* deadline already passed */
    struct work a = WORK_INIT(fn_a);
    work_queue(&a);
    CHECK(!wait_until(NULL, NULL, 500));
    CHECK_STR(order, "a"); /* the pass ran before the deadline was looked at */
    CHECK_EQ(host_idles, 0u);
    CHECK_EQ(host_now_ns, 500u);
}

TEST(sleep_halts_until_the_deadline)
{
    setup();
    host_now_ns = 1000;
    sleep_ns(5000000);
    CHECK_EQ(host_now_ns, 5001000u);
    CHECK_EQ(host_idles, 1u); /* one halt, woken by the timer */
}

static struct timer t1, t2, t3;
static void t1_fn(struct timer *t)
{
    (void)t;
    record('1');
}
static void t2_fn(struct timer *t)
{
    (void)t;
    record('2');
}
static void t3_fn(struct timer *t)
{
    (void)t;
    record('3');
    flag = true;
}

TEST(timers_fire_in_deadline_order_from_the_loop)
{
    setup();
    flag = false;
    t1 = (struct timer){.fn = t1_fn};
    t2 = (struct timer){.fn = t2_fn};
    t3 = (struct timer){.fn = t3_fn};
    CHECK(timer_arm(&t3, 3000));
    CHECK(timer_arm(&t1, 1000));
    CHECK(timer_arm(&t2, 2000));
    CHECK_STR(order, "");       /* arming never runs a callback */
    CHECK(timer_arm(&t2, 500)); /* re-arming moves it */
    CHECK(wait_until(flag_set, NULL, 10000));
    CHECK_STR(order, "213");
    CHECK_EQ(host_now_ns, 3000u);
    CHECK(!t1.armed && !t2.armed && !t3.armed);
}

TEST(cancelled_timer_never_fires)
{
    setup();
    t1 = (struct timer){.fn = t1_fn};
    t2 = (struct timer){.fn = t2_fn};
    timer_arm(&t1, 100);
    timer_arm(&t2, 200);
    timer_cancel(&t1);
    timer_cancel(&t1); /* twice: harmless */
    sleep_ns(1000);
    CHECK_STR(order, "2");
}

/* With interrupts off (early boot, probes) nothing can wake a halt: the
 * loop polls, and timers still fire from the clock. */
TEST(without_interrupts_the_loop_polls)
{
    setup();
    flag = false;
    host_irqs_on = false;
    host_clock_step = 100; /* the clock moves while the CPU works */
    t3 = (struct timer){.fn = t3_fn};
    timer_arm(&t3, 50000);
    CHECK(wait_until(flag_set, NULL, 1000000));
    CHECK_EQ(host_idles, 0u);
    struct event_stats st;
    event_get_stats(&st);
    CHECK(st.poll_spins > 0);
    CHECK(!wait_until(never, NULL, host_now_ns + 10000)); /* deadlines too */
    CHECK_EQ(host_idles, 0u);
}

TEST(without_a_timer_the_loop_polls)
{
    setup();
    host_timer_works = false;
    host_clock_step = 1000;
    CHECK(!wait_until(never, NULL, 200000));
    CHECK(host_now_ns >= 200000);
    CHECK_EQ(host_idles, 0u);
}

/* An interrupt: the device's handler queues its work, the work finishes
 * what the waiter waits for. */
static struct work device_work;
static bool device_pending;
static void device_fn(struct work *w)
{
    (void)w;
    flag = true;
}
static bool device_irq(void)
{
    if (!device_pending)
        return false;
    device_pending = false;
    work_queue(&device_work);
    return true;
}

TEST(an_interrupt_wakes_the_waiter_through_work)
{
    setup();
    flag = false;
    device_work = (struct work)WORK_INIT(device_fn);
    device_pending = true;
    host_device_interrupt = device_irq;
    CHECK(wait_until(flag_set, NULL, 1000000000));
    CHECK_EQ(host_idles, 1u);
    CHECK_EQ(host_now_ns, 0u); /* woken by the device, not the timer */
}

/* Work queued after the pass but before the halt (here by the condition,
 * as an interrupt in that window would) must not be slept through. */
static struct work late_work;
static unsigned cond_calls;
static bool queue_late_then_check(void *ctx)
{
    (void)ctx;
    if (cond_calls++ == 0)
        work_queue(&late_work);
    return flag;
}

TEST(a_wakeup_between_pass_and_halt_is_not_lost)
{
    setup();
    flag = false;
    cond_calls = 0;
    late_work = (struct work)WORK_INIT(device_fn);
    CHECK(wait_until(queue_late_then_check, NULL, 1000000000));
    CHECK_EQ(host_idles, 0u); /* it never halted with work pending */
}

static unsigned polled;
static void poll_fn(struct poller *p)
{
    (void)p;
    if (++polled == 5)
        flag = true;
}

TEST(pollers_run_every_pass_and_bound_the_halt)
{
    setup();
    flag = false;
    polled = 0;
    struct poller p = {.fn = poll_fn};
    poller_add(&p);
    poller_add(&p); /* twice: once in the list */
    CHECK(wait_until(flag_set, NULL, WAIT_FOREVER));
    CHECK_EQ(polled, 5u);
    /* Four halts, each woken after the polling interval. */
    CHECK_EQ(host_idles, 4u);
    CHECK_EQ(host_now_ns, 4 * EVENT_POLL_INTERVAL_NS);
    poller_remove(&p);
    polled = 0;
    unsigned idles = host_idles;
    sleep_ns(10 * EVENT_POLL_INTERVAL_NS);
    CHECK_EQ(polled, 0u);
    CHECK_EQ(host_idles, idles + 1); /* no poller: one halt to the deadline */
}

UNIT_MAIN()
