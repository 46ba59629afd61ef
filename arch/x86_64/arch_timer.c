/* The arch timer: LAPIC or PIT behind one interface (arch_timer.h). */
#include "arch/x86_64/arch_timer.h"

#include "arch/x86_64/intc.h"

static enum arch_timer_kind kind = ARCH_TIMER_NONE;

void arch_timer_select(enum arch_timer_kind k)
{
    kind = k;
    if (k == ARCH_TIMER_PIT)
        pit_timer_init();
}

void arch_timer_oneshot(uint64_t ns)
{
    if (kind == ARCH_TIMER_LAPIC)
        lapic_timer_oneshot(ns);
    else if (kind == ARCH_TIMER_PIT)
        pit_oneshot(ns);
}

uint8_t arch_timer_vector(void)
{
    return kind == ARCH_TIMER_PIT ? intc_isa_vector(PIT_IRQ) : VECTOR_TIMER;
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
