/* The kernel's netvsc driver (drivers/netvsc/) on the kernel's VMBus
 * (bus/vmbus/), co-simulated against hostsim's VMBus host and network VSP
 * (hostsim/vmbus/server*.c, netvsp*.c, behind netvsc_cosim_host.h): the
 * two sides' encodings of NVSP and RNDIS are written independently and
 * meet here. The guest's hypercalls are calls into the host, the host's
 * SynIC messages wait in a queue that hyperv_synic_take empties, its
 * channel signals are event flags; guest RAM is one buffer whose offset is
 * the guest-physical address (dma_alloc hands it out).
 *
 * Seven NICs are offered: one carries the traffic (thousands of frames
 * both ways, full receive and send buffers, link changes, a rescind while
 * frames flow), one offers NVSP only up to 4, five misbehave in the ways
 * hostsim's --misbehave netvsc-* kinds do; each of those must be refused by
 * the guest (the channel closed, the others going on), and the guest must
 * never break a rule of the host's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "bus/vmbus/vmbus.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/event.h"
#include "dev/netdev.h"
#include "drivers/netvsc/netvsc.h"
#include "hv/hv.h"
#include "net/inet_csum.h"
#include "hv/hyperv/hypercall_abi.h"
#include "hv/hyperv/hyperv.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/netvsc_cosim_host.h"
#include "unit.h"

#define PAGE 4096u
#define RAM_BYTES (32u << 20)
#define MAIN 0  /* the NIC that carries the traffic */
#define OLDER 1 /* NVSP up to 4 */
#define FIRST_BAD 2

static uint8_t *ram;
static size_t ram_used = PAGE; /* GPA 0 is never handed out */
static uint64_t event_bits[HV_EVENT_FLAG_WORDS];

/* ---- the platform the guest's VMBus expects ---- */
uint16_t hyperv_post_message(uint32_t conn_id, uint32_t type, const void *payload, size_t len)
{
    if (type != 1 || len > 240)
        return HV_STATUS_INVALID_PARAMETER;
    return cosim_host_post(conn_id, payload, len);
}

uint16_t hyperv_signal_event(uint32_t connection_id, uint16_t flag)
{
    (void)flag;
    return cosim_host_signal(connection_id);
}

bool hyperv_synic_take(unsigned sint, struct hv_message *out)
{
    if (sint != HV_VMBUS_SINT)
        return false;
    uint8_t msg[240];
    size_t len = cosim_host_take(msg);
    if (len == 0)
        return false;
    memset(out, 0, sizeof *out);
    out->type = 1;
    out->payload_size = (uint8_t)len;
    memcpy(out->payload, msg, len);
    return true;
}

unsigned hyperv_synic_events(unsigned sint, void (*fn)(void *ctx, unsigned flag), void *ctx)
{
    if (sint != HV_VMBUS_SINT)
        return 0;
    event_bits[0] |= cosim_host_flags();
    return hv_event_flags_drain(event_bits, fn, ctx);
}

int hyperv_hypercall_init(void)
{
    return 0;
}

int hyperv_synic_init(struct work *w)
{
    (void)w;
    return 0;
}

bool hv_has(enum hv_cap c, uint32_t *base)
{
    (void)c;
    (void)base;
    return false; /* vmbus_connect is the entry here, not the bus start */
}

void *dma_alloc(size_t size, size_t align, uint64_t *dev_addr)
{
    (void)align;
    size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (ram_used + size > RAM_BYTES)
        return NULL;
    *dev_addr = ram_used;
    void *p = ram + ram_used;
    memset(p, 0, size);
    ram_used += size;
    return p;
}

void dma_free(void *p, size_t size)
{
    memset(p, 0xDD, size); /* a use after free shows up as garbage */
}

/* ---- the guest's side of the traffic ---- */
static unsigned echoes, received;
static uint8_t last_rx[1600];
static size_t last_rx_len;

/* The receiver of the traffic NIC echoes every frame back, swapping the
 * MAC addresses. */
static void echo(struct netdev *nd, const void *frame, size_t len, void *ctx)
{
    (void)ctx;
    received++;
    memcpy(last_rx, frame, len < sizeof last_rx ? len : sizeof last_rx);
    last_rx_len = len;
    uint8_t out[1600];
    memcpy(out, frame, len);
    memcpy(out, (const uint8_t *)frame + 6, 6);
    memcpy(out + 6, nd->mac, 6);
    struct netdev_buf b = {out, len};
    if (netdev_transmit(nd, &b, 1, NULL) == 0)
        echoes++;
}

static struct netdev *nic_netdev(unsigned i)
{
    for (struct netdev *nd = netdev_first(); nd; nd = nd->next)
        if (container_of(nd->dev, struct vmbus_dev, dev)->offer.child_relid == i + 1)
            return nd;
    return NULL;
}

static struct vmbus_dev *nic_dev(unsigned i)
{
    for (struct device *d = device_first(); d; d = d->next)
        if (d->bus == &vmbus_bus &&
            container_of(d, struct vmbus_dev, dev)->offer.child_relid == i + 1)
            return container_of(d, struct vmbus_dev, dev);
    return NULL;
}

static void run_loop(void)
{
    for (int i = 0; i < 8; i++) {
        vmbus_settle();
        event_run_pending();
    }
}

/* A frame of len bytes to the guest's MAC with seq in its payload. */
static size_t make_frame(uint8_t *f, size_t len, unsigned nicno, uint32_t seq)
{
    memset(f, 0, len);
    f[5] = (uint8_t)(nicno + 1);
    f[0] = 2;
    memcpy(f + 6, "\x02\x99\x99\x99\x99\x99", 6);
    f[12] = 0x88, f[13] = 0xB5; /* local experimental ethertype */
    memcpy(f + 14, &seq, 4);
    for (size_t i = 18; i < len; i++)
        f[i] = (uint8_t)(seq + i);
    return len;
}

#define HOST_RULES_KEPT()                                                                          \
    CHECK_STR(cosim_host_violation() ? cosim_host_violation() : "none", "none")

TEST(probe_negotiates_and_registers)
{
    host_platform_reset();
    host_clock_step = 100000; /* a lost answer costs its 5 s timeout quickly */
    ram = aligned_alloc(PAGE, RAM_BYTES);
    static const uint32_t versions[COSIM_NICS] = {0x60001, 0x40000, 0x60001, 0x60001,
                                                  0x60001, 0x60001, 0x60001};
    static const char *const bad[COSIM_NICS] = {NULL,
                                                NULL,
                                                "netvsc-rndis-len",
                                                "netvsc-rndis-offset",
                                                "netvsc-recv-section",
                                                "netvsc-wrong-tid",
                                                "netvsc-unsolicited"};
    cosim_host_start(ram, RAM_BYTES, COSIM_NICS, versions, bad);
    CHECK_EQ(vmbus_connect(0, 0, 0), 0);
    vmbus_settle();
    run_loop();
    HOST_RULES_KEPT();
    for (unsigned i = 0; i < COSIM_NICS; i++) {
        struct netdev *nd = nic_netdev(i);
        CHECK(nd != NULL);
        CHECK_EQ(nd->mac[5], i + 1);
        CHECK_EQ(nd->mtu, 1500);
        CHECK(nd->link_up);
        CHECK_EQ(nd->features, NETDEV_FEATURE_TX_CSUM);
        CHECK_EQ(cosim_host_filter(i), 0xDu); /* directed, all multicast, broadcast */
    }
    CHECK_EQ(cosim_host_version(MAIN), 0x60001u);
    CHECK_EQ(cosim_host_version(OLDER), 0x40000u); /* the newest both know */
    CHECK(LOG_CONTAINS("NVSP 6.1, 64 send sections of 6144 bytes, TCP and UDP checksum offload"));
    CHECK(LOG_CONTAINS("NVSP 4.0, 64 send sections"));
    netdev_set_receiver(nic_netdev(MAIN), echo, NULL);
}

TEST(thousands_of_frames_both_ways)
{
    uint8_t frames[32][1514];
    const uint8_t *fp[32];
    size_t lens[32];
    unsigned sent = 0, got = 0;
    struct cosim_frame out[64];
    for (uint32_t round = 0; round < 200; round++) {
        unsigned n = 1 + round % 32;
        for (unsigned k = 0; k < n; k++) {
            lens[k] = make_frame(frames[k], 60 + (round * 37 + k * 101) % 1455, MAIN, sent + k);
            fp[k] = frames[k];
        }
        unsigned taken = cosim_host_deliver(MAIN, fp, lens, n, 0x38 /* TCP, UDP, IP ok */);
        CHECK_EQ(taken, n);
        sent += taken;
        run_loop();
        unsigned m;
        while ((m = cosim_host_sent(MAIN, out, 64)) > 0) {
            for (unsigned k = 0; k < m; k++) {
                uint32_t seq;
                memcpy(&seq, out[k].data + 14, 4);
                CHECK_EQ(seq, got);
                CHECK_EQ(out[k].data[5], 0x99); /* back to the sender */
                CHECK_EQ(out[k].csum_offset, 0);
                got++;
            }
        }
    }
    CHECK(sent > 3000);
    CHECK_EQ(got, sent);
    CHECK_EQ(received, sent);
    CHECK_EQ(cosim_host_rx_busy(MAIN), 0u); /* every section completed */
    struct netdev *nd = nic_netdev(MAIN);
    CHECK_EQ(nd->stats.rx_packets, sent);
    CHECK_EQ(nd->stats.tx_packets, sent);
    struct netvsc *n = nd->priv;
    CHECK_EQ(n->rx_csum_ok, sent);
    HOST_RULES_KEPT();
    /* make bench (bench/hyperv_bench.py) asks for the co-simulated rate:
     * the same exchange, 32 frames of 60 to 1514 bytes a round, for that
     * many seconds; frames each way per second printed, nothing asserted. */
    const char *secs = getenv("ANYVM_COSIM_RATE_SECONDS");
    if (secs != NULL && atof(secs) > 0) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        double took = 0;
        unsigned long each_way = 0;
        for (uint32_t round = 0; took < atof(secs); round++) {
            for (unsigned k = 0; k < 32; k++) {
                lens[k] = make_frame(frames[k], 60 + (round * 37 + k * 101) % 1455, MAIN, 0);
                fp[k] = frames[k];
            }
            each_way += cosim_host_deliver(MAIN, fp, lens, 32, 0x38);
            run_loop();
            while (cosim_host_sent(MAIN, out, 64) > 0)
                ;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        }
        printf("netvsc co-simulation: %.0f frames/s each way (%lu frames of 60 to 1514 bytes "
               "each way in %.2f s; kernel and hostsim code built with AddressSanitizer)\n",
               (double)each_way / took, each_way, took);
    }
}

TEST(full_receive_buffer_waits_for_completions)
{
    /* No guest loop in between: the host fills every data section, then
     * stops taking frames until the guest completes them. */
    uint8_t frame[1514];
    const uint8_t *fp[32];
    size_t lens[32];
    for (unsigned k = 0; k < 32; k++)
        fp[k] = frame, lens[k] = make_frame(frame, 1514, MAIN, 0);
    unsigned total = 0, r;
    received = 0;
    while ((r = cosim_host_deliver(MAIN, fp, lens, 32, 0)) == 32)
        total += r;
    total += r;
    CHECK(total > 200); /* 512 KiB of 1806-byte sections, less 16 for control */
    CHECK_EQ(cosim_host_deliver(MAIN, fp, lens, 1, 0), 0u);
    run_loop();
    CHECK_EQ(received, total);
    CHECK_EQ(cosim_host_rx_busy(MAIN), 0u);
    CHECK_EQ(cosim_host_deliver(MAIN, fp, lens, 1, 0), 1u);
    run_loop();
    struct cosim_frame out[64];
    while (cosim_host_sent(MAIN, out, 64) > 0)
        ;
    HOST_RULES_KEPT();
}

TEST(full_send_buffer_drops_and_recovers)
{
    struct netdev *nd = nic_netdev(MAIN);
    uint8_t frame[200];
    make_frame(frame, sizeof frame, MAIN, 7);
    struct netdev_buf b = {frame, sizeof frame};
    /* The host completes each send at once (in the signal): block that by
     * marking every section busy as if the host were slow. */
    struct netvsc *n = nd->priv;
    uint64_t saved[NETVSC_MAX_SECTIONS / 64];
    memcpy(saved, n->tx_busy, sizeof saved);
    memset(n->tx_busy, 0xFF, sizeof n->tx_busy);
    uint64_t dropped = nd->stats.tx_dropped;
    CHECK_EQ(netdev_transmit(nd, &b, 1, NULL), -1);
    CHECK_EQ(nd->stats.tx_dropped, dropped + 1);
    memcpy(n->tx_busy, saved, sizeof saved);
    CHECK_EQ(netdev_transmit(nd, &b, 1, NULL), 0);
    struct cosim_frame out[4];
    CHECK_EQ(cosim_host_sent(MAIN, out, 4), 1u);
    CHECK_EQ(out[0].len, sizeof frame);
    CHECK(memcmp(out[0].data, frame, sizeof frame) == 0);
    HOST_RULES_KEPT();
}

TEST(checksums_left_to_the_device)
{
    struct netdev *nd = nic_netdev(MAIN);
    uint8_t f[80] = {0};
    memcpy(f, "\x02\x99\x99\x99\x99\x99\x02\0\0\0\0\x01\x08\x00", 14);
    f[14] = 0x45;   /* IPv4, 20-byte header */
    f[14 + 9] = 6;  /* TCP */
    f[14 + 3] = 66; /* total length */
    struct netdev_buf b = {f, sizeof f};
    /* TCP and UDP: the host's, by the checksum PPI */
    struct netdev_tx_offload off = {.csum = true, .csum_start = 34, .csum_offset = 16};
    CHECK_EQ(netdev_transmit(nd, &b, 1, &off), 0);
    off.csum_offset = 6;
    f[14 + 9] = 17;
    CHECK_EQ(netdev_transmit(nd, &b, 1, &off), 0);
    struct cosim_frame out[4];
    CHECK_EQ(cosim_host_sent(MAIN, out, 4), 2u);
    CHECK_EQ(out[0].csum_start, 34);
    CHECK_EQ(out[0].csum_offset, 16);
    CHECK_EQ(out[1].csum_offset, 6);
    CHECK_EQ(nd->stats.tx_csum_offloaded, 2u);
    /* ICMP's (no PPI for it): completed by the driver before it leaves */
    f[14 + 9] = 1;
    for (unsigned i = 34; i < sizeof f; i++)
        f[i] = (uint8_t)(i * 7);
    f[36] = f[37] = 0; /* the partial sum: ICMP has no pseudo-header */
    off.csum_offset = 2;
    CHECK_EQ(netdev_transmit(nd, &b, 1, &off), 0);
    CHECK_EQ(cosim_host_sent(MAIN, out, 4), 1u);
    CHECK_EQ(out[0].csum_offset, 0);
    CHECK_EQ(inet_csum(out[0].data + 34, sizeof f - 34), 0); /* a valid checksum */
    CHECK(out[0].data[36] != 0 || out[0].data[37] != 0);
    CHECK_EQ(nd->stats.tx_csum_offloaded, 2u);
    HOST_RULES_KEPT();
}

TEST(link_indications_reach_the_netdev)
{
    struct netdev *nd = nic_netdev(MAIN);
    cosim_host_set_link(MAIN, false);
    run_loop();
    CHECK(!nd->link_up);
    CHECK(LOG_CONTAINS(": link down"));
    cosim_host_set_link(MAIN, true);
    run_loop();
    CHECK(nd->link_up);
    CHECK_EQ(cosim_host_rx_busy(MAIN), 0u); /* indications completed too */
    HOST_RULES_KEPT();
}

/* Each misbehaving NIC: traffic both ways until it breaks; the guest logs
 * the fault, disables that device and closes its channel; the traffic NIC
 * goes on. */
static void misbehaving_nic(unsigned i, const char *logged)
{
    unit_log_clear();
    struct vmbus_dev *vd = nic_dev(i);
    struct netdev *nd = nic_netdev(i);
    CHECK(vd != NULL && nd != NULL);
    uint8_t frame[100];
    const uint8_t *fp[1] = {frame};
    size_t lens[1] = {make_frame(frame, sizeof frame, i, 1)};
    struct netdev_buf b = {frame, sizeof frame};
    CHECK_EQ(cosim_host_deliver(i, fp, lens, 1, 0), 1u);
    netdev_transmit(nd, &b, 1, NULL);
    run_loop();
    CHECK(cosim_host_misbehaved(i));
    CHECK(LOG_CONTAINS(logged));
    CHECK_EQ(vd->dev.state, DEVICE_DISABLED);
    CHECK(!cosim_host_open(i));
    CHECK(!nd->link_up);
    CHECK_EQ(netdev_transmit(nd, &b, 1, NULL), -1);
    /* the traffic NIC still echoes */
    unsigned before = received;
    fp[0] = frame, lens[0] = make_frame(frame, sizeof frame, MAIN, 5);
    CHECK_EQ(cosim_host_deliver(MAIN, fp, lens, 1, 0), 1u);
    run_loop();
    CHECK_EQ(received, before + 1);
    struct cosim_frame out[4];
    CHECK_EQ(cosim_host_sent(MAIN, out, 4), 1u);
    HOST_RULES_KEPT();
}

TEST(misbehave_rndis_len)
{
    misbehaving_nic(FIRST_BAD, "an RNDIS msg_len outside the receive section");
}

TEST(misbehave_rndis_offset)
{
    misbehaving_nic(FIRST_BAD + 1, "RNDIS packet data outside the message");
}

TEST(misbehave_recv_section)
{
    misbehaving_nic(FIRST_BAD + 2, "a receive section outside the receive buffer");
}

TEST(misbehave_transaction_id)
{
    misbehaving_nic(FIRST_BAD + 3, "which is not in flight");
}

TEST(misbehave_unsolicited_completion)
{
    misbehaving_nic(FIRST_BAD + 4, "which no request carried");
}

TEST(rescind_while_frames_flow)
{
    uint8_t frames[8][600];
    const uint8_t *fp[8];
    size_t lens[8];
    for (unsigned k = 0; k < 8; k++)
        fp[k] = frames[k], lens[k] = make_frame(frames[k], 600, MAIN, k);
    CHECK_EQ(cosim_host_deliver(MAIN, fp, lens, 8, 0), 8u);
    CHECK_EQ(cosim_host_rescind(MAIN), 0);
    unit_log_clear();
    run_loop();
    CHECK(nic_netdev(MAIN) == NULL);
    CHECK(nic_dev(MAIN) == NULL);
    CHECK(LOG_CONTAINS("removed ("));
    CHECK(LOG_CONTAINS("host checksum verdicts "));
    CHECK(LOG_CONTAINS("vmbus: relid 1 rescinded"));
    CHECK(!cosim_host_open(MAIN));
    CHECK(nic_netdev(OLDER) != NULL); /* the others stay */
    HOST_RULES_KEPT();
}

UNIT_MAIN()
