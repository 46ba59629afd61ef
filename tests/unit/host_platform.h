/* A fake CPU for host unit tests of the kernel's event loop and everything
 * built on it (core/arch.h, the clock, panic): a clock the test owns, an
 * interrupt flag, a one-shot timer, and a halt that either lets a simulated
 * device interrupt happen or moves the clock to the timer's deadline. */
#ifndef TESTS_UNIT_HOST_PLATFORM_H
#define TESTS_UNIT_HOST_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

extern uint64_t host_now_ns;     /* time_now_ns() */
extern uint64_t host_clock_step; /* added to the clock at every reading (a busy CPU) */
extern bool host_irqs_on;        /* the interrupt flag */
extern bool host_timer_works;    /* arch_timer_oneshot's answer */
extern unsigned host_idles;      /* arch_idle calls */
extern unsigned host_timer_sets; /* arch_timer_oneshot calls with ns != 0 */
/* Called by arch_idle first: return true when a simulated device
 * "interrupted" (it should work_queue something); false lets the clock run
 * to the timer's deadline. NULL: no devices. */
extern bool (*host_device_interrupt)(void);

/* Interrupt lines (core/irq.c's arch hooks): an IOAPIC with GSIs 0-23, and
 * one interrupt source override, ISA IRQ 9 -> GSI 20 level, active low. */
extern unsigned host_line_routes; /* arch_irq_route_line calls */

/* Back to boot state: clock 0, interrupts on, working timer, no hook. */
void host_platform_reset(void);

#endif
