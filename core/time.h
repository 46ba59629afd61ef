/* Monotonic time and one-shot timers. Timer callbacks are events: they run
 * from the event loop (core/event.h), never in an interrupt handler, so a
 * callback may do anything a work function may (but not wait). */
#ifndef CORE_TIME_H
#define CORE_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* Nanoseconds since boot (TSC based). */
uint64_t time_now_ns(void);
/* Converts a TSC delta to nanoseconds. */
uint64_t time_tsc_to_ns(uint64_t ticks);
/* time_now_ns() as it read (or will read) when the TSC was tsc. */
uint64_t time_at_tsc(uint64_t tsc);
void time_init(uint64_t tsc_hz, uint64_t tsc_at_boot);

struct timer {
    uint64_t deadline_ns;
    void (*fn)(struct timer *t);
    struct timer *next;
    bool armed;
};

/* Runs t->fn from the event loop once time_now_ns() >= deadline_ns.
 * Re-arming an armed timer moves it. Returns false when the machine has no
 * timer interrupt (the timer still fires, when the loop polls the clock). */
bool timer_arm(struct timer *t, uint64_t deadline_ns);
void timer_cancel(struct timer *t);
/* Sleeps until ns have passed (wait_until with no condition). */
void sleep_ns(uint64_t ns);

/* For the event loop: runs every due callback and programs the hardware for
 * the next deadline; true when a callback ran. */
bool timer_run_due(void);
/* Called by the architecture's timer interrupt handler: the one-shot
 * hardware is idle again, and the event loop has something to look at. */
void timer_hardware_fired(void);

#endif
