/* The 8254 PIT, channel 0, in two roles (8254 data sheet):
 *  - a stopwatch for measuring the TSC, the last resort when no CPUID leaf or
 *    paravirtual clock gives the frequency (Hyper-V Gen2 and Firecracker
 *    guests may have no usable PIT, so this is never the first choice):
 *    mode 2 from 0xFFFF at 1.193182 MHz, polled with the counter latch
 *    command (control word 0x34, latch 0x00), no port 0x61, no interrupt;
 *  - the one-shot timer where the CPU has no Local APIC: mode 0 ("interrupt
 *    on terminal count", control word 0x30), whose OUT line rises once when
 *    the count reaches zero and raises IRQ 0 at the 8259 PIC. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "core/kernel.h"

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43

static uint16_t pit_read_ch0(void)
{
    outb(PIT_CMD, 0x00);
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    return (uint16_t)(lo | (hi << 8));
}

uint64_t pit_calibrate_tsc(unsigned ms)
{
    outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2, binary */
    outb(PIT_CH0, 0xFF);
    outb(PIT_CH0, 0xFF);
    uint32_t target = PIT_HZ / 1000 * ms;
    uint16_t prev = pit_read_ch0();
    uint64_t tsc_start = rdtsc_ordered();
    uint32_t ticks = 0;
    unsigned still = 0;
    while (ticks < target) {
        uint16_t now = pit_read_ch0();
        uint16_t delta = (uint16_t)(prev - now);
        if (delta == 0) {
            /* An absent PIT reads as a constant: give up rather than spin. */
            if (++still > 100000)
                return 0;
            continue;
        }
        still = 0;
        ticks += delta;
        prev = now;
    }
    uint64_t tsc_end = rdtsc_ordered();
    return (tsc_end - tsc_start) * PIT_HZ / ticks;
}

#define PIT_MODE0 0x30 /* channel 0, lobyte/hibyte, mode 0, binary */
#define PIT_MAX_COUNT 0xFFFFu

/* True when channel 0 counts: an absent PIT reads as a constant. */
static bool pit_counts(void)
{
    outb(PIT_CMD, 0x34);
    outb(PIT_CH0, 0xFF);
    outb(PIT_CH0, 0xFF);
    uint16_t first = pit_read_ch0();
    for (unsigned i = 0; i < 100000; i++)
        if (pit_read_ch0() != first)
            return true;
    return false;
}

void pit_timer_init(void)
{
    if (!pit_counts())
        panic("no timer: the CPU has no local APIC and the 8254 PIT does not count");
    outb(PIT_CMD, PIT_MODE0); /* stopped until a count is written */
}

void pit_oneshot(uint64_t ns)
{
    if (ns == 0) {
        outb(PIT_CMD, PIT_MODE0);
        return;
    }
    const uint64_t max_ns = 60000000; /* beyond the 16-bit count anyway */
    if (ns > max_ns)
        ns = max_ns;
    uint64_t count = ns * PIT_HZ / 1000000000u;
    if (count == 0)
        count = 1;
    if (count > PIT_MAX_COUNT)
        count = PIT_MAX_COUNT; /* the timer list re-arms for the rest */
    outb(PIT_CMD, PIT_MODE0);
    outb(PIT_CH0, (uint8_t)count);
    outb(PIT_CH0, (uint8_t)(count >> 8));
}
