/* Interrupt vectors and their handlers, independent of the controller. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include <stdint.h>

typedef void (*irq_handler)(void *ctx);

/* A free vector for a device, or 0 when all are taken. */
uint8_t irq_alloc_vector(void);
/* Installs the handler for vector; one handler per vector. Returns 0 or -1. */
int irq_register(uint8_t vector, irq_handler fn, void *ctx);
/* Called by the arch trap code for every vector >= 32. */
void irq_dispatch(uint8_t vector);
/* Interrupts that arrived with no handler installed. */
unsigned long irq_unhandled_count(void);

#endif
