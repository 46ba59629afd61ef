/* hv/hyperv_tsc.c: the reference TSC page's formula and read rule (Hyper-V
 * TLFS, "Timers", "Partition Reference TSC Mechanism"). The expected values
 * are computed independently with Python's integers:
 *   scale(2.5 GHz) = (10**7 << 64) // 2500000000 = 0x10624dd2f1a9fbe
 *   ((2500000000 * that) >> 64) = 9999999
 *   ((1 << 60) * 0x0123456789abcdef) >> 64 = 0x123456789abcde
 *   (10**7 << 64) // (10**7 + 1) = 18446742229035328712 */
#include <stdint.h>

#include "hv/hyperv_tsc.h"
#include "unit.h"

#define SCALE_2_5GHZ 0x10624dd2f1a9fbeull

TEST(formula_uses_the_full_128_bit_product)
{
    CHECK_EQ(hv_ref_tsc_time(2500000000ull, SCALE_2_5GHZ, 0), 9999999u);
    CHECK_EQ(hv_ref_tsc_time(1ull << 60, 0x0123456789abcdefull, 0), 0x123456789abcdeull);
    CHECK_EQ(hv_ref_tsc_time(2500000000ull, SCALE_2_5GHZ, 5), 10000004u);
    CHECK_EQ(hv_ref_tsc_time(2500000000ull, SCALE_2_5GHZ, -9999999), 0u);
    CHECK_EQ(hv_ref_tsc_time(0, SCALE_2_5GHZ, 123), 123u);
}

TEST(scale_gives_the_tsc_frequency)
{
    CHECK_EQ(hv_ref_tsc_hz(SCALE_2_5GHZ), 2500000000ull);
    CHECK_EQ(hv_ref_tsc_hz(10000001ull), 18446742229035328712ull);
    CHECK_EQ(hv_ref_tsc_hz(UINT64_MAX), 10000000ull);
    CHECK_EQ(hv_ref_tsc_hz(10000000ull << 10), 1ull << 54); /* exact: no remainder */
    /* a quotient that does not fit in 64 bits, and a zero scale */
    CHECK_EQ(hv_ref_tsc_hz(10000000ull), 0u);
    CHECK_EQ(hv_ref_tsc_hz(0), 0u);
}

/* A host that rewrites the page while the guest reads it: on each TSC read
 * it applies the next rewrite of its script. */
struct host {
    volatile struct hv_ref_tsc_page page;
    uint64_t tsc;
    int tsc_reads;
    int rewrites;     /* how many of the next TSC reads rewrite the page */
    uint32_t new_seq; /* ... with this sequence (incremented each time) */
    uint64_t new_scale;
};

static uint64_t host_read_tsc(void *ctx)
{
    struct host *h = ctx;
    h->tsc_reads++;
    if (h->rewrites > 0) {
        h->rewrites--;
        h->page.sequence = h->new_seq++;
        h->page.scale = h->new_scale;
    }
    return h->tsc;
}

TEST(sequence_zero_falls_back_without_reading)
{
    struct host h = {.page = {.sequence = 0, .scale = SCALE_2_5GHZ}, .tsc = 2500000000ull};
    uint64_t t = 77, s = 77;
    CHECK_EQ(hv_ref_tsc_read(&h.page, host_read_tsc, &h, &t, &s), HV_REF_TSC_INVALID);
    CHECK_EQ(h.tsc_reads, 0);
    CHECK_EQ(t, 77u); /* untouched */
    CHECK_EQ(s, 77u);
}

TEST(stable_page_reads_once)
{
    struct host h = {.page = {.sequence = 3, .scale = SCALE_2_5GHZ, .offset = 1000},
                     .tsc = 2500000000ull};
    uint64_t t = 0, s = 0;
    CHECK_EQ(hv_ref_tsc_read(&h.page, host_read_tsc, &h, &t, &s), HV_REF_TSC_OK);
    CHECK_EQ(h.tsc_reads, 1);
    CHECK_EQ(t, 9999999u + 1000u);
    CHECK_EQ(s, SCALE_2_5GHZ);
}

TEST(changed_sequence_is_retried_with_the_new_values)
{
    /* The host rewrites the page during the first read (new scale: twice the
     * rate, so half the time); the second read is stable. */
    struct host h = {.page = {.sequence = 3, .scale = SCALE_2_5GHZ},
                     .tsc = 2500000000ull,
                     .rewrites = 1,
                     .new_seq = 4,
                     .new_scale = SCALE_2_5GHZ / 2};
    uint64_t t = 0, s = 0;
    CHECK_EQ(hv_ref_tsc_read(&h.page, host_read_tsc, &h, &t, &s), HV_REF_TSC_OK);
    CHECK_EQ(h.tsc_reads, 2);
    CHECK_EQ(s, SCALE_2_5GHZ / 2);
    CHECK_EQ(t, hv_ref_tsc_time(2500000000ull, SCALE_2_5GHZ / 2, 0));
}

TEST(rewrite_to_sequence_zero_mid_read_falls_back)
{
    struct host h = {.page = {.sequence = 9, .scale = SCALE_2_5GHZ},
                     .tsc = 1,
                     .rewrites = 1,
                     .new_seq = 0,
                     .new_scale = 1};
    uint64_t t = 0, s = 0;
    CHECK_EQ(hv_ref_tsc_read(&h.page, host_read_tsc, &h, &t, &s), HV_REF_TSC_INVALID);
    CHECK_EQ(h.tsc_reads, 1);
}

TEST(sequence_that_never_settles_gives_up)
{
    struct host h = {.page = {.sequence = 1, .scale = SCALE_2_5GHZ},
                     .tsc = 1,
                     .rewrites = 1000,
                     .new_seq = 2,
                     .new_scale = SCALE_2_5GHZ};
    uint64_t t = 0, s = 0;
    CHECK_EQ(hv_ref_tsc_read(&h.page, host_read_tsc, &h, &t, &s), HV_REF_TSC_UNSTABLE);
    CHECK_EQ(h.tsc_reads, HV_REF_TSC_TRIES);
}

UNIT_MAIN()
