/* kvmclock as a TSC frequency source. The host fills a pvclock_vcpu_time_info
 * (version, tsc_timestamp, system_time, tsc_to_system_mul, tsc_shift, flags)
 * whose multiplier converts TSC ticks to nanoseconds:
 *   ns = ((ticks << shift) or (ticks >> -shift)) * mul >> 32
 * so the frequency is 1e9 * 2^32 / mul, scaled back by the shift.
 * MSR: Linux Documentation/virt/kvm/x86/msr.rst (MSR_KVM_SYSTEM_TIME_NEW
 * 0x4b564d01); hv_decide found KVM_FEATURE_CLOCKSOURCE2 at the KVM base + 1. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "core/time.h"
#include "hv/hv.h"

#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define VERSION_TRIES 1000
#define NSEC_PER_SEC 1000000000ull
#define WALL_CLOCK_MIN_SEC 946684800u /* 2000-01-01: an earlier one is unset */

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

/* The host's wall clock (msr.rst, MSR_KVM_WALL_CLOCK_NEW): the time of day
 * at which kvmclock's system time was 0. */
struct pvclock_wall_clock {
    uint32_t version;
    uint32_t sec;
    uint32_t nsec;
} __attribute__((aligned(4)));

static struct pvclock_wall_clock wall_page;

/* A consistent copy of the time info the host keeps updating (odd version:
 * being written; the version must not change across the copy). */
static bool read_time_info(struct pvclock_time_info *out)
{
    for (int tries = 0; tries < VERSION_TRIES; tries++) {
        uint32_t v = *(volatile uint32_t *)&kvmclock_page.version;
        __asm__ volatile("" ::: "memory");
        *out = *(volatile struct pvclock_time_info *)&kvmclock_page;
        __asm__ volatile("" ::: "memory");
        if (v != 0 && !(v & 1) && *(volatile uint32_t *)&kvmclock_page.version == v)
            return true;
    }
    return false;
}

static bool read_wall(uint32_t *sec, uint32_t *nsec)
{
    for (int tries = 0; tries < VERSION_TRIES; tries++) {
        uint32_t v = *(volatile uint32_t *)&wall_page.version;
        __asm__ volatile("" ::: "memory");
        *sec = *(volatile uint32_t *)&wall_page.sec;
        *nsec = *(volatile uint32_t *)&wall_page.nsec;
        __asm__ volatile("" ::: "memory");
        if (!(v & 1) && *(volatile uint32_t *)&wall_page.version == v)
            return true;
    }
    return false;
}

uint64_t kvmclock_wall_boot_ns(void)
{
    if (!hv_has(HV_CAP_KVMCLOCK, NULL))
        return 0;
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&kvmclock_page | 1);
    struct pvclock_time_info ti;
    bool have_ti = read_time_info(&ti);
    uint64_t tsc = rdtsc_ordered();
    wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)(uintptr_t)&wall_page);
    uint32_t sec = 0, nsec = 0;
    bool have_wall = read_wall(&sec, &nsec);
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
    if (!have_ti || !have_wall || ti.tsc_shift < -31 || ti.tsc_shift > 31 || nsec >= NSEC_PER_SEC ||
        sec < WALL_CLOCK_MIN_SEC || tsc < ti.tsc_timestamp) {
        kprintf("kvmclock: no usable wall clock (time info %s, wall clock %s, %u.%09u s)\n",
                have_ti ? "read" : "never stable", have_wall ? "read" : "never stable", sec, nsec);
        return 0;
    }
    /* kvmclock's system time at tsc, as the host defines it (msr.rst) */
    uint64_t delta = tsc - ti.tsc_timestamp;
    delta = ti.tsc_shift < 0 ? delta >> -ti.tsc_shift : delta << ti.tsc_shift;
    uint64_t system_ns =
        ti.system_time + (uint64_t)(((unsigned __int128)delta * ti.tsc_to_system_mul) >> 32);
    uint64_t wall_ns = sec * NSEC_PER_SEC + nsec + system_ns;
    uint64_t boot_offset = time_at_tsc(tsc);
    return wall_ns > boot_offset ? wall_ns - boot_offset : 0;
}
