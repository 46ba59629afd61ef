/* Unit tests for the e1000 rings (drivers/e1000/rx_ring.c, tx_ring.c) and
 * address checks (mac_addr.c), against a simulated device written here from
 * the manual's device side ([SDM] ch. 3): it owns the descriptors from its
 * head up to the driver's tail, writes received frames into the buffers
 * those descriptors point at, and for transmit reads descriptors from its
 * head to the tail, keeps the last context, inserts the checksum a data
 * descriptor asks for and writes DD back. Device "addresses" are host
 * pointers. Also a device that breaks the rules: zero and oversized lengths,
 * a frame without EOP, scribbled buffer addresses, heads out of range. */
#include <stdint.h>

#include "drivers/e1000/mac_addr.h"
#include "drivers/e1000/ring.h"
#include "net/inet_csum.h"
#include "tests/unit/unit.h"

#define N 32 /* descriptors per ring in these tests */

static struct e1000_rx_desc rx_desc[N] __attribute__((aligned(128)));
static struct e1000_tx_desc tx_desc[N] __attribute__((aligned(128)));
static uint8_t rx_pool[N * E1000_BUF_SIZE];
static uint8_t tx_pool[N * E1000_BUF_SIZE];

/* ---- the simulated device: receive side ---- */

struct simrx {
    struct e1000_rx_ring *r;
    unsigned head;
};

/* The device takes the descriptor at its head if the driver's tail leaves
 * it one, writes the frame and the status. Returns false when it has none
 * (the frame would be missed). */
static bool sim_rx_write(struct simrx *s, const void *frame, uint16_t len, uint8_t status,
                         uint8_t errors)
{
    if (s->head == s->r->tail)
        return false;
    struct e1000_rx_desc *d = &rx_desc[s->head];
    if (len <= E1000_BUF_SIZE)
        memcpy((void *)(uintptr_t)d->addr, frame, len);
    d->length = len;
    d->errors = errors;
    d->status = status;
    s->head = (s->head + 1) % N;
    return true;
}

static bool sim_rx(struct simrx *s, const void *frame, uint16_t len)
{
    return sim_rx_write(s, frame, len, E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP, 0);
}

static void rx_setup(struct e1000_rx_ring *r, struct simrx *s)
{
    memset(rx_desc, 0xEE, sizeof rx_desc); /* init must clear what it uses */
    e1000_rx_init(r, rx_desc, N, rx_pool, (uintptr_t)rx_pool);
    *s = (struct simrx){r, 0};
}

static void fill(uint8_t *f, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seed * 31 + i);
}

TEST(rx_init_gives_all_but_one)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    CHECK_EQ(r.tail, N - 1u);
    for (unsigned i = 0; i < N; i++) {
        CHECK_EQ(rx_desc[i].addr, (uintptr_t)rx_pool + (uint64_t)i * E1000_BUF_SIZE);
        CHECK_EQ(rx_desc[i].status, 0);
    }
    /* The device can fill N - 1 descriptors, never the one kept back. */
    uint8_t f[60];
    fill(f, sizeof f, 1);
    for (unsigned i = 0; i < N - 1; i++)
        CHECK(sim_rx(&s, f, sizeof f));
    CHECK(!sim_rx(&s, f, sizeof f));
}

TEST(rx_frames_in_order_across_many_wraps)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    unsigned sent = 0, got = 0;
    uint8_t f[1518], tmp[1518];
    /* Bursts of varying size, each consumed whole: 10 trips round the ring. */
    for (unsigned burst = 0; sent < 10 * N; burst++) {
        unsigned k = 1 + burst % (N - 1);
        for (unsigned i = 0; i < k; i++) {
            uint16_t len = (uint16_t)(60 + (sent * 97) % (1518 - 60));
            fill(f, len, sent);
            CHECK(sim_rx(&s, f, len));
            sent++;
        }
        const uint8_t *frame;
        size_t len;
        enum e1000_rx_result res;
        while ((res = e1000_rx_next(&r, &frame, &len)) == E1000_RX_FRAME) {
            uint16_t want = (uint16_t)(60 + (got * 97) % (1518 - 60));
            CHECK_EQ(len, want);
            fill(tmp, want, got);
            CHECK(memcmp(frame, tmp, want) == 0);
            e1000_rx_release(&r);
            got++;
        }
        CHECK_EQ(res, E1000_RX_EMPTY);
        CHECK_EQ(got, sent);
        /* The tail keeps exactly one descriptor back, right behind next. */
        CHECK_EQ((r.tail + 1) % N, r.next);
    }
    CHECK_EQ(r.stats.frames, (uint64_t)sent);
    CHECK_EQ(r.stats.malformed, 0);
}

TEST(rx_zero_length_breaks_the_ring)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    uint8_t f[64] = {0};
    CHECK(sim_rx(&s, f, 64));
    CHECK(sim_rx(&s, f, 0));
    CHECK(sim_rx(&s, f, 64));
    const uint8_t *frame;
    size_t len;
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_FRAME);
    e1000_rx_release(&r);
    unsigned tail = r.tail;
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_BROKEN);
    CHECK(r.broken);
    CHECK(strstr(r.error, "length 0") != NULL);
    CHECK_EQ(r.stats.malformed, 1);
    /* Nothing more is taken, not even the good frame behind it, and no
     * descriptor is handed back. */
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_BROKEN);
    CHECK_EQ(r.tail, tail);
    CHECK_EQ(r.stats.frames, 1);
}

TEST(rx_oversized_length_breaks_the_ring)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    static uint8_t f[E1000_BUF_SIZE];
    CHECK(sim_rx(&s, f, E1000_BUF_SIZE)); /* the largest that fits: fine */
    CHECK(sim_rx(&s, f, E1000_BUF_SIZE + 1));
    const uint8_t *frame;
    size_t len;
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_FRAME);
    CHECK_EQ(len, E1000_BUF_SIZE);
    e1000_rx_release(&r);
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_BROKEN);
    CHECK(strstr(r.error, "larger than the receive buffer") != NULL);
    CHECK_EQ(r.bad_value, E1000_BUF_SIZE + 1u);
    /* 0xFFFF, the most a device can write. */
    rx_setup(&r, &s);
    CHECK(sim_rx(&s, f, 0xFFFF));
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_BROKEN);
}

TEST(rx_missing_eop_breaks_the_ring)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    uint8_t f[1000] = {0};
    /* A frame spread over two buffers: the first without EOP. */
    CHECK(sim_rx_write(&s, f, 1000, E1000_RXD_STAT_DD, 0));
    CHECK(sim_rx(&s, f, 500));
    const uint8_t *frame;
    size_t len;
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_BROKEN);
    CHECK(strstr(r.error, "EOP") != NULL);
    CHECK_EQ(r.stats.frames, 0);
}

TEST(rx_bad_frames_are_dropped_and_recycled)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    uint8_t f[100];
    fill(f, sizeof f, 7);
    const uint8_t eop = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
    CHECK(sim_rx_write(&s, f, 100, eop, E1000_RXD_ERR_CE));  /* CRC error */
    CHECK(sim_rx_write(&s, f, 100, eop, E1000_RXD_ERR_RXE)); /* data error */
    CHECK(sim_rx(&s, f, 10));                                /* a runt */
    CHECK(sim_rx(&s, f, 100));                               /* a good one */
    const uint8_t *frame;
    size_t len;
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_DROP);
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_DROP);
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_DROP);
    /* Dropped buffers went back to the device already. */
    CHECK_EQ(r.tail, 2u);
    CHECK_EQ(rx_desc[0].status, 0);
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_FRAME);
    CHECK_EQ(len, 100);
    CHECK(memcmp(frame, f, 100) == 0);
    CHECK_EQ(r.stats.frame_errors, 2);
    CHECK_EQ(r.stats.runts, 1);
    CHECK_EQ(r.stats.frames, 1);
    CHECK(!r.broken);
}

TEST(rx_buffer_address_comes_from_the_driver)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    uint8_t f[64] = {0};
    CHECK(sim_rx(&s, f, 64));
    rx_desc[0].addr = 0xdeadbeef000; /* the device scribbles on the address */
    const uint8_t *frame;
    size_t len;
    CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_FRAME);
    CHECK(frame == rx_pool); /* the driver's buffer, not the descriptor's word */
    e1000_rx_release(&r);
    CHECK_EQ(rx_desc[0].addr, (uintptr_t)rx_pool);
}

TEST(rx_checksum_verdicts_are_counted)
{
    struct e1000_rx_ring r;
    struct simrx s;
    rx_setup(&r, &s);
    uint8_t f[64] = {0};
    const uint8_t eop = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
    CHECK(sim_rx_write(&s, f, 64, eop | E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_IPCS, 0));
    CHECK(sim_rx_write(&s, f, 64, eop | E1000_RXD_STAT_TCPCS, E1000_RXD_ERR_TCPE));
    CHECK(sim_rx_write(&s, f, 64, eop | E1000_RXD_STAT_IPCS, E1000_RXD_ERR_IPE));
    CHECK(sim_rx_write(&s, f, 64, eop | E1000_RXD_STAT_IXSM | E1000_RXD_STAT_TCPCS, 0));
    CHECK(sim_rx(&s, f, 64));
    const uint8_t *frame;
    size_t len;
    for (unsigned i = 0; i < 5; i++) {
        /* A bad checksum does not drop the frame: the stack checks it. */
        CHECK_EQ(e1000_rx_next(&r, &frame, &len), E1000_RX_FRAME);
        e1000_rx_release(&r);
    }
    CHECK_EQ(r.stats.csum_verified, 1);
    CHECK_EQ(r.stats.csum_bad, 2);
}

TEST(head_values_out_of_range)
{
    CHECK(e1000_head_ok(0, N));
    CHECK(e1000_head_ok(N - 1, N));
    CHECK(!e1000_head_ok(N, N));
    CHECK(!e1000_head_ok(0xFFFFFFFFu, N)); /* what a vanished device reads as */
}

/* ---- the simulated device: transmit side ---- */

struct simtx {
    struct e1000_tx_ring *r;
    unsigned head;
    uint8_t tucss, tucso; /* the last context */
    uint8_t out[64][2048];
    size_t out_len[64];
    bool out_csum[64];
    unsigned nout;
};

/* Processes every descriptor from head to the driver's tail (next_use, what
 * TDT would hold), at most `limit`. */
static void sim_tx_run(struct simtx *s, unsigned limit)
{
    while (s->head != s->r->next_use && limit-- > 0) {
        struct e1000_tx_desc *d = &tx_desc[s->head];
        uint32_t lower = d->lower;
        bool dext = lower & E1000_TXD_CMD_DEXT;
        bool data = lower & E1000_TXD_DTYP_DATA;
        if (dext && !data) {
            s->tucss = (uint8_t)(d->addr >> 32);
            s->tucso = (uint8_t)(d->addr >> 40);
        } else {
            size_t len = dext ? (lower & 0xFFFFF) : (lower & 0xFFFF);
            uint8_t *o = s->out[s->nout % 64];
            memcpy(o, (void *)(uintptr_t)d->addr, len);
            bool csum = dext && (d->upper & E1000_TXD_POPTS_TXSM);
            if (csum) {
                /* The sum over [TUCSS, end), the field's seed included. */
                uint32_t sum = inet_csum_add(0, o + s->tucss, len - s->tucss);
                uint16_t c = inet_csum_fold(sum);
                o[s->tucso] = (uint8_t)(c >> 8);
                o[s->tucso + 1] = (uint8_t)c;
            }
            s->out_len[s->nout % 64] = len;
            s->out_csum[s->nout % 64] = csum;
            s->nout++;
        }
        if (lower & E1000_TXD_CMD_RS)
            d->upper |= E1000_TXD_STAT_DD;
        s->head = (s->head + 1) % N;
    }
}

static void tx_setup(struct e1000_tx_ring *r, struct simtx *s)
{
    memset(tx_desc, 0xEE, sizeof tx_desc);
    e1000_tx_init(r, tx_desc, N, tx_pool, (uintptr_t)tx_pool);
    memset(s, 0, sizeof *s);
    s->r = r;
}

/* An IPv4 UDP (proto 17) or ICMP (proto 1) frame from 10.0.0.2 to 10.0.0.1
 * with `payload` bytes, its transport checksum field seeded as the netdev
 * contract says (the folded pseudo-header sum for UDP, 0 for ICMP). Returns
 * the frame's length. */
static size_t make_ip_frame(uint8_t *f, unsigned proto, size_t payload, unsigned seed)
{
    size_t l4 = 8 + payload; /* the UDP header, or ICMP's echo header */
    memset(f, 0, 14 + 20 + l4);
    f[12] = 0x08;
    f[14] = 0x45;
    net_put16(f + 16, (uint16_t)(20 + l4));
    f[22] = 64;
    f[23] = (uint8_t)proto;
    f[26] = 10, f[29] = 2, f[30] = 10, f[33] = 1;
    net_put16(f + 24, inet_csum(f + 14, 20));
    uint8_t *t = f + 34;
    fill(t + 8, payload, seed);
    if (proto == 17) {
        net_put16(t, 7);
        net_put16(t + 2, 40000);
        net_put16(t + 4, (uint16_t)l4);
        uint8_t pseudo[12] = {10, 0, 0, 2, 10, 0, 0, 1, 0, 17};
        net_put16(pseudo + 10, (uint16_t)l4);
        net_put16(t + 6, (uint16_t)~inet_csum(pseudo, 12)); /* folded, not complemented */
    } else {
        t[0] = 0; /* echo reply */
    }
    return 14 + 20 + l4;
}

/* The transport checksum of a frame as sent is right (0 over the
 * pseudo-header and the segment for UDP, over the message for ICMP). */
static bool l4_csum_ok(const uint8_t *f, size_t len)
{
    size_t l4 = len - 34;
    if (f[23] == 17) {
        uint8_t pseudo[12] = {10, 0, 0, 2, 10, 0, 0, 1, 0, 17};
        net_put16(pseudo + 10, (uint16_t)l4);
        return inet_csum_fold(inet_csum_add(inet_csum_add(0, pseudo, 12), f + 34, l4)) == 0;
    }
    return inet_csum(f + 34, l4) == 0;
}

TEST(tx_frames_arrive_whole_and_are_reaped)
{
    struct e1000_tx_ring r;
    struct simtx s;
    tx_setup(&r, &s);
    uint8_t a[14] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xB5}, b[1000];
    fill(b, sizeof b, 3);
    unsigned total = 0;
    for (unsigned round = 0; round < 5 * N; round++) {
        /* Two pieces: the header, then the rest. */
        struct netdev_buf bufs[2] = {{a, sizeof a}, {b, 46 + round % 900}};
        CHECK_EQ(e1000_tx_put(&r, bufs, 2, NULL), 0);
        sim_tx_run(&s, N);
        CHECK_EQ(e1000_tx_reap(&r), 1u);
        CHECK_EQ(r.in_flight, 0);
        size_t len = s.out_len[total % 64];
        CHECK_EQ(len, 14u + 46 + round % 900);
        CHECK(memcmp(s.out[total % 64], a, 14) == 0);
        CHECK(memcmp(s.out[total % 64] + 14, b, len - 14) == 0);
        CHECK(!s.out_csum[total % 64]);
        total++;
    }
    CHECK_EQ(r.frames, (uint64_t)total);
    CHECK_EQ(r.contexts, 0);
}

TEST(tx_full_ring_and_partial_reap)
{
    struct e1000_tx_ring r;
    struct simtx s;
    tx_setup(&r, &s);
    uint8_t f[60] = {0};
    struct netdev_buf buf = {f, sizeof f};
    unsigned queued = 0;
    while (e1000_tx_put(&r, &buf, 1, NULL) == 0)
        queued++;
    /* One descriptor always stays unused: a full ring never reads as empty. */
    CHECK_EQ(queued, N - 1u);
    CHECK_EQ(e1000_tx_free(&r), 0);
    CHECK_EQ(e1000_tx_reap(&r), 0); /* the device has done nothing yet */
    sim_tx_run(&s, 5);
    CHECK_EQ(e1000_tx_reap(&r), 5u);
    CHECK_EQ(e1000_tx_free(&r), 5u);
    /* Done out of order: DD on a later descriptor while an earlier one is
     * still the device's is not taken before the earlier one. */
    tx_desc[(s.head + 2) % N].upper |= E1000_TXD_STAT_DD;
    CHECK_EQ(e1000_tx_reap(&r), 0);
    sim_tx_run(&s, N);
    CHECK_EQ(e1000_tx_reap(&r), N - 1u - 5);
    CHECK_EQ(r.in_flight, 0);
    CHECK_EQ(r.next_clean, r.next_use);
}

TEST(tx_udp_checksum_inserted_by_the_device)
{
    struct e1000_tx_ring r;
    struct simtx s;
    tx_setup(&r, &s);
    uint8_t f[1600];
    struct netdev_tx_offload off = {true, 34, 6};
    for (unsigned i = 0; i < 4; i++) {
        size_t len = make_ip_frame(f, 17, 100 + 333 * i, i);
        struct netdev_buf buf = {f, len};
        CHECK_EQ(e1000_tx_put(&r, &buf, 1, &off), 0);
        sim_tx_run(&s, N);
        CHECK(s.out_csum[i]);
        CHECK(l4_csum_ok(s.out[i], s.out_len[i]));
    }
    /* One context serves every frame with the same offsets. */
    CHECK_EQ(r.contexts, 1);
    CHECK_EQ(r.offloaded, 4);
    CHECK_EQ(e1000_tx_reap(&r), 5u);
}

TEST(tx_icmp_checksum_completed_in_software)
{
    struct e1000_tx_ring r;
    struct simtx s;
    tx_setup(&r, &s);
    uint8_t f[1600];
    size_t len = make_ip_frame(f, 1, 56, 9);
    struct netdev_tx_offload off = {true, 34, 2};
    struct netdev_buf buf = {f, len};
    CHECK_EQ(e1000_tx_put(&r, &buf, 1, &off), 0);
    sim_tx_run(&s, N);
    CHECK(!s.out_csum[0]); /* the device is not asked */
    CHECK(l4_csum_ok(s.out[0], s.out_len[0]));
    CHECK_EQ(r.contexts, 0);
    CHECK_EQ(r.software, 1);
    /* A UDP request in a fragment: the device is not asked either. */
    len = make_ip_frame(f, 17, 200, 4);
    f[20] = 0x20; /* MF */
    net_put16(f + 24, 0);
    net_put16(f + 24, inet_csum(f + 14, 20));
    struct netdev_tx_offload udp = {true, 34, 6};
    buf.len = len;
    CHECK_EQ(e1000_tx_put(&r, &buf, 1, &udp), 0);
    sim_tx_run(&s, N);
    CHECK(!s.out_csum[1]);
    CHECK(l4_csum_ok(s.out[1], s.out_len[1]));
    CHECK_EQ(r.software, 2);
    CHECK_EQ(r.offloaded, 0);
}

TEST(tx_refuses_bad_frames)
{
    struct e1000_tx_ring r;
    struct simtx s;
    tx_setup(&r, &s);
    uint8_t f[2000] = {0};
    struct netdev_buf shortf = {f, 13}, longf = {f, 1519};
    CHECK_EQ(e1000_tx_put(&r, &shortf, 1, NULL), -1);
    CHECK_EQ(e1000_tx_put(&r, &longf, 1, NULL), -1);
    /* A checksum field beyond the frame's end. */
    struct netdev_buf ok = {f, 60};
    struct netdev_tx_offload off = {true, 50, 16};
    CHECK_EQ(e1000_tx_put(&r, &ok, 1, &off), -1);
    CHECK_EQ(r.in_flight, 0);
    CHECK_EQ(r.frames, 0);
}

/* ---- the station address ---- */

TEST(mac_from_receive_address_registers)
{
    uint8_t m[6];
    CHECK(!e1000_mac_from_ra(0x12005452, 0x5634, m)); /* Address Valid clear */
    CHECK(e1000_mac_from_ra(0x12005452, 0x80005634, m));
    const uint8_t want[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    CHECK(memcmp(m, want, 6) == 0);
    const uint16_t words[3] = {0x5452, 0x1200, 0x5634};
    uint8_t e[6];
    e1000_mac_from_eeprom(words, e);
    CHECK(memcmp(e, want, 6) == 0);
}

TEST(mac_usable)
{
    const uint8_t zero[6] = {0}, bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                  mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1}, ok[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    CHECK(!e1000_mac_usable(zero));
    CHECK(!e1000_mac_usable(bcast));
    CHECK(!e1000_mac_usable(mcast));
    CHECK(e1000_mac_usable(ok));
}

TEST(mac_choice_falls_back_in_order)
{
    const uint8_t ra[6] = {0x52, 0x54, 0, 1, 2, 3}, ee[6] = {0x00, 0x1b, 0x21, 4, 5, 6},
                  zero[6] = {0}, bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                  rnd[6] = {0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa};
    uint8_t m[6];
    CHECK_EQ(e1000_mac_choose(ra, ee, rnd, m), E1000_MAC_RA);
    CHECK(memcmp(m, ra, 6) == 0);
    /* Address Valid clear, or an unusable address there: the EEPROM. */
    CHECK_EQ(e1000_mac_choose(NULL, ee, rnd, m), E1000_MAC_EEPROM);
    CHECK(memcmp(m, ee, 6) == 0);
    CHECK_EQ(e1000_mac_choose(zero, ee, rnd, m), E1000_MAC_EEPROM);
    CHECK_EQ(e1000_mac_choose(bcast, ee, rnd, m), E1000_MAC_EEPROM);
    /* Neither: random, made unicast and locally administered. */
    CHECK_EQ(e1000_mac_choose(bcast, zero, rnd, m), E1000_MAC_RANDOM);
    CHECK_EQ(m[0], 0xfe);
    CHECK(memcmp(m + 1, rnd + 1, 5) == 0);
    CHECK(e1000_mac_usable(m));
    CHECK_EQ(e1000_mac_choose(NULL, NULL, zero, m), E1000_MAC_RANDOM);
    CHECK_EQ(m[0], 0x02);
    CHECK(e1000_mac_usable(m));
}

UNIT_MAIN()
