/* lwIP's timeouts, tickless: one one-shot kernel timer (core/time.h) is
 * armed for the earliest of them (sys_timeouts_sleeptime, lwIP 2.1.3
 * core/timeouts.c), and whatever runs lwIP code re-arms it afterwards,
 * since that code may have added an earlier timeout. */
#ifndef NET_STACK_TIMERS_H
#define NET_STACK_TIMERS_H

/* Re-arms the timer for lwIP's earliest timeout (or disarms it when there
 * is none), and queues the delivery of frames looped back meanwhile
 * (net/stack/loopback.h). Call after any lwIP call that may add a timeout
 * or send. */
void stack_timers_update(void);

#endif
