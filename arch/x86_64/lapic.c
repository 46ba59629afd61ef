/* Local APIC in xAPIC mode (SDM vol. 3A, chapter 11). Register offsets from
 * table 11-1. The timer's input clock is measured once against the TSC the
 * first time a timer is armed, so booting pays nothing for it. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "core/log.h"

#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LVT_MASKED (1u << 16)
#define IA32_APIC_BASE 0x1B

static uintptr_t lapic_base;
static uint64_t lapic_timer_hz;    /* after the divide-by-16 */
static uint64_t lapic_ns_to_count; /* counts per ns, 32.32 fixed point */

static uint32_t lapic_read(uint32_t reg)
{
    return mmio_read32(lapic_base + reg);
}
static void lapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(lapic_base + reg, v);
}

void lapic_init(uint64_t base)
{
    uint64_t msr = rdmsr(IA32_APIC_BASE);
    if (base == 0)
        base = msr & 0xFFFFF000ull;
    /* Only the identity-mapped low 4 GiB is reachable here. */
    if (base == 0 || base >= 0x100000000ull) {
        kprintf("lapic: unusable base address %#lx, using 0xfee00000\n", (unsigned long)base);
        base = 0xFEE00000;
    }
    lapic_base = (uintptr_t)base;
    wrmsr(IA32_APIC_BASE, msr | (1u << 11)); /* global enable */
    lapic_write(LAPIC_SVR, 0x100 | VECTOR_SPURIOUS);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
}

void lapic_pass_pic_interrupts(void)
{
    /* Virtual-wire mode (MP spec 3.6.2.2): the 8259's INTR reaches the CPU
     * through LINT0 as ExtINT, NMIs through LINT1; after reset both are
     * masked, so without this no PIC interrupt arrives once the LAPIC is on. */
    if (!lapic_base)
        return;
    lapic_write(LAPIC_LVT_LINT0, 0x700);
    lapic_write(LAPIC_LVT_LINT1, 0x400);
}

bool lapic_present(void)
{
    return lapic_base != 0;
}

void lapic_eoi(void)
{
    if (lapic_base)
        lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
    return lapic_base ? lapic_read(LAPIC_ID) >> 24 : 0;
}

static void lapic_timer_calibrate(void)
{
    uint64_t hz = tsc_hz();
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
    lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFF);
    uint64_t start = rdtsc_ordered();
    uint64_t window = hz / 10000; /* 100 us */
    while (rdtsc_ordered() - start < window)
        cpu_pause();
    uint32_t elapsed = 0xFFFFFFFF - lapic_read(LAPIC_TIMER_CUR);
    uint64_t took = rdtsc_ordered() - start;
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_timer_hz = took ? (uint64_t)elapsed * hz / took : 0;
    if (lapic_timer_hz == 0) {
        kprintf("lapic: timer does not count; assuming 62.5 MHz\n");
        lapic_timer_hz = 62500000;
    }
    lapic_ns_to_count = (lapic_timer_hz << 32) / 1000000000u;
}

bool lapic_timer_oneshot(uint64_t ns)
{
    if (!lapic_base)
        return false;
    if (ns == 0) {
        lapic_write(LAPIC_TIMER_INIT, 0);
        return true;
    }
    if (lapic_timer_hz == 0)
        lapic_timer_calibrate();
    uint64_t count = (uint64_t)(((unsigned __int128)ns * lapic_ns_to_count) >> 32);
    if (count == 0)
        count = 1;
    if (count > 0xFFFFFFFFu)
        count = 0xFFFFFFFFu;                    /* the timer core re-arms for the remainder */
    lapic_write(LAPIC_LVT_TIMER, VECTOR_TIMER); /* one-shot, unmasked */
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
    return true;
}
