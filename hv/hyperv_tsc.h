/* Hyper-V's partition reference time from the reference TSC page, as pure
 * logic so that the host tests can drive every case of the read rule.
 *
 * Hyper-V TLFS, "Timers": "Partition Reference TSC Mechanism". The page the
 * guest names in HV_X64_MSR_REFERENCE_TSC (0x40000021) holds TscSequence
 * (u32 @0), TscScale (u64 @8) and TscOffset (s64 @16); reference time in
 * 100 ns units is ((TSC * TscScale) >> 64) + TscOffset with the full 128-bit
 * product. A sequence of 0 means the page must not be used (read
 * HV_X64_MSR_TIME_REF_COUNT instead); a sequence that changed across the
 * read means the host rewrote the page, so the read is retried. */
#ifndef HV_HYPERV_TSC_H
#define HV_HYPERV_TSC_H

#include <stdint.h>

#define HV_MSR_TIME_REF_COUNT 0x40000020u
#define HV_MSR_REFERENCE_TSC 0x40000021u
#define HV_MSR_TSC_FREQUENCY 0x40000022u
#define HV_REF_TSC_ENABLE 1u
#define HV_REF_TIME_HZ 10000000ull /* reference time counts 100 ns */

struct hv_ref_tsc_page {
    uint32_t sequence;
    uint32_t reserved;
    uint64_t scale;
    int64_t offset;
};

enum hv_ref_tsc_status {
    HV_REF_TSC_OK,
    HV_REF_TSC_INVALID,  /* sequence 0: use the reference counter MSR */
    HV_REF_TSC_UNSTABLE, /* the sequence kept changing: gave up */
};

/* How often a read is retried while the host rewrites the page. */
#define HV_REF_TSC_TRIES 16

/* The reference time at TSC value tsc under scale and offset. */
uint64_t hv_ref_tsc_time(uint64_t tsc, uint64_t scale, int64_t offset);

/* Reads the page by its rule: read_tsc is called between the two sequence
 * reads. On HV_REF_TSC_OK, *time_100ns is the reference time and *scale the
 * scale it was computed with. */
enum hv_ref_tsc_status hv_ref_tsc_read(const volatile struct hv_ref_tsc_page *page,
                                       uint64_t (*read_tsc)(void *ctx), void *ctx,
                                       uint64_t *time_100ns, uint64_t *scale);

/* The TSC frequency a scale stands for: reference time advances 10^7 per
 * second, so Hz = 10^7 * 2^64 / scale. 0 when the quotient does not fit in
 * 64 bits (scale <= 10^7). */
uint64_t hv_ref_tsc_hz(uint64_t scale);

#endif
