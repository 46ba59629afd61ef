/* Monotonic clock from the TSC: ns = ticks * mult >> 32, with mult fixed at
 * boot from the TSC frequency (no division on the hot path). */
#include "arch/x86_64/cpu.h"
#include "core/time.h"

static uint64_t tsc_base;
static uint64_t ns_mult; /* ns per tick, 32.32 fixed point */

void time_init(uint64_t tsc_hz, uint64_t tsc_at_boot)
{
    tsc_base = tsc_at_boot;
    ns_mult = (1000000000ull << 32) / tsc_hz;
}

uint64_t time_tsc_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t time_at_tsc(uint64_t tsc)
{
    return time_tsc_to_ns(tsc - tsc_base);
}

uint64_t time_now_ns(void)
{
    return time_at_tsc(rdtsc_ordered());
}
