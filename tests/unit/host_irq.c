/* The interrupt controller of tests/unit/host_platform.h (core/arch.h's line
 * hooks): an IOAPIC with GSIs 0-23 and one interrupt source override, ISA
 * IRQ 9 -> GSI 20, level, active low. Kept apart from host_platform.c, which
 * fuzzers link without core/irq.c. */
#include "core/arch.h"
#include "core/irq.h"
#include "core/log.h"
#include "tests/unit/host_platform.h"

unsigned host_line_routes;

int arch_irq_resolve_line(struct irq_line *line)
{
    if (line->kind == IRQ_LINE_ISA && line->number == 9) {
        line->number = 20;
        line->level = true;
        line->active_low = true;
    }
    line->kind = IRQ_LINE_GSI;
    if (line->number > 23) {
        kprintf("ioapic: no IOAPIC serves GSI %u\n", line->number);
        return -1;
    }
    return 0;
}

uint8_t arch_irq_line_vector(const struct irq_line *line)
{
    (void)line;
    return irq_alloc_vector();
}

int arch_irq_route_line(const struct irq_line *line, uint8_t vector)
{
    (void)line;
    (void)vector;
    host_line_routes++;
    return 0;
}
