/* Interrupt vectors, interrupt lines and their handlers, independent of the
 * controller. A handler runs in interrupt context: it acknowledges (and if
 * need be masks) its device and signals work (core/event.h); it never
 * processes data, prints at length or waits. Several handlers may share a
 * vector or a line (PCI INTx, later VMBus and the SynIC); each checks its
 * own device. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*irq_fn)(void *ctx);

/* One handler; embedded in the driver's state, never copied. */
struct irq_action {
    irq_fn fn;
    void *ctx;
    const char *name; /* the device, for messages */
    struct irq_action *next;
    uint64_t count; /* interrupts delivered to this handler */
};

/* A free vector for one device (MSI, MSI-X, a synthetic interrupt), or 0
 * with a log line when all are taken. */
uint8_t irq_alloc_vector(void);
/* Adds a handler to a vector (several may share it). Returns 0, or -1 with a
 * log line for a reserved vector. */
int irq_attach(uint8_t vector, struct irq_action *a);
void irq_detach(uint8_t vector, struct irq_action *a);

/* An interrupt line: an ISA IRQ (mapped through the ACPI MADT's interrupt
 * source overrides) or a GSI of an IOAPIC, with its trigger and polarity. */
enum irq_line_kind { IRQ_LINE_ISA, IRQ_LINE_GSI };
struct irq_line {
    enum irq_line_kind kind;
    uint32_t number;
    bool level;
    bool active_low;
};

/* Routes the line to a vector the first time it is asked for and adds the
 * handler; later callers share it. A line that is already routed with a
 * different trigger or polarity is refused with a message (never silently
 * moved). Returns 0 and the vector in *vector (may be NULL), or -1. */
int irq_line_attach(const struct irq_line *line, struct irq_action *a, uint8_t *vector);
void irq_line_detach(const struct irq_line *line, struct irq_action *a);

/* Called by the architecture's trap code for every vector >= 32, with the
 * interrupt acknowledged at the controller afterwards. */
void irq_dispatch(uint8_t vector);
/* Interrupts that arrived with no handler installed. */
unsigned long irq_unhandled_count(void);
/* Interrupts delivered on a vector (every handler's share counted once). */
uint64_t irq_vector_count(uint8_t vector);

#endif
