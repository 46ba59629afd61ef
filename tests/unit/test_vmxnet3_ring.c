/* Unit tests for drivers/vmxnet3/vmxnet3_ring.c and vmxnet3_shared.c: the
 * generation-bit rings against a device simulated here (written from the
 * descriptor layouts of VMware's header, not from the driver's code: its
 * own bit positions below), over many wraps, and devices that break the
 * rules: completions out of order, indices out of range, lengths beyond the
 * buffer, start/end-of-packet marks that disagree, ring 1 named, a stale
 * generation, and a device that stops. */
#include <stdint.h>

#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_ring.h"
#include "tests/unit/unit.h"

/* ---- the simulated device: its own view of the 16-byte descriptors ---- */

#define SIM_GEN_TXD (1u << 14)  /* TxDesc dword 2 bit 14 */
#define SIM_GEN_RXD (1u << 31)  /* RxDesc dword 2 bit 31 */
#define SIM_GEN_COMP (1u << 31) /* completion dword 3 bit 31 */
#define SIM_RX_COMP_TYPE (3u << 24)

struct simring {
    volatile uint32_t *d; /* 4 dwords per entry */
    unsigned size, next;
    bool gen;
};

static void sim_init(struct simring *r, volatile uint32_t *d, unsigned size)
{
    *r = (struct simring){d, size, 0, true};
}

static volatile uint32_t *sim_at(struct simring *r)
{
    return r->d + 4 * r->next;
}

static void sim_advance(struct simring *r)
{
    if (++r->next == r->size) {
        r->next = 0;
        r->gen = !r->gen;
    }
}

struct simtx {
    struct simring ring, comp;
};

/* Takes the next posted transmit descriptor, if the driver handed it over;
 * returns its index or -1, with its fields. */
static int simtx_take(struct simtx *s, uint64_t *addr, uint32_t *dw2, uint32_t *dw3)
{
    volatile uint32_t *d = sim_at(&s->ring);
    if (((d[2] & SIM_GEN_TXD) != 0) != s->ring.gen)
        return -1;
    *addr = d[0] | (uint64_t)d[1] << 32;
    *dw2 = d[2];
    *dw3 = d[3];
    int i = (int)s->ring.next;
    sim_advance(&s->ring);
    return i;
}

/* Writes a transmit completion naming idx with the device's generation
 * (or the other one when stale). */
static void simtx_complete(struct simtx *s, unsigned idx, bool stale)
{
    volatile uint32_t *c = sim_at(&s->comp);
    c[0] = idx;
    c[1] = 0;
    c[2] = 0;
    c[3] = (s->comp.gen != stale) ? SIM_GEN_COMP : 0;
    sim_advance(&s->comp);
}

struct simrx {
    struct simring ring, comp;
};

/* Puts a completion: rxdIdx idx, rqID rq, len, sop/eop, err. */
static void simrx_complete(struct simrx *s, unsigned idx, unsigned rq, unsigned len, bool sop,
                           bool eop, bool err)
{
    volatile uint32_t *c = sim_at(&s->comp);
    c[0] = idx | rq << 16 | (eop ? 1u << 14 : 0) | (sop ? 1u << 15 : 0);
    c[1] = 0;
    c[2] = len | (err ? 1u << 14 : 0);
    c[3] = SIM_RX_COMP_TYPE | (s->comp.gen ? SIM_GEN_COMP : 0);
    sim_advance(&s->comp);
}

/* Receives one frame into the next posted buffer, as QEMU does: returns the
 * descriptor index or -1 when none is posted. */
static int simrx_receive(struct simrx *s, const uint8_t *frame, unsigned len)
{
    volatile uint32_t *d = sim_at(&s->ring);
    if (((d[2] & SIM_GEN_RXD) != 0) != s->ring.gen)
        return -1;
    uint8_t *buf = (uint8_t *)(uintptr_t)(d[0] | (uint64_t)d[1] << 32);
    unsigned cap = d[2] & 0x3FFF;
    if (len > cap)
        len = cap;
    memcpy(buf, frame, len);
    int i = (int)s->ring.next;
    sim_advance(&s->ring);
    simrx_complete(s, (unsigned)i, 0, len, true, true, false);
    return i;
}

/* ---- memory: "device addresses" are host pointers ---- */

#define SIZE 32
#define BUF 256
static uint32_t tx_ring_mem[SIZE * 4] __attribute__((aligned(512)));
static uint32_t tx_comp_mem[SIZE * 4] __attribute__((aligned(512)));
static uint32_t rx_ring_mem[SIZE * 4] __attribute__((aligned(512)));
static uint32_t rx_comp_mem[2 * SIZE * 4] __attribute__((aligned(512)));
static uint8_t bufs[SIZE][BUF];

static void tx_setup(struct vmx_tx *t, struct simtx *s)
{
    memset(tx_ring_mem, 0xA5, sizeof tx_ring_mem); /* init must clear */
    memset(tx_comp_mem, 0xA5, sizeof tx_comp_mem);
    vmx_tx_init(t, tx_ring_mem, tx_comp_mem, SIZE, SIZE);
    sim_init(&s->ring, tx_ring_mem, SIZE);
    sim_init(&s->comp, tx_comp_mem, SIZE);
}

static void rx_setup(struct vmx_rx *r, struct simrx *s, unsigned comp_size)
{
    memset(rx_ring_mem, 0xA5, sizeof rx_ring_mem);
    memset(rx_comp_mem, 0xA5, sizeof rx_comp_mem);
    vmx_rx_init(r, rx_ring_mem, rx_comp_mem, SIZE, (uint16_t)comp_size, BUF, 0);
    sim_init(&s->ring, rx_ring_mem, SIZE);
    sim_init(&s->comp, rx_comp_mem, comp_size);
    for (unsigned i = 0; i < SIZE; i++)
        if (vmx_rx_post(r, (uintptr_t)bufs[i]) != (int)i)
            fail_msg("buffer %u not posted", i);
}

/* ---- transmit ---- */

TEST(tx_many_wraps_in_order)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    unsigned posted = 0, reaped = 0;
    for (unsigned round = 0; round < 40 * SIZE; round++) {
        unsigned burst = 1 + round % 7;
        for (unsigned k = 0; k < burst; k++) {
            uint32_t len = 60 + (posted % 1400);
            int i = vmx_tx_post(&t, 0x100000 + posted, len, NULL);
            if (i < 0)
                break; /* full */
            CHECK_EQ((unsigned)i, posted % SIZE);
            posted++;
        }
        /* The device sends what it can see and completes it. */
        uint64_t addr;
        uint32_t dw2, dw3;
        int i;
        while ((i = simtx_take(&s, &addr, &dw2, &dw3)) >= 0) {
            CHECK_EQ(dw2 & 0x3FFF, 60 + ((addr - 0x100000) % 1400));
            CHECK(dw3 & (1u << 12)); /* eop */
            CHECK(dw3 & (1u << 13)); /* cq */
            CHECK_EQ((dw3 >> 10) & 3, 0u);
            simtx_complete(&s, (unsigned)i, false);
        }
        unsigned idx;
        int r;
        while ((r = vmx_tx_reap(&t, &idx)) == 1) {
            CHECK_EQ(idx, reaped % SIZE);
            reaped++;
        }
        CHECK_EQ(r, 0);
    }
    CHECK_EQ(reaped, posted);
    CHECK(posted > 20 * SIZE);
    CHECK(!t.broken);
}

TEST(tx_checksum_fields)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    struct vmx_tx_csum cs = {34, 34 + 6};
    CHECK_EQ(vmx_tx_post(&t, 0x2000, 100, &cs), 0);
    uint64_t addr;
    uint32_t dw2, dw3;
    CHECK_EQ(simtx_take(&s, &addr, &dw2, &dw3), 0);
    CHECK_EQ(addr, 0x2000u);
    CHECK_EQ(dw2 >> 18, 40u);      /* msscof */
    CHECK_EQ(dw3 & 0x3FF, 34u);    /* hlen */
    CHECK_EQ((dw3 >> 10) & 3, 2u); /* om: checksum */
}

TEST(tx_completion_out_of_order_is_refused)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), (int)i);
    simtx_complete(&s, 1, false); /* descriptor 0 was due */
    unsigned idx;
    CHECK_EQ(vmx_tx_reap(&t, &idx), -1);
    CHECK(strstr(t.error, "names descriptor 1, descriptor 0 was due") != NULL);
    CHECK(t.broken);
    /* Nothing more is accepted, sent or taken. */
    CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), -1);
    CHECK_EQ(vmx_tx_reap(&t, &idx), -1);
}

TEST(tx_completion_index_out_of_range)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), 0);
    simtx_complete(&s, 4000, false);
    unsigned idx;
    CHECK_EQ(vmx_tx_reap(&t, &idx), -1);
    CHECK(strstr(t.error, "descriptor 4000 of a 32-entry ring") != NULL);
}

TEST(tx_completion_with_nothing_in_flight)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    simtx_complete(&s, 0, false);
    unsigned idx;
    CHECK_EQ(vmx_tx_reap(&t, &idx), -1);
    CHECK(strstr(t.error, "nothing in flight") != NULL);
}

TEST(tx_completion_of_another_type)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), 0);
    simtx_complete(&s, 0, false);
    tx_comp_mem[3] |= 3u << 24; /* a receive completion's type */
    unsigned idx;
    CHECK_EQ(vmx_tx_reap(&t, &idx), -1);
    CHECK(strstr(t.error, "type 3") != NULL);
}

/* Generation bits out of order: a completion written with the old
 * generation (a device that did not flip at its wrap) is never taken, and
 * one written ahead of its slot is not seen until the slot before it is. */
TEST(tx_generation_out_of_order)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    unsigned idx;
    /* One full lap so that the driver expects generation 0 next. */
    for (unsigned i = 0; i < SIZE; i++) {
        CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), (int)i);
        simtx_complete(&s, i, false);
        CHECK_EQ(vmx_tx_reap(&t, &idx), 1);
    }
    CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), 0);
    CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), 1);
    /* Stale: generation 1 again in slot 0. */
    simtx_complete(&s, 0, true);
    CHECK_EQ(vmx_tx_reap(&t, &idx), 0);
    /* Slot 1 written first, with the right generation: still nothing. */
    s.comp.next = 1;
    simtx_complete(&s, 1, false);
    CHECK_EQ(vmx_tx_reap(&t, &idx), 0);
    /* Slot 0 made right: both, in order. */
    s.comp.next = 0;
    simtx_complete(&s, 0, false);
    CHECK_EQ(vmx_tx_reap(&t, &idx), 1);
    CHECK_EQ(idx, 0u);
    CHECK_EQ(vmx_tx_reap(&t, &idx), 1);
    CHECK_EQ(idx, 1u);
    CHECK(!t.broken);
}

/* A device that stops: the ring fills, then transmit is refused (the class
 * counts the drops) and nothing is ever reaped; the driver does not break. */
TEST(tx_device_stops)
{
    struct vmx_tx t;
    struct simtx s;
    tx_setup(&t, &s);
    for (unsigned i = 0; i < SIZE; i++)
        CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), (int)i);
    CHECK_EQ(vmx_tx_post(&t, 0x1000, 60, NULL), -1);
    unsigned idx;
    for (unsigned i = 0; i < 100; i++)
        CHECK_EQ(vmx_tx_reap(&t, &idx), 0);
    CHECK_EQ(t.in_flight, SIZE);
    CHECK(!t.broken);
    /* Lengths the descriptor cannot carry are refused up front. */
    struct vmx_tx t2;
    tx_setup(&t2, &s);
    CHECK_EQ(vmx_tx_post(&t2, 0x1000, 0, NULL), -1);
    CHECK_EQ(vmx_tx_post(&t2, 0x1000, 16385, NULL), -1);
    CHECK_EQ(t2.in_flight, 0);
}

/* ---- receive ---- */

TEST(rx_many_wraps)
{
    struct vmx_rx r;
    struct simrx s;
    rx_setup(&r, &s, 2 * SIZE);
    uint8_t frame[BUF];
    unsigned sent = 0, got = 0;
    for (unsigned round = 0; round < 50 * SIZE; round++) {
        unsigned burst = 1 + round % 5;
        for (unsigned k = 0; k < burst; k++) {
            unsigned len = 14 + (sent * 13) % (BUF - 14);
            memset(frame, (int)(sent & 0xFF), len);
            if (simrx_receive(&s, frame, len) < 0)
                break;
            sent++;
        }
        struct vmx_rx_frame f;
        int rc;
        while ((rc = vmx_rx_next(&r, &f)) == 1) {
            unsigned len = 14 + (got * 13) % (BUF - 14);
            CHECK_EQ(f.index, got % SIZE);
            CHECK_EQ(f.len, len);
            CHECK(!f.error);
            CHECK_EQ(bufs[f.index][len - 1], (uint8_t)(got & 0xFF));
            CHECK_EQ(vmx_rx_post(&r, (uintptr_t)bufs[f.index]), (int)f.index);
            got++;
        }
        CHECK_EQ(rc, 0);
    }
    CHECK_EQ(got, sent);
    CHECK(got > 40 * SIZE);
}

static void rx_expect_violation(unsigned idx, unsigned rq, unsigned len, bool sop, bool eop,
                                const char *why)
{
    struct vmx_rx r;
    struct simrx s;
    rx_setup(&r, &s, 2 * SIZE);
    simrx_complete(&s, idx, rq, len, sop, eop, false);
    struct vmx_rx_frame f;
    CHECK_EQ(vmx_rx_next(&r, &f), -1);
    if (strstr(r.error, why) == NULL)
        fail_msg("error '%s' does not say '%s'", r.error, why);
    CHECK(r.broken);
    CHECK_EQ(vmx_rx_next(&r, &f), -1);
    CHECK_EQ(vmx_rx_post(&r, (uintptr_t)bufs[0]), -1);
}

TEST(rx_length_larger_than_buffer)
{
    rx_expect_violation(0, 0, BUF + 1, true, true, "length 257 is larger than the 256-byte");
}

TEST(rx_index_out_of_range)
{
    rx_expect_violation(SIZE + 3, 0, 60, true, true, "descriptor 35 of a 32-entry ring");
}

TEST(rx_index_not_the_one_due)
{
    rx_expect_violation(5, 0, 60, true, true, "names descriptor 5, descriptor 0 was due");
}

TEST(rx_ring1_named)
{
    rx_expect_violation(0, 1, 60, true, true, "ring id 1");
}

TEST(rx_sop_eop_inconsistent)
{
    rx_expect_violation(0, 0, 60, true, false, "sop 1 eop 0");
    rx_expect_violation(0, 0, 60, false, true, "sop 0 eop 1");
}

TEST(rx_completion_with_nothing_posted)
{
    struct vmx_rx r;
    struct simrx s;
    memset(rx_comp_mem, 0, sizeof rx_comp_mem);
    vmx_rx_init(&r, rx_ring_mem, rx_comp_mem, SIZE, 2 * SIZE, BUF, 0);
    sim_init(&s.comp, rx_comp_mem, 2 * SIZE);
    simrx_complete(&s, 0, 0, 60, true, true, false);
    struct vmx_rx_frame f;
    CHECK_EQ(vmx_rx_next(&r, &f), -1);
    CHECK(strstr(r.error, "no buffer posted") != NULL);
}

/* A frame the device marks bad, and an empty one, are dropped (counted by
 * the caller), not a violation; the ring goes on. */
TEST(rx_error_frames_dropped)
{
    struct vmx_rx r;
    struct simrx s;
    rx_setup(&r, &s, 2 * SIZE);
    simrx_complete(&s, 0, 0, 60, true, true, true);
    simrx_complete(&s, 1, 0, 0, true, true, false);
    simrx_complete(&s, 2, 0, 60, true, true, false);
    struct vmx_rx_frame f;
    CHECK_EQ(vmx_rx_next(&r, &f), 1);
    CHECK(f.error);
    CHECK_EQ(vmx_rx_next(&r, &f), 1);
    CHECK(f.error);
    CHECK_EQ(vmx_rx_next(&r, &f), 1);
    CHECK(!f.error);
    CHECK_EQ(f.index, 2u);
    CHECK(!r.broken);
}

/* The receive completion ring with a stale generation after its wrap: a
 * device that stops flipping is seen as a device that stopped. */
TEST(rx_stale_generation_after_wrap)
{
    struct vmx_rx r;
    struct simrx s;
    rx_setup(&r, &s, SIZE); /* completion ring as big as the ring: wraps together */
    uint8_t frame[64] = {0};
    struct vmx_rx_frame f;
    for (unsigned i = 0; i < SIZE; i++) {
        CHECK_EQ(simrx_receive(&s, frame, 60), (int)i);
        CHECK_EQ(vmx_rx_next(&r, &f), 1);
        CHECK_EQ(vmx_rx_post(&r, (uintptr_t)bufs[f.index]), (int)f.index);
    }
    /* Generation 1 again in slot 0 (the device forgot to flip). */
    s.comp.gen = true;
    simrx_complete(&s, 0, 0, 60, true, true, false);
    CHECK_EQ(vmx_rx_next(&r, &f), 0);
    CHECK(!r.broken);
    CHECK_EQ(r.posted, SIZE);
}

/* ---- version choice and the shared area ---- */

TEST(pick_version)
{
    CHECK_EQ(vmx_pick_version(0x1, 1), 0x1u);
    CHECK_EQ(vmx_pick_version(0x7F, 1), 0x1u); /* 1..7 offered: we speak 1 */
    CHECK_EQ(vmx_pick_version(0x7F, 3), 0x4u); /* the highest both know */
    CHECK_EQ(vmx_pick_version(0x6, 1), 0u);    /* nothing shared: refused */
    CHECK_EQ(vmx_pick_version(0, 1), 0u);
    CHECK_EQ(vmx_pick_version(0xFFFFFFFF, 40), 0x80000000u);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, 4);
    return v;
}
static uint64_t get64(const uint8_t *p, size_t off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

/* Golden offsets of struct Vmxnet3_DriverShared and the queue descriptors,
 * written out here from VMware's header as numbers. */
TEST(shared_area_layout)
{
    static uint8_t shared[720], q[512];
    memset(shared, 0, sizeof shared);
    memset(q, 0, sizeof q);
    struct vmx_shared_config c = {
        .qdesc_pa = 0x12345680,
        .tx_ring_pa = 0x1000,
        .tx_data_pa = 0x1800,
        .tx_comp_pa = 0x2000,
        .rx_ring0_pa = 0x3000,
        .rx_ring1_pa = 0x4000,
        .rx_comp_pa = 0x5000,
        .tx_size = 64,
        .tx_comp_size = 64,
        .rx0_size = 128,
        .rx1_size = 32,
        .rx_comp_size = 160,
        .mtu = 1500,
        .num_intrs = 3,
        .rx_intr = 0,
        .tx_intr = 1,
        .event_intr = 2,
        .auto_mask = true,
        .revision = 1,
        .upt = 1,
    };
    vmx_shared_fill(shared, q, &c);
    CHECK_EQ(get32(shared, 0), 0xBABEFEE1u);
    CHECK_EQ(get32(shared, 16), 1u);
    CHECK_EQ(get32(shared, 20), 1u);
    CHECK_EQ(get64(shared, 40), 0x12345680u);
    CHECK_EQ(get32(shared, 52), 512u);
    CHECK_EQ(get32(shared, 56), 1500u);
    CHECK_EQ(shared[60], 1);            /* maxNumRxSG */
    CHECK_EQ(shared[62], 1);            /* numTxQueues */
    CHECK_EQ(shared[63], 1);            /* numRxQueues */
    CHECK_EQ(shared[80], 1);            /* autoMask */
    CHECK_EQ(shared[81], 3);            /* numIntrs */
    CHECK_EQ(shared[82], 2);            /* eventIntrIdx */
    CHECK_EQ(get32(shared, 120), 0x5u); /* unicast | broadcast */
    CHECK_EQ(get64(q, 16), 0x1000u);
    CHECK_EQ(get64(q, 24), 0x1800u);
    CHECK_EQ(get64(q, 32), 0x2000u);
    CHECK_EQ(get32(q, 60), 64u); /* dataRingSize */
    CHECK_EQ(get32(q, 56), 64u);
    CHECK_EQ(get32(q, 64), 64u);
    CHECK_EQ(q[72], 1);
    CHECK_EQ(get64(q, 256 + 16), 0x3000u);
    CHECK_EQ(get64(q, 256 + 24), 0x4000u);
    CHECK_EQ(get64(q, 256 + 32), 0x5000u);
    CHECK_EQ(get32(q, 256 + 56), 128u);
    CHECK_EQ(get32(q, 256 + 60), 32u);
    CHECK_EQ(get32(q, 256 + 64), 160u);
    CHECK_EQ(q[256 + 72], 0);
}

TEST(layout_alignment)
{
    struct vmx_layout l;
    vmx_layout(&l);
    CHECK_EQ(l.shared, 0u);
    CHECK(l.qdesc >= 720 && l.qdesc % 128 == 0);
    size_t rings[] = {l.tx_ring, l.tx_data, l.tx_comp, l.rx_ring0, l.rx_ring1, l.rx_comp};
    for (unsigned i = 0; i < 6; i++)
        CHECK(rings[i] % 512 == 0);
    CHECK(l.tx_ring >= l.qdesc + 512);
    CHECK(l.tx_data >= l.tx_ring + 16 * VMX_TX_RING);
    CHECK(l.tx_comp >= l.tx_data + 128 * VMX_TX_RING);
    CHECK(l.rx_ring0 >= l.tx_comp + 16 * VMX_TX_RING);
    CHECK(l.rx_ring1 >= l.rx_ring0 + 16 * VMX_RX_RING);
    CHECK(l.rx_comp >= l.rx_ring1 + 16 * VMX_RX_RING1);
    CHECK_EQ(l.bytes, l.rx_comp + 16 * (VMX_RX_RING + VMX_RX_RING1));
}

UNIT_MAIN()
