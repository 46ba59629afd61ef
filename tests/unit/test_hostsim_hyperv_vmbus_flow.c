/* hostsim's partition (hostsim/hyperv/) and VMBus host (hostsim/vmbus/)
 * together, without KVM, as a guest meets them: the guest enables its SynIC
 * with wrmsr, posts channel messages with HvPostMessage (memory form) and
 * takes the host's from slot 2 of its SIM page - emptying the slot and
 * writing EOM when MessagePending says more wait - then opens the heartbeat
 * IC's channel, finds its event flag (relid) set in SINT 2's SIEF area,
 * reads the negotiation from the ring, answers it, signals with a fast
 * HvSignalEvent on the offer's connection id and gets the first heartbeat.
 * The glue between the two is the machine's (vmbus_machine.c: messages to
 * SINT 2 as type 1, channel signals as SIEF flags), restated here in a few
 * lines; the KVM tests run the machine's own.
 * Links: hostsim/hyperv/{partition,synthetic_msrs,hypercall,synic}.c
 *        hostsim/vmbus/{server*,gpadl,ring,ic*}.c hostsim/guest_mem.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/hyperv/partition.h"
#include "hostsim/vmbus/ic_services.h"
#include "hostsim/vmbus/server.h"

#define PAGE 4096u
#define RAM_PAGES 64
#define SIMP_PFN 1
#define SIEFP_PFN 2
#define INPUT_PFN 3
#define HCALL_PFN 4
#define RING_PFN 16
#define RING_PAGES 8
#define DOWN 4
#define VECTOR 0x50

static uint8_t ram[RAM_PAGES * PAGE];
static struct guest_mem mem;
static struct hvhost_partition part;
static struct vmbus_host host;
static struct vmbus_ic ics[4];
static unsigned irqs, violations;
static char violation[512];

static uint64_t tsc(void *ctx, unsigned vp)
{
    (void)ctx;
    (void)vp;
    return 1000;
}

static void interrupt(void *ctx, unsigned vp, unsigned vector)
{
    (void)ctx;
    if (vp == 0 && vector == VECTOR)
        irqs++;
}

/* The machine's glue (vmbus_machine.c), restated. */
static int glue_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx;
    return hvhost_synic_post(&part, vp, sint, 1, msg, (unsigned)len);
}

static void glue_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx;
    hvhost_synic_signal(&part, vp, sint, relid);
}

static void glue_violation(void *ctx, const char *what)
{
    (void)ctx;
    violations++;
    snprintf(violation, sizeof violation, "%s", what);
}

static uint16_t port_message(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                             uint32_t size)
{
    (void)vp;
    (void)type;
    /* Taken either way: a violation is reported through the hook. */
    vmbus_host_message(&host, (uint32_t)(uintptr_t)ctx, payload, size);
    return HV_STATUS_SUCCESS;
}

static uint16_t port_event(void *ctx, unsigned vp, uint16_t flag)
{
    (void)vp;
    (void)flag;
    struct vmbus_host_channel *ch = ctx;
    vmbus_host_channel_signalled(ch->host, ch->relid);
    return HV_STATUS_SUCCESS;
}

static void ic_log(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static uint64_t wall(void *ctx)
{
    (void)ctx;
    return 1;
}

static const struct vmbus_ic_env env = {.log = ic_log, .wall_time = wall, .reference_time = wall};

static void destroy(void)
{
    vmbus_host_destroy(&host);
}

static int setup(void)
{
    static bool registered;
    if (!registered)
        atexit(destroy);
    registered = true;
    vmbus_host_destroy(&host);
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    irqs = violations = 0;
    guest_mem_add(&mem, 0, sizeof ram, ram);
    struct hvhost_env henv = {.guest_tsc = tsc, .interrupt = interrupt};
    if (hvhost_partition_init(&part, &mem, 1, 2000000000ull, 1000000000ull, &henv) != 0)
        return -1;
    struct vmbus_host_hooks hooks = {
        .post = glue_post, .signal = glue_signal, .violation = glue_violation};
    vmbus_host_init(&host, &mem, 1, 0x50003, &hooks);
    const struct vmbus_ic_kind *kinds[4] = {&vmbus_ic_shutdown, &vmbus_ic_heartbeat,
                                            &vmbus_ic_timesync, &vmbus_ic_kvp};
    for (unsigned i = 0; i < 4; i++) {
        struct vmbus_host_channel *ch;
        if (vmbus_ic_init(&ics[i], kinds[i], &env) != 0 ||
            (ch = vmbus_host_add_channel(&host, &ics[i].service)) == NULL)
            return -1;
        struct hvhost_port ev = {
            .connection_id = ch->connection_id, .event = port_event, .flag_count = 2048, .ctx = ch};
        if (hvhost_partition_add_port(&part, &ev) != 0)
            return -1;
    }
    struct hvhost_port m1 = {.connection_id = 1, .message = port_message, .ctx = (void *)1};
    struct hvhost_port m4 = {.connection_id = 4, .message = port_message, .ctx = (void *)4};
    if (hvhost_partition_add_port(&part, &m1) != 0 || hvhost_partition_add_port(&part, &m4) != 0)
        return -1;
    /* The guest's SynIC set-up, as Linux's hv_synic_enable_regs does it. */
    int rc = hvhost_msr_write(&part, 0, HV_MSR_GUEST_OS_ID, 0x8100000000000000ull);
    rc |= hvhost_msr_write(&part, 0, HV_MSR_HYPERCALL, HCALL_PFN * PAGE | 1);
    rc |= hvhost_msr_write(&part, 0, HV_MSR_SIMP, SIMP_PFN * PAGE | 1);
    rc |= hvhost_msr_write(&part, 0, HV_MSR_SIEFP, SIEFP_PFN * PAGE | 1);
    rc |= hvhost_msr_write(&part, 0, HV_MSR_SINT0 + 2, VECTOR);
    rc |= hvhost_msr_write(&part, 0, HV_MSR_SCONTROL, 1);
    return rc;
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

/* HvPostMessage: input block at INPUT_PFN, the status returned. */
static uint64_t post(uint32_t conn, uint32_t msgtype, const uint8_t *body, uint32_t n)
{
    uint8_t *in = ram + INPUT_PFN * PAGE;
    memset(in, 0, 256);
    uint32_t type = 1, size = 8 + n;
    w32(in, conn);
    w32(in + 8, type);
    w32(in + 12, size);
    w32(in + 16, msgtype);
    if (n > 0)
        memcpy(in + 24, body, n);
    return hvhost_hypercall(&part, 0, 0x5C, INPUT_PFN * PAGE, 0);
}

/* Takes the message in slot 2: its channel message, or 0 when empty. */
static uint32_t take(uint8_t out[240])
{
    uint8_t *slot = ram + SIMP_PFN * PAGE + 2 * 256;
    if (r32(slot) == 0)
        return 0;
    if (r32(slot) != 1 || slot[4] < 8)
        return 0xDEAD;
    memcpy(out, slot + 16, slot[4]);
    bool pending = slot[5] & 1;
    w32(slot, 0); /* empty the slot, then EOM if more wait */
    if (pending)
        hvhost_msr_write(&part, 0, HV_MSR_EOM, 0);
    return r32(out);
}

static uint32_t host_read, guest_write_at;

static const uint8_t *host_packet(uint32_t *len)
{
    uint8_t *ctl = ram + (RING_PFN + DOWN) * PAGE, *data = ctl + PAGE;
    if (r32(ctl) == host_read)
        return NULL;
    uint16_t offset8, len8;
    memcpy(&offset8, data + host_read + 2, 2);
    memcpy(&len8, data + host_read + 4, 2);
    *len = (uint32_t)(len8 - offset8) * 8;
    const uint8_t *p = data + host_read + offset8 * 8;
    host_read += len8 * 8u + 8;
    w32(ctl + 4, host_read);
    return p;
}

static void guest_send(const uint8_t *payload, uint32_t n, uint32_t conn)
{
    uint8_t *data = ram + (RING_PFN + 1) * PAGE;
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
    w32(ram + RING_PFN * PAGE, guest_write_at);
    /* Linux's fast HvSignalEvent: RDX = connection id | flag << 32. */
    hvhost_hypercall(&part, 0, 0x1005D, conn, 0);
}

TEST(offers_through_sim_slots_then_a_heartbeat)
{
    CHECK_EQ(setup(), 0);
    uint8_t m[240], body[232] = {0};
    w32(body, 0x50003);
    body[8] = 2;
    CHECK_EQ(post(4, 14, body, 32), 0u);
    CHECK_EQ(take(m), 15u);
    CHECK_EQ(m[8], 1);
    CHECK_EQ(irqs, 1u);
    /* Five messages for one slot: each after the guest's EOM. */
    CHECK_EQ(post(4, 3, NULL, 0), 0u);
    uint32_t connection[5] = {0};
    static const char *const guids[4] = {
        "0e0b6031-5213-4934-818b-38d90ced39db", "57164f39-9115-4e78-ab55-382f3bd5422d",
        "9527e630-d0ae-497b-adce-e80ab0175caf", "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6"};
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(take(m), 1u);
        uint8_t g[16];
        CHECK_EQ(vmbus_guid_parse(guids[i], g), 0);
        CHECK(memcmp(m + 8, g, 16) == 0);
        CHECK_EQ(r32(m + 8 + 176), i + 1);
        connection[i + 1] = r32(m + 8 + 184);
    }
    CHECK_EQ(take(m), 4u); /* ALLOFFERS_DELIVERED */
    CHECK_EQ(take(m), 0u);
    CHECK_EQ(irqs, 6u);
    /* The heartbeat channel (relid 2): a ring GPADL, then open. */
    uint8_t gp[20 + 8 * RING_PAGES] = {0};
    w32(gp, 2);
    w32(gp + 4, 0xE1E10);
    uint16_t buflen = 8 + 8 * RING_PAGES, count = 1;
    memcpy(gp + 8, &buflen, 2);
    memcpy(gp + 10, &count, 2);
    w32(gp + 12, RING_PAGES * PAGE);
    for (unsigned i = 0; i < RING_PAGES; i++) {
        uint64_t pfn = RING_PFN + i;
        memcpy(gp + 20 + 8 * i, &pfn, 8);
    }
    CHECK_EQ(post(4, 8, gp, sizeof gp), 0u);
    CHECK_EQ(take(m), 10u);
    CHECK_EQ(r32(m + 16), 0u);
    uint8_t op[140] = {0};
    w32(op, 2);
    w32(op + 4, 2);
    w32(op + 8, 0xE1E10);
    w32(op + 16, DOWN);
    host_read = guest_write_at = 0;
    CHECK_EQ(post(4, 5, op, sizeof op), 0u);
    CHECK_EQ(take(m), 6u);
    /* The negotiation is in the ring and flag 2 (the relid) is set. */
    CHECK_EQ(ram[SIEFP_PFN * PAGE + 2 * 256] & 0x04, 0x04);
    uint32_t len;
    const uint8_t *p = host_packet(&len);
    CHECK(p != NULL);
    CHECK_EQ(p[8 + 4], 0); /* negotiate */
    uint8_t reply[128];
    memcpy(reply, p, len);
    uint16_t one = 1;
    memcpy(reply + 28, &one, 2);
    memcpy(reply + 30, &one, 2);
    static const uint8_t v3[4] = {3, 0, 0, 0};
    memcpy(reply + 36, v3, 4);
    memcpy(reply + 40, v3, 4);
    reply[8 + 17] = 5;
    ram[SIEFP_PFN * PAGE + 2 * 256] = 0; /* the guest clears its flags */
    guest_send(reply, len, connection[2]);
    CHECK(ics[1].ready);
    /* The first beat arrived, and the host flagged the channel again. */
    p = host_packet(&len);
    CHECK(p != NULL);
    CHECK_EQ(p[8 + 4], 1);
    uint64_t seq;
    memcpy(&seq, p + 28, 8);
    CHECK_EQ(seq, 0x100u);
    CHECK_EQ(ram[SIEFP_PFN * PAGE + 2 * 256] & 0x04, 0x04);
    CHECK_EQ(violations, 0u);
}

UNIT_MAIN()
