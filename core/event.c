/* The event loop and the one wait primitive (core/event.h). Pure apart from
 * core/arch.h and the clock, so host unit tests run it with a fake CPU. */
#include "core/event.h"

#include <stddef.h>

#include "core/arch.h"
#include "core/kernel.h"
#include "core/time.h"

static struct work *queue_head;
static struct work **queue_tail = &queue_head;
static unsigned queue_len;
static struct poller *pollers;
static struct event_stats stats;

/* Set by every interrupt and every work_queue, cleared at the start of each
 * pass: a wake-up that lands between a pass and the halt is never slept
 * through (checked with interrupts off just before halting). */
static volatile bool signalled;

static volatile unsigned irq_depth;

void event_signal(void)
{
    signalled = true;
}

void event_irq_enter(void)
{
    irq_depth++;
}

void event_irq_exit(void)
{
    irq_depth--;
    signalled = true;
}

bool in_interrupt(void)
{
    return irq_depth != 0;
}

static void append(struct work *w)
{
    w->next = NULL;
    *queue_tail = w;
    queue_tail = &w->next;
    queue_len++;
}

void work_queue(struct work *w)
{
    uint64_t flags = arch_irq_save();
    if (!w->queued) {
        w->queued = true;
        /* A running item is appended when its function returns. */
        if (!w->running)
            append(w);
    }
    signalled = true;
    arch_irq_restore(flags);
}

void work_cancel(struct work *w)
{
    uint64_t flags = arch_irq_save();
    if (w->queued && !w->running) {
        for (struct work **p = &queue_head; *p; p = &(*p)->next) {
            if (*p == w) {
                *p = w->next;
                if (queue_tail == &w->next)
                    queue_tail = p;
                queue_len--;
                break;
            }
        }
    }
    w->queued = false;
    arch_irq_restore(flags);
}

static struct work *pop(void)
{
    struct work *w = queue_head;
    if (w != NULL) {
        queue_head = w->next;
        if (queue_head == NULL)
            queue_tail = &queue_head;
        queue_len--;
        w->queued = false;
    }
    return w;
}

/* Runs what was queued when the pass began; what is queued meanwhile (a
 * device that keeps refilling its ring) waits for the next pass, so timers
 * and the waiter's condition get their turn in between. */
static bool run_work(void)
{
    uint64_t flags = arch_irq_save();
    unsigned n = queue_len;
    arch_irq_restore(flags);
    bool ran = false;
    while (n--) {
        flags = arch_irq_save();
        struct work *w = pop();
        if (w != NULL)
            w->running = true;
        arch_irq_restore(flags);
        if (w == NULL)
            break;
        w->fn(w);
        stats.work_runs++;
        ran = true;
        flags = arch_irq_save();
        w->running = false;
        if (w->queued) /* queued again while it ran */
            append(w);
        arch_irq_restore(flags);
    }
    return ran;
}

void poller_add(struct poller *p)
{
    for (struct poller *q = pollers; q; q = q->next)
        if (q == p)
            return;
    p->next = pollers;
    pollers = p;
}

void poller_remove(struct poller *p)
{
    for (struct poller **q = &pollers; *q; q = &(*q)->next) {
        if (*q == p) {
            *q = p->next;
            return;
        }
    }
}

static void run_pollers(void)
{
    struct poller *next;
    for (struct poller *p = pollers; p; p = next) {
        next = p->next; /* fn may remove itself */
        p->fn(p);
    }
}

bool event_run_pending(void)
{
    signalled = false;
    bool ran = run_work();
    ran |= timer_run_due();
    run_pollers();
    return ran;
}

static void wake_nothing(struct timer *t)
{
    (void)t;
}

bool wait_until(bool (*cond)(void *ctx), void *ctx, uint64_t deadline_ns)
{
    if (in_interrupt())
        panic("wait_until called from an interrupt handler");
    struct timer waker = {.fn = wake_nothing};
    for (;;) {
        event_run_pending();
        if (cond != NULL && cond(ctx))
            return true;
        uint64_t now = time_now_ns();
        if (now >= deadline_ns)
            return false;
        if (!arch_irqs_enabled()) {
            /* Early boot or a caller with interrupts off: poll. */
            stats.poll_spins++;
            continue;
        }
        uint64_t wake = deadline_ns;
        if (pollers != NULL && wake - now > EVENT_POLL_INTERVAL_NS)
            wake = now + EVENT_POLL_INTERVAL_NS;
        if (!timer_arm(&waker, wake)) {
            /* No timer on this machine: only polling makes progress. */
            stats.poll_spins++;
            continue;
        }
        uint64_t flags = arch_irq_save();
        if (!signalled) {
            stats.halts++;
            arch_idle();
        }
        arch_irq_restore(flags);
        timer_cancel(&waker);
    }
}

void event_get_stats(struct event_stats *st)
{
    *st = stats;
}
