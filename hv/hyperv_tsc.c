/* The reference TSC page's read rule and formula (hv/hyperv_tsc.h; Hyper-V
 * TLFS, "Timers", "Partition Reference TSC Mechanism"). */
#include "hv/hyperv_tsc.h"

uint64_t hv_ref_tsc_time(uint64_t tsc, uint64_t scale, int64_t offset)
{
    uint64_t scaled = (uint64_t)(((unsigned __int128)tsc * scale) >> 64);
    return scaled + (uint64_t)offset; /* wraps as the TLFS's signed addition does */
}

enum hv_ref_tsc_status hv_ref_tsc_read(const volatile struct hv_ref_tsc_page *page,
                                       uint64_t (*read_tsc)(void *ctx), void *ctx,
                                       uint64_t *time_100ns, uint64_t *scale)
{
    for (int tries = 0; tries < HV_REF_TSC_TRIES; tries++) {
        uint32_t seq = page->sequence;
        if (seq == 0)
            return HV_REF_TSC_INVALID;
        /* The sequence is read before, and checked after, the fields. */
        __asm__ volatile("" ::: "memory");
        uint64_t tsc = read_tsc(ctx);
        uint64_t s = page->scale;
        int64_t off = page->offset;
        __asm__ volatile("" ::: "memory");
        if (page->sequence != seq)
            continue;
        *time_100ns = hv_ref_tsc_time(tsc, s, off);
        *scale = s;
        return HV_REF_TSC_OK;
    }
    return HV_REF_TSC_UNSTABLE;
}

uint64_t hv_ref_tsc_hz(uint64_t scale)
{
    if (scale <= HV_REF_TIME_HZ)
        return 0;
    /* Long division of the 128-bit 10^7:0 by scale, one quotient bit per
     * step, so that the kernel does not link libgcc's 128-bit division for
     * it. rem < scale throughout; its top bit leaves through carry. */
    uint64_t rem = HV_REF_TIME_HZ, q = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t carry = rem >> 63;
        rem <<= 1;
        q <<= 1;
        if (carry || rem >= scale) {
            rem -= scale;
            q |= 1;
        }
    }
    return q;
}
