/* core/irq.c: handlers sharing a vector and a line, a line routed once and
 * never moved, a conflicting trigger refused with a message, the interrupt
 * context seen by handlers, and running out of vectors (with the fake
 * controller of tests/unit/host_platform.c). */
#include <stdint.h>

#include "core/arch.h"
#include "core/event.h"
#include "core/irq.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

static unsigned calls_a, calls_b;
static bool saw_interrupt_context;
static void handler_a(void *ctx)
{
    (void)ctx;
    calls_a++;
    saw_interrupt_context = in_interrupt();
}
static void handler_b(void *ctx)
{
    (void)ctx;
    calls_b++;
}

TEST(shared_line_routed_once)
{
    host_platform_reset();
    calls_a = calls_b = 0;
    static struct irq_action a = {.fn = handler_a, .name = "dev-a"};
    static struct irq_action b = {.fn = handler_b, .name = "dev-b"};
    struct irq_line line = {IRQ_LINE_GSI, 16, true, true};
    uint8_t va = 0, vb = 0;
    unsigned routes = host_line_routes;
    CHECK_EQ(irq_line_attach(&line, &a, &va), 0);
    CHECK_EQ(irq_line_attach(&line, &b, &vb), 0);
    CHECK(va >= ARCH_IRQ_DEVICE_FIRST && va <= ARCH_IRQ_DEVICE_LAST);
    CHECK_EQ(va, vb);
    CHECK_EQ(host_line_routes, routes + 1); /* the controller was programmed once */
    irq_dispatch(va);
    CHECK_EQ(calls_a, 1u);
    CHECK_EQ(calls_b, 1u);
    CHECK(saw_interrupt_context);
    CHECK(!in_interrupt());
    CHECK_EQ(irq_vector_count(va), 1u);
    CHECK_EQ(a.count, 1u);
    /* Detached: the other keeps the line. */
    irq_line_detach(&line, &a);
    irq_dispatch(va);
    CHECK_EQ(calls_a, 1u);
    CHECK_EQ(calls_b, 2u);
}

TEST(conflicting_trigger_refused)
{
    static struct irq_action a = {.fn = handler_a, .name = "first"};
    static struct irq_action b = {.fn = handler_b, .name = "second"};
    struct irq_line edge = {IRQ_LINE_GSI, 17, false, false};
    struct irq_line level = {IRQ_LINE_GSI, 17, true, true};
    CHECK_EQ(irq_line_attach(&edge, &a, NULL), 0);
    CHECK_EQ(irq_line_attach(&level, &b, NULL), -1);
    CHECK(LOG_CONTAINS("irq: second: GSI 17 is routed edge, active high for first; "
                       "level, active low is refused"));
}

TEST(isa_lines_go_through_overrides)
{
    static struct irq_action a = {.fn = handler_a, .name = "acpi"};
    static struct irq_action b = {.fn = handler_b, .name = "pci"};
    uint8_t va = 0, vb = 0;
    /* ISA IRQ 9 arrives as GSI 20, level, active low: the same line as a
     * PCI device's GSI 20 with those settings. */
    struct irq_line isa9 = {IRQ_LINE_ISA, 9, false, false};
    struct irq_line gsi20 = {IRQ_LINE_GSI, 20, true, true};
    CHECK_EQ(irq_line_attach(&isa9, &a, &va), 0);
    CHECK_EQ(irq_line_attach(&gsi20, &b, &vb), 0);
    CHECK_EQ(va, vb);
    struct irq_line none = {IRQ_LINE_GSI, 99, true, true};
    CHECK_EQ(irq_line_attach(&none, &a, NULL), -1);
    CHECK(LOG_CONTAINS("no IOAPIC serves GSI 99"));
}

TEST(unexpected_interrupts_are_counted)
{
    unsigned long before = irq_unhandled_count();
    irq_dispatch(0xEE);
    CHECK_EQ(irq_unhandled_count(), before + 1);
    CHECK(LOG_CONTAINS("unexpected interrupt on vector 238"));
    static struct irq_action a = {.fn = handler_a, .name = "x"};
    CHECK_EQ(irq_attach(3, &a), -1); /* an exception vector */
}

TEST(vectors_run_out_loudly)
{
    unsigned got = 0;
    while (irq_alloc_vector() != 0)
        got++;
    CHECK(got < ARCH_IRQ_DEVICE_LAST - ARCH_IRQ_DEVICE_FIRST + 1);
    CHECK(LOG_CONTAINS("all 176 device vectors are taken"));
    struct irq_line line = {IRQ_LINE_GSI, 5, false, false};
    static struct irq_action a = {.fn = handler_a, .name = "late"};
    CHECK_EQ(irq_line_attach(&line, &a, NULL), -1);
}

UNIT_MAIN()
