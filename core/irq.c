#include "core/irq.h"

#include "arch/x86_64/intc.h"
#include "core/log.h"

struct irq_slot {
    irq_handler fn;
    void *ctx;
    unsigned long count;
};

static struct irq_slot slots[256];
static uint8_t next_vector = VECTOR_DEVICE_FIRST;
static unsigned long unhandled;

uint8_t irq_alloc_vector(void)
{
    if (next_vector > VECTOR_DEVICE_LAST)
        return 0;
    return next_vector++;
}

int irq_register(uint8_t vector, irq_handler fn, void *ctx)
{
    if (vector < 32 || slots[vector].fn) {
        kprintf("irq: vector %u is reserved or taken\n", vector);
        return -1;
    }
    slots[vector].ctx = ctx;
    slots[vector].fn = fn;
    return 0;
}

void irq_dispatch(uint8_t vector)
{
    struct irq_slot *s = &slots[vector];
    s->count++;
    if (s->fn)
        s->fn(s->ctx);
    else if (unhandled++ < 10)
        kprintf("irq: unexpected interrupt on vector %u\n", vector);
}

unsigned long irq_unhandled_count(void)
{
    return unhandled;
}
