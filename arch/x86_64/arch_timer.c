/* core/arch.h's one-shot timer on x86-64: the Local APIC timer where the CPU
 * has a Local APIC, else PIT channel 0 through the 8259 PICs (arch_timer.h).
 * Its interrupt only tells the timer core that the hardware is idle again;
 * the event loop runs whatever became due. */
#include "arch/x86_64/arch_timer.h"

#include "arch/x86_64/intc.h"
#include "core/arch.h"
#include "core/irq.h"
#include "core/kernel.h"
#include "core/time.h"

static enum arch_timer_kind kind = ARCH_TIMER_NONE;
static uint8_t vector;

static void timer_interrupt(void *ctx)
{
    (void)ctx;
    timer_hardware_fired();
}

static struct irq_action timer_action = {.fn = timer_interrupt, .name = "timer"};

void arch_timer_select(enum arch_timer_kind k)
{
    kind = k;
    if (k == ARCH_TIMER_LAPIC) {
        vector = VECTOR_TIMER;
        irq_attach(vector, &timer_action);
    } else if (k == ARCH_TIMER_PIT) {
        pit_timer_init();
        /* ISA IRQ 0, edge-triggered, active high (the PC's wiring). */
        struct irq_line line = {IRQ_LINE_ISA, PIT_IRQ, false, false};
        if (irq_line_attach(&line, &timer_action, &vector) != 0)
            panic("no timer: IRQ %u of the PIT cannot be routed", PIT_IRQ);
    }
}

bool arch_timer_oneshot(uint64_t ns)
{
    if (kind == ARCH_TIMER_LAPIC)
        return lapic_timer_oneshot(ns);
    if (kind == ARCH_TIMER_PIT) {
        pit_oneshot(ns);
        return true;
    }
    return false;
}

uint8_t arch_timer_vector(void)
{
    return vector;
}

const char *arch_timer_name(void)
{
    switch (kind) {
    case ARCH_TIMER_LAPIC:
        return "LAPIC timer (one-shot)";
    case ARCH_TIMER_PIT:
        return "PIT channel 0 (one-shot, IRQ 0 through the 8259 PIC)";
    case ARCH_TIMER_NONE:
        break;
    }
    return "none";
}
