/* Vectors, shared handlers and routed lines (core/irq.h). The controller is
 * behind core/arch.h: arch_irq_route_line decides the vector of a line (the
 * 8259s fix it by the line number) and programs the controller. */
#include "core/irq.h"

#include <stddef.h>

#include "core/arch.h"
#include "core/event.h"
#include "core/log.h"

#define MAX_LINES 48

struct vector_slot {
    struct irq_action *actions;
    uint64_t count;
};

struct routed_line {
    uint32_t gsi; /* after the architecture's mapping of ISA IRQs */
    bool level, active_low;
    uint8_t vector;
    const char *first; /* who routed it, for the refusal message */
};

static struct vector_slot slots[256];
static uint8_t next_vector = ARCH_IRQ_DEVICE_FIRST;
static unsigned long unhandled;
static struct routed_line lines[MAX_LINES];
static unsigned nlines;
uint8_t irq_alloc_vector(void)
{
    if (next_vector > ARCH_IRQ_DEVICE_LAST) {
        kprintf("irq: all %u device vectors are taken\n",
                ARCH_IRQ_DEVICE_LAST - ARCH_IRQ_DEVICE_FIRST + 1);
        return 0;
    }
    return next_vector++;
}

int irq_attach(uint8_t vector, struct irq_action *a)
{
    if (vector < 32 || a == NULL || a->fn == NULL) {
        kprintf("irq: vector %u is reserved for exceptions\n", vector);
        return -1;
    }
    uint64_t flags = arch_irq_save();
    a->next = slots[vector].actions;
    slots[vector].actions = a;
    arch_irq_restore(flags);
    return 0;
}

void irq_detach(uint8_t vector, struct irq_action *a)
{
    uint64_t flags = arch_irq_save();
    for (struct irq_action **p = &slots[vector].actions; *p; p = &(*p)->next) {
        if (*p == a) {
            *p = a->next;
            break;
        }
    }
    arch_irq_restore(flags);
}

static const char *trigger(bool level, bool low)
{
    return level ? (low ? "level, active low" : "level, active high")
                 : (low ? "edge, active low" : "edge, active high");
}

int irq_line_attach(const struct irq_line *line, struct irq_action *a, uint8_t *vector)
{
    struct irq_line resolved = *line;
    if (arch_irq_resolve_line(&resolved) != 0)
        return -1;
    for (unsigned i = 0; i < nlines; i++) {
        struct routed_line *l = &lines[i];
        if (l->gsi != resolved.number)
            continue;
        if (l->level != resolved.level || l->active_low != resolved.active_low) {
            kprintf("irq: %s: GSI %u is routed %s for %s; %s is refused\n", a->name, l->gsi,
                    trigger(l->level, l->active_low), l->first,
                    trigger(resolved.level, resolved.active_low));
            return -1;
        }
        if (irq_attach(l->vector, a) != 0)
            return -1;
        if (vector)
            *vector = l->vector;
        return 0;
    }
    if (nlines == MAX_LINES) {
        kprintf("irq: %s: more than %u interrupt lines in use\n", a->name, MAX_LINES);
        return -1;
    }
    uint8_t v = arch_irq_line_vector(&resolved);
    if (v == 0)
        return -1;
    /* The handler is in place before the line is unmasked. */
    if (irq_attach(v, a) != 0)
        return -1;
    if (arch_irq_route_line(&resolved, v) != 0) {
        irq_detach(v, a);
        kprintf("irq: %s: GSI %u cannot be routed\n", a->name, resolved.number);
        return -1;
    }
    lines[nlines++] =
        (struct routed_line){resolved.number, resolved.level, resolved.active_low, v, a->name};
    if (vector)
        *vector = v;
    return 0;
}

void irq_line_detach(const struct irq_line *line, struct irq_action *a)
{
    struct irq_line resolved = *line;
    if (arch_irq_resolve_line(&resolved) != 0)
        return;
    for (unsigned i = 0; i < nlines; i++)
        if (lines[i].gsi == resolved.number)
            irq_detach(lines[i].vector, a);
}

void irq_dispatch(uint8_t vector)
{
    event_irq_enter();
    struct vector_slot *s = &slots[vector];
    s->count++;
    if (s->actions == NULL) {
        if (unhandled++ < 10)
            kprintf("irq: unexpected interrupt on vector %u\n", vector);
    }
    for (struct irq_action *a = s->actions; a; a = a->next) {
        a->count++;
        a->fn(a->ctx);
    }
    event_irq_exit();
}

unsigned long irq_unhandled_count(void)
{
    return unhandled;
}

uint64_t irq_vector_count(uint8_t vector)
{
    return slots[vector].count;
}
