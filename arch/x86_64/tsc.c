/* TSC frequency, from the most trustworthy source the platform offers:
 *   0. Hyper-V's reference TSC page, frequency MSR or reference counter
 *      (hv/hyperv_clock.c), where hv_decide found them,
 *   1. the hypervisor's TSC leaf, base + 0x10 (EAX = TSC kHz; VMware's
 *      convention, also offered by QEMU/KVM with vmware-cpuid-freq), where
 *      hv_decide found it,
 *   2. the VMware backdoor's GETHZ (VMware without the leaf; QEMU's vmport
 *      answers it only when the TSC rate is known, never under TCG),
 *   3. kvmclock's multiplier (KVM, Firecracker),
 *   4. CPUID 0x15 (TSC/crystal ratio x crystal Hz), then 0x16 (base MHz),
 *   5. the rate the UEFI entry measured over the firmware's Stall,
 *   6. a 1 ms PIT measurement, the only source that costs boot time.
 * Values outside 100 MHz..20 GHz are not believed. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/intc.h"
#include "boot/bootinfo.h"
#include "core/log.h"
#include "core/platform.h"
#include "hv/hv.h"

#define TSC_MIN_HZ 100000000ull
#define TSC_MAX_HZ 20000000000ull

static uint64_t hz;
static const char *source = "none";

static int plausible(uint64_t f)
{
    return f >= TSC_MIN_HZ && f <= TSC_MAX_HZ;
}

static int try_source(uint64_t f, const char *name)
{
    if (!plausible(f))
        return 0;
    hz = f;
    source = name;
    return 1;
}

void tsc_init(void)
{
    uint32_t base;
    const char *hyperv_source = "";
    uint64_t hyperv_hz = hyperv_tsc_hz(&hyperv_source); /* sets hyperv_source */
    if (try_source(hyperv_hz, hyperv_source))
        return;
    if (hv_has(HV_CAP_TSC_LEAF, &base) &&
        try_source((uint64_t)cpuid(base + 0x10, 0).eax * 1000, "cpuid 0x40000010"))
        return;
    if (try_source(vmware_tsc_hz(), "vmport GETHZ"))
        return;
    if (try_source(kvmclock_tsc_hz(), "kvmclock"))
        return;
    uint32_t max_leaf = cpuid(0, 0).eax;
    if (max_leaf >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        if (r.eax && r.ebx && r.ecx && try_source((uint64_t)r.ecx * r.ebx / r.eax, "cpuid 0x15"))
            return;
    }
    if (max_leaf >= 0x16 &&
        try_source((uint64_t)(cpuid(0x16, 0).eax & 0xFFFF) * 1000000, "cpuid 0x16"))
        return;
    if (try_source(platform_boot()->tsc_hz, "UEFI Stall"))
        return;
    if (try_source(pit_calibrate_tsc(1), "PIT calibration"))
        return;
    kprintf("tsc: no source gives the TSC frequency; assuming 1 GHz\n");
    hz = 1000000000ull;
    source = "assumed";
}

uint64_t tsc_hz(void)
{
    return hz;
}

const char *tsc_source(void)
{
    return source;
}
