/* The one-shot timer the kernel's timer list runs on: the Local APIC timer
 * where the CPU has a Local APIC, else the 8254 PIT's channel 0 through the
 * 8259 PICs. core/timer.c sees only this interface. */
#ifndef ARCH_X86_64_ARCH_TIMER_H
#define ARCH_X86_64_ARCH_TIMER_H

#include <stdint.h>

#include "core/arch.h"

enum arch_timer_kind { ARCH_TIMER_NONE, ARCH_TIMER_LAPIC, ARCH_TIMER_PIT };

/* Chosen by intc_init (arch/x86_64/ioapic.c) with the interrupt controller;
 * installs the timer's interrupt handler. */
void arch_timer_select(enum arch_timer_kind kind);

/* arch_timer_oneshot (core/arch.h): one interrupt after about ns (at least 1
 * tick; a longer wait than the hardware counts is cut short, and the timer
 * list re-arms for the rest); 0 cancels; false when there is no timer. */
uint8_t arch_timer_vector(void);
/* For the banner: "LAPIC timer", "PIT channel 0 (one-shot, IRQ 0)". */
const char *arch_timer_name(void);

#endif
