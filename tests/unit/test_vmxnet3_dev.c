/* Unit tests for vmxnet3's data path and its reaction to a device that
 * breaks the rules (drivers/vmxnet3/vmxnet3_net.c, vmxnet3_cmd.c), with the
 * rings and registers of a simulated device: frames delivered byte for
 * byte, replies announced through TXPROD as txThreshold says, fired vectors
 * unmasked after the work, link events reported, and a device that writes a
 * bad completion or reports a queue error disabled (reason logged, vectors
 * masked, QUIESCE/RESET, shared area cleared, link down, nothing sent or
 * delivered afterwards) while the caller carries on. The device side is
 * written here with its own view of the layouts. */
#include <stdint.h>

#include "core/device.h"
#include "drivers/vmxnet3/vmxnet3.h"
#include "tests/unit/unit.h"

/* ---- the simulated device ---- */

#define CMD_QUIESCE 0xCAFE0001u
#define CMD_RESET 0xCAFE0002u
#define CMD_GET_LINK 0xF00D0002u
#define CMD_GET_QUEUE_STATUS 0xF00D0000u

struct sim {
    uint32_t cmd;
    bool link_up;
    uint32_t imr[25];
    unsigned imr_writes;
    unsigned txprod_writes, rxprod_writes;
    uint32_t ecr_acked;
    bool quiesced, reset;
    uint32_t dsal;
    unsigned writes; /* every register write */
    /* device-side ring cursors */
    unsigned tx_next, txc_next, rx_next, rxc_next;
    bool tx_gen, txc_gen, rx_gen, rxc_gen;
    bool hold_tx;                                    /* take nothing from the transmit ring */
    uint32_t vrrs, uvrs, macl, mach;                 /* what the device offers */
    uint32_t vrrs_set, uvrs_set, macl_set, mach_set; /* what the driver wrote */
    unsigned mac_writes;
    uint8_t sent[8][2048];
    uint32_t sent_dw3[8];
    unsigned sent_len[8], nsent;
};

static struct sim sim;
static struct vmx *dut;

static uint32_t sim_read(void *ctx, unsigned bar, uint32_t off)
{
    (void)ctx;
    if (bar == 1 && off == 0x20)
        return sim.cmd == CMD_GET_LINK ? (sim.link_up ? 1u | 1000u << 16 : 0) : 0;
    if (bar == 1 && off == 0x38)
        return 1;
    if (bar == 1 && off == 0x00)
        return sim.vrrs;
    if (bar == 1 && off == 0x08)
        return sim.uvrs;
    if (bar == 1 && off == 0x28)
        return sim.macl;
    if (bar == 1 && off == 0x30)
        return sim.mach;
    return 0;
}

static void sim_transmit(void);

static void sim_write(void *ctx, unsigned bar, uint32_t off, uint32_t val)
{
    (void)ctx;
    sim.writes++;
    if (bar == 0 && off < 25 * 8 && off % 8 == 0) {
        sim.imr[off / 8] = val;
        sim.imr_writes++;
    } else if (bar == 0 && off == 0x600) {
        sim.txprod_writes++;
        sim_transmit();
    } else if (bar == 0 && off == 0x800) {
        sim.rxprod_writes++;
    } else if (bar == 1 && off == 0x20) {
        sim.cmd = val;
        if (val == CMD_QUIESCE)
            sim.quiesced = true;
        if (val == CMD_RESET)
            sim.reset = true;
    } else if (bar == 1 && off == 0x40) {
        sim.ecr_acked |= val;
        *(volatile uint32_t *)(dut->shared + 696) &= ~val;
    } else if (bar == 1 && off == 0x10) {
        sim.dsal = val;
    } else if (bar == 1 && off == 0x00) {
        sim.vrrs_set = val;
    } else if (bar == 1 && off == 0x08) {
        sim.uvrs_set = val;
    } else if (bar == 1 && off == 0x28) {
        sim.macl_set = val;
        sim.mac_writes++;
    } else if (bar == 1 && off == 0x30) {
        sim.mach_set = val;
        sim.mac_writes++;
    }
}

static volatile uint32_t *d4(volatile uint32_t *ring, unsigned i)
{
    return ring + 4 * i;
}

/* Sends what the driver handed over and completes each frame. */
static void sim_transmit(void)
{
    while (!sim.hold_tx) {
        volatile uint32_t *d = d4(dut->tx.ring, sim.tx_next);
        if (((d[2] >> 14) & 1) != sim.tx_gen)
            return;
        const uint8_t *p = (const uint8_t *)(uintptr_t)(d[0] | (uint64_t)d[1] << 32);
        unsigned len = d[2] & 0x3FFF;
        if (sim.nsent < 8) {
            memcpy(sim.sent[sim.nsent], p, len);
            sim.sent_dw3[sim.nsent] = d[3];
            sim.sent_len[sim.nsent++] = len;
        }
        volatile uint32_t *c = d4(dut->tx.comp, sim.txc_next);
        c[0] = sim.tx_next;
        c[3] = sim.txc_gen ? 1u << 31 : 0;
        if (++sim.tx_next == dut->tx.size) {
            sim.tx_next = 0;
            sim.tx_gen = !sim.tx_gen;
        }
        if (++sim.txc_next == dut->tx.comp_size) {
            sim.txc_next = 0;
            sim.txc_gen = !sim.txc_gen;
        }
    }
}

/* Writes a receive completion at the device's cursor. */
static void sim_rx_complete(unsigned idx, unsigned len, uint32_t extra0, uint32_t extra2)
{
    volatile uint32_t *c = d4(dut->rx.comp, sim.rxc_next);
    c[0] = idx | extra0;
    c[2] = len | extra2;
    c[3] = 3u << 24 | (sim.rxc_gen ? 1u << 31 : 0);
    if (++sim.rxc_next == dut->rx.comp_size) {
        sim.rxc_next = 0;
        sim.rxc_gen = !sim.rxc_gen;
    }
}

/* Receives a frame into the next posted buffer; false when none is. */
static bool sim_receive(const void *frame, unsigned len)
{
    volatile uint32_t *d = d4(dut->rx.ring, sim.rx_next);
    if ((d[2] >> 31) != sim.rx_gen)
        return false;
    memcpy((void *)(uintptr_t)(d[0] | (uint64_t)d[1] << 32), frame, len);
    sim_rx_complete(sim.rx_next, len, 3u << 14, 0); /* sop, eop, ring 0 */
    if (++sim.rx_next == dut->rx.size) {
        sim.rx_next = 0;
        sim.rx_gen = !sim.rx_gen;
    }
    return true;
}

/* ---- the driver under test, set up as vmxnet3.c does after activation ---- */

static uint8_t ctl[65536] __attribute__((aligned(512)));
static uint8_t tx_bufs[VMX_TX_RING][VMX_BUF_BYTES];
static uint8_t rx_bufs[VMX_RX_RING][VMX_BUF_BYTES];
static struct vmx the_vmx;
static struct device the_dev;

struct got {
    uint8_t frame[2048];
    size_t len;
    unsigned n;
    bool reply;       /* answer each frame with a copy of it */
    unsigned replies; /* answers netdev_transmit took */
};
static struct got got;

static void receive(struct netdev *nd, const void *frame, size_t len, void *ctx)
{
    (void)ctx;
    memcpy(got.frame, frame, len);
    got.len = len;
    got.n++;
    if (got.reply) {
        struct netdev_buf b = {frame, len};
        if (netdev_transmit(nd, &b, 1, NULL) == 0)
            got.replies++;
    }
}

static void setup(uint32_t threshold)
{
    memset(&sim, 0, sizeof sim);
    sim.tx_gen = sim.txc_gen = sim.rx_gen = sim.rxc_gen = true;
    sim.link_up = true;
    memset(&got, 0, sizeof got);
    memset(ctl, 0, sizeof ctl);
    struct vmx *v = &the_vmx;
    memset(v, 0, sizeof *v);
    the_dev = (struct device){.name = "00:03.0"};
    dut = v;
    v->dev = &the_dev;
    v->io = (struct vmx_io){sim_read, sim_write, v};
    strcpy(v->name, "vmxnet3 00:03.0");
    struct vmx_layout l;
    vmx_layout(&l);
    if (l.bytes > sizeof ctl)
        fail_msg("layout of %zu bytes", l.bytes);
    v->ctl = ctl;
    v->ctl_pa = (uintptr_t)ctl;
    v->shared = ctl + l.shared;
    v->qdesc = ctl + l.qdesc;
    v->tx_bufs = &tx_bufs[0][0];
    v->tx_bufs_pa = (uintptr_t)v->tx_bufs;
    v->rx_bufs = &rx_bufs[0][0];
    v->rx_bufs_pa = (uintptr_t)v->rx_bufs;
    vmx_tx_init(&v->tx, ctl + l.tx_ring, ctl + l.tx_comp, VMX_TX_RING, VMX_TX_RING);
    vmx_rx_init(&v->rx, ctl + l.rx_ring0, ctl + l.rx_comp, VMX_RX_RING, VMX_RX_RING + VMX_RX_RING1,
                VMX_BUF_BYTES, 0);
    v->work.fn = vmx_work;
    v->nvectors = 3;
    v->rx_index = 0;
    v->tx_index = 1;
    v->event_index = 2;
    if (vmx_rx_fill(v) != 0)
        fail_msg("receive buffers not posted");
    memcpy(v->qdesc + 4, &threshold, 4); /* txThreshold, the device's */
    v->active = true;
    v->nd.driver = "vmxnet3";
    v->nd.mtu = VMX_MTU;
    v->nd.ops = &vmx_netdev_ops;
    v->nd.priv = v;
    v->nd.link_up = true;
    if (netdev_register(&v->nd) != 0)
        fail_msg("netdev_register");
    v->registered = true;
    netdev_set_receiver(&v->nd, receive, NULL);
}

static void teardown(void)
{
    netdev_unregister(&the_vmx.nd);
}

static void frame_of(uint8_t *f, unsigned len, unsigned seed)
{
    for (unsigned i = 0; i < len; i++)
        f[i] = (uint8_t)(seed * 31 + i);
}

/* ---- tests ---- */

TEST(frames_delivered_and_replies_sent)
{
    setup(1);
    uint8_t f[1514];
    for (unsigned k = 0; k < 3 * VMX_RX_RING; k++) { /* three laps of the ring */
        unsigned len = 60 + (k * 37) % (sizeof f - 60);
        frame_of(f, len, k);
        CHECK(sim_receive(f, len));
        vmx_work(&the_vmx.work);
        CHECK_EQ(got.n, k + 1);
        CHECK_EQ(got.len, len);
        CHECK(memcmp(got.frame, f, len) == 0);
    }
    CHECK_EQ(the_vmx.nd.stats.rx_packets, 3u * VMX_RX_RING);
    CHECK_EQ(the_vmx.rx.posted, VMX_RX_RING);
    /* Replies: each one reaches the device. */
    got.reply = true;
    frame_of(f, 100, 7);
    CHECK(sim_receive(f, 100));
    vmx_work(&the_vmx.work);
    CHECK_EQ(got.replies, 1u);
    CHECK_EQ(sim.nsent, 1u);
    CHECK_EQ(sim.sent_len[0], 100u);
    CHECK(memcmp(sim.sent[0], f, 100) == 0);
    CHECK(the_dev.state != DEVICE_DISABLED);
    teardown();
}

/* txThreshold 4: replies to a burst are announced once, at the end of the
 * pass (fewer than 4 of them); a frame sent outside a pass at once. */
TEST(tx_threshold_batches_replies_without_stranding)
{
    setup(4);
    got.reply = true;
    uint8_t f[64];
    for (unsigned k = 0; k < 3; k++) {
        frame_of(f, sizeof f, k);
        CHECK(sim_receive(f, sizeof f));
    }
    vmx_work(&the_vmx.work);
    CHECK_EQ(got.replies, 3u);
    CHECK_EQ(sim.txprod_writes, 1u);
    CHECK_EQ(sim.nsent, 3u);
    got.reply = false;
    struct netdev_buf b = {f, sizeof f};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), 0);
    CHECK_EQ(sim.txprod_writes, 2u);
    CHECK_EQ(sim.nsent, 4u);
    teardown();
}

TEST(fired_vectors_unmasked_after_work)
{
    setup(1);
    for (unsigned i = 0; i < 3; i++)
        sim.imr[i] = 1;
    the_vmx.fired = 1u << 0 | 1u << 2;
    vmx_work(&the_vmx.work);
    CHECK_EQ(sim.imr[0], 0u);
    CHECK_EQ(sim.imr[1], 1u); /* did not fire: left as it was */
    CHECK_EQ(sim.imr[2], 0u);
    CHECK_EQ(the_vmx.fired, 0u);
    teardown();
}

/* Without interrupts the poller does the work: frames and events taken,
 * no interrupt mask touched. */
TEST(polled_without_interrupts)
{
    setup(1);
    the_vmx.nvectors = 0;
    uint8_t f[90];
    frame_of(f, sizeof f, 4);
    CHECK(sim_receive(f, sizeof f));
    sim.link_up = false;
    *(volatile uint32_t *)(the_vmx.shared + 696) = 0x4; /* LINK */
    vmx_poll(&the_vmx.poller);
    CHECK_EQ(got.n, 1u);
    CHECK(memcmp(got.frame, f, sizeof f) == 0);
    CHECK(!the_vmx.nd.link_up);
    CHECK_EQ(sim.imr_writes, 0u);
    teardown();
}

TEST(link_event_reported)
{
    setup(1);
    sim.link_up = false;
    *(volatile uint32_t *)(the_vmx.shared + 696) = 0x4; /* LINK */
    vmx_work(&the_vmx.work);
    CHECK(!the_vmx.nd.link_up);
    char line[32];
    snprintf(line, sizeof line, "%s: link down", the_vmx.nd.name);
    CHECK(LOG_CONTAINS(line));
    CHECK_EQ(sim.ecr_acked, 0x4u);
    sim.link_up = true;
    *(volatile uint32_t *)(the_vmx.shared + 696) = 0x4;
    vmx_work(&the_vmx.work);
    CHECK(the_vmx.nd.link_up);
    snprintf(line, sizeof line, "%s: link up", the_vmx.nd.name);
    CHECK(LOG_CONTAINS(line));
    CHECK(the_dev.state != DEVICE_DISABLED);
    teardown();
}

/* What every violation must leave behind. */
static void check_disabled(const char *why)
{
    CHECK_EQ(the_dev.state, DEVICE_DISABLED);
    if (!LOG_CONTAINS(why))
        fail_msg("log does not say '%s':\n%s", why, unit_log);
    char line[64];
    snprintf(line, sizeof line, "00:03.0: disabled: vmxnet3 %s:", the_vmx.nd.name);
    CHECK(LOG_CONTAINS(line));
    CHECK(the_vmx.broken);
    CHECK(!the_vmx.nd.link_up);
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(sim.imr[i], 1u);
    CHECK(sim.quiesced && sim.reset);
    CHECK_EQ(sim.dsal, 0u);
    /* Nothing more: no frame delivered, none sent, no register touched. */
    unsigned n = got.n, writes = sim.writes, sent = sim.nsent;
    uint8_t f[64] = {0};
    sim_receive(f, sizeof f);
    the_vmx.fired = 1;
    vmx_work(&the_vmx.work);
    struct netdev_buf b = {f, sizeof f};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), -1);
    CHECK_EQ(got.n, n);
    CHECK_EQ(sim.nsent, sent);
    CHECK_EQ(sim.writes, writes);
    CHECK(the_vmx.nd.stats.tx_dropped >= 1);
}

TEST(rx_length_beyond_buffer_disables)
{
    setup(1);
    sim_rx_complete(0, 3000, 3u << 14, 0);
    vmx_work(&the_vmx.work);
    check_disabled("length 3000 is larger than the 2048-byte buffer");
    teardown();
}

TEST(rx_index_out_of_range_disables)
{
    setup(1);
    sim_rx_complete(4000, 60, 3u << 14, 0);
    vmx_work(&the_vmx.work);
    check_disabled("descriptor 4000 of a 128-entry ring");
    teardown();
}

TEST(rx_sop_without_eop_disables)
{
    setup(1);
    sim_rx_complete(0, 60, 1u << 15, 0);
    vmx_work(&the_vmx.work);
    check_disabled("sop 1 eop 0");
    teardown();
}

TEST(tx_completion_for_wrong_descriptor_disables)
{
    setup(1);
    sim.hold_tx = true;
    uint8_t f[64] = {0};
    struct netdev_buf b = {f, sizeof f};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), 0);
    /* The device completes descriptor 9 instead of 0. */
    volatile uint32_t *c = d4(the_vmx.tx.comp, sim.txc_next);
    c[0] = 9;
    c[3] = sim.txc_gen ? 1u << 31 : 0;
    vmx_work(&the_vmx.work);
    check_disabled("names descriptor 9, descriptor 0 was due");
    teardown();
}

TEST(queue_error_event_disables)
{
    setup(1);
    *(volatile uint32_t *)(the_vmx.shared + 696) = 0x2; /* TQERR */
    vmx_work(&the_vmx.work);
    check_disabled("transmit queue error");
    teardown();
}

/* A frame the device marks bad is dropped and counted; the device stays. */
TEST(error_frame_counted_not_fatal)
{
    setup(1);
    sim_rx_complete(0, 60, 3u << 14, 1u << 14);
    sim.rx_next = 1;
    vmx_work(&the_vmx.work);
    CHECK_EQ(got.n, 0u);
    CHECK_EQ(the_vmx.nd.stats.rx_errors, 1u);
    CHECK(the_dev.state != DEVICE_DISABLED);
    uint8_t f[80];
    frame_of(f, sizeof f, 3);
    CHECK(sim_receive(f, sizeof f));
    vmx_work(&the_vmx.work);
    CHECK_EQ(got.n, 1u);
    teardown();
}

/* The 16-bit one's-complement sum of p[0..n) (RFC 1071), big-endian words. */
static uint16_t ones_sum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

/* An Ethernet + IPv4 frame of len bytes carrying protocol proto, its IPv4
 * header 20 bytes long (so L4 starts at 34), payload patterned. */
static void ipv4_frame(uint8_t *f, unsigned len, uint8_t proto)
{
    frame_of(f, len, 9);
    f[12] = 0x08, f[13] = 0x00; /* IPv4 */
    f[14] = 0x45;               /* version 4, 5 words */
    f[20] = f[21] = 0;          /* not a fragment */
    f[23] = proto;
}

/* The field holds the partial (pseudo-header) sum; 0 here, so a completed
 * region sums to 0xFFFF. */
static void check_completed(unsigned k, const uint8_t *f, unsigned len, unsigned start,
                            unsigned field)
{
    CHECK_EQ((sim.sent_dw3[k] >> 10) & 3, 0u); /* nothing asked of the device */
    CHECK_EQ(ones_sum(sim.sent[k] + start, len - start), 0xFFFFu);
    CHECK(memcmp(sim.sent[k], f, field) == 0);
}

/* Checksum offload: a UDP or TCP checksum behind an IPv4 header is left to
 * the device (om 2, hlen = L4 start, msscof = where the checksum goes);
 * any other (ICMP, which QEMU's model never fills; a frame that is not IP)
 * is completed by the driver, which then asks for nothing. */
TEST(checksum_offload_and_software_fallback)
{
    setup(1);
    the_vmx.nd.features = NETDEV_FEATURE_TX_CSUM;
    uint8_t f[600];
    struct netdev_buf b = {f, sizeof f};
    ipv4_frame(f, sizeof f, 17);
    struct netdev_tx_offload udp = {true, 34, 6};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, &udp), 0);
    CHECK_EQ((sim.sent_dw3[0] >> 10) & 3, 2u);
    CHECK_EQ(sim.sent_dw3[0] & 0x3FF, 34u);
    CHECK(memcmp(sim.sent[0], f, sizeof f) == 0); /* left to the device */
    ipv4_frame(f, sizeof f, 6);
    struct netdev_tx_offload tcp = {true, 34, 16};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, &tcp), 0);
    CHECK_EQ((sim.sent_dw3[1] >> 10) & 3, 2u);
    CHECK_EQ(the_vmx.nd.stats.tx_csum_offloaded, 2u);
    /* ICMP: done here. */
    ipv4_frame(f, sizeof f, 1);
    f[36] = f[37] = 0;
    struct netdev_tx_offload icmp = {true, 34, 2};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, &icmp), 0);
    check_completed(2, f, sizeof f, 34, 36);
    /* UDP asked with the wrong field: done here too. */
    ipv4_frame(f, sizeof f, 17);
    f[36] = f[37] = 0;
    struct netdev_tx_offload odd = {true, 34, 2};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, &odd), 0);
    check_completed(3, f, sizeof f, 34, 36);
    /* Not IP at all. */
    frame_of(f, sizeof f, 5);
    f[116] = f[117] = 0;
    struct netdev_tx_offload raw = {true, 100, 16};
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, &raw), 0);
    check_completed(4, f, sizeof f, 100, 116);
    CHECK_EQ(the_vmx.nd.stats.tx_csum_offloaded, 2u);
    CHECK_EQ(sim.nsent, 5u);
    teardown();
}

/* A device that stops completing: the ring fills, then every frame is
 * refused, said and counted; nothing is corrupted and the device stays. */
TEST(device_that_stops_fills_the_ring)
{
    setup(1);
    sim.hold_tx = true;
    uint8_t f[64] = {0};
    struct netdev_buf b = {f, sizeof f};
    for (unsigned i = 0; i < VMX_TX_RING; i++)
        CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), 0);
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), -1);
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), -1);
    CHECK_EQ(the_vmx.nd.stats.tx_dropped, 2u);
    CHECK(LOG_CONTAINS("transmit refused: ring full"));
    CHECK(the_dev.state != DEVICE_DISABLED);
    /* The device resumes: everything completes, sending works again. */
    sim.hold_tx = false;
    sim_transmit();
    CHECK_EQ(netdev_transmit(&the_vmx.nd, &b, 1, NULL), 0);
    CHECK(vmx_tx_idle(&the_vmx));
    teardown();
}

/* ---- probe-time identity: versions and the MAC ---- */

TEST(negotiation_writes_one_bit_back)
{
    setup(1);
    sim.vrrs = 0x7F; /* revisions 1-7, as a device newer than QEMU may offer */
    sim.uvrs = 0x1;
    CHECK_EQ(vmx_negotiate(&the_vmx), 0);
    CHECK_EQ(sim.vrrs_set, 0x1u);
    CHECK_EQ(sim.uvrs_set, 0x1u);
    CHECK_EQ(the_vmx.revision, 0x1u);
    teardown();
}

TEST(negotiation_refused_without_a_shared_version)
{
    setup(1);
    sim.vrrs = 0x6; /* revisions 2 and 3 only */
    sim.uvrs = 0x1;
    CHECK_EQ(vmx_negotiate(&the_vmx), -1);
    CHECK(LOG_CONTAINS("offers revisions 0x6; this driver speaks revision 1 only"));
    CHECK_EQ(sim.vrrs_set, 0u);
    sim.vrrs = 0x1;
    sim.uvrs = 0x0;
    CHECK_EQ(vmx_negotiate(&the_vmx), -1);
    CHECK(LOG_CONTAINS("offers UPT versions 0x0"));
    teardown();
}

TEST(mac_from_registers)
{
    setup(1);
    sim.macl = 0x12005452; /* 52:54:00:12 */
    sim.mach = 0xFFFF5634; /* 34:56, upper half not part of it */
    vmx_read_mac(&the_vmx);
    static const uint8_t want[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    CHECK(memcmp(the_vmx.nd.mac, want, 6) == 0);
    CHECK_EQ(sim.mac_writes, 0u);
    teardown();
}

static void check_mac_replaced(uint32_t macl, uint32_t mach)
{
    setup(1);
    sim.macl = macl;
    sim.mach = mach;
    vmx_read_mac(&the_vmx);
    const uint8_t *m = the_vmx.nd.mac;
    CHECK((m[0] & 0x01) == 0); /* unicast */
    CHECK((m[0] & 0x02) != 0); /* locally administered */
    CHECK(LOG_CONTAINS("is not a unicast address; using random"));
    /* Written back: MACL bytes 0-3, MACH bytes 4-5. */
    CHECK_EQ(sim.mac_writes, 2u);
    CHECK_EQ(sim.macl_set,
             (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24);
    CHECK_EQ(sim.mach_set, (uint32_t)m[4] | (uint32_t)m[5] << 8);
    teardown();
}

TEST(mac_zero_replaced)
{
    check_mac_replaced(0, 0);
}

TEST(mac_broadcast_replaced)
{
    check_mac_replaced(0xFFFFFFFF, 0xFFFF);
}

TEST(mac_multicast_replaced)
{
    check_mac_replaced(0x00005E01, 0x0101); /* 01:5e:00:00:01:01 */
}

UNIT_MAIN()
