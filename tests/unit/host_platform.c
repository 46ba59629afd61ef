/* tests/unit/host_platform.h. A halt with nothing that could wake it is the
 * bug "the kernel sleeps forever": it aborts the test with a message. */
#include "tests/unit/host_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/arch.h"
#include "core/dma.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/time.h"

uint64_t host_now_ns;
uint64_t host_clock_step;
bool host_irqs_on = true;
bool host_timer_works = true;
unsigned host_idles;
unsigned host_timer_sets;
bool (*host_device_interrupt)(void);

static bool timer_armed;
static uint64_t timer_deadline;

void host_platform_reset(void)
{
    host_now_ns = 0;
    host_clock_step = 0;
    host_irqs_on = true;
    host_timer_works = true;
    host_idles = 0;
    host_timer_sets = 0;
    host_device_interrupt = NULL;
    timer_armed = false;
}

uint64_t time_now_ns(void)
{
    uint64_t t = host_now_ns;
    host_now_ns += host_clock_step;
    return t;
}

uint64_t arch_irq_save(void)
{
    uint64_t was = host_irqs_on;
    host_irqs_on = false;
    return was;
}

void arch_irq_restore(uint64_t token)
{
    host_irqs_on = token != 0;
}

bool arch_irqs_enabled(void)
{
    return host_irqs_on;
}

bool arch_timer_oneshot(uint64_t ns)
{
    if (!host_timer_works)
        return false;
    timer_armed = ns != 0;
    if (ns != 0) {
        host_timer_sets++;
        timer_deadline = host_now_ns + ns;
    }
    return true;
}

void arch_idle(void)
{
    host_idles++;
    if (host_device_interrupt != NULL && host_device_interrupt())
        return;
    if (!timer_armed) {
        fprintf(stderr, "host_platform: halted with no timer armed and no device to wake it: "
                        "the kernel would sleep forever\n");
        abort();
    }
    if (timer_deadline > host_now_ns)
        host_now_ns = timer_deadline;
    timer_armed = false;
    timer_hardware_fired();
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "panic: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

/* core/dma.h: a host test's memory is what its co-simulated devices see,
 * so a device address is the host pointer. */
uint64_t dma_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}
