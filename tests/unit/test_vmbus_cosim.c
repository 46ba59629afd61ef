/* The kernel's VMBus (bus/vmbus/vmbus_conn.c, vmbus_channel.c, vmbus_bus.c)
 * co-simulated against a VMBus host written here from the message layouts
 * of Linux include/linux/hyperv.h and the host rules openvmm's
 * vmbus_server/channels.rs enforces (exact version matches; offers only
 * after REQUESTOFFERS; GPADL_CREATED once the range list is complete;
 * OPENCHANNEL only on a GPADL of that channel; TORNDOWN after TEARDOWN;
 * RELID_RELEASED only after a rescind). The SynIC and the hypercalls are
 * replaced by this host: posts arrive as function calls, the host's
 * messages wait in a queue that hyperv_synic_take empties, its signals are
 * event flags. A test driver binds the test class, opens its channel and
 * echoes packets; the host then breaks rules one at a time and the kernel
 * must refuse each, close only the channel concerned, and go on. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/vmbus/vmbus.h"
#include "core/device.h"
#include "core/dma.h"
#include "core/event.h"
#include "drivers/hyperv/ic_msg.h"
#include "hv/hv.h"
#include "hv/hyperv/hypercall_abi.h"
#include "hv/hyperv/hyperv.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "unit.h"

#define PAGE 4096u
#define HOST_CONN_ID 0x2001u

/* ---- the host ---- */
static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void wr32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct hchan {
    uint32_t relid;
    uint8_t class0;      /* first byte of the class GUID; the rest is fixed */
    const uint8_t *guid; /* or the whole class GUID, as on the wire */
    uint32_t out_read;   /* the host's read index in the outbound ring */
    uint32_t gpadl;
    uint32_t npfns, have;
    uint64_t pfns[64];
    bool gpadl_done, open, closed, released;
    uint32_t downstream;
};

static struct host {
    uint32_t contacted_on[16];
    uint32_t versions_offered[16];
    unsigned contacts;
    bool connected;
    struct hchan ch[8];
    unsigned nch;
    struct hv_message queue[64];
    unsigned qhead, qtail;
    uint64_t flags[HV_EVENT_FLAG_WORDS];
    unsigned signals;
    uint32_t log[64]; /* message types the guest posted, in order */
    unsigned nlog;
    const char *rule; /* the first host rule the guest broke */
    /* misbehaviour switches */
    bool wrong_gpadl_created;
} host;

static void host_send(uint32_t type, const void *body, uint8_t body_len)
{
    struct hv_message *m = &host.queue[host.qtail++ % 64];
    memset(m, 0, sizeof *m);
    m->type = 1;
    m->payload_size = (uint8_t)(8 + body_len);
    wr32le(m->payload, type);
    if (body_len != 0)
        memcpy(m->payload + 8, body, body_len);
}

static void host_offer(const struct hchan *c)
{
    uint8_t b[188] = {0};
    b[0] = c->class0; /* if_type @0 */
    for (int i = 1; i < 16; i++)
        b[i] = (uint8_t)(0xA0 + i);
    if (c->guid != NULL)
        memcpy(b, c->guid, 16);
    b[16] = (uint8_t)c->relid; /* if_instance @16 */
    wr32le(b + 176, c->relid);
    wr32le(b + 184, c->relid | 2u << 12); /* openvmm's connection ids */
    host_send(1, b, sizeof b);
}

static struct hchan *host_chan(uint32_t relid)
{
    for (unsigned i = 0; i < host.nch; i++)
        if (host.ch[i].relid == relid)
            return &host.ch[i];
    return NULL;
}

static void reply3(uint32_t type, uint32_t a, uint32_t b, uint32_t c)
{
    uint8_t body[12];
    wr32le(body, a);
    wr32le(body + 4, b);
    wr32le(body + 8, c);
    host_send(type, body, 12);
}

/* A rule of the host's the guest broke: recorded (each test checks that
 * none was), and the call fails as a hypervisor would fail it. */
#define HOST_RULE(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (host.rule == NULL)                                                                 \
                host.rule = #cond;                                                                 \
            return HV_STATUS_INVALID_PARAMETER;                                                    \
        }                                                                                          \
    } while (0)

/* The guest's HvPostMessage. */
uint16_t hyperv_post_message(uint32_t conn_id, uint32_t message_type, const void *payload,
                             size_t len)
{
    const uint8_t *p = payload, *b = p + 8;
    if (message_type != 1 || len < 8 || len > 240)
        return HV_STATUS_INVALID_PARAMETER;
    uint32_t type = rd32le(p);
    if (host.nlog < 64)
        host.log[host.nlog++] = type | (len >= 12 && type != 14 ? rd32le(b) : 0) << 16;
    if (type == 14) { /* INITIATE_CONTACT */
        if (conn_id != 4 && conn_id != 1)
            return HV_STATUS_INVALID_CONNECTION_ID;
        uint32_t version = rd32le(b);
        host.contacted_on[host.contacts] = conn_id;
        host.versions_offered[host.contacts++] = version;
        bool ok = version == 0x50002 || version == 0x40000;
        if (ok && version >= 0x50000 && b[8] != 2)
            ok = false; /* msg_sint must be 2 */
        uint8_t r[8] = {ok, 0, 0, 0};
        wr32le(r + 4, ok ? HOST_CONN_ID : 0);
        host.connected = ok;
        host_send(15, r, 8);
        return HV_STATUS_SUCCESS;
    }
    if (!host.connected || conn_id != HOST_CONN_ID)
        return HV_STATUS_INVALID_CONNECTION_ID;
    struct hchan *c = NULL;
    switch (type) {
    case 3: /* REQUESTOFFERS */
        for (unsigned i = 0; i < host.nch; i++)
            host_offer(&host.ch[i]);
        host_send(4, NULL, 0);
        break;
    case 8: /* GPADL_HEADER */
        c = host_chan(rd32le(b));
        HOST_RULE(c != NULL);
        c->gpadl = rd32le(b + 4);
        uint16_t buflen = (uint16_t)(b[8] | b[9] << 8), count = (uint16_t)(b[10] | b[11] << 8);
        HOST_RULE((count) == (1));
        c->npfns = (buflen - 8u) / 8u;
        HOST_RULE((rd32le(b + 12)) == (c->npfns * PAGE)); /* byte_count */
        HOST_RULE((rd32le(b + 16)) == (0u));              /* byte_offset */
        c->have = 0;
        for (size_t at = 20; at + 8 <= len - 8 && c->have < 64; at += 8)
            memcpy(&c->pfns[c->have++], b + at, 8);
        break;
    case 9: /* GPADL_BODY */
        for (unsigned i = 0; i < host.nch; i++)
            if (host.ch[i].gpadl == rd32le(b + 4))
                c = &host.ch[i];
        HOST_RULE(c != NULL);
        HOST_RULE(rd32le(b) == 0); /* msgnumber, reserved for openvmm */
        for (size_t at = 8; at + 8 <= len - 8 && c->have < 64; at += 8)
            memcpy(&c->pfns[c->have++], b + at, 8);
        break;
    case 5: /* OPENCHANNEL */
        c = host_chan(rd32le(b));
        HOST_RULE(c != NULL && c->gpadl_done && !c->open);
        HOST_RULE((rd32le(b + 8)) == (c->gpadl));
        c->downstream = rd32le(b + 16);
        c->open = true;
        reply3(6, c->relid, rd32le(b + 4), 0);
        break;
    case 7: /* CLOSECHANNEL: only of an open channel */
        c = host_chan(rd32le(b));
        HOST_RULE(c != NULL && c->open);
        c->open = false;
        c->closed = true;
        break;
    case 11: /* GPADL_TEARDOWN */
        c = host_chan(rd32le(b));
        HOST_RULE(c != NULL && c->gpadl == rd32le(b + 4) && !c->open);
        c->gpadl_done = false;
        c->npfns = c->have = 0;
        uint8_t t[4];
        wr32le(t, c->gpadl);
        host_send(12, t, 4);
        break;
    case 13: /* RELID_RELEASED */
        c = host_chan(rd32le(b));
        HOST_RULE(c != NULL);
        c->released = true;
        break;
    default:
        break;
    }
    /* a complete range list: GPADL_CREATED */
    for (unsigned i = 0; i < host.nch; i++) {
        c = &host.ch[i];
        if (c->npfns != 0 && c->have == c->npfns && !c->gpadl_done) {
            for (uint32_t k = 1; k < c->npfns; k++)
                HOST_RULE((c->pfns[k]) == (c->pfns[0] + k)); /* the rings are contiguous */
            c->gpadl_done = true;
            reply3(10, c->relid, host.wrong_gpadl_created ? c->gpadl + 1 : c->gpadl, 0);
        }
    }
    return HV_STATUS_SUCCESS;
}

uint16_t hyperv_signal_event(uint32_t connection_id, uint16_t flag)
{
    (void)flag;
    HOST_RULE((connection_id & 0xFFF000u) == (2u << 12));
    host.signals++;
    return HV_STATUS_SUCCESS;
}

bool hyperv_synic_take(unsigned sint, struct hv_message *out)
{
    if (sint != HV_VMBUS_SINT || host.qhead == host.qtail)
        return false;
    *out = host.queue[host.qhead++ % 64];
    return true;
}

unsigned hyperv_synic_events(unsigned sint, void (*fn)(void *ctx, unsigned flag), void *ctx)
{
    if (sint != HV_VMBUS_SINT)
        return 0;
    return hv_event_flags_drain(host.flags, fn, ctx);
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
    return false; /* vmbus_start is not the entry here: vmbus_connect is */
}

void *dma_alloc(size_t size, size_t align, uint64_t *dev_addr)
{
    (void)align;
    size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
    void *p = aligned_alloc(PAGE, size);
    memset(p, 0, size);
    *dev_addr = (uint64_t)(uintptr_t)p;
    return p;
}
void dma_free(void *p, size_t size)
{
    (void)size;
    free(p);
}

/* The host's view of a channel's rings: outbound first, inbound at the
 * downstream page offset (OPENCHANNEL). */
static uint8_t *ring_base(const struct hchan *c)
{
    return (uint8_t *)(uintptr_t)(c->pfns[0] * PAGE);
}

/* ---- a test driver: opens its channel, echoes every packet it gets ---- */
static const struct vmbus_guid test_class = {{0x42, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8,
                                              0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF}};
static unsigned probes, removes, echoes;

static void echo_event(struct vmbus_dev *vd)
{
    uint8_t buf[256];
    struct vmbus_pkt pkt;
    while (vmbus_recv(vd, buf, sizeof buf, &pkt) == 1) {
        vmbus_send(vd, VMBUS_PKT_DATA_INBAND, buf + pkt.offset, pkt.len - pkt.offset,
                   pkt.transaction_id, false);
        echoes++;
    }
}

static int echo_probe(struct vmbus_dev *vd)
{
    probes++;
    if (vmbus_open(vd, 2 * PAGE, 2 * PAGE, echo_event) != 0)
        return -1;
    return vmbus_send(vd, VMBUS_PKT_DATA_INBAND, "hello!!!", 8, 77, false) == 0 ? 0 : -1;
}

static void echo_remove(struct vmbus_dev *vd)
{
    (void)vd;
    removes++;
}

static struct vmbus_driver echo_driver = {
    .drv = {.name = "echo", .bus = &vmbus_bus},
    .classes = &test_class,
    .nclasses = 1,
    .probe = echo_probe,
    .remove = echo_remove,
};
VMBUS_DRIVER_REGISTER(echo_driver);

static struct vmbus_dev *guest_dev(uint32_t relid)
{
    for (struct device *d = device_first(); d; d = d->next)
        if (d->bus == &vmbus_bus &&
            container_of(d, struct vmbus_dev, dev)->offer.child_relid == relid)
            return container_of(d, struct vmbus_dev, dev);
    return NULL;
}

/* The host writes one inband packet into a channel's inbound ring (at its
 * start: the tests write one packet per fresh ring). */
static void host_packet(struct hchan *c, const char *text, uint64_t tid)
{
    uint8_t *in = ring_base(c) + c->downstream * PAGE, *data = in + PAGE;
    uint32_t w = rd32le(in);
    uint8_t pkt[24] = {6, 0, 2, 0, 3, 0, 0, 0}; /* inband, offset8 2, len8 3 */
    memcpy(pkt + 8, &tid, 8);
    memcpy(pkt + 16, text, 8);
    memcpy(data + w, pkt, 24);
    uint64_t trailer = (uint64_t)w << 32;
    memcpy(data + w + 24, &trailer, 8);
    wr32le(in, w + 32);
    host.flags[c->relid / 64] |= 1ull << (c->relid % 64);
}

/* Copies in and out of a ring's data area of size bytes, across its end. */
static void ring_put(uint8_t *data, uint32_t size, uint32_t at, const void *src, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        data[(at + i) % size] = ((const uint8_t *)src)[i];
}
static void ring_get(const uint8_t *data, uint32_t size, uint32_t at, void *dst, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        ((uint8_t *)dst)[i] = data[(at + i) % size];
}

/* Any inband payload (a multiple of 8 bytes) into the inbound ring; the
 * guest has read what was there before (the tests wait for it). */
static void host_packet_bytes(struct hchan *c, const uint8_t *payload, uint32_t len, uint64_t tid)
{
    uint8_t *in = ring_base(c) + c->downstream * PAGE, *data = in + PAGE;
    uint32_t size = (c->npfns - c->downstream) * PAGE - PAGE;
    uint32_t w = rd32le(in), len8 = (16 + len) / 8;
    uint8_t desc[16] = {6, 0, 2, 0, (uint8_t)len8, (uint8_t)(len8 >> 8), 0, 0};
    memcpy(desc + 8, &tid, 8);
    ring_put(data, size, w, desc, 16);
    ring_put(data, size, w + 16, payload, len);
    uint64_t trailer = (uint64_t)w << 32;
    ring_put(data, size, w + 16 + len, &trailer, 8);
    wr32le(in, (w + 16 + len + 8) % size);
    host.flags[c->relid / 64] |= 1ull << (c->relid % 64);
}

/* The next packet the guest wrote to the outbound ring: its payload. */
static uint32_t host_take(struct hchan *c, uint8_t *out, uint64_t *tid)
{
    uint8_t *ctl = ring_base(c), *data = ctl + PAGE;
    uint32_t size = c->downstream * PAGE - PAGE;
    if (rd32le(ctl) == c->out_read)
        return 0;
    uint8_t d[16];
    ring_get(data, size, c->out_read, d, 16);
    uint32_t off = (uint32_t)(d[2] | d[3] << 8) * 8, len = (uint32_t)(d[4] | d[5] << 8) * 8;
    memcpy(tid, d + 8, 8);
    ring_get(data, size, c->out_read + off, out, len - off);
    c->out_read = (c->out_read + len + 8) % size;
    wr32le(ctl + 4, c->out_read);
    return len - off;
}

static void run_loop(void)
{
    for (int i = 0; i < 20; i++) {
        vmbus_settle();
        event_run_pending();
    }
}
#define HOST_RULES_KEPT() CHECK_STR(host.rule ? host.rule : "none", "none")

TEST(connect_offers_open_echo)
{
    host_platform_reset();
    host_clock_step = 1000;
    host.ch[0] = (struct hchan){.relid = 1, .class0 = 0x42};
    host.ch[1] = (struct hchan){.relid = 2, .class0 = 0x43}; /* no driver */
    host.ch[2] = (struct hchan){.relid = 3, .class0 = 0x42};
    host.nch = 3;
    host.wrong_gpadl_created = false;
    CHECK_EQ(vmbus_connect(0x1000, 0x2000, 0x3000), 0);
    /* V6.0 and V5.3 refused, V5.2 taken, all on connection id 4 */
    CHECK_EQ(host.contacts, 3u);
    CHECK_EQ(host.versions_offered[0], 0x60000u);
    CHECK_EQ(host.versions_offered[2], 0x50002u);
    CHECK_EQ(host.contacted_on[2], 4u);
    CHECK(LOG_CONTAINS("vmbus: connected, protocol 5.2"));
    CHECK(LOG_CONTAINS("vmbus: 3 offers"));
    vmbus_settle();
    CHECK_EQ(probes, 2u);
    struct vmbus_dev *a = guest_dev(1), *none = guest_dev(2), *b = guest_dev(3);
    CHECK(a != NULL && none != NULL && b != NULL);
    CHECK_EQ(a->dev.state, DEVICE_BOUND);
    CHECK_EQ(none->dev.state, DEVICE_NO_DRIVER);
    CHECK_EQ(b->dev.state, DEVICE_BOUND);
    CHECK(host.ch[0].open && host.ch[2].open);
    CHECK_EQ(host.ch[0].npfns, 4u); /* two 8 KiB rings */
    CHECK_EQ(host.ch[0].downstream, 2u);
    CHECK(host.ch[0].gpadl != host.ch[2].gpadl);
    /* the probe's packet is in the outbound ring, and the host was signalled */
    uint8_t *out = ring_base(&host.ch[0]);
    CHECK_EQ(rd32le(out), 16u + 8u + 8u); /* descriptor, payload, trailer */
    CHECK(memcmp(out + PAGE + 16, "hello!!!", 8) == 0);
    CHECK(host.signals >= 2);
    /* the host sends a packet: the driver echoes it */
    host_packet(&host.ch[0], "ping1234", 5);
    run_loop();
    CHECK_EQ(echoes, 1u);
    CHECK_EQ(rd32le(out), 2u * 32u);
    CHECK(memcmp(out + PAGE + 32 + 16, "ping1234", 8) == 0);
    HOST_RULES_KEPT();
}

TEST(broken_ring_closes_only_that_channel)
{
    struct vmbus_dev *a = guest_dev(1), *b = guest_dev(3);
    CHECK(a != NULL && b != NULL);
    uint8_t *in = ring_base(&host.ch[0]) + host.ch[0].downstream * PAGE;
    wr32le(in, 44); /* the host's write index: not 8-aligned */
    host.flags[0] |= 1ull << 1;
    run_loop();
    CHECK_EQ(a->dev.state, DEVICE_DISABLED);
    CHECK(
        LOG_CONTAINS("inbound ring: the host's write index is outside the ring or not 8-aligned"));
    CHECK(host.ch[0].closed);
    CHECK(!host.ch[0].gpadl_done); /* torn down */
    /* the other channel still echoes */
    host_packet(&host.ch[2], "still ok", 9);
    unsigned before = echoes;
    run_loop();
    CHECK_EQ(echoes, before + 1);
    CHECK_EQ(b->dev.state, DEVICE_BOUND);
    HOST_RULES_KEPT();
}

TEST(nonsense_from_the_host_is_refused)
{
    unit_log_clear();
    host_send(1, "short", 5); /* an offer of 13 bytes */
    uint8_t relid0[4] = {0};
    host_send(2, relid0, 4); /* rescind of relid 0 */
    uint8_t unknown[4] = {9, 0, 0, 0};
    host_send(2, unknown, 4);             /* rescind of a relid never offered */
    host_send(15, "\1\0\0\0\1\0\0\0", 8); /* a version response nobody asked for */
    reply3(10, 1, 0x12345, 0);            /* GPADL_CREATED for no request, on the broken channel */
    run_loop();
    CHECK(LOG_CONTAINS("shorter than its type's size"));
    CHECK(LOG_CONTAINS("a relid of 0 or beyond 2047"));
    CHECK(LOG_CONTAINS("RESCIND_CHANNELOFFER: an unknown relid"));
    CHECK(LOG_CONTAINS("VERSION_RESPONSE: none was asked for"));
    CHECK(LOG_CONTAINS("unexpected message type 10"));
    CHECK_EQ(guest_dev(3)->dev.state, DEVICE_BOUND); /* the others go on */
    HOST_RULES_KEPT();
}

TEST(rescind_removes_the_device_and_releases_the_relid)
{
    struct vmbus_dev *b = guest_dev(3);
    CHECK(b != NULL);
    unsigned removes_before = removes;
    uint8_t r[4] = {3, 0, 0, 0};
    host.nlog = 0;
    host_send(2, r, 4);
    run_loop();
    CHECK_EQ(removes, removes_before + 1);
    CHECK(guest_dev(3) == NULL);
    CHECK(host.ch[2].closed && host.ch[2].released);
    /* close, teardown, then release: in this order */
    CHECK(host.nlog >= 3);
    CHECK_EQ(host.log[0], 7u | 3u << 16);
    CHECK_EQ(host.log[1], 11u | 3u << 16);
    CHECK_EQ(host.log[2], 13u | 3u << 16);
    HOST_RULES_KEPT();
}

TEST(late_offer_with_a_confused_gpadl_reply_fails_alone)
{
    unit_log_clear();
    host.ch[3] = (struct hchan){.relid = 4, .class0 = 0x42};
    host.nch = 4;
    host.wrong_gpadl_created = true; /* GPADL_CREATED names another GPADL */
    unsigned probes_before = probes;
    host_offer(&host.ch[3]); /* hot add, after ALLOFFERS_DELIVERED */
    run_loop();
    CHECK_EQ(probes, probes_before + 1);
    struct vmbus_dev *d = guest_dev(4);
    CHECK(d != NULL);
    CHECK(d->dev.state == DEVICE_FAILED || d->dev.state == DEVICE_DISABLED);
    CHECK(LOG_CONTAINS("vmbus relid 4: unexpected message type 10"));
    CHECK(!host.ch[3].open); /* never opened */
    host.wrong_gpadl_created = false;
    HOST_RULES_KEPT();
}

/* ---- the integration services (drivers/hyperv/ic.c, ic_services.c) ---- */
static uint64_t wallclock_said;
void wallclock_set_now(uint64_t unix_ns, const char *source)
{
    (void)source;
    wallclock_said = unix_ns;
}

/* An IC request: pipe header, icmsg_hdr, body (Linux include/linux/hyperv.h). */
static uint32_t ic_request(uint8_t *p, uint16_t type, uint16_t vmajor, uint16_t vminor,
                           const uint8_t *body, uint16_t body_len)
{
    uint32_t len = (28u + body_len + 7u) & ~7u;
    memset(p, 0, len);
    p[0] = 1;
    wr32le(p + 4, len - 8);
    p[8] = 3;              /* framework 3.0 */
    p[12] = (uint8_t)type; /* msgtype */
    p[14] = (uint8_t)vmajor, p[16] = (uint8_t)vminor;
    p[18] = (uint8_t)body_len, p[19] = (uint8_t)(body_len >> 8);
    p[24] = 9; /* transaction id */
    p[25] = 3; /* TRANSACTION | REQUEST */
    memcpy(p + 28, body, body_len);
    return len;
}

static const uint8_t heartbeat_guid[16] = {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
                                           0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d};
static const uint8_t timesync_guid[16] = {0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
                                          0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf};
static const uint8_t shutdown_guid[16] = {0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
                                          0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb};

/* Offers a service, negotiates it (framework 1.0/3.0, the given versions)
 * and checks the answer: 1 and 1, framework 3.0 and want. */
static struct hchan *ic_channel(uint32_t relid, const uint8_t *guid, const uint8_t *versions,
                                unsigned nversions, uint8_t want_major, uint8_t want_minor)
{
    struct hchan *c = &host.ch[host.nch++];
    *c = (struct hchan){.relid = relid, .guid = guid};
    host_offer(c);
    run_loop();
    if (!c->open)
        return NULL;
    uint8_t body[64] = {2, 0, (uint8_t)nversions, 0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0};
    memcpy(body + 16, versions, 4 * nversions);
    uint8_t p[128], got[128];
    uint32_t len = ic_request(p, 0, 1, 0, body, (uint16_t)(16 + 4 * nversions));
    host_packet_bytes(c, p, len, 1234);
    run_loop();
    uint64_t tid = 0;
    if (host_take(c, got, &tid) != len || tid != 1234)
        return NULL;
    if (got[25] != 5 || rd32le(got + 20) != 0) /* TRANSACTION | RESPONSE, status 0 */
        return NULL;
    static const uint8_t fw30[4] = {3, 0, 0, 0};
    const uint8_t want[4] = {want_major, 0, want_minor, 0};
    if (got[28] != 1 || got[30] != 1 || memcmp(got + 36, fw30, 4) || memcmp(got + 40, want, 4))
        return NULL;
    return c;
}

TEST(heartbeat_and_timesync_answer)
{
    unit_log_clear();
    static const uint8_t hb_versions[] = {1, 0, 0, 0, 3, 0, 0, 0};
    struct hchan *hb = ic_channel(6, heartbeat_guid, hb_versions, 2, 3, 0);
    CHECK(hb != NULL);
    CHECK(LOG_CONTAINS("hyperv heartbeat: framework 3.0, version 3.0"));
    uint8_t body[40] = {41}, p[128], got[128];
    uint32_t len = ic_request(p, 1, 3, 0, body, sizeof body);
    host_packet_bytes(hb, p, len, 77);
    run_loop();
    uint64_t tid;
    CHECK_EQ(host_take(hb, got, &tid), len);
    CHECK_EQ(tid, 77u);
    CHECK_EQ(got[28], 42); /* seq + 1 */
    CHECK_EQ(got[25], 5);

    static const uint8_t ts_versions[] = {4, 0, 0, 0};
    struct hchan *ts = ic_channel(7, timesync_guid, ts_versions, 1, 4, 0);
    CHECK(ts != NULL);
    /* 2024-01-01 00:00:00 UTC in 100 ns since 1601: 0x01DA3C457689C000 */
    uint8_t t[24] = {0x00, 0xC0, 0x89, 0x76, 0x45, 0x3C, 0xDA, 0x01};
    t[16] = 1; /* SYNC */
    len = ic_request(p, 4, 4, 0, t, sizeof t);
    host_packet_bytes(ts, p, len, 78);
    run_loop();
    CHECK_EQ(host_take(ts, got, &tid), len);
    CHECK_EQ(rd32le(got + 20), 0u);
    CHECK_EQ(wallclock_said, 1704067200ull * 1000000000ull);
    /* a heartbeat on the timesync channel is refused, the channel stays */
    len = ic_request(p, 1, 3, 0, body, sizeof body);
    host_packet_bytes(ts, p, len, 79);
    run_loop();
    CHECK_EQ(host_take(ts, got, &tid), len);
    CHECK_EQ(rd32le(got + 20), IC_STATUS_FAIL);
    CHECK(ts->open);
    /* garbage framing closes the channel */
    memset(p, 0xEE, 32);
    host_packet_bytes(ts, p, 32, 80);
    run_loop();
    CHECK(!ts->open && ts->closed);
    CHECK(LOG_CONTAINS("timesync: a pipe message size outside the packet"));
    HOST_RULES_KEPT();
}

static const uint8_t kvp_guid[16] = {0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d,
                                     0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6};

TEST(kvp_answers_the_guest_name)
{
    static const uint8_t kvp_versions[] = {3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0};
    struct hchan *kvp = ic_channel(9, kvp_guid, kvp_versions, 3, 4, 0);
    CHECK(kvp != NULL);
    /* the host's request is the whole hv_kvp_msg: 7.5 KiB (only its first
     * 2580 bytes matter for ENUMERATE) */
    static uint8_t body[7428], p[8192], got[8192];
    body[0] = 3, body[1] = 2; /* ENUMERATE the AUTO pool, index 0 */
    uint32_t len = ic_request(p, 2, 4, 0, body, sizeof body);
    host_packet_bytes(kvp, p, len, 100);
    run_loop();
    uint64_t tid;
    CHECK_EQ(host_take(kvp, got, &tid), len);
    CHECK_EQ(rd32le(got + 20), 0u);
    static const uint8_t fqdn[8] = {'F', 0, 'u', 0, 'l', 0, 'l', 0};
    CHECK(memcmp(got + 28 + 20, fqdn, 8) == 0);
    CHECK_EQ(rd32le(got + 28 + 12), 2u * (24u + 1u)); /* "FullyQualifiedDomainName" */
    body[4] = 200;                                    /* index 200: the end */
    len = ic_request(p, 2, 4, 0, body, sizeof body);
    host_packet_bytes(kvp, p, len, 101);
    run_loop();
    CHECK_EQ(host_take(kvp, got, &tid), len);
    CHECK_EQ(rd32le(got + 20), 0x80070103u); /* HV_S_CONT */
    CHECK(kvp->open);
    HOST_RULES_KEPT();
}

TEST(shutdown_ends_the_vm_with_status_0)
{
    static const uint8_t sd_versions[] = {1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 1, 0, 3, 0, 2, 0};
    struct hchan *sd = ic_channel(8, shutdown_guid, sd_versions, 4, 3, 2);
    CHECK(sd != NULL);
    uint8_t body[12] = {0, 0, 0, 0x80, 0, 0, 0, 0, 2 /* restart */}, p[128], got[128];
    uint32_t len = ic_request(p, 3, 3, 2, body, sizeof body);
    host_packet_bytes(sd, p, len, 90);
    run_loop();
    uint64_t tid;
    CHECK_EQ(host_take(sd, got, &tid), len);
    CHECK_EQ(rd32le(got + 20), IC_STATUS_FAIL); /* restart: refused */
    CHECK_EQ(host_exits, 0u);
    body[8] = 0; /* shut down */
    len = ic_request(p, 3, 3, 2, body, sizeof body);
    host_packet_bytes(sd, p, len, 91);
    CHECK(HOST_EXITS(run_loop()));
    CHECK_EQ(host_exit_status, 0);
    CHECK_EQ(host_take(sd, got, &tid), len); /* answered before the end */
    CHECK_EQ(rd32le(got + 20), 0u);
    CHECK(LOG_CONTAINS("hyperv shutdown: the host asks the VM to shut down"));
    HOST_RULES_KEPT();
}

UNIT_MAIN()
