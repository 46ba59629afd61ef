/* Waiting, for apps (implemented in the kernel's api/). The kernel runs its
 * device work (completions, received frames, timers) only while someone
 * waits: through these calls, or through the C library's sleeping and
 * waiting functions (nanosleep, ...), which use the same loop. An app that
 * computes for a long time without waiting delays its devices. */
#ifndef ANYVM_WAIT_H
#define ANYVM_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nanoseconds since boot: CLOCK_MONOTONIC's reading. */
uint64_t anyvm_now_ns(void);

/* Runs the kernel's pending work until done(ctx) is true (checked after
 * every pass of it) or anyvm_now_ns() reaches deadline_ns; halts the CPU in
 * between. Returns true when done(ctx) became true. Every call runs the
 * pending work at least once, even when done(ctx) is already true or the
 * deadline has passed, so a loop around it never starves the devices.
 * UINT64_MAX waits without limit. done may be NULL: the call then sleeps
 * until the deadline (and returns false). */
bool anyvm_wait_until(bool (*done)(void *ctx), void *ctx, uint64_t deadline_ns);

#ifdef __cplusplus
}
#endif

#endif
