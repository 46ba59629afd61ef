/* hostsim's integration services (hostsim/vmbus/ic.c and ic_*.c) over its
 * VMBus host, with the guest played here from Linux's layouts
 * (include/linux/hyperv.h vmbuspipe_hdr, icmsg_hdr, icmsg_negotiate,
 * heartbeat_msg_data, shutdown_msg_data, ictimesync_ref_data) and the
 * guest's habit of answering in place (drivers/hv/hv_util.c): the host's
 * negotiation offer in golden bytes, a chosen pair, heartbeats, a shutdown
 * request and its answer, time samples, GUIDs in wire order, and the
 * violations a broken answer causes.
 * Links: hostsim/vmbus/{ic,ic_shutdown,ic_heartbeat,ic_timesync,ic_kvp,
 *        server,server_gpadl,server_channel,gpadl,ring}.c hostsim/guest_mem.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/vmbus/ic_services.h"
#include "hostsim/vmbus/server.h"

#define RAM_PAGES 64
#define RING_PFN 16
#define RING_PAGES 8
#define DOWN 4

static uint8_t ram[RAM_PAGES * 4096];
static struct guest_mem mem;
static struct vmbus_host host;
static struct vmbus_ic ic;
static unsigned violations;
static char violation[512];
static char logged[512];

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx;
    (void)vp;
    (void)sint;
    (void)msg;
    (void)len;
    return 0;
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx;
    (void)vp;
    (void)sint;
    (void)relid;
}

static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    violations++;
    snprintf(violation, sizeof violation, "%s", what);
}

static void env_log(void *ctx, const char *line)
{
    (void)ctx;
    snprintf(logged, sizeof logged, "%s", line);
}

static uint64_t env_wall(void *ctx)
{
    (void)ctx;
    return 133000000000000000ull;
}

static uint64_t env_ref(void *ctx)
{
    (void)ctx;
    return 777;
}

static const struct vmbus_ic_env env = {
    .log = env_log, .wall_time = env_wall, .reference_time = env_ref};

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

static uint8_t *page(unsigned pfn)
{
    return ram + (size_t)pfn * 4096;
}

static void post(uint32_t type, const uint8_t *body, size_t n)
{
    uint8_t m[240] = {0};
    w32(m, type);
    if (n > 0)
        memcpy(m + 8, body, n);
    vmbus_host_message(&host, 4, m, 8 + n);
}

static void destroy(void)
{
    vmbus_host_destroy(&host);
}

/* Connect at V5.3, take the one offer, make a ring GPADL, open it. */
static int open_ic(const struct vmbus_ic_kind *kind)
{
    static bool registered;
    if (!registered)
        atexit(destroy);
    registered = true;
    vmbus_host_destroy(&host);
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    violations = 0;
    violation[0] = logged[0] = '\0';
    guest_mem_add(&mem, 0, sizeof ram, ram);
    struct vmbus_host_hooks hooks = {
        .post = hook_post, .signal = hook_signal, .violation = hook_violation};
    vmbus_host_init(&host, &mem, 1, 0x50003, &hooks);
    if (vmbus_ic_init(&ic, kind, &env) != 0 || vmbus_host_add_channel(&host, &ic.service) == NULL)
        return -1;
    uint8_t c[32] = {0};
    w32(c, 0x50003);
    c[8] = 2;
    post(14, c, 32);
    post(3, NULL, 0);
    uint8_t g[20 + 8 * RING_PAGES] = {0};
    w32(g, 1);
    w32(g + 4, 0xE1E10);
    uint16_t buflen = 8 + 8 * RING_PAGES, count = 1;
    memcpy(g + 8, &buflen, 2);
    memcpy(g + 10, &count, 2);
    w32(g + 12, RING_PAGES * 4096);
    for (unsigned i = 0; i < RING_PAGES; i++) {
        uint64_t pfn = RING_PFN + i;
        memcpy(g + 20 + 8 * i, &pfn, 8);
    }
    post(8, g, sizeof g);
    uint8_t o[140] = {0};
    w32(o, 1);
    w32(o + 4, 1);
    w32(o + 8, 0xE1E10);
    w32(o + 16, DOWN);
    post(5, o, sizeof o);
    return violations == 0 && ic.open ? 0 : -1;
}

static uint32_t host_read; /* the guest's read index of the host's ring */
static uint32_t guest_write_at;

/* The next packet the host wrote: its payload (pipe header on). */
static const uint8_t *host_packet(uint32_t *len)
{
    uint8_t *ctl = page(RING_PFN + DOWN), *data = page(RING_PFN + DOWN + 1);
    if (r32(ctl) == host_read)
        return NULL;
    uint16_t offset8, len8;
    memcpy(&offset8, data + host_read + 2, 2);
    memcpy(&len8, data + host_read + 4, 2);
    const uint8_t *p = data + host_read + offset8 * 8;
    *len = (uint32_t)(len8 - offset8) * 8;
    host_read += len8 * 8u + 8;
    w32(ctl + 4, host_read);
    return p;
}

/* The guest sends payload back as one INBAND packet and signals. */
static void guest_send(const uint8_t *payload, uint32_t n)
{
    uint8_t *data = page(RING_PFN + 1);
    uint32_t at = guest_write_at, padded = (n + 7) & ~7u;
    uint16_t type = 6, offset8 = 2, len8 = (uint16_t)((16 + padded) / 8), flags = 0;
    memcpy(data + at, &type, 2);
    memcpy(data + at + 2, &offset8, 2);
    memcpy(data + at + 4, &len8, 2);
    memcpy(data + at + 6, &flags, 2);
    memset(data + at + 8, 0, 8);
    memcpy(data + at + 16, payload, n);
    uint64_t trailer = (uint64_t)at << 32;
    memcpy(data + at + 16 + padded, &trailer, 8);
    guest_write_at = at + 16 + padded + 8;
    w32(page(RING_PFN), guest_write_at);
    vmbus_host_channel_signalled(&host, 1);
}

/* Answers the negotiation with framework fw and version mv, as Linux's
 * vmbus_prep_negotiate_resp does: counts 1/1, the pair, RESPONSE flags. */
static void answer_negotiation(struct ic_version fw, struct ic_version mv)
{
    uint32_t len;
    const uint8_t *p = host_packet(&len);
    uint8_t reply[256];
    memcpy(reply, p, len);
    uint16_t one = 1;
    memcpy(reply + 28, &one, 2);
    memcpy(reply + 30, &one, 2);
    memcpy(reply + 36, &fw, 4);
    memcpy(reply + 40, &mv, 4);
    reply[8 + 17] = 5;
    guest_send(reply, len);
}

static void reset_rings(void)
{
    host_read = guest_write_at = 0;
}

TEST(guid_wire_order)
{
    uint8_t g[16];
    CHECK_EQ(vmbus_guid_parse("57164f39-9115-4e78-ab55-382f3bd5422d", g), 0);
    static const uint8_t want[16] = {0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
                                     0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d};
    CHECK(memcmp(g, want, 16) == 0);
    CHECK_EQ(vmbus_guid_parse("57164f39-9115-4e78-ab55-382f3bd5422", g), -1);
    CHECK_EQ(vmbus_guid_parse("57164f39x9115-4e78-ab55-382f3bd5422d", g), -1);
    CHECK_EQ(vmbus_guid_parse("57164f39-9115-4e78-ab55-382f3bd5422dd", g), -1);
}

TEST(negotiation_offer_and_heartbeats)
{
    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_heartbeat), 0);
    uint32_t len;
    const uint8_t *p = host_packet(&len);
    CHECK(p != NULL);
    /* pipe {1, 20 + 24}; icmsg_hdr {1.0, type 0, 1.0, size 24, status 0,
     * transaction 1, flags 3}; counts 2/2, then 1.0 3.0 | 1.0 3.0. */
    static const uint8_t want[52] = {1, 0, 0, 0, 44, 0, 0, 0, /* pipe */
                                     1, 0, 0, 0, 0,  0, 1, 0, 0, 0, 24, 0, 0, 0, 0, 0,
                                     1, 3, 0, 0,              /* icmsg_hdr */
                                     2, 0, 2, 0, 0,  0, 0, 0, /* counts */
                                     1, 0, 0, 0, 3,  0, 0, 0, 1, 0, 0,  0, 3, 0, 0, 0};
    CHECK_EQ(len, 56u); /* 52 padded to 8 */
    CHECK(memcmp(p, want, sizeof want) == 0);
    host_read = 0;
    w32(page(RING_PFN + DOWN) + 4, 0);
    answer_negotiation((struct ic_version){3, 0}, (struct ic_version){3, 0});
    CHECK_EQ(violations, 0u);
    CHECK(ic.ready);
    CHECK(strstr(logged, "framework 3.0, version 3.0") != NULL);
    /* The first beat: type 1, version 3.0, sequence 0x100. */
    p = host_packet(&len);
    CHECK(p != NULL);
    uint16_t type;
    memcpy(&type, p + 8 + 4, 2);
    CHECK_EQ(type, 1u);
    CHECK_EQ(p[8 + 6], 3);
    uint64_t seq;
    memcpy(&seq, p + 28, 8);
    CHECK_EQ(seq, 0x100u);
    uint8_t reply[128];
    memcpy(reply, p, len);
    seq++;
    memcpy(reply + 28, &seq, 8);
    reply[8 + 17] = 5;
    guest_send(reply, len);
    CHECK_EQ(vmbus_ic_heartbeats(&ic), 1u);
    /* Five ticks later the next beat, 0x102; a wrong echo is a violation. */
    for (int i = 0; i < 5; i++)
        vmbus_ic_tick(&ic);
    p = host_packet(&len);
    CHECK(p != NULL);
    memcpy(&seq, p + 28, 8);
    CHECK_EQ(seq, 0x102u);
    memcpy(reply, p, len);
    reply[8 + 17] = 5;
    guest_send(reply, len); /* not incremented */
    CHECK_EQ(violations, 1u);
    CHECK(strstr(violation, "expected status 0 and 259") != NULL);
}

TEST(broken_answers_are_violations)
{
    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_heartbeat), 0);
    answer_negotiation((struct ic_version){3, 0}, (struct ic_version){2, 0});
    CHECK(strstr(violation, "expected a pair the host offered") != NULL);

    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_heartbeat), 0);
    uint32_t len;
    const uint8_t *p = host_packet(&len);
    uint8_t reply[128];
    memcpy(reply, p, len);
    reply[8 + 17] = 3; /* still REQUEST */
    guest_send(reply, len);
    CHECK(strstr(violation, "flags 0x3") != NULL);

    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_heartbeat), 0);
    p = host_packet(&len);
    memcpy(reply, p, len);
    reply[8 + 17] = 5;
    reply[8 + 16] = 9; /* another transaction */
    guest_send(reply, len);
    CHECK(strstr(violation, "transaction 9") != NULL);

    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_heartbeat), 0);
    p = host_packet(&len);
    memcpy(reply, p, len);
    reply[0] = 2; /* pipe flags */
    reply[8 + 17] = 5;
    guest_send(reply, len);
    CHECK(strstr(violation, "pipe header flags 2") != NULL);

    /* No common version: logged, not a violation. */
    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_heartbeat), 0);
    p = host_packet(&len);
    memcpy(reply, p, len);
    memset(reply + 28, 0, 4);
    reply[8 + 17] = 5;
    guest_send(reply, len);
    CHECK_EQ(violations, 0u);
    CHECK(ic.unusable);
    CHECK(strstr(logged, "shares no version") != NULL);
}

TEST(shutdown_request_and_answer)
{
    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_shutdown), 0);
    CHECK_EQ(vmbus_ic_shutdown_request(&ic, 0, 30), -1); /* not negotiated yet */
    answer_negotiation((struct ic_version){3, 0}, (struct ic_version){3, 2});
    CHECK(ic.ready);
    CHECK_EQ(vmbus_ic_shutdown_request(&ic, 0, 30), 0);
    uint32_t len;
    const uint8_t *p = host_packet(&len);
    CHECK(p != NULL);
    /* icmsg_hdr: 3.0, type 3, 3.2, size 2060; body reason, timeout, flags. */
    static const uint8_t hdr[12] = {3, 0, 0, 0, 3, 0, 3, 0, 2, 0, 0x0C, 0x08};
    CHECK(memcmp(p + 8, hdr, 12) == 0);
    static const uint8_t body[12] = {0, 0, 0, 0x80, 30, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(p + 28, body, 12) == 0);
    CHECK(strstr((const char *)p + 40, "shutdown") != NULL);
    CHECK_EQ(vmbus_ic_shutdown_answer(&ic), 0);
    static uint8_t reply[2200];
    memcpy(reply, p, len);
    reply[8 + 17] = 5;
    uint32_t fail = 0x80004005u;
    memcpy(reply + 8 + 12, &fail, 4);
    guest_send(reply, len);
    CHECK_EQ(vmbus_ic_shutdown_answer(&ic), -1);
    CHECK_EQ(violations, 0u);
}

TEST(timesync_v4_sync_then_samples)
{
    reset_rings();
    CHECK_EQ(open_ic(&vmbus_ic_timesync), 0);
    answer_negotiation((struct ic_version){3, 0}, (struct ic_version){4, 0});
    uint32_t len;
    const uint8_t *p = host_packet(&len);
    CHECK(p != NULL);
    uint64_t parent, ref;
    memcpy(&parent, p + 28, 8);
    memcpy(&ref, p + 36, 8);
    CHECK_EQ(parent, 133000000000000000ull);
    CHECK_EQ(ref, 777u);
    CHECK_EQ(p[44], 1); /* SYNC */
    uint16_t size;
    memcpy(&size, p + 8 + 10, 2);
    CHECK_EQ(size, 24u);
    uint8_t reply[128];
    memcpy(reply, p, len);
    reply[8 + 17] = 5;
    guest_send(reply, len);
    CHECK_EQ(vmbus_ic_time_samples(&ic), 1u);
    for (int i = 0; i < 5; i++)
        vmbus_ic_tick(&ic);
    p = host_packet(&len);
    CHECK(p != NULL);
    CHECK_EQ(p[44], 2); /* SAMPLE */
    CHECK_EQ(violations, 0u);
}

UNIT_MAIN()
