/* One-shot timers on a list sorted by deadline. The hardware timer
 * (arch_timer_oneshot) is always programmed for the earliest deadline; its
 * interrupt only wakes the CPU (core/irq.c signals the event loop), and the
 * loop runs the due callbacks. Pure apart from core/arch.h and the clock. */
#include <stddef.h>

#include "core/arch.h"
#include "core/event.h"
#include "core/time.h"

static struct timer *pending;
static bool hardware_ok = true; /* until arch_timer_oneshot says otherwise */
/* The deadline the hardware is set for, 0 when it is idle or has fired:
 * each programming is a VM exit or two, so an unchanged deadline is not
 * programmed again on every pass of the loop. */
static uint64_t programmed;

static void program_next(void)
{
    if (pending == NULL) {
        if (programmed != 0)
            arch_timer_oneshot(0);
        programmed = 0;
        return;
    }
    if (programmed == pending->deadline_ns)
        return;
    uint64_t now = time_now_ns();
    uint64_t d = pending->deadline_ns > now ? pending->deadline_ns - now : 1;
    hardware_ok = arch_timer_oneshot(d);
    programmed = hardware_ok ? pending->deadline_ns : 0;
}

void timer_hardware_fired(void)
{
    programmed = 0;
    event_signal();
}

static void unlink(struct timer *t)
{
    for (struct timer **p = &pending; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->armed = false;
}

bool timer_arm(struct timer *t, uint64_t deadline_ns)
{
    uint64_t flags = arch_irq_save();
    if (t->armed)
        unlink(t);
    t->deadline_ns = deadline_ns;
    struct timer **p = &pending;
    while (*p && (*p)->deadline_ns <= deadline_ns)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    t->armed = true;
    if (pending == t)
        program_next();
    bool ok = hardware_ok;
    arch_irq_restore(flags);
    return ok;
}

void timer_cancel(struct timer *t)
{
    uint64_t flags = arch_irq_save();
    if (t->armed) {
        bool was_first = pending == t;
        unlink(t);
        if (was_first)
            program_next();
    }
    arch_irq_restore(flags);
}

bool timer_run_due(void)
{
    bool ran = false;
    for (;;) {
        uint64_t flags = arch_irq_save();
        struct timer *t = pending;
        if (t == NULL || t->deadline_ns > time_now_ns()) {
            /* One-shot hardware: whatever fired (or fired early, when the
             * hardware's range is shorter than the wait) is re-armed here. */
            program_next();
            arch_irq_restore(flags);
            return ran;
        }
        pending = t->next;
        t->armed = false;
        arch_irq_restore(flags);
        t->fn(t);
        ran = true;
    }
}

void sleep_ns(uint64_t ns)
{
    uint64_t now = time_now_ns();
    wait_until(NULL, NULL, ns > UINT64_MAX - now ? UINT64_MAX : now + ns);
}
