/* The execution model: interrupt handlers only acknowledge, mask and signal;
 * everything else (received frames, I/O completions, timer callbacks, device
 * handshakes) runs outside interrupt context, from one loop. There is one
 * way to wait, wait_until(), and it is what runs that loop: the application,
 * the block helpers, device resets and probes all wait through it.
 *
 *   interrupt  -> handler acknowledges the device, work_queue(&dev->work)
 *   wait_until -> runs queued work, due timers and pollers, checks the
 *                 condition, then halts until the next interrupt (or, with
 *                 interrupts off or no timer, keeps polling)
 *
 * Work items never run nested in themselves: a work function that waits
 * (and so runs the loop again) is not re-entered; it runs again, if queued
 * meanwhile, after it returns. Cooperative threads, when they come, block in
 * wait_until too (switching instead of halting), so drivers do not change.
 * docs/architecture.md describes the model. */
#ifndef CORE_EVENT_H
#define CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* A deferred piece of work. Initialise fn (WORK_INIT), then queue it from
 * anywhere, interrupt handlers included; queueing an already queued item
 * does nothing, so a burst of interrupts costs one run. */
struct work {
    void (*fn)(struct work *w);
    struct work *next;
    bool queued;
    bool running;
};
#define WORK_INIT(f)                                                                               \
    {                                                                                              \
        .fn = (f)                                                                                  \
    }

/* Safe in any context. */
void work_queue(struct work *w);
/* Takes w off the queue if it is there (thread context; for device removal). */
void work_cancel(struct work *w);

/* A device that has no interrupt is polled: fn runs on every pass of the
 * loop, and while any poller exists a halted wait wakes at least every
 * EVENT_POLL_INTERVAL_NS. Thread context only. */
struct poller {
    void (*fn)(struct poller *p);
    struct poller *next;
};
#define EVENT_POLL_INTERVAL_NS 1000000ull
void poller_add(struct poller *p);
void poller_remove(struct poller *p);

/* Runs the loop until cond(ctx) is true (returns true) or the monotonic
 * clock reaches deadline_ns (returns false). cond may be NULL (wait for the
 * deadline: a sleep). cond is evaluated in thread context after each pass,
 * so it may look at anything work functions update. Never call it from an
 * interrupt handler (that is a panic). */
#define WAIT_FOREVER UINT64_MAX
bool wait_until(bool (*cond)(void *ctx), void *ctx, uint64_t deadline_ns);

/* One pass of the loop without waiting: queued work, due timers, pollers.
 * Returns true when anything ran. */
bool event_run_pending(void);

/* Counters for diagnostics and tests. */
struct event_stats {
    uint64_t work_runs;  /* work functions called */
    uint64_t halts;      /* times the CPU halted waiting for an interrupt */
    uint64_t poll_spins; /* passes made while interrupts could not wake us */
};
void event_get_stats(struct event_stats *st);

/* Wakes the loop (work_queue and the timer do). Safe in any context. */
void event_signal(void);

/* Bracket every interrupt's handlers (core/irq.c): while inside,
 * in_interrupt() is true; leaving wakes the loop. */
void event_irq_enter(void);
void event_irq_exit(void);
bool in_interrupt(void);

#endif
