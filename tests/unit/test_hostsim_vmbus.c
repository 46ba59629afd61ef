/* hostsim's VMBus host without KVM (hostsim/vmbus/server*.c, gpadl.c,
 * ring.c), driven as a guest drives it: every guest message is built here
 * from the layouts of Linux's include/linux/hyperv.h (struct
 * vmbus_channel_*), and every host message is checked against golden
 * bytes, so a layout mistake in server.c cannot hide behind a shared
 * header. Covered: version negotiation (exact versions, the cap,
 * connection ids 1 and 4), offers, GPADLs with and without bodies, open and
 * close, ring packets both ways with the interrupt-mask and
 * pending-send-size rules, teardown, rescind, unload, a violation for each
 * broken rule, and each --misbehave fault.
 * Links: hostsim/vmbus/{server,server_gpadl,server_channel,gpadl,ring}.c
 *        hostsim/guest_mem.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/vmbus/server.h"

#define RAM_PAGES 128
#define RING_GPA_PFN 32 /* the ring GPADL's pages: 32 .. 32 + 8 */
#define RING_PAGES 8
#define DOWN 4 /* host-to-guest ring from page 4 */

static uint8_t ram[RAM_PAGES * 4096];
static struct guest_mem mem;
static struct vmbus_host host;

static struct {
    uint8_t msg[32][256];
    size_t len[32];
    unsigned vp[32], sint[32];
    unsigned n;
    unsigned signals, signal_vp;
    uint32_t signal_relid;
    char violation[512];
    unsigned violations;
    unsigned opened, closed, packets;
    uint8_t packet[256];
    uint32_t packet_len;
    uint64_t packet_tid;
} seen;

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx;
    if (seen.n == 32 || len > 240)
        return -1;
    memcpy(seen.msg[seen.n], msg, len);
    seen.len[seen.n] = len;
    seen.vp[seen.n] = vp;
    seen.sint[seen.n] = sint;
    seen.n++;
    return 0;
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx;
    (void)sint;
    seen.signals++;
    seen.signal_vp = vp;
    seen.signal_relid = relid;
}

static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    seen.violations++;
    snprintf(seen.violation, sizeof seen.violation, "%s", what);
}

static void svc_opened(struct vmbus_host_channel *ch)
{
    (void)ch;
    seen.opened++;
}

static void svc_packet(struct vmbus_host_channel *ch, const struct vmbus_host_packet *p)
{
    (void)ch;
    seen.packets++;
    seen.packet_len = p->payload_len < 256 ? p->payload_len : 256;
    memcpy(seen.packet, p->payload, seen.packet_len);
    seen.packet_tid = p->transaction_id;
}

static void svc_closed(struct vmbus_host_channel *ch)
{
    (void)ch;
    seen.closed++;
}

/* Heartbeat's class GUID 57164f39-9115-4e78-ab55-382f3bd5422d on the wire
 * (first three fields little-endian). */
static const struct vmbus_host_service heartbeat = {
    .name = "heartbeat",
    .class_guid = {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e, 0xab, 0x55, 0x38, 0x2f, 0x3b,
                   0xd5, 0x42, 0x2d},
    .instance_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
    .opened = svc_opened,
    .packet = svc_packet,
    .closed = svc_closed,
};

static void destroy(void)
{
    vmbus_host_destroy(&host);
}

static void fresh(uint32_t max_version, unsigned nchannels)
{
    static bool registered;
    if (!registered)
        atexit(destroy);
    registered = true;
    vmbus_host_destroy(&host);
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    memset(&seen, 0, sizeof seen);
    guest_mem_add(&mem, 0, sizeof ram, ram);
    struct vmbus_host_hooks hooks = {
        .post = hook_post, .signal = hook_signal, .violation = hook_violation};
    vmbus_host_init(&host, &mem, 2, max_version, &hooks);
    for (unsigned i = 0; i < nchannels; i++)
        vmbus_host_add_channel(&host, &heartbeat);
}

static void w32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t r32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Posts a guest message: header {type, 0}, then the body. */
static int post(uint32_t conn, uint32_t type, const uint8_t *body, size_t n)
{
    uint8_t m[240];
    memset(m, 0, sizeof m);
    w32(m, type);
    if (n > 0)
        memcpy(m + 8, body, n);
    return vmbus_host_message(&host, conn, m, 8 + n);
}

/* INITIATE_CONTACT (hyperv.h vmbus_channel_initiate_contact): version @0,
 * target_vcpu @4, msg_sint @8 (V5+) or interrupt page @8, monitor pages
 * @16 and @24. */
static int contact(uint32_t conn, uint32_t version, uint32_t vcpu, uint64_t m1, uint64_t m2)
{
    uint8_t b[32] = {0};
    w32(b, version);
    w32(b + 4, vcpu);
    b[8] = 2;
    memcpy(b + 16, &m1, 8);
    memcpy(b + 24, &m2, 8);
    return post(conn, 14, b, sizeof b);
}

static void connect_v5_3_and_offers(void)
{
    contact(4, 0x50003, 0, 0, 0);
    post(4, 3, NULL, 0); /* REQUESTOFFERS */
}

TEST(version_negotiation_exact_and_capped)
{
    fresh(0x50003, 1);
    /* V6 is not offered: version_supported 0, still disconnected. */
    CHECK_EQ(contact(4, 0x60000, 0, 0, 0), 0);
    static const uint8_t no[16] = {15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_EQ(seen.len[0], 16u);
    CHECK(memcmp(seen.msg[0], no, 16) == 0);
    CHECK_EQ(seen.sint[0], 2u);
    /* V5.3 on connection 4 from VP 1: yes, messages from now on to 4. */
    CHECK_EQ(contact(4, 0x50003, 1, 0, 0), 0);
    static const uint8_t yes[16] = {15, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0};
    CHECK(memcmp(seen.msg[1], yes, 16) == 0);
    CHECK_EQ(seen.vp[1], 1u);
    CHECK(host.connected);
    /* A message on the old connection id breaks the agreement. */
    CHECK_EQ(post(1, 3, NULL, 0), -1);
    CHECK(strstr(seen.violation, "expected 4") != NULL);

    /* Capped at WIN10: V5.3 refused, WIN10 on connection 1 accepted. */
    fresh(0x40000, 0);
    contact(4, 0x50003, 0, 0, 0);
    CHECK_EQ(seen.msg[0][8], 0);
    CHECK_EQ(contact(1, 0x40000, 0, 0, 0), 0);
    CHECK_EQ(seen.msg[1][8], 1);
    CHECK_EQ(r32(seen.msg[1] + 12), 0u);
    CHECK_EQ(host.msg_conn_id, 1u);
    CHECK_EQ(seen.violations, 0u);
    /* WIN7's contact on connection 4 is a violation. */
    fresh(0x50003, 0);
    CHECK_EQ(contact(4, 0x10001, 0, 0, 0), -1);
    CHECK(strstr(seen.violation, "expected 1") != NULL);
    /* One monitor page of two: connection_state 2, not connected. */
    fresh(0x50003, 0);
    contact(4, 0x50000, 0, 0x1000, 0);
    CHECK_EQ(seen.msg[0][8], 1);
    CHECK_EQ(seen.msg[0][9], 2);
    CHECK(!host.connected);
    /* A target VP that does not exist. */
    fresh(0x50003, 0);
    CHECK_EQ(contact(4, 0x50003, 2, 0, 0), -1);
}

TEST(messages_before_contact_and_second_requestoffers)
{
    fresh(0x50003, 1);
    CHECK_EQ(post(4, 3, NULL, 0), -1);
    CHECK(strstr(seen.violation, "REQUESTOFFERS (3) before a version was agreed") != NULL);
    /* After a violation the host answers nothing more. */
    CHECK_EQ(contact(4, 0x50003, 0, 0, 0), -1);
    CHECK_EQ(seen.n, 0u);
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    CHECK_EQ(post(4, 3, NULL, 0), -1);
    CHECK(strstr(seen.violation, "second REQUESTOFFERS") != NULL);
    fresh(0x50003, 1);
    contact(4, 0x50003, 0, 0, 0);
    CHECK_EQ(post(4, 1, NULL, 0), -1); /* OFFERCHANNEL is the host's */
    fresh(0x50003, 1);
    uint8_t shortmsg[4] = {14, 0, 0, 0};
    CHECK_EQ(vmbus_host_message(&host, 4, shortmsg, 4), -1);
}

TEST(offers_then_alloffers_delivered)
{
    fresh(0x50003, 2);
    connect_v5_3_and_offers();
    CHECK_EQ(seen.n, 4u); /* response, 2 offers, ALLOFFERS_DELIVERED */
    const uint8_t *o = seen.msg[1];
    CHECK_EQ(seen.len[1], 8u + 188);
    CHECK_EQ(r32(o), 1u);
    static const uint8_t guid[16] = {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
                                     0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d};
    CHECK(memcmp(o + 8, guid, 16) == 0);
    CHECK_EQ(o[8 + 16], 1);              /* instance */
    CHECK_EQ(r32(o + 8 + 176), 1u);      /* child_relid */
    CHECK_EQ(o[8 + 180], 0xFF);          /* monitorid */
    CHECK_EQ(o[8 + 181], 0);             /* monitor_allocated */
    CHECK_EQ(o[8 + 182], 1);             /* is_dedicated_interrupt */
    CHECK_EQ(r32(o + 8 + 184), 0x2001u); /* connection_id */
    CHECK_EQ(r32(seen.msg[2] + 8 + 176), 2u);
    CHECK_EQ(r32(seen.msg[3]), 4u);
    CHECK_EQ(seen.len[3], 8u);
}

/* GPADL_HEADER for one range of npages pages from pfn, with the first
 * `inhdr` PFNs in the header (hyperv.h vmbus_channel_gpadl_header: relid
 * @0, gpadl @4, range_buflen u16 @8, rangecount u16 @10, then the range:
 * byte_count, byte_offset, pfns). */
static int gpadl_header(uint32_t relid, uint32_t id, uint64_t pfn, unsigned npages, unsigned inhdr)
{
    uint8_t b[232] = {0};
    w32(b, relid);
    w32(b + 4, id);
    uint16_t buflen = (uint16_t)(8 + 8 * npages), count = 1;
    memcpy(b + 8, &buflen, 2);
    memcpy(b + 10, &count, 2);
    w32(b + 12, npages * 4096);
    w32(b + 16, 0);
    for (unsigned i = 0; i < inhdr; i++) {
        uint64_t p = pfn + i;
        memcpy(b + 20 + 8 * i, &p, 8);
    }
    return post(4, 8, b, 20 + 8 * inhdr);
}

static int gpadl_body(uint32_t id, uint64_t pfn, unsigned n)
{
    uint8_t b[232] = {0};
    w32(b, 0);
    w32(b + 4, id);
    for (unsigned i = 0; i < n; i++) {
        uint64_t p = pfn + i;
        memcpy(b + 8 + 8 * i, &p, 8);
    }
    return post(4, 9, b, 8 + 8 * n);
}

TEST(gpadl_header_and_bodies)
{
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    unsigned base = seen.n;
    /* 8 pages: all in the header; GPADL_CREATED {relid, gpadl, status 0}. */
    CHECK_EQ(gpadl_header(1, 0xE1E10, RING_GPA_PFN, 8, 8), 0);
    static const uint8_t created[20] = {10, 0, 0,    0,    0,    0, 0, 0, 1, 0,
                                        0,  0, 0x10, 0x1E, 0x0E, 0, 0, 0, 0, 0};
    CHECK_EQ(seen.len[base], 20u);
    CHECK(memcmp(seen.msg[base], created, 20) == 0);
    /* 40 pages: 26 in the header, 14 in one body; created once. */
    CHECK_EQ(gpadl_header(1, 0xE1E11, 40, 40, 26), 0);
    CHECK_EQ(seen.n, base + 1);
    CHECK_EQ(gpadl_body(0xE1E11, 40 + 26, 14), 0);
    CHECK_EQ(seen.n, base + 2);
    CHECK_EQ(r32(seen.msg[base + 1] + 12), 0xE1E11u);
    CHECK_EQ(host.gpadl[1].npfn, 40u);
    CHECK_EQ(host.gpadl[1].pfn[39], 79u);
    CHECK_EQ(seen.violations, 0u);
    /* A body after the list is complete. */
    CHECK_EQ(gpadl_body(0xE1E11, 1, 1), -1);

    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    gpadl_header(1, 7, RING_GPA_PFN, 8, 8);
    CHECK_EQ(gpadl_header(1, 7, RING_GPA_PFN, 8, 8), -1); /* id in use */
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    CHECK_EQ(gpadl_body(99, 1, 1), -1); /* no header */
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    CHECK_EQ(gpadl_header(1, 7, RAM_PAGES - 2, 8, 8), -1); /* pages beyond RAM */
    CHECK(strstr(seen.violation, "is not guest RAM") != NULL);
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    CHECK_EQ(gpadl_header(2, 7, RING_GPA_PFN, 8, 8), -1); /* no relid 2 */
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    gpadl_header(1, 7, 40, 40, 26);
    CHECK_EQ(gpadl_body(7, 66, 15), -1); /* one PFN too many */
}

/* A service reads and writes a buffer GPADL of its channel by id (netvsc's
 * receive and send buffers): across page boundaries, never past the range,
 * never another channel's GPADL, none once torn down. */
TEST(service_access_to_a_gpadl_by_id)
{
    fresh(0x50003, 2);
    connect_v5_3_and_offers();
    /* 3 pages from PFN 40, pages not in order (40, 42, 41): one range. */
    uint8_t b[232] = {0};
    w32(b, 1);
    w32(b + 4, 0xCAFE);
    uint16_t buflen = 8 + 3 * 8, count = 1;
    memcpy(b + 8, &buflen, 2);
    memcpy(b + 10, &count, 2);
    w32(b + 12, 3 * 4096 - 100); /* byte_count: 100 bytes short of 3 pages */
    w32(b + 16, 0);
    uint64_t pfns[3] = {40, 42, 41};
    memcpy(b + 20, pfns, sizeof pfns);
    CHECK_EQ(post(4, 8, b, 20 + sizeof pfns), 0);
    CHECK_EQ(gpadl_header(2, 0xBEEF, 50, 1, 1), 0);
    const struct vmbus_host_gpadl *g = vmbus_host_channel_gpadl(&host.channel[0], 0xCAFE);
    CHECK(g != NULL);
    CHECK(vmbus_host_channel_gpadl(&host.channel[1], 0xCAFE) == NULL); /* not relid 2's */
    CHECK(vmbus_host_channel_gpadl(&host.channel[0], 0xBEEF) == NULL);
    CHECK(vmbus_host_channel_gpadl(&host.channel[1], 0xBEEF) != NULL);
    /* bytes 4090..4105 straddle GPADL pages 0 and 1: guest PFNs 40 and 42 */
    uint8_t text[16] = "straddling page!", back[16] = {0};
    CHECK_EQ(vmbus_host_gpadl_write(g, &mem, 4090, text, sizeof text), 0);
    CHECK(memcmp(ram + 40 * 4096 + 4090, text, 6) == 0);
    CHECK(memcmp(ram + 42 * 4096, text + 6, 10) == 0);
    CHECK_EQ(vmbus_host_gpadl_read(g, &mem, 4090, back, sizeof back), 0);
    CHECK(memcmp(back, text, sizeof text) == 0);
    /* page 2 of the GPADL is guest PFN 41 */
    ram[41 * 4096 + 7] = 0x5A;
    CHECK_EQ(vmbus_host_gpadl_read(g, &mem, 2 * 4096 + 7, back, 1), 0);
    CHECK_EQ(back[0], 0x5A);
    /* the range ends 100 bytes before the third page does */
    uint32_t end = 3 * 4096 - 100;
    CHECK_EQ(vmbus_host_gpadl_read(g, &mem, end - 16, back, 16), 0);
    CHECK_EQ(vmbus_host_gpadl_read(g, &mem, end - 15, back, 16), -1);
    CHECK_EQ(vmbus_host_gpadl_write(g, &mem, end, text, 1), -1);
    CHECK_EQ(vmbus_host_gpadl_read(g, &mem, UINT64_MAX - 4, back, 16), -1);
    /* torn down: gone */
    uint8_t t[8];
    w32(t, 1);
    w32(t + 4, 0xCAFE);
    CHECK_EQ(post(4, 11, t, 8), 0);
    CHECK(vmbus_host_channel_gpadl(&host.channel[0], 0xCAFE) == NULL);
    CHECK_EQ(seen.violations, 0u);
}

/* OPENCHANNEL (hyperv.h vmbus_channel_open_channel): relid @0, openid @4,
 * ringbuffer_gpadlhandle @8, target_vp @12, downstream_ringbuffer_pageoffset
 * @16, userdata[120] @20. */
static int open_channel(uint32_t relid, uint32_t openid, uint32_t gpadl, uint32_t vp, uint32_t down)
{
    uint8_t b[140] = {0};
    w32(b, relid);
    w32(b + 4, openid);
    w32(b + 8, gpadl);
    w32(b + 12, vp);
    w32(b + 16, down);
    return post(4, 5, b, sizeof b);
}

static void open_ring(void)
{
    connect_v5_3_and_offers();
    gpadl_header(1, 0xE1E10, RING_GPA_PFN, RING_PAGES, RING_PAGES);
    open_channel(1, 1, 0xE1E10, 1, DOWN);
}

static uint8_t *page(unsigned pfn)
{
    return ram + (size_t)pfn * 4096;
}

TEST(open_result_and_close)
{
    fresh(0x50003, 1);
    open_ring();
    static const uint8_t result[20] = {6, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(seen.msg[seen.n - 1], result, 20) == 0);
    CHECK_EQ(seen.opened, 1u);
    CHECK_EQ(seen.violations, 0u);
    /* The host-to-guest ring's control page says pending_send_sz works. */
    CHECK_EQ(r32(page(RING_GPA_PFN + DOWN) + 64), 1u);
    CHECK_EQ(open_channel(1, 1, 0xE1E10, 1, DOWN), -1);
    CHECK(strstr(seen.violation, "which is open") != NULL);

    fresh(0x50003, 1);
    open_ring();
    uint8_t relid[4] = {1, 0, 0, 0};
    CHECK_EQ(post(4, 7, relid, 4), 0); /* CLOSECHANNEL: no reply */
    CHECK_EQ(seen.closed, 1u);
    CHECK_EQ(post(4, 7, relid, 4), -1);
    CHECK(strstr(seen.violation, "not open") != NULL);

    /* Rings that do not fit, a GPADL of another id, a VP that is not. */
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    gpadl_header(1, 5, RING_GPA_PFN, RING_PAGES, RING_PAGES);
    CHECK_EQ(open_channel(1, 1, 5, 0, 7), -1);
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    CHECK_EQ(open_channel(1, 1, 5, 0, 4), -1);
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    gpadl_header(1, 5, RING_GPA_PFN, RING_PAGES, RING_PAGES);
    CHECK_EQ(open_channel(1, 1, 5, 2, 4), -1);
    /* Target VP 0xFFFFFFFF: opened, and never signalled. */
    fresh(0x50003, 1);
    connect_v5_3_and_offers();
    gpadl_header(1, 5, RING_GPA_PFN, RING_PAGES, RING_PAGES);
    CHECK_EQ(open_channel(1, 1, 5, 0xFFFFFFFFu, 4), 0);
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, "x", 1), 0);
    CHECK_EQ(seen.signals, 0u);
    CHECK_EQ(seen.violations, 0u);
}

/* The guest writes one INBAND packet into its outbound ring (pages 32..35:
 * control page 32, data 33..35, 12 KiB): descriptor {type 6, offset8 2,
 * len8, flags}, transaction id, payload, trailer = old write index << 32. */
static void guest_write(uint32_t at, uint16_t type, const void *payload, unsigned n, uint16_t flags,
                        uint64_t tid)
{
    uint8_t *data = page(RING_GPA_PFN + 1);
    unsigned padded = (n + 7) & ~7u;
    uint16_t offset8 = 2, len8 = (uint16_t)((16 + padded) / 8);
    memcpy(data + at, &type, 2);
    memcpy(data + at + 2, &offset8, 2);
    memcpy(data + at + 4, &len8, 2);
    memcpy(data + at + 6, &flags, 2);
    memcpy(data + at + 8, &tid, 8);
    memcpy(data + at + 16, payload, n);
    uint64_t trailer = (uint64_t)at << 32;
    memcpy(data + at + 16 + padded, &trailer, 8);
    w32(page(RING_GPA_PFN), at + 16 + padded + 8); /* write index */
}

TEST(ring_packets_both_ways)
{
    fresh(0x50003, 1);
    open_ring();
    guest_write(0, 6, "beat", 4, 1, 0x1234);
    vmbus_host_channel_signalled(&host, 1);
    CHECK_EQ(seen.packets, 1u);
    CHECK_EQ(seen.packet_len, 8u);
    CHECK(memcmp(seen.packet, "beat\0\0\0\0", 8) == 0);
    CHECK_EQ(seen.packet_tid, 0x1234u);
    CHECK_EQ(r32(page(RING_GPA_PFN) + 4), 32u); /* read index past packet and trailer */
    /* The host answers: its ring (pages 36..39) gets the packet. */
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 0x1234, "ok!", 3), 0);
    const uint8_t *out = page(RING_GPA_PFN + DOWN + 1);
    static const uint8_t desc[24] = {6, 0, 2, 0, 3,   0,   0,   0, 0x34, 0x12, 0, 0,
                                     0, 0, 0, 0, 'o', 'k', '!', 0, 0,    0,    0, 0};
    CHECK(memcmp(out, desc, 24) == 0);
    CHECK_EQ(r32(out + 24), 0u); /* trailer: old write index 0 << 32 */
    CHECK_EQ(r32(out + 28), 0u);
    CHECK_EQ(r32(page(RING_GPA_PFN + DOWN)), 32u); /* write index */
    CHECK_EQ(seen.signals, 1u);                    /* the ring was empty, mask 0 */
    CHECK_EQ(seen.signal_vp, 1u);
    CHECK_EQ(seen.signal_relid, 1u);
    /* Not empty now: no second signal. */
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, "x", 1), 0);
    CHECK_EQ(seen.signals, 1u);
    CHECK_EQ(r32(out + 32 + 24), 0u);
    CHECK_EQ(r32(out + 32 + 28), 32u); /* trailer holds the old write index 32 */
    /* The guest read everything and masked interrupts: still no signal. */
    w32(page(RING_GPA_PFN + DOWN) + 4, 64);
    w32(page(RING_GPA_PFN + DOWN) + 8, 1);
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, "x", 1), 0);
    CHECK_EQ(seen.signals, 1u);
    CHECK_EQ(seen.violations, 0u);
}

TEST(ring_full_sets_pending_send_size)
{
    fresh(0x50003, 1);
    open_ring();
    /* 12 KiB of data: packets of 16 + 4000 bytes + 8 fit three times, and
     * the fourth must wait (a writer needs strictly more room than it
     * writes). */
    static uint8_t big[4000];
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, big, sizeof big), 0);
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 2, big, sizeof big), 0);
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 3, big, sizeof big), 0);
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 4, big, sizeof big), -1);
    CHECK_EQ(r32(page(RING_GPA_PFN + DOWN) + 12), 16u + 4000 + 8);
    CHECK_EQ(seen.violations, 0u);
}

TEST(guest_reader_pending_send_size_signal)
{
    fresh(0x50003, 1);
    open_ring();
    /* The guest filled its ring to 12 KiB - 16 and waits for 4096 bytes. */
    static uint8_t big[4000];
    guest_write(0, 6, big, sizeof big, 0, 1);
    w32(page(RING_GPA_PFN) + 12, 4096);
    unsigned before = seen.signals;
    vmbus_host_channel_signalled(&host, 1);
    CHECK_EQ(seen.packets, 1u);
    /* Free went from 12288 - 4024 = 8264 ... already >= 4096: no signal. */
    CHECK_EQ(seen.signals, before);
    w32(page(RING_GPA_PFN) + 12, 12288);
    guest_write(4024, 6, big, sizeof big, 0, 2);
    vmbus_host_channel_signalled(&host, 1);
    CHECK_EQ(seen.packets, 2u);
    CHECK_EQ(seen.signals, before + 1); /* 8264 -> 12288: crossed */
}

TEST(broken_rings_are_violations)
{
    fresh(0x50003, 1);
    open_ring();
    w32(page(RING_GPA_PFN), 12289); /* write index past the data */
    vmbus_host_channel_signalled(&host, 1);
    CHECK(strstr(seen.violation, "write index 12289") != NULL);

    fresh(0x50003, 1);
    open_ring();
    guest_write(0, 6, "abcd", 4, 0, 1);
    uint16_t len8 = 200; /* longer than what was written */
    memcpy(page(RING_GPA_PFN + 1) + 4, &len8, 2);
    vmbus_host_channel_signalled(&host, 1);
    CHECK(strstr(seen.violation, "len8 200") != NULL);
    CHECK_EQ(seen.packets, 0u);

    fresh(0x50003, 1);
    open_ring();
    guest_write(0, 5, "abcd", 4, 0, 1); /* type 5 */
    vmbus_host_channel_signalled(&host, 1);
    CHECK(strstr(seen.violation, "packet type 5") != NULL);

    fresh(0x50003, 1);
    open_ring();
    guest_write(0, 6, "abcd", 4, 2, 1); /* flag bit 1 */
    vmbus_host_channel_signalled(&host, 1);
    CHECK(strstr(seen.violation, "flags 0x2") != NULL);

    fresh(0x50003, 1);
    open_ring();
    w32(page(RING_GPA_PFN + DOWN) + 4, 4); /* the guest's read index, unaligned */
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, "x", 1), -1);
    CHECK(strstr(seen.violation, "read index 4") != NULL);
}

TEST(teardown_rescind_and_unload)
{
    fresh(0x50003, 1);
    open_ring();
    uint8_t td[8];
    w32(td, 1);
    w32(td + 4, 0xE1E10);
    CHECK_EQ(post(4, 11, td, 8), -1); /* rings still use it */
    CHECK(strstr(seen.violation, "expected CLOSECHANNEL first") != NULL);

    fresh(0x50003, 1);
    open_ring();
    uint8_t relid[4] = {1, 0, 0, 0};
    post(4, 7, relid, 4);
    CHECK_EQ(post(4, 11, td, 8), 0);
    static const uint8_t torndown[12] = {12, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x1E, 0x0E, 0};
    CHECK(memcmp(seen.msg[seen.n - 1], torndown, 12) == 0);
    CHECK_EQ(post(4, 11, td, 8), -1); /* gone */

    /* Rescind while open: close, then RELID_RELEASED. */
    fresh(0x50003, 1);
    open_ring();
    CHECK_EQ(vmbus_host_rescind(&host, 1), 0);
    static const uint8_t rescind[12] = {2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    CHECK(memcmp(seen.msg[seen.n - 1], rescind, 12) == 0);
    CHECK_EQ(post(4, 13, relid, 4), -1); /* released while still open */
    fresh(0x50003, 1);
    open_ring();
    vmbus_host_rescind(&host, 1);
    CHECK_EQ(post(4, 7, relid, 4), 0);
    CHECK_EQ(post(4, 13, relid, 4), 0);
    CHECK_EQ(vmbus_host_rescind(&host, 1), -1);
    /* UNLOAD: UNLOAD_RESPONSE; a new connection offers nothing released. */
    CHECK_EQ(post(4, 16, NULL, 0), 0);
    CHECK_EQ(r32(seen.msg[seen.n - 1]), 17u);
    CHECK(!host.connected);
    unsigned before = seen.n;
    connect_v5_3_and_offers();
    CHECK_EQ(seen.n, before + 2); /* VERSION_RESPONSE, ALLOFFERS_DELIVERED */
    CHECK_EQ(seen.violations, 0u);
}

TEST(new_contact_releases_everything)
{
    fresh(0x50003, 1);
    open_ring();
    CHECK_EQ(contact(4, 0x50003, 0, 0, 0), 0);
    CHECK_EQ(seen.closed, 1u);
    CHECK(host.gpadl[0].list == NULL);
    post(4, 3, NULL, 0);
    CHECK_EQ(r32(seen.msg[seen.n - 2]), 1u); /* offered again */
    CHECK_EQ(seen.violations, 0u);
}

/* ---- --misbehave: each fault as the guest would see it ---- */

static unsigned misbehaving;

static void hook_misbehaving(void *ctx, const char *what)
{
    (void)ctx;
    (void)what;
    misbehaving++;
}

static void misbehave(enum vmbus_host_misbehave kind)
{
    host.misbehave = kind;
    host.hooks.misbehaving = hook_misbehaving;
    misbehaving = 0;
}

TEST(misbehave_vmbus_offer_short)
{
    fresh(0x50003, 2);
    misbehave(VMBUS_MISBEHAVE_OFFER_SHORT);
    connect_v5_3_and_offers();
    CHECK_EQ(seen.len[1], 8u + 100);
    CHECK_EQ(seen.len[2], 8u + 188); /* once */
    CHECK_EQ(misbehaving, 1u);
}

TEST(misbehave_vmbus_offer_relid0)
{
    fresh(0x50003, 2);
    misbehave(VMBUS_MISBEHAVE_OFFER_RELID0);
    connect_v5_3_and_offers();
    CHECK_EQ(r32(seen.msg[1] + 8 + 176), 0u);
    CHECK_EQ(r32(seen.msg[2] + 8 + 176), 2u);
    CHECK_EQ(misbehaving, 1u);
}

TEST(misbehave_vmbus_gpadl_status)
{
    fresh(0x50003, 1);
    misbehave(VMBUS_MISBEHAVE_GPADL_STATUS);
    connect_v5_3_and_offers();
    gpadl_header(1, 0xE1E10, RING_GPA_PFN, 8, 8);
    CHECK_EQ(r32(seen.msg[seen.n - 1] + 16), 0x8000FFFFu);
    /* The host kept nothing: opening on it is the guest's violation. */
    CHECK_EQ(open_channel(1, 1, 0xE1E10, 0, DOWN), -1);
}

TEST(misbehave_vmbus_gpadl_id)
{
    fresh(0x50003, 1);
    misbehave(VMBUS_MISBEHAVE_GPADL_ID);
    connect_v5_3_and_offers();
    gpadl_header(1, 0xE1E10, RING_GPA_PFN, 8, 8);
    CHECK_EQ(r32(seen.msg[seen.n - 1] + 12), 0xE1E11u);
    CHECK_EQ(r32(seen.msg[seen.n - 1] + 16), 0u);
    CHECK_EQ(misbehaving, 1u);
}

TEST(misbehave_vmbus_ring_index)
{
    fresh(0x50003, 1);
    misbehave(VMBUS_MISBEHAVE_RING_INDEX);
    open_ring();
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, "x", 1), 0);
    CHECK_EQ(r32(page(RING_GPA_PFN + DOWN)), 3u * 4096 + 8); /* past the data */
    CHECK_EQ(misbehaving, 1u);
}

TEST(misbehave_vmbus_packet_len)
{
    fresh(0x50003, 1);
    misbehave(VMBUS_MISBEHAVE_PACKET_LEN);
    open_ring();
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 1, "x", 1), 0);
    uint16_t len8;
    memcpy(&len8, page(RING_GPA_PFN + DOWN + 1) + 4, 2);
    CHECK_EQ(len8, 3u * 4096 / 8);
    CHECK_EQ(r32(page(RING_GPA_PFN + DOWN)), 32u); /* the index itself is right */
    CHECK_EQ(vmbus_host_channel_send(&host.channel[0], 6, 0, 2, "y", 1), 0);
    memcpy(&len8, page(RING_GPA_PFN + DOWN + 1) + 32 + 4, 2);
    CHECK_EQ(len8, 3u); /* once */
}

TEST(misbehave_vmbus_rescind_open)
{
    fresh(0x50003, 1);
    misbehave(VMBUS_MISBEHAVE_RESCIND_OPEN);
    open_ring();
    CHECK_EQ(r32(seen.msg[seen.n - 2]), 2u); /* RESCIND_CHANNELOFFER */
    CHECK_EQ(r32(seen.msg[seen.n - 1]), 6u); /* then OPENCHANNEL_RESULT */
    /* The guest that copes closes the channel and releases the relid. */
    uint8_t relid[4] = {1, 0, 0, 0};
    CHECK_EQ(post(4, 7, relid, 4), 0);
    CHECK_EQ(post(4, 13, relid, 4), 0);
    CHECK_EQ(seen.violations, 0u);
}

UNIT_MAIN()
