/* What core/ needs from the architecture: the interrupt flag, a halt that
 * cannot miss a wake-up, and a one-shot timer. arch/x86_64/ provides them;
 * host unit tests provide fakes, so the event loop and timers are tested on
 * the host. */
#ifndef CORE_ARCH_H
#define CORE_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/irq.h"

/* Disables interrupts and returns a token for arch_irq_restore, which
 * re-enables them only if they were enabled before. */
uint64_t arch_irq_save(void);
void arch_irq_restore(uint64_t token);
bool arch_irqs_enabled(void);

/* Called with interrupts disabled: enables them and halts in one step (an
 * interrupt that is already pending wakes it at once), and returns with
 * interrupts disabled again after the interrupt was handled. */
void arch_idle(void);

/* Programs the one-shot timer to interrupt after ns nanoseconds (0 stops
 * it). Returns false when the machine has no usable timer; the event loop
 * then polls the clock instead of halting. */
bool arch_timer_oneshot(uint64_t ns);

/* The base of the FS segment, where a C library keeps its thread pointer
 * (arch_prctl ARCH_SET_FS, sys/proc.c). base must be canonical. */
void arch_set_fs_base(uint64_t base);
uint64_t arch_get_fs_base(void);

/* Ending the VM (arch/x86_64/power.c). Normal end: carry status to the host
 * where possible, else power off, else the platform's reset. Failure end: the
 * status where possible, else a triple fault. */
void arch_power_off(int status) __attribute__((noreturn));
void arch_fail_stop(int status) __attribute__((noreturn));
void arch_irq_off_for_panic(void);

/* Runs fn(arg) on the stack that ends at top (aligned down to 16 bytes),
 * never to return: the app gets a stack of its own (init/app_start.c). */
void arch_run_on_stack(void *top, void (*fn)(void *), void *arg) __attribute__((noreturn));
/* Tells the exception report's backtrace that [lo, hi) is a stack it may
 * walk (the app's; the boot stack is known). */
void arch_stack_register(uint64_t lo, uint64_t hi);

/* Lets the app compute in floating point: the x87 and SSE units on, in their
 * reset state. The kernel itself never touches them (it is built without
 * them), so an interrupt or a system call leaves an app's floating-point
 * registers as they were, with nothing to save. */
void arch_fpu_enable(void);

/* Interrupt vectors left for devices (x86: below them the exceptions and
 * the remapped 8259 lines, above them the timer and the spurious vector). */
#define ARCH_IRQ_DEVICE_FIRST 0x40
#define ARCH_IRQ_DEVICE_LAST 0xEF

/* Turns an ISA line into the GSI it arrives on (interrupt source overrides;
 * unchanged when only the 8259s exist), with the trigger and polarity the
 * platform gives it. Returns 0, or -1 with a log line when no controller
 * serves it. */
int arch_irq_resolve_line(struct irq_line *line);
/* The vector for a resolved line: the 8259s fix it by the line, an IOAPIC
 * takes any free one (irq_alloc_vector). 0 with a log line when none. */
uint8_t arch_irq_line_vector(const struct irq_line *line);
/* Programs the controller to deliver the resolved line on vector, unmasked.
 * Returns 0 or -1 with a log line. */
int arch_irq_route_line(const struct irq_line *line, uint8_t vector);

#endif
