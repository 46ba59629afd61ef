/* core/arch.h's one-shot timer on x86-64: the Local APIC timer. Its
 * interrupt only tells the timer core that the hardware is idle again; the
 * event loop runs whatever became due. */
#include "arch/x86_64/intc.h"
#include "core/arch.h"
#include "core/irq.h"
#include "core/time.h"

static void timer_interrupt(void *ctx)
{
    (void)ctx;
    timer_hardware_fired();
}

static struct irq_action timer_action = {.fn = timer_interrupt, .name = "timer"};

bool arch_timer_oneshot(uint64_t ns)
{
    static bool attached;
    if (!attached) {
        attached = true;
        irq_attach(VECTOR_TIMER, &timer_action);
    }
    return lapic_timer_oneshot(ns);
}
