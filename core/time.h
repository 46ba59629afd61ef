/* Monotonic time and one-shot timers. */
#ifndef CORE_TIME_H
#define CORE_TIME_H

#include <stdint.h>

/* Nanoseconds since boot (TSC based). */
uint64_t time_now_ns(void);
/* Converts a TSC delta to nanoseconds. */
uint64_t time_tsc_to_ns(uint64_t ticks);
void time_init(uint64_t tsc_hz, uint64_t tsc_at_boot);

struct timer {
    uint64_t deadline_ns;
    void (*fn)(struct timer *t);
    struct timer *next;
    int armed;
};

/* Runs t->fn from the timer interrupt once time_now_ns() >= deadline_ns.
 * Re-arming an armed timer moves it. */
void timer_arm(struct timer *t, uint64_t deadline_ns);
void timer_cancel(struct timer *t);
/* Sleeps with the CPU halted until ns have passed. */
void sleep_ns(uint64_t ns);
void timer_init(void);

#endif
