/* bus/vmbus/vmbus_ring.c co-simulated against a host end written here from
 * the layouts and rules of Linux include/linux/hyperv.h and
 * drivers/hv/ring_buffer.c and openvmm's vmbus_ring (the host's writer
 * signals only when the ring was empty and the reader has not masked; the
 * host's reader signals a writer whose pending_send_sz the freed space
 * crosses; the host's reader checks the guest's trailers). Thousands of
 * packets of random sizes go each way through small rings, so the indices
 * wrap many times and the rings fill up; malformed packets from the host
 * must be refused without moving the guest's index. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus/vmbus/vmbus_ring.h"
#include "unit.h"

#define PAGE 4096u

/* ---- the host's end, independent of the guest's code ---- */
struct hring {
    uint8_t *mem; /* control page, then the data */
    uint32_t size;
    uint32_t own; /* the host's index */
    unsigned wraps;
};

static uint32_t *hctl(struct hring *h, unsigned field) /* u32 at byte field */
{
    return (uint32_t *)(h->mem + field);
}
#define H_WRITE 0
#define H_READ 4
#define H_MASK 8
#define H_PENDING 12
#define H_FEATURES 64

static uint8_t *hdata(struct hring *h)
{
    return h->mem + PAGE;
}

static void hput(struct hring *h, uint32_t at, const void *src, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        hdata(h)[(at + i) % h->size] = ((const uint8_t *)src)[i];
}

static void hget(struct hring *h, uint32_t at, void *dst, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        ((uint8_t *)dst)[i] = hdata(h)[(at + i) % h->size];
}

static uint32_t hused(struct hring *h, uint32_t w, uint32_t r)
{
    return w >= r ? w - r : h->size - r + w;
}

/* Writes one inband packet: false (pending_send_sz set) when it does not
 * fit; *irq when the guest must be interrupted. */
static bool host_write(struct hring *h, uint16_t type, const uint8_t *payload, uint32_t len,
                       uint64_t tid, bool *irq)
{
    uint32_t pkt = 16 + ((len + 7) & ~7u), total = pkt + 8;
    uint32_t r = *hctl(h, H_READ);
    if (h->size - hused(h, h->own, r) <= total) {
        *hctl(h, H_PENDING) = total;
        return false;
    }
    *hctl(h, H_PENDING) = 0;
    uint8_t desc[16] = {0};
    uint16_t off8 = 2, len8 = (uint16_t)(pkt / 8);
    memcpy(desc, &type, 2);
    memcpy(desc + 2, &off8, 2);
    memcpy(desc + 4, &len8, 2);
    memcpy(desc + 8, &tid, 8);
    uint32_t old = h->own;
    hput(h, old, desc, 16);
    hput(h, old + 16, payload, len);
    static const uint8_t zero[8];
    hput(h, old + 16 + len, zero, pkt - 16 - len);
    uint64_t trailer = (uint64_t)old << 32;
    hput(h, old + pkt, &trailer, 8);
    if (old + total >= h->size)
        h->wraps++;
    h->own = (old + total) % h->size;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *hctl(h, H_WRITE) = h->own;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *irq = *hctl(h, H_MASK) == 0 && *hctl(h, H_READ) == old;
    return true;
}

/* Reads one packet: 1 read (payload in out), 0 empty, -1 the guest broke
 * the format (the test fails). *irq: the guest waits for room and got it. */
static int host_read(struct hring *h, uint8_t *out, uint32_t *len, uint64_t *tid, bool *irq)
{
    *irq = false;
    uint32_t w = *hctl(h, H_WRITE);
    if (w >= h->size || w % 8)
        return -1;
    uint32_t avail = hused(h, w, h->own);
    if (avail == 0)
        return 0;
    uint8_t desc[16];
    hget(h, h->own, desc, 16);
    uint16_t type, off8, len8, flags;
    memcpy(&type, desc, 2);
    memcpy(&off8, desc + 2, 2);
    memcpy(&len8, desc + 4, 2);
    memcpy(&flags, desc + 6, 2);
    memcpy(tid, desc + 8, 8);
    if (type != 6 || off8 != 2 || len8 < off8 || (uint32_t)len8 * 8 + 8 > avail || flags > 1)
        return -1;
    *len = (uint32_t)len8 * 8 - 16;
    hget(h, h->own + 16, out, *len);
    uint64_t trailer;
    hget(h, h->own + len8 * 8u, &trailer, 8);
    if (trailer != (uint64_t)h->own << 32)
        return -1;
    uint32_t free_before = h->size - avail, consumed = len8 * 8u + 8;
    if (h->own + consumed >= h->size)
        h->wraps++;
    h->own = (h->own + consumed) % h->size;
    *hctl(h, H_READ) = h->own;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t pending = *hctl(h, H_PENDING);
    *irq = pending != 0 && free_before <= pending && free_before + consumed > pending;
    return 1;
}

/* ---- shared by the tests ---- */
static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void fill(uint8_t *p, uint32_t len, uint32_t n)
{
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(n * 31 + i * 7 + 1);
}

static _Alignas(4096) uint8_t ring_mem[PAGE + 2 * PAGE];

static void rings(struct vmbus_ring *g, struct hring *h, uint32_t bytes, bool outbound)
{
    memset(ring_mem, 0, sizeof ring_mem);
    CHECK_EQ(vmbus_ring_init(g, ring_mem, bytes, outbound), 0);
    *h = (struct hring){.mem = ring_mem, .size = bytes - PAGE};
}

TEST(init_checks_and_announces)
{
    struct vmbus_ring g;
    CHECK_EQ(vmbus_ring_init(&g, ring_mem, PAGE, true), -1);         /* no data page */
    CHECK_EQ(vmbus_ring_init(&g, ring_mem, 3 * PAGE - 8, true), -1); /* not pages */
    memset(ring_mem, 0, sizeof ring_mem);
    CHECK_EQ(vmbus_ring_init(&g, ring_mem, 3 * PAGE, true), 0);
    CHECK_EQ(g.size, 2 * PAGE);
    uint32_t features;
    memcpy(&features, ring_mem + 64, 4);
    CHECK_EQ(features, 1u); /* pending_send_sz supported (feature_bits @64) */
}

TEST(written_packet_bytes)
{
    struct vmbus_ring g;
    struct hring h;
    rings(&g, &h, 2 * PAGE, true);
    uint8_t desc[16];
    vmbus_pkt_desc(desc, VMBUS_PKT_DATA_INBAND, 10, 0x1122334455667788ull, true);
    struct vmbus_sg parts[2] = {{desc, 16}, {"ABCDEFGHIJ", 10}};
    bool signal;
    const char *why;
    CHECK_EQ(vmbus_ring_write(&g, parts, 2, &signal, &why), VMBUS_RING_OK);
    CHECK(signal); /* empty before, not masked */
    static const uint8_t want[48] = {
        6,    0,    2,    0,    4,    0,    1,    0, /* type, offset8, len8 (16+10 -> 32), flags */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* transaction id */
        'A',  'B',  'C',  'D',  'E',  'F',  'G',  'H',  'I', 'J', 0, 0, 0, 0, 0, 0, /* padded */
        0,    0,    0,    0,    0,    0,    0,    0, /* trailer: old write index 0 << 32 */
    };
    CHECK(memcmp(ring_mem + PAGE, want, sizeof want) == 0);
    uint32_t w;
    memcpy(&w, ring_mem, 4);
    CHECK_EQ(w, 40u);
    CHECK_EQ(vmbus_ring_write(&g, parts, 2, &signal, &why), VMBUS_RING_OK);
    CHECK(!signal); /* not empty before */
    static const uint8_t trailer2[8] = {0, 0, 0, 0, 40, 0, 0, 0};
    CHECK(memcmp(ring_mem + PAGE + 40 + 32, trailer2, 8) == 0);
}

TEST(thousands_of_packets_guest_to_host)
{
    struct vmbus_ring g;
    struct hring h;
    rings(&g, &h, 2 * PAGE, true); /* 4 KiB of data */
    rng_state = 777;
    uint32_t sent = 0, received = 0, signals = 0, fulls = 0;
    bool waiting = false;
    static uint8_t payload[1024], got[4096];
    while (received < 5000) {
        if (rng() % 3 != 0 && sent < 5000) {
            if (waiting)
                continue; /* a blocked writer waits for the host's signal */
            uint32_t len = 1 + rng() % 600;
            fill(payload, len, sent);
            uint8_t desc[16];
            /* the transaction id carries the number and the real length */
            vmbus_pkt_desc(desc, VMBUS_PKT_DATA_INBAND, len, (uint64_t)sent << 16 | len, false);
            struct vmbus_sg parts[2] = {{desc, 16}, {payload, len}};
            *hctl(&h, H_MASK) = rng() % 4 == 0; /* the host masks now and then */
            bool was_empty = hused(&h, *hctl(&h, H_WRITE), h.own) == 0;
            bool expect_signal = was_empty && *hctl(&h, H_MASK) == 0;
            bool signal;
            const char *why;
            enum vmbus_ring_result r = vmbus_ring_write(&g, parts, 2, &signal, &why);
            if (r == VMBUS_RING_FULL) {
                fulls++;
                CHECK(*hctl(&h, H_PENDING) >= 16 + len + 8);
                waiting = true;
                continue;
            }
            CHECK_EQ(r, VMBUS_RING_OK);
            CHECK_EQ(signal, expect_signal);
            signals += signal;
            sent++;
        } else {
            uint32_t len;
            uint64_t tid;
            bool irq;
            int r = host_read(&h, got, &len, &tid, &irq);
            CHECK(r >= 0);
            if (r == 0) {
                CHECK(!waiting); /* an empty ring: a waiting writer was told */
                continue;
            }
            CHECK_EQ(tid >> 16, (uint64_t)received);
            uint32_t real = (uint32_t)(tid & 0xFFFF);
            CHECK_EQ(len, (real + 7) & ~7u); /* padded to 8 ... */
            fill(payload, real, received);
            CHECK(memcmp(got, payload, real) == 0);
            for (uint32_t i = real; i < len; i++)
                CHECK_EQ(got[i], 0); /* ... with zeros */
            received++;
            if (irq) {
                CHECK(waiting);
                waiting = false;
            }
        }
    }
    CHECK(fulls > 100);
    CHECK(h.wraps > 100);
    CHECK(signals > 0);
    CHECK_EQ(*hctl(&h, H_PENDING), 0u); /* cleared by the last successful write */
}

TEST(thousands_of_packets_host_to_guest)
{
    struct vmbus_ring g;
    struct hring h;
    rings(&g, &h, 2 * PAGE, false);
    rng_state = 4242;
    uint32_t sent = 0, received = 0, irqs = 0, fulls = 0, wakeups = 0;
    bool host_waiting = false;
    static uint8_t payload[1024], got[4096];
    while (received < 5000) {
        if (rng() % 2 == 0 && sent < 5000) {
            if (host_waiting)
                continue;
            uint32_t len = 1 + rng() % 700;
            fill(payload, len, sent);
            bool irq;
            if (!host_write(&h, VMBUS_PKT_DATA_INBAND, payload, len, (uint64_t)sent << 16 | len,
                            &irq)) {
                fulls++;
                host_waiting = true;
                continue;
            }
            irqs += irq;
            sent++;
        } else {
            bool mask = rng() % 2;
            if (mask)
                vmbus_ring_mask(&g);
            struct vmbus_pkt pkt;
            bool signal;
            const char *why;
            enum vmbus_ring_result r = vmbus_ring_read(&g, got, sizeof got, &pkt, &signal, &why);
            if (mask && vmbus_ring_unmask(&g))
                CHECK(hused(&h, h.own, g.own) != 0); /* data there: drain again */
            if (r == VMBUS_RING_EMPTY) {
                CHECK(!signal);
                CHECK(!host_waiting); /* an empty ring: the host was told */
                continue;
            }
            CHECK_EQ(r, VMBUS_RING_OK);
            CHECK_EQ(pkt.type, VMBUS_PKT_DATA_INBAND);
            CHECK_EQ(pkt.offset, 16u);
            CHECK_EQ(pkt.transaction_id >> 16, (uint64_t)received);
            uint32_t plen = (uint32_t)(pkt.transaction_id & 0xFFFF);
            CHECK_EQ(pkt.len, 16 + ((plen + 7) & ~7u));
            fill(payload, plen, received);
            CHECK(memcmp(got + 16, payload, plen) == 0);
            received++;
            if (signal) {
                CHECK(host_waiting); /* only a waiting writer is signalled */
                host_waiting = false;
                wakeups++;
            }
        }
    }
    CHECK(fulls > 100);
    CHECK_EQ(wakeups, fulls);
    CHECK(h.wraps > 100);
    CHECK(irqs > 0);
}

TEST(full_ring_and_too_big)
{
    struct vmbus_ring g;
    struct hring h;
    rings(&g, &h, 2 * PAGE, true);
    static uint8_t big[4096];
    uint8_t desc[16];
    bool signal;
    const char *why;
    /* the largest packet: data size - 8 with its trailer, i.e. 4096 - 16 */
    vmbus_pkt_desc(desc, VMBUS_PKT_DATA_INBAND, 4096 - 32, 1, false);
    struct vmbus_sg fits[2] = {{desc, 16}, {big, 4096 - 32}};
    CHECK_EQ(vmbus_ring_write(&g, fits, 2, &signal, &why), VMBUS_RING_OK);
    struct vmbus_sg one[1] = {{big, 8}};
    CHECK_EQ(vmbus_ring_write(&g, one, 1, &signal, &why), VMBUS_RING_FULL);
    CHECK_EQ(*hctl(&h, H_PENDING), 16u);
    struct vmbus_sg too_big[1] = {{big, 4096 - 8}};
    CHECK_EQ(vmbus_ring_write(&g, too_big, 1, &signal, &why), VMBUS_RING_TOO_BIG);
    uint32_t len;
    uint64_t tid;
    bool irq;
    CHECK_EQ(host_read(&h, big, &len, &tid, &irq), 1);
    CHECK(irq); /* the freed room crossed the pending size */
    CHECK_EQ(vmbus_ring_write(&g, one, 1, &signal, &why), VMBUS_RING_OK);
    CHECK_EQ(*hctl(&h, H_PENDING), 0u);
}

/* A host packet at the guest's read position, raw descriptor fields. */
static void host_raw(struct hring *h, uint16_t type, uint16_t off8, uint16_t len8, uint16_t flags,
                     uint32_t extra_word, uint32_t advance)
{
    uint8_t desc[24] = {0};
    memcpy(desc, &type, 2);
    memcpy(desc + 2, &off8, 2);
    memcpy(desc + 4, &len8, 2);
    memcpy(desc + 6, &flags, 2);
    memcpy(desc + 20, &extra_word, 4); /* range_cnt of types 7 and 9 */
    hput(h, h->own, desc, sizeof desc);
    *hctl(h, H_WRITE) = (h->own + advance) % h->size;
}

TEST(malformed_host_packets_are_refused)
{
    static const struct {
        uint16_t type, off8, len8, flags;
        uint32_t extra, advance, write_index_override;
        const char *why;
    } cases[] = {
        {6, 1, 4, 0, 0, 40, 0, "payload offset is inside its descriptor"},
        {6, 3, 2, 0, 0, 40, 0, "shorter than its payload offset"},
        {6, 2, 8, 0, 0, 40, 0, "longer than the data in the ring"},
        {6, 2, 4, 0, 0, 32, 0, "longer than the data in the ring"}, /* no room for the trailer */
        {6, 2, 4, 2, 0, 40, 0, "unknown flags"},
        {5, 2, 4, 0, 0, 40, 0, "unknown type"},
        {0, 2, 4, 0, 0, 40, 0, "unknown type"},
        {7, 2, 4, 0, 0, 40, 0, "without room for its range header"},
        {9, 3, 4, 0, 0, 40, 0, "GPA-direct packet without ranges"},
        {7, 3, 4, 0, 1, 40, 0, "ranges overrun its header"},
        {6, 2, 4, 0, 0, 8, 0, "fewer bytes in the ring than a packet descriptor"},
        {6, 2, 4, 0, 0, 40, 4, "write index is outside the ring or not 8-aligned"},
        {6, 2, 4, 0, 0, 40, 8192, "write index is outside the ring or not 8-aligned"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vmbus_ring g;
        struct hring h;
        rings(&g, &h, 3 * PAGE, false);
        /* start the guest somewhere near the end so that packets wrap */
        g.own = h.own = 8192 - 16;
        *hctl(&h, H_READ) = g.own;
        host_raw(&h, cases[i].type, cases[i].off8, cases[i].len8, cases[i].flags, cases[i].extra,
                 cases[i].advance);
        if (cases[i].write_index_override)
            *hctl(&h, H_WRITE) = cases[i].write_index_override;
        uint8_t buf[256];
        struct vmbus_pkt pkt;
        bool signal;
        const char *why = NULL;
        CHECK_EQ(vmbus_ring_read(&g, buf, sizeof buf, &pkt, &signal, &why), VMBUS_RING_BROKEN);
        CHECK(why != NULL && strstr(why, cases[i].why) != NULL);
        CHECK_EQ(g.own, 8192u - 16); /* nothing consumed */
        CHECK_EQ(*hctl(&h, H_READ), 8192u - 16);
    }
    /* well-formed transfer packets of both kinds pass */
    struct vmbus_ring g;
    struct hring h;
    rings(&g, &h, 3 * PAGE, false);
    host_raw(&h, 9, 4, 4, 0, 1, 40);
    uint8_t buf[256];
    struct vmbus_pkt pkt;
    bool signal;
    const char *why;
    CHECK_EQ(vmbus_ring_read(&g, buf, sizeof buf, &pkt, &signal, &why), VMBUS_RING_OK);
    h.own = g.own;
    host_raw(&h, 7, 4, 4, 1, 1, 40);
    CHECK_EQ(vmbus_ring_read(&g, buf, sizeof buf, &pkt, &signal, &why), VMBUS_RING_OK);
    CHECK_EQ(pkt.flags, 1);
    /* a packet bigger than the reader's buffer stays in the ring */
    h.own = g.own;
    host_raw(&h, 6, 2, 40, 0, 0, 328);
    uint32_t before = g.own;
    CHECK_EQ(vmbus_ring_read(&g, buf, 64, &pkt, &signal, &why), VMBUS_RING_TOO_BIG);
    CHECK_EQ(g.own, before);
}

TEST(broken_read_index_stops_the_writer)
{
    struct vmbus_ring g;
    struct hring h;
    rings(&g, &h, 2 * PAGE, true);
    *hctl(&h, H_READ) = 12; /* not 8-aligned */
    bool signal;
    const char *why;
    struct vmbus_sg one[1] = {{"12345678", 8}};
    CHECK_EQ(vmbus_ring_write(&g, one, 1, &signal, &why), VMBUS_RING_BROKEN);
    *hctl(&h, H_READ) = 4096; /* outside */
    CHECK_EQ(vmbus_ring_write(&g, one, 1, &signal, &why), VMBUS_RING_BROKEN);
    CHECK_EQ(g.own, 0u);
    CHECK_EQ(*hctl(&h, H_WRITE), 0u);
}

UNIT_MAIN()
