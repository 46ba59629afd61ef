/* Tickless lwIP timeouts (net/stack/timers.h). */
#include "net/stack/timers.h"

#include "core/time.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "net/stack/loopback.h"

static void fire(struct timer *t)
{
    (void)t;
    sys_check_timeouts(); /* runs the due ones, from the event loop */
    /* A segment an interface refused (a full device ring, a full loopback
     * queue) stays unsent, flagged TF_NAGLEMEMERR, and lwIP sends it again
     * only when something calls tcp_output: an acknowledgement, a write, or
     * tcp_txnow (lwIP 2.1.3 core/tcp.c), which is meant for a driver that
     * has room again. With nothing in flight to be acknowledged and an app
     * that waits for an answer, nothing would. Each pass of the timers (at
     * most TCP's 250 ms apart while connections exist) tries again. */
    tcp_txnow();
    stack_timers_update();
}

static struct timer timer = {.fn = fire};

void stack_timers_update(void)
{
    stack_loopback_kick();
    u32_t ms = sys_timeouts_sleeptime();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        timer_cancel(&timer);
        return;
    }
    uint64_t deadline = time_now_ns() + (uint64_t)ms * 1000000u;
    /* Moving an armed timer costs a list walk: skip it when nothing changed. */
    if (timer.armed && timer.deadline_ns <= deadline)
        return;
    timer_arm(&timer, deadline);
}
