/* kvmclock as a TSC frequency source. The host fills a pvclock_vcpu_time_info
 * (version, tsc_timestamp, system_time, tsc_to_system_mul, tsc_shift, flags)
 * whose multiplier converts TSC ticks to nanoseconds:
 *   ns = ((ticks << shift) or (ticks >> -shift)) * mul >> 32
 * so the frequency is 1e9 * 2^32 / mul, scaled back by the shift.
 * MSR: Linux Documentation/virt/kvm/x86/msr.rst (MSR_KVM_SYSTEM_TIME_NEW
 * 0x4b564d01); hv_decide found KVM_FEATURE_CLOCKSOURCE2 at the KVM base + 1. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "hv/hv.h"

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

struct pvclock_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad[2];
} __attribute__((aligned(32)));

static struct pvclock_time_info kvmclock_page;

uint64_t kvmclock_tsc_hz(void)
{
    uint32_t kvm_base;
    if (!hv_has(HV_CAP_KVMCLOCK, &kvm_base))
        return 0;
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&kvmclock_page | 1);
    uint32_t mul = 0;
    int8_t shift = 0;
    /* The version is odd while the host updates the structure. */
    for (int tries = 0; tries < 1000; tries++) {
        uint32_t v = *(volatile uint32_t *)&kvmclock_page.version;
        if (v & 1)
            continue;
        __asm__ volatile("" ::: "memory");
        mul = *(volatile uint32_t *)&kvmclock_page.tsc_to_system_mul;
        shift = *(volatile int8_t *)&kvmclock_page.tsc_shift;
        __asm__ volatile("" ::: "memory");
        if (*(volatile uint32_t *)&kvmclock_page.version == v && v != 0)
            break;
        mul = 0;
    }
    /* We keep time with the TSC directly, so stop the host's updates. */
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
    if (mul == 0 || shift < -31 || shift > 31) {
        kprintf("kvmclock: KVM at %#x offers kvmclock, but its multiplier is unusable "
                "(mul %u, shift %d)\n",
                (unsigned)kvm_base, (unsigned)mul, (int)shift);
        return 0;
    }
    uint64_t hz = (1000000000ull << 32) / mul;
    if (shift > 0) {
        hz >>= shift;
    } else {
        /* The host chose mul and shift: bits shifted out would wrap the
         * frequency, possibly back into tsc.c's plausible range. */
        if (hz > (UINT64_MAX >> -shift))
            return 0;
        hz <<= -shift;
    }
    return hz;
}
