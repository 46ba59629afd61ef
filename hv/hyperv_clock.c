/* Hyper-V's clocks as a TSC frequency source (hv/hv.h, hyperv_tsc_hz).
 * The kernel keeps time with the TSC (core/time.c); on Hyper-V the rate comes
 * from, in order:
 *  1. the reference TSC page (TLFS "Timers", "Partition Reference TSC
 *     Mechanism"): its TscScale converts TSC ticks to 100 ns, so the page
 *     defines the rate the partition's reference time runs at; the kernel's
 *     clock then agrees with it. The page is read once and disabled again:
 *     nothing reads it later.
 *  2. HV_X64_MSR_TSC_FREQUENCY (0x40000022, Linux include/hyperv/hvgdk_mini.h),
 *     in Hz as Linux's hv_get_tsc_khz reads it (the TLFS markdown does not
 *     document it),
 *  3. a 1 ms measurement against HV_X64_MSR_TIME_REF_COUNT (TLFS "Timers",
 *     "Partition Reference Counter"): Hyper-V Gen2 has no PIT to calibrate
 *     against.
 * Every value is the hypervisor's and is checked here or by tsc.c's range. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "core/page_alloc.h"
#include "core/log.h"
#include "hv/hv.h"
#include "hv/hyperv_tsc.h"

#define REF_TSC_RSVD_MASK 0xFFEull /* bits 11:1 RsvdP: preserved */
#define MEASURE_100NS 10000u       /* 1 ms of reference time */
#define MEASURE_BUDGET 1000000u    /* MSR reads before giving up */

static uint64_t read_tsc(void *ctx)
{
    (void)ctx;
    return rdtsc_ordered();
}

static uint64_t from_reference_tsc_page(void)
{
    /* An overlay, not device memory: the hypervisor maps its page over this
     * guest page while enabled (TLFS "Timers"), so its contents do not
     * matter; the kernel maps guest-physical memory 1:1. */
    uint64_t pa = page_alloc(&kernel_pages, 1, 0);
    if (pa == 0)
        return 0;
    const volatile struct hv_ref_tsc_page *page = (void *)(uintptr_t)pa;
    uint64_t old = rdmsr(HV_MSR_REFERENCE_TSC) & REF_TSC_RSVD_MASK;
    wrmsr(HV_MSR_REFERENCE_TSC, pa | old | HV_REF_TSC_ENABLE);
    uint64_t now = 0, scale = 0;
    uint32_t seq = page->sequence;
    enum hv_ref_tsc_status st = hv_ref_tsc_read(page, read_tsc, NULL, &now, &scale);
    wrmsr(HV_MSR_REFERENCE_TSC, old);
    page_free(&kernel_pages, pa, 1);
    if (st != HV_REF_TSC_OK) {
        kprintf("hyperv: reference TSC page not used (sequence %u)\n", (unsigned)seq);
        return 0;
    }
    uint64_t hz = hv_ref_tsc_hz(scale);
    kprintf("clock: hyperv reference TSC (sequence %u, scale %#llx)\n", (unsigned)seq,
            (unsigned long long)scale);
    return hz;
}

static uint64_t measured_against_reference_counter(void)
{
    uint64_t r0 = rdmsr(HV_MSR_TIME_REF_COUNT), t0 = rdtsc_ordered();
    for (unsigned i = 0; i < MEASURE_BUDGET; i++) {
        uint64_t dr = rdmsr(HV_MSR_TIME_REF_COUNT) - r0, dt = rdtsc_ordered() - t0;
        if (dr < MEASURE_100NS)
            continue;
        /* A counter that went backwards gives a huge dr: tsc.c refuses the
         * tiny rate that follows. */
        return dt > UINT64_MAX / HV_REF_TIME_HZ ? 0 : dt * HV_REF_TIME_HZ / dr;
    }
    return 0; /* the counter stood still: tsc.c goes on to the next source */
}

uint64_t hyperv_tsc_hz(const char **source)
{
    uint64_t hz;
    if (hv_has(HV_CAP_HYPERV_REF_TSC, NULL) && (hz = from_reference_tsc_page()) != 0) {
        *source = "hyperv reference TSC";
        return hz;
    }
    if (hv_has(HV_CAP_HYPERV_FREQ_MSRS, NULL) && (hz = rdmsr(HV_MSR_TSC_FREQUENCY)) != 0) {
        *source = "hyperv frequency MSR";
        return hz;
    }
    if (hv_has(HV_CAP_HYPERV_REF_COUNT, NULL) && (hz = measured_against_reference_counter()) != 0) {
        *source = "hyperv reference counter";
        return hz;
    }
    return 0;
}
