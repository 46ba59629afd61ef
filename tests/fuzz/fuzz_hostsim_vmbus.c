/* libFuzzer harness: hostsim's VMBus host (hostsim/vmbus/server.c over
 * gpadl.c and ring.c) driven by a guest the input shapes. The harness first
 * plays a valid start whose choices come from the input (the version and
 * connection id of INITIATE_CONTACT, the ring GPADL's size, split between
 * header and bodies, the downstream page), then any mix of: arbitrary
 * channel messages on connection 1 or 4, arbitrary bytes written over the
 * ring pages (indices, descriptors, masks, pending sizes), packets the
 * guest writes and signals, host replies through the service, rescinds.
 * Checked after every step:
 *   - every message the host posts is one a host sends (OFFERCHANNEL,
 *     RESCIND, ALLOFFERS_DELIVERED, OPENCHANNEL_RESULT, GPADL_CREATED,
 *     GPADL_TORNDOWN, VERSION_RESPONSE, UNLOAD_RESPONSE) with that message's
 *     exact size, to an existing VP and a SINT below 16;
 *   - every packet the service gets has offset8 >= 2, a payload of
 *     (len8 - offset8) * 8 bytes inside the host's buffer and one of the
 *     four packet types and no flag but bit 0;
 *   - after a violation the host posts, signals and delivers nothing more;
 *   - the guard pages around guest RAM are never touched (ASan and
 *     PROT_NONE catch any access outside it).
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_vmbus.c hostsim/vmbus/server*.c \
 *     hostsim/vmbus/{gpadl,ring}.c hostsim/guest_mem.c hostsim/registry.c */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/server.h"
#include "tests/fuzz/fuzz_input.h"

#define PAGE 4096u
#define RAM_PAGES 64
#define RING_PFN 8
#define MAX_RING_PAGES 40
#define MAX_STEPS 64

static uint8_t *ram;
static struct guest_mem mem;
static struct vmbus_host host;
static bool violated;
static unsigned nvps = 2;

static void check_post(unsigned vp, unsigned sint, const uint8_t *msg, size_t len)
{
    BROKEN_IF(violated);
    BROKEN_IF(vp >= nvps || sint >= 16 || len < 8 || len > 240);
    uint32_t type;
    memcpy(&type, msg, 4);
    size_t want;
    switch (type) {
    case 1:
        want = 8 + 188;
        break;
    case 2:
    case 12:
        want = 12;
        break;
    case 4:
    case 17:
        want = 8;
        break;
    case 6:
    case 10:
        want = 20;
        break;
    case 15:
        want = 16;
        break;
    default:
        want = 0;
    }
    BROKEN_IF(want == 0 || len != want);
}

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    (void)ctx;
    check_post(vp, sint, msg, len);
    return 0;
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    (void)ctx;
    BROKEN_IF(violated);
    BROKEN_IF(vp >= nvps || sint >= 16 || relid == 0 || relid > host.nchannels);
}

static void hook_violation(void *ctx, const char *what)
{
    (void)ctx;
    BROKEN_IF(violated); /* reported once */
    BROKEN_IF(what == NULL || what[0] == '\0');
    violated = true;
}

static void svc_packet(struct vmbus_host_channel *ch, const struct vmbus_host_packet *p)
{
    BROKEN_IF(violated);
    BROKEN_IF(p->offset8 < 2 || p->len8 < p->offset8);
    BROKEN_IF(p->payload_len != (uint32_t)(p->len8 - p->offset8) * 8);
    BROKEN_IF((size_t)p->len8 * 8 > VMBUS_HOST_PACKET_MAX);
    BROKEN_IF(p->payload != p->data + p->offset8 * 8);
    BROKEN_IF(p->type != 6 && p->type != 7 && p->type != 9 && p->type != 0xB);
    BROKEN_IF(p->flags & ~1u);
    /* Echo the first bytes back, as a service answers. */
    uint32_t n = p->payload_len < 64 ? p->payload_len : 64;
    vmbus_host_channel_send(ch, 6, 0, p->transaction_id, p->payload, n);
}

static const struct vmbus_host_service svc = {
    .name = "fuzz",
    .class_guid = {1},
    .instance_guid = {2},
    .packet = svc_packet,
};

static int post(struct fuzz_input *in, uint32_t conn, uint32_t type, const uint8_t *body, size_t n)
{
    (void)in;
    uint8_t m[240] = {0};
    memcpy(m, &type, 4);
    if (n > 232)
        n = 232;
    if (n > 0)
        memcpy(m + 8, body, n);
    return vmbus_host_message(&host, conn, m, 8 + n);
}

static void w32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* The valid start, with the input's choices. */
static void start(struct fuzz_input *in)
{
    static const uint32_t versions[] = {0x10001, 0x20004, 0x30000, 0x40000, 0x40001,
                                        0x50000, 0x50001, 0x50002, 0x50003, 0x60000};
    uint32_t version = versions[fuzz_take(in, 1) % 10];
    uint32_t conn = version >= 0x50000 ? 4 : 1;
    if (fuzz_take(in, 1) == 0xFF)
        conn ^= 5; /* the wrong one, now and then */
    uint8_t c[32] = {0};
    w32(c, version);
    w32(c + 4, fuzz_take(in, 1) % 3);
    c[8] = 2;
    post(in, conn, 14, c, 32);
    uint32_t agreed = host.connected ? host.msg_conn_id : conn;
    post(in, agreed, 3, NULL, 0);
    /* One ring GPADL of `pages` pages, `inhdr` of them in the header. */
    unsigned pages = 2 + fuzz_take(in, 1) % (MAX_RING_PAGES - 1);
    unsigned inhdr = fuzz_take(in, 1) % 27;
    if (inhdr > pages)
        inhdr = pages;
    uint8_t g[232] = {0};
    w32(g, 1);
    w32(g + 4, 0x100);
    uint16_t buflen = (uint16_t)(8 + 8 * pages), count = 1;
    memcpy(g + 8, &buflen, 2);
    memcpy(g + 10, &count, 2);
    w32(g + 12, pages * PAGE);
    for (unsigned i = 0; i < inhdr; i++) {
        uint64_t pfn = RING_PFN + i;
        memcpy(g + 20 + 8 * i, &pfn, 8);
    }
    post(in, agreed, 8, g, 20 + 8 * inhdr);
    for (unsigned at = inhdr; at < pages;) {
        unsigned n = pages - at < 28 ? pages - at : 28;
        uint8_t b[232] = {0};
        w32(b + 4, 0x100);
        for (unsigned i = 0; i < n; i++) {
            uint64_t pfn = RING_PFN + at + i;
            memcpy(b + 8 + 8 * i, &pfn, 8);
        }
        post(in, agreed, 9, b, 8 + 8 * n);
        at += n;
    }
    uint8_t o[140] = {0};
    w32(o, 1);
    w32(o + 8, 0x100);
    w32(o + 12, fuzz_take(in, 1) % 3);
    w32(o + 16, fuzz_take(in, 1) % (pages + 1));
    post(in, agreed, 5, o, sizeof o);
}

static void guest_packet(struct fuzz_input *in)
{
    uint8_t *ctl = ram + RING_PFN * PAGE, *data = ctl + PAGE;
    uint32_t at = 0;
    memcpy(&at, ctl, 4);
    at &= 0x1FF8; /* somewhere in the first two data pages */
    uint16_t type = (uint16_t)(fuzz_take(in, 1) % 12), offset8 = (uint16_t)fuzz_take(in, 1) % 4;
    uint16_t len8 = (uint16_t)(offset8 + fuzz_take(in, 1) % 40), flags = fuzz_take(in, 1) % 3;
    uint8_t *d = data + at;
    memcpy(d, &type, 2);
    memcpy(d + 2, &offset8, 2);
    memcpy(d + 4, &len8, 2);
    memcpy(d + 6, &flags, 2);
    w32(ctl, at + len8 * 8u + 8);
    vmbus_host_channel_signalled(&host, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ram == NULL) {
        /* RAM between two PROT_NONE guard pages. */
        uint8_t *all =
            mmap(NULL, (RAM_PAGES + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (all == MAP_FAILED)
            abort();
        ram = all + PAGE;
        mprotect(ram, RAM_PAGES * PAGE, PROT_READ | PROT_WRITE);
    }
    memset(ram, 0, RAM_PAGES * PAGE);
    memset(&mem, 0, sizeof mem);
    guest_mem_add(&mem, 0, RAM_PAGES * PAGE, ram);
    violated = false;
    struct vmbus_host_hooks hooks = {
        .post = hook_post, .signal = hook_signal, .violation = hook_violation};
    vmbus_host_init(&host, &mem, nvps, 0x50003, &hooks);
    vmbus_host_add_channel(&host, &svc);
    vmbus_host_add_channel(&host, &svc);
    struct fuzz_input in = {data, size};
    start(&in);
    for (unsigned step = 0; step < MAX_STEPS && in.n > 0; step++) {
        uint32_t conn = fuzz_take(&in, 1) & 1 ? 4 : 1;
        switch (fuzz_take(&in, 1) % 6) {
        case 0: {
            uint8_t body[232];
            uint32_t type = fuzz_take(&in, 1) % 20;
            size_t n = fuzz_take(&in, 1) % sizeof body;
            for (size_t i = 0; i < n; i++)
                body[i] = (uint8_t)fuzz_take(&in, 1);
            post(&in, conn, type, body, n);
            break;
        }
        case 1: {
            uint32_t off = fuzz_take(&in, 2) % (MAX_RING_PAGES * PAGE);
            unsigned n = fuzz_take(&in, 1) % 16;
            for (unsigned i = 0; i < n && off + i < MAX_RING_PAGES * PAGE; i++)
                ram[RING_PFN * PAGE + off + i] = (uint8_t)fuzz_take(&in, 1);
            break;
        }
        case 2:
            guest_packet(&in);
            break;
        case 3:
            vmbus_host_channel_signalled(&host, fuzz_take(&in, 1) % 4);
            break;
        case 4: {
            static const uint8_t zeros[5000];
            if (host.nchannels > 0)
                vmbus_host_channel_send(&host.channel[0], 6, 0, 1, zeros,
                                        fuzz_take(&in, 2) % sizeof zeros);
            break;
        }
        case 5:
            vmbus_host_rescind(&host, fuzz_take(&in, 1) % 4);
            break;
        }
    }
    vmbus_host_destroy(&host);
    return 0;
}
