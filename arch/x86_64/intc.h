/* Interrupt controllers: legacy 8259 PICs (remapped and masked, or used alone
 * when there is no MADT), Local APIC (xAPIC MMIO) and IOAPICs from the MADT. */
#ifndef ARCH_X86_64_INTC_H
#define ARCH_X86_64_INTC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/arch.h"

#define VECTOR_PIC_BASE 0x30                      /* 8259 IRQ 0-15 when the PICs are in use */
#define VECTOR_DEVICE_FIRST ARCH_IRQ_DEVICE_FIRST /* core/arch.h */
#define VECTOR_DEVICE_LAST ARCH_IRQ_DEVICE_LAST
#define VECTOR_TIMER 0xF0
#define VECTOR_SPURIOUS 0xFF

/* PICs: remap to VECTOR_PIC_BASE and mask every line. */
void pic_init_masked(void);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);

/* Sets up interrupt delivery from what ACPI found: LAPIC + IOAPICs (all
 * redirection entries masked) when the CPU has a Local APIC and there is a
 * MADT with an IOAPIC, the PICs alone otherwise; and picks the arch timer
 * (arch_timer.h) to match. Prints nothing; returns a short description for
 * the banner ("LAPIC + IOAPIC", "8259 PIC (no local APIC)", ...). */
const char *intc_init(const struct acpi_info *acpi);
bool intc_using_apic(void);
/* Routes a GSI to a vector on this CPU (lines go through core/irq.c, which
 * calls this once per line through arch_irq_route_line). Returns 0, or -1
 * with a log line when no IOAPIC serves it or it is routed elsewhere. */
int intc_route_gsi(uint32_t gsi, uint8_t vector, bool level, bool active_low);
/* Acknowledges the interrupt with this vector at the controller that raised it. */
void intc_eoi(uint8_t vector);

/* Whether the CPU has a Local APIC (CPUID.1:EDX bit 9). */
bool cpu_has_lapic(void);

/* Local APIC. */
void lapic_init(uint64_t base);
bool lapic_present(void); /* lapic_init has run */
void lapic_eoi(void);
/* Lets the 8259's interrupts through the LAPIC (PIC-only machines). */
void lapic_pass_pic_interrupts(void);
uint32_t lapic_id(void);
/* One-shot timer interrupt on VECTOR_TIMER after ns (0 cancels); false
 * when there is no Local APIC. */
bool lapic_timer_oneshot(uint64_t ns);

/* TSC frequency (tsc.c). */
void tsc_init(void);
uint64_t tsc_hz(void);
const char *tsc_source(void);
/* PIT channel 0 used as a stopwatch (pit.c): TSC Hz, or 0 with no PIT. */
uint64_t pit_calibrate_tsc(unsigned ms);
/* PIT channel 0 as the one-shot timer on ISA IRQ 0 (pit.c; arch_timer.c
 * routes the IRQ): pit_timer_init checks that it counts (or panics: there
 * would be no timer at all). */
#define PIT_IRQ 0
void pit_timer_init(void);
void pit_oneshot(uint64_t ns);

#endif
