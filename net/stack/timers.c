/* Tickless lwIP timeouts (net/stack/timers.h). */
#include "net/stack/timers.h"

#include "core/time.h"
#include "lwip/timeouts.h"
#include "net/stack/loopback.h"

static void fire(struct timer *t)
{
    (void)t;
    sys_check_timeouts(); /* runs the due ones, from the event loop */
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
