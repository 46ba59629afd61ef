/* hostsim's network VSP (hostsim/vmbus/netvsp.c, netvsp_rndis.c) driven
 * as a guest drives it, message by message, on a channel of hostsim's VMBus
 * host opened by hand over test RAM: its replies against golden bytes from
 * the public layouts (Linux drivers/net/hyperv/hyperv_net.h; openvmm netvsp
 * lib.rs for what the host answers: INIT_COMPLETE with max_mdl_chain_len
 * 34, one run of receive sections of 256 + MTU + 36 bytes, send sections of
 * 6144, INIT_CMPLT of RNDIS 1.0 with 8 packets a message and alignment
 * factor 3), and its strictness: each rule a guest breaks is a violation. */
#include <stdint.h>
#include <string.h>

#include "hostsim/vmbus/netvsp.h"
#include "hostsim/vmbus/wire.h"
#include "tests/unit/unit.h"

#define PAGE 4096u
#define RAM_PAGES 256
#define RING_PFN 8 /* the host-to-guest ring: 4 pages */
#define RX_PFN 32  /* receive buffer: 64 pages */
#define RX_PAGES 64
#define TX_PFN 100 /* send buffer: 12 pages (8 sections) */
#define TX_PAGES 12
#define RX_GPADL 100
#define TX_GPADL 101

static uint8_t ram[RAM_PAGES * PAGE];
static struct guest_mem mem;
static struct vmbus_host host;
static struct netvsp vsp;
static struct vmbus_host_channel *ch;
static struct vmbus_host_ring reader; /* the guest's view of the host-to-guest ring */
static const uint64_t ring_pfn[4] = {RING_PFN, RING_PFN + 1, RING_PFN + 2, RING_PFN + 3};
static char violation[512];
static unsigned frames_out;
static uint8_t frame_out[1600];
static size_t frame_out_len;

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx, (void)vp, (void)sint, (void)msg, (void)len;
    return 0;
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx, (void)vp, (void)sint, (void)relid;
}

static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    snprintf(violation, sizeof violation, "%s", what);
}

static void transmit(void *ctx, const uint8_t *f, size_t len, uint16_t start, uint16_t off)
{
    (void)ctx, (void)start, (void)off;
    frames_out++;
    memcpy(frame_out, f, len);
    frame_out_len = len;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* A one-range GPADL of npages from pfn, complete. */
static void gpadl(unsigned slot, uint32_t id, uint64_t pfn, unsigned npages)
{
    uint8_t list[8 + 8 * 64];
    put32(list, npages * PAGE);
    put32(list + 4, 0);
    for (unsigned i = 0; i < npages; i++) {
        uint64_t p = pfn + i;
        memcpy(list + 8 + 8 * i, &p, 8);
    }
    char err[256];
    CHECK_EQ(vmbus_host_gpadl_begin(&host.gpadl[slot], 1, id, (uint16_t)(8 + 8 * npages), 1, list,
                                    8 + 8 * npages, &mem, err, sizeof err),
             1);
}

static void fresh(void)
{
    vmbus_host_destroy(&host);
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    violation[0] = '\0';
    frames_out = 0;
    guest_mem_add(&mem, 0, sizeof ram, ram);
    struct vmbus_host_hooks hooks = {
        .post = hook_post, .signal = hook_signal, .violation = hook_violation};
    vmbus_host_init(&host, &mem, 1, 0x50003, &hooks);
    static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x00, 0x00, 0x07};
    struct netvsp_hooks nh = {.transmit = transmit};
    netvsp_init(&vsp, mac, &nh);
    ch = vmbus_host_add_channel(&host, &vsp.service);
    char err[256];
    CHECK_EQ(vmbus_host_ring_init(&ch->out, &mem, ring_pfn, 4, true, err, sizeof err), 0);
    CHECK_EQ(vmbus_host_ring_init(&reader, &mem, ring_pfn, 4, false, err, sizeof err), 0);
    ch->open = true;
    ch->state = VMBUS_CH_OPEN;
    ch->target_vp = 0xFFFFFFFFu;
    vsp.service.opened(ch);
    gpadl(0, RX_GPADL, RX_PFN, RX_PAGES);
    gpadl(1, TX_GPADL, TX_PFN, TX_PAGES);
}

/* The guest sends an in-band NVSP message (completion requested). */
static void guest_nvsp(const uint8_t *m, size_t n, uint64_t tid, bool completion)
{
    struct vmbus_host_packet p = {.type = VMBUS_PACKET_DATA_INBAND,
                                  .flags = completion ? VMBUS_PACKET_FLAG_COMPLETION : 0,
                                  .transaction_id = tid,
                                  .payload = m,
                                  .payload_len = (uint32_t)n};
    vsp.service.packet(ch, &p);
}

/* NVSP type with two u32 fields; completion requested unless tid is 0
 * (NDIS_CONFIG and NDIS_VERSION go without, as Linux sends them). */
static void nvsp2(uint32_t type, uint32_t a, uint32_t b, uint64_t tid)
{
    uint8_t m[40] = {0};
    put32(m, type), put32(m + 4, a), put32(m + 8, b);
    guest_nvsp(m, sizeof m, tid, tid != 0);
}

/* The next packet the host wrote: its payload into out, the packet in *p. */
static uint8_t rbuf[4096];
static uint32_t host_said(struct vmbus_host_packet *p, uint8_t *out)
{
    bool signal;
    char err[256];
    if (vmbus_host_ring_read(&reader, p, rbuf, sizeof rbuf, &signal, err, sizeof err) !=
        VMBUS_RING_OK)
        return 0;
    memcpy(out, p->payload, p->payload_len);
    return p->payload_len;
}

/* INIT 6.1, NDIS_CONFIG, NDIS_VERSION and both buffers, their replies read. */
static void handshake(void)
{
    uint8_t out[256];
    struct vmbus_host_packet p;
    nvsp2(1, 0x60001, 0x60001, 1);
    CHECK_EQ(host_said(&p, out), 40u);
    nvsp2(125, 1514, 0, 0);
    nvsp2(100, 6, 30, 0);
    uint8_t m[40] = {101};
    put32(m + 4, RX_GPADL), m[8] = 0xFE, m[9] = 0xCA;
    guest_nvsp(m, 40, 2, true);
    CHECK_EQ(host_said(&p, out), 40u);
    m[0] = 104, put32(m + 4, TX_GPADL), m[8] = m[9] = 0;
    guest_nvsp(m, 40, 3, true);
    CHECK_EQ(host_said(&p, out), 40u);
}

/* An RNDIS message from send section s on channel: writes it there and
 * sends NVSP 107; returns the NVSP status of the host's completion (or 0
 * when none came). */
static uint32_t guest_rndis(uint32_t channel, uint32_t s, const uint8_t *msg, uint32_t len,
                            uint64_t tid)
{
    memcpy(ram + TX_PFN * PAGE + s * 6144, msg, len);
    uint8_t m[40] = {107};
    put32(m + 4, channel), put32(m + 8, s), put32(m + 12, len);
    guest_nvsp(m, 40, tid, true);
    struct vmbus_host_packet p;
    uint8_t out[256];
    if (host_said(&p, out) < 8 || p.type != VMBUS_PACKET_COMP || p.transaction_id != tid ||
        get32(out) != 108)
        return 0;
    return get32(out + 4);
}

/* The RNDIS message in the next transfer-page packet (one range). */
static uint32_t host_rndis(uint8_t *msg, uint64_t *tid, uint32_t *channel)
{
    struct vmbus_host_packet p;
    uint8_t out[256];
    if (host_said(&p, out) == 0 || p.type != VMBUS_PACKET_DATA_XFER_PAGES)
        return 0;
    const uint8_t *x = p.data + 16;
    if (get32(x + 4) != 1 || x[0] != 0xFE || x[1] != 0xCA || get32(out) != 107)
        return 0;
    *tid = p.transaction_id;
    *channel = get32(out + 4);
    uint32_t len = get32(x + 8), off = get32(x + 12);
    memcpy(msg, ram + RX_PFN * PAGE + off, len);
    return len;
}

static void complete_rx(uint64_t tid)
{
    uint8_t m[8];
    put32(m, 108), put32(m + 4, 1);
    struct vmbus_host_packet p = {
        .type = VMBUS_PACKET_COMP, .transaction_id = tid, .payload = m, .payload_len = 8};
    vsp.service.packet(ch, &p);
}

TEST(nvsp_negotiation_and_buffers_golden)
{
    fresh();
    uint8_t out[256];
    struct vmbus_host_packet p;
    nvsp2(1, 0x70000, 0x70000, 9);     /* a version nobody knows: FAIL */
    CHECK_EQ(host_said(&p, out), 32u); /* 28 bytes before 6.1, padded to 8 by the ring */
    CHECK_EQ(p.type, VMBUS_PACKET_COMP);
    CHECK_EQ(p.transaction_id, 9u);
    static const uint8_t refused[28] = {2, 0, 0, 0, 0, 0, 0, 0, 34, 0, 0, 0, 2, 0};
    CHECK(memcmp(out, refused, 28) == 0);
    nvsp2(1, 0x2, 0x50000, 10); /* a range: the newest inside it */
    CHECK_EQ(host_said(&p, out), 32u);
    static const uint8_t v5[28] = {2, 0, 0, 0, 0, 0, 5, 0, 34, 0, 0, 0, 1, 0};
    CHECK(memcmp(out, v5, 28) == 0);
    CHECK(violation[0] == '\0');

    fresh();
    handshake();
    CHECK(violation[0] == '\0');
    CHECK_EQ(vsp.version, 0x60001u);
    /* the receive buffer's answer (40 bytes at 6.1): one run of 145
     * sections of 1806 = 256 + 1514 + 36 */
    fresh();
    nvsp2(1, 0x60001, 0x60001, 1);
    host_said(&p, out);
    nvsp2(125, 1514, 0, 0);
    uint8_t m[40] = {101};
    put32(m + 4, RX_GPADL), m[8] = 0xFE, m[9] = 0xCA;
    guest_nvsp(m, 40, 2, true);
    CHECK_EQ(host_said(&p, out), 40u);
    uint8_t want[40] = {102, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    put32(want + 16, 1806), put32(want + 20, 145), put32(want + 24, 1806 * 145);
    CHECK(memcmp(out, want, 40) == 0);
    m[0] = 104, put32(m + 4, TX_GPADL), m[8] = m[9] = 0;
    guest_nvsp(m, 40, 3, true);
    CHECK_EQ(host_said(&p, out), 40u);
    static const uint8_t sendbuf[12] = {105, 0, 0, 0, 1, 0, 0, 0, 0, 0x18, 0, 0};
    CHECK(memcmp(out, sendbuf, 12) == 0);
    CHECK(violation[0] == '\0');
}

TEST(rndis_control_golden)
{
    fresh();
    handshake();
    uint8_t msg[2048];
    uint64_t tid;
    uint32_t channel;
    static const uint8_t init[24] = {2, 0, 0, 0, 24, 0, 0, 0, 1, 0,    0, 0,
                                     1, 0, 0, 0, 0,  0, 0, 0, 0, 0x40, 0, 0};
    CHECK_EQ(guest_rndis(1, 0, init, 24, 77), 1u);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 52u);
    CHECK_EQ(channel, 1u);
    CHECK(tid < 16); /* a control section */
    uint8_t want[52] = {2, 0, 0, 0x80, 52, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0,
                        0, 0, 0, 0,    0,  0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0};
    put32(want + 36, 0xEFFFFFFF), put32(want + 40, 3);
    CHECK(memcmp(msg, want, 52) == 0);
    complete_rx(tid);
    /* QUERY of the permanent address: QUERY_CMPLT, 6 bytes at offset 16 */
    uint8_t q[28] = {4, 0, 0, 0, 28, 0, 0, 0, 2, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 20};
    CHECK_EQ(guest_rndis(1, 1, q, 28, 78), 1u);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 30u);
    static const uint8_t mac[30] = {4, 0, 0, 0x80, 30, 0,  0, 0, 2, 0,    0,    0,    0, 0, 0,
                                    0, 6, 0, 0,    0,  16, 0, 0, 0, 0x00, 0x15, 0x5d, 0, 0, 7};
    CHECK(memcmp(msg, mac, 30) == 0);
    complete_rx(tid);
    /* OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES: an NDIS_OFFLOAD of NDIS 6.0's
     * size (Linux hyperv_net.h struct ndis_offload up to ipsecv2: 112),
     * object type 0xa7, revision 1: IPv4 TCP and UDP checksums on send,
     * IPv4, TCP and UDP verdicts on receive, encapsulation 802.3 */
    put32(q + 8, 9), put32(q + 12, 0xFC01020D);
    CHECK_EQ(guest_rndis(1, 1, q, 28, 78), 1u);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 24u + 112);
    CHECK_EQ(get32(msg + 12), 0u);
    CHECK_EQ(get32(msg + 16), 112u);
    const uint8_t *caps = msg + 8 + get32(msg + 20);
    static const uint8_t hdr[4] = {0xA7, 1, 112, 0};
    CHECK(memcmp(caps, hdr, 4) == 0);
    CHECK_EQ(get32(caps + 4), 2u);      /* ip4_txenc: 802.3 */
    CHECK_EQ(get32(caps + 8), 0x054u);  /* ip4_txcsum: TCP4, TCP4 options, UDP4 */
    CHECK_EQ(get32(caps + 16), 0x150u); /* ip4_rxcsum: IP4, TCP4, UDP4 */
    CHECK_EQ(get32(caps + 24), 0u);     /* ip6_txcsum: none */
    complete_rx(tid);
    /* an OID the host does not know: NOT_SUPPORTED, nothing more */
    put32(q + 8, 3), put32(q + 12, 0x00010203);
    CHECK_EQ(guest_rndis(1, 2, q, 28, 79), 1u);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 24u);
    CHECK_EQ(get32(msg + 12), 0xC00000BBu);
    complete_rx(tid);
    /* KEEPALIVE: its completion, status 0 */
    static const uint8_t ka[12] = {8, 0, 0, 0, 12, 0, 0, 0, 4, 0, 0, 0};
    CHECK_EQ(guest_rndis(1, 3, ka, 12, 80), 1u);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 16u);
    static const uint8_t ka_done[16] = {8, 0, 0, 0x80, 16, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(msg, ka_done, 16) == 0);
    complete_rx(tid);
    CHECK(violation[0] == '\0');
    /* HALT: no answer; then data is a violation */
    static const uint8_t halt[12] = {3, 0, 0, 0, 12, 0, 0, 0, 5, 0, 0, 0};
    CHECK_EQ(guest_rndis(1, 4, halt, 12, 81), 1u);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 0u);
    uint8_t pkt[104] = {1, 0, 0, 0, 104, 0, 0, 0, 36, 0, 0, 0, 60};
    CHECK_EQ(guest_rndis(0, 5, pkt, 104, 82), 0u);
    CHECK(strstr(violation, "an RNDIS data message before INITIALIZE") != NULL);
}

/* A guest past RNDIS INITIALIZE with the packet filter set. */
static void ready(uint32_t filter)
{
    fresh();
    handshake();
    static const uint8_t init[24] = {2, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 1};
    uint8_t msg[256],
        set[32] = {5, 0, 0, 0, 32, 0, 0, 0, 2, 0, 0, 0, 0x0E, 1, 1, 0, 4, 0, 0, 0, 20};
    uint64_t tid;
    uint32_t channel;
    guest_rndis(1, 0, init, 24, 1);
    host_rndis(msg, &tid, &channel);
    complete_rx(tid);
    put32(set + 28, filter);
    guest_rndis(1, 0, set, 32, 2);
    host_rndis(msg, &tid, &channel);
    complete_rx(tid);
}

TEST(frames_both_ways_and_the_filter)
{
    ready(0);
    uint8_t f[60] = {0x00, 0x15, 0x5d, 0x00, 0x00, 0x07, 2, 9, 9, 9, 9, 9, 0x88, 0xB5};
    struct netvsp_frame fr = {f, sizeof f, 0x38};
    CHECK_EQ(netvsp_deliver(&vsp, &fr, 1), 1u); /* taken, but dropped: filter 0 */
    CHECK_EQ(vsp.rx_dropped, 1u);
    ready(0x1); /* directed only */
    CHECK_EQ(netvsp_deliver(&vsp, &fr, 1), 1u);
    uint8_t msg[2048];
    uint64_t tid;
    uint32_t channel;
    CHECK_EQ(host_rndis(msg, &tid, &channel), 60u + 60u);
    CHECK_EQ(channel, 0u);
    CHECK(tid >= 16); /* a data section */
    /* PACKET_MSG: data at 8 + 52, a checksum PPI at 8 + 36 carrying 0x38 */
    CHECK(get32(msg) == 1 && get32(msg + 8) == 52 && get32(msg + 12) == 60);
    CHECK(get32(msg + 28) == 36 && get32(msg + 32) == 16 && get32(msg + 56) == 0x38);
    CHECK(memcmp(msg + 60, f, 60) == 0);
    complete_rx(tid);
    f[5] = 8; /* another MAC: dropped */
    netvsp_deliver(&vsp, &fr, 1);
    CHECK_EQ(host_rndis(msg, &tid, &channel), 0u);
    /* guest to host: a PACKET_MSG with a UDP checksum PPI needs UDP offload */
    uint8_t pkt[120] = {1, 0, 0, 0, 120, 0, 0, 0, 52, 0, 0, 0, 60};
    put32(pkt + 28, 36), put32(pkt + 32, 16);
    put32(pkt + 44, 16), put32(pkt + 52, 12), put32(pkt + 56, 0x1 | 0x8 | 34u << 16);
    memcpy(pkt + 60, f, 60);
    CHECK_EQ(guest_rndis(0, 1, pkt, 120, 5), 0u);
    CHECK(strstr(violation, "RNDIS checksum info 0x220009") != NULL);
    ready(0xD);
    put32(pkt + 56, 0); /* no checksum asked: the frame goes out */
    CHECK_EQ(guest_rndis(0, 1, pkt, 120, 6), 1u);
    CHECK_EQ(frames_out, 1u);
    CHECK(frame_out_len == 60 && memcmp(frame_out, f, 60) == 0);
    CHECK(violation[0] == '\0');
}

/* The one's complement checksum (RFC 1071) the test computes itself. */
static uint16_t csum(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < an; i += 2)
        sum += (uint32_t)a[i] << 8 | a[i + 1];
    for (size_t i = 0; i < bn; i += 2)
        sum += (uint32_t)b[i] << 8 | (i + 1 < bn ? b[i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

TEST(receive_checksum_verdicts)
{
    /* IPv4 10.0.0.1 -> 10.0.0.2, UDP 1234 -> 7, 11 bytes of data */
    uint8_t f[14 + 20 + 19] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    uint8_t *ip = f + 14, *udp = ip + 20;
    ip[0] = 0x45, ip[3] = 39, ip[8] = 64, ip[9] = 17;
    ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
    uint16_t c = csum(ip, 20, NULL, 0);
    ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
    udp[0] = 0x04, udp[1] = 0xD2, udp[3] = 7, udp[5] = 19;
    memcpy(udp + 8, "hello world", 11);
    uint8_t pseudo[12] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 19};
    c = csum(pseudo, 12, udp, 19);
    udp[6] = (uint8_t)(c >> 8), udp[7] = (uint8_t)c;
    CHECK_EQ(netvsp_rx_checksum(f, sizeof f), 0x30u); /* IP ok, UDP ok */
    udp[9] ^= 1;
    CHECK_EQ(netvsp_rx_checksum(f, sizeof f), 0x22u); /* IP ok, UDP failed */
    udp[6] = udp[7] = 0;
    CHECK_EQ(netvsp_rx_checksum(f, sizeof f), 0x20u); /* no UDP checksum: no word on it */
    ip[8] = 63;
    CHECK_EQ(netvsp_rx_checksum(f, sizeof f), 0x4u); /* IP failed */
    ip[8] = 64, ip[9] = 6;                           /* TCP, but too short for its header */
    CHECK_EQ(netvsp_rx_checksum(f, sizeof f), 0x4u); /* the header sum changed with it */
    CHECK_EQ(netvsp_rx_checksum(f, 30), 0u);         /* shorter than an IP header */
    f[12] = 0x86, f[13] = 0xDD;                      /* IPv6: no verdict */
    CHECK_EQ(netvsp_rx_checksum(f, sizeof f), 0u);
}

/* One broken rule each: a violation that says what was expected. */
TEST(strict_about_the_guest)
{
    uint8_t m[40] = {0};
    fresh();
    nvsp2(101, RX_GPADL, 0xCAFE, 1); /* a buffer before INIT */
    CHECK(strstr(violation, "SEND_RECV_BUF (40 bytes) out of order") != NULL);
    fresh();
    nvsp2(1, 0x60001, 0x60001, 1);
    nvsp2(101, RX_GPADL, 0xCAFE, 2); /* before NDIS_CONFIG */
    CHECK(strstr(violation, "NDIS_CONFIG") != NULL);
    fresh();
    put32(m, 1), put32(m + 4, 0x60001), put32(m + 8, 0x60001);
    guest_nvsp(m, 40, 1, false); /* INIT without completion requested */
    CHECK(strstr(violation, "without completion requested") != NULL);
    fresh();
    nvsp2(1, 0x60001, 0x60001, 1);
    nvsp2(1, 0x60001, 0x60001, 1); /* twice */
    CHECK(strstr(violation, "after INIT succeeded") != NULL);
    fresh();
    nvsp2(1, 0x60001, 0x60001, 1);
    nvsp2(125, 1514, 0, 0);
    nvsp2(101, 999, 0xCAFE, 2); /* a GPADL that does not exist */
    CHECK(strstr(violation, "names GPADL 999") != NULL);
    fresh();
    handshake();
    uint8_t init[24] = {2, 0, 0, 0, 24};
    CHECK_EQ(guest_rndis(1, 8, init, 24, 5), 0u); /* send section 8 of 8 */
    CHECK(strstr(violation, "from send section 8") != NULL);
    fresh();
    handshake();
    put32(init + 4, 25); /* msg_len past the bytes sent */
    CHECK_EQ(guest_rndis(1, 0, init, 24, 5), 0u);
    CHECK(strstr(violation, "msg_len 25 in 24 bytes") != NULL);
    fresh();
    handshake();
    complete_rx(3); /* a completion for nothing the host sent */
    CHECK(strstr(violation, "a completion (8 bytes, NVSP type 108) with transaction id 3") != NULL);
    ready(0xD);
    uint8_t pkt[120] = {1, 0, 0, 0, 104, 0, 0, 0, 36, 0, 0, 0, 60};
    put32(pkt + 20, 8); /* out-of-band data */
    CHECK_EQ(guest_rndis(0, 0, pkt, 104, 9), 0u);
    CHECK(strstr(violation, "out-of-band") != NULL);
    ready(0xD);
    put32(pkt + 20, 0), put32(pkt + 28, 36), put32(pkt + 32, 12);
    put32(pkt + 44, 0); /* a PPI element of size 0 */
    put32(pkt + 4, 120), put32(pkt + 8, 48);
    CHECK_EQ(guest_rndis(0, 0, pkt, 120, 9), 0u);
    CHECK(strstr(violation, "per-packet info element of 0 bytes") != NULL);
    ready(0xD);
    put32(pkt + 44, 12), put32(pkt + 52, 0xFFFFFFFEu); /* data offset + 4 wraps to 2 */
    CHECK_EQ(guest_rndis(0, 0, pkt, 120, 9), 0u);
    CHECK(strstr(violation, "data at 4294967294") != NULL);
    ready(0xD);
    nvsp2(103, 0xBEEF, 0, 0); /* REVOKE of a buffer id never given */
    CHECK(strstr(violation, "REVOKE_RECV_BUF of id 48879") != NULL);
}

UNIT_MAIN()
