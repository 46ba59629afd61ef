/* One-shot timers on a sorted list, driven by the arch timer (the Local APIC
 * timer, or the PIT without one): the earliest deadline is always the one
 * programmed. */
#include "arch/x86_64/arch_timer.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "core/irq.h"
#include "core/log.h"
#include "core/time.h"

static struct timer *pending;

static void program_next(void)
{
    if (!pending) {
        arch_timer_oneshot(0);
        return;
    }
    uint64_t now = time_now_ns();
    uint64_t d = pending->deadline_ns > now ? pending->deadline_ns - now : 1;
    arch_timer_oneshot(d);
}

static void unlink(struct timer *t)
{
    for (struct timer **p = &pending; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->armed = 0;
}

void timer_arm(struct timer *t, uint64_t deadline_ns)
{
    uint64_t flags = cpu_irq_save();
    if (t->armed)
        unlink(t);
    t->deadline_ns = deadline_ns;
    struct timer **p = &pending;
    while (*p && (*p)->deadline_ns <= deadline_ns)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    t->armed = 1;
    if (pending == t)
        program_next();
    cpu_irq_restore(flags);
}

void timer_cancel(struct timer *t)
{
    uint64_t flags = cpu_irq_save();
    if (t->armed) {
        int was_first = pending == t;
        unlink(t);
        if (was_first)
            program_next();
    }
    cpu_irq_restore(flags);
}

static void timer_interrupt(void *ctx)
{
    (void)ctx;
    uint64_t now = time_now_ns();
    while (pending && pending->deadline_ns <= now) {
        struct timer *t = pending;
        pending = t->next;
        t->armed = 0;
        t->fn(t);
        now = time_now_ns();
    }
    program_next();
}

struct sleeper {
    struct timer t;
    volatile int done;
};

static void wake(struct timer *t)
{
    ((struct sleeper *)t)->done = 1;
}

void sleep_ns(uint64_t ns)
{
    struct sleeper s = {.t = {.fn = wake}, .done = 0};
    timer_arm(&s.t, time_now_ns() + ns);
    for (;;) {
        cpu_irq_disable();
        if (s.done)
            break;
        cpu_irq_enable_and_halt();
    }
    cpu_irq_enable();
}

void timer_init(void)
{
    irq_register(arch_timer_vector(), timer_interrupt, NULL);
}
