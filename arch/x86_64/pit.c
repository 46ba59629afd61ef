/* The 8254 PIT as a stopwatch for measuring the TSC, the last resort when no
 * CPUID leaf or paravirtual clock gives the frequency (Hyper-V Gen2 and
 * Firecracker guests may have no usable PIT, so this is never the first
 * choice). Channel 0 counts down from 0xFFFF at 1.193182 MHz in mode 2; we
 * poll it with the latch command (8254 data sheet: control word 0x34, counter
 * latch 0x00), so neither port 0x61 nor an interrupt is needed. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"

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
