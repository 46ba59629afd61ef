/* Unit tests for drivers/virtio/virtqueue.c: the split-ring logic against a
 * simulated device (this file plays the device side of virtio 1.2, 2.7):
 * index wrap-around over many cycles, event-index decisions both ways,
 * indirect chains, and a device that breaks the rules. */
#include <stdint.h>

#include "drivers/virtio/virtqueue.h"
#include "tests/unit/unit.h"

/* ---- a queue over host memory: "physical" addresses are host pointers ---- */

struct testq {
    struct virtq vq;
    void *ring, *state;
};

/* One arena reused by every test (one queue at a time), so an early return
 * from a failed CHECK leaks nothing. */
static uint8_t ring_arena[1 << 20] __attribute__((aligned(4096)));
static uint8_t state_arena[1 << 20] __attribute__((aligned(4096)));

static void tq_init(struct testq *t, uint16_t size, bool event_idx, bool indirect)
{
    memset(t, 0, sizeof *t);
    t->ring = ring_arena;
    t->state = state_arena;
    memset(ring_arena, 0xA5, sizeof ring_arena); /* virtq_init must clear what it uses */
    memset(state_arena, 0x5A, sizeof state_arena);
    virtq_init(&t->vq, 0, size, t->ring, (uintptr_t)t->ring, t->state, (uintptr_t)t->state,
               event_idx, indirect);
}

static void tq_free(struct testq *t)
{
    (void)t;
}

/* ---- the simulated device ---- */

struct simdev {
    struct virtq *vq;
    uint16_t last_avail; /* next avail entry the device reads */
    uint16_t used_idx;   /* its copy of used->idx */
};

struct popped {
    uint16_t head;
    unsigned ndesc; /* descriptors seen (inside the indirect table if any) */
    bool indirect;
    uint32_t readable, writable;
    uint64_t first_addr;
};

static volatile struct virtq_avail *avail_of(struct virtq *vq)
{
    return (volatile struct virtq_avail *)vq->avail;
}
static volatile struct virtq_used *used_of(struct virtq *vq)
{
    return (volatile struct virtq_used *)vq->used;
}

/* Takes the next available chain; returns false when there is none or the
 * chain is malformed (the driver's fault: the tests then fail). */
static bool sim_pop(struct simdev *d, struct popped *p)
{
    struct virtq *vq = d->vq;
    if (avail_of(vq)->idx == d->last_avail)
        return false;
    memset(p, 0, sizeof *p);
    p->head = avail_of(vq)->ring[d->last_avail % vq->size];
    d->last_avail++;
    if (p->head >= vq->size)
        return false;
    const volatile struct virtq_desc *table = (const volatile struct virtq_desc *)vq->desc;
    unsigned limit = vq->size;
    uint16_t i = p->head;
    if (table[i].flags & VIRTQ_DESC_F_INDIRECT) {
        if (table[i].flags & VIRTQ_DESC_F_NEXT || table[i].len % 16 != 0 || table[i].len == 0)
            return false;
        p->indirect = true;
        limit = table[i].len / 16;
        table = (const volatile struct virtq_desc *)(uintptr_t)table[i].addr;
        i = 0;
    }
    bool seen_write = false;
    for (;;) {
        if (i >= limit || p->ndesc >= limit)
            return false;
        const volatile struct virtq_desc *e = &table[i];
        if (p->ndesc == 0)
            p->first_addr = e->addr;
        if (e->flags & VIRTQ_DESC_F_INDIRECT)
            return false; /* nested indirect is forbidden (2.7.5.3.1) */
        if (e->flags & VIRTQ_DESC_F_WRITE) {
            seen_write = true;
            p->writable += e->len;
        } else {
            if (seen_write)
                return false;
            p->readable += e->len;
        }
        p->ndesc++;
        if (!(e->flags & VIRTQ_DESC_F_NEXT))
            break;
        i = e->next;
    }
    return true;
}

/* Writes a used entry; returns whether the device would interrupt now
 * (2.7.10 without EVENT_IDX, 2.7.10.2 with it). */
static bool sim_complete(struct simdev *d, uint32_t id, uint32_t len)
{
    struct virtq *vq = d->vq;
    volatile struct virtq_used *u = used_of(vq);
    u->ring[d->used_idx % vq->size].id = id;
    u->ring[d->used_idx % vq->size].len = len;
    uint16_t old = d->used_idx++;
    u->idx = d->used_idx;
    if (vq->event_idx) {
        uint16_t ev = avail_of(vq)->ring[vq->size];
        return virtq_need_event(ev, d->used_idx, old);
    }
    return (avail_of(vq)->flags & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
}

static void sim_set_avail_event(struct virtq *vq, uint16_t v)
{
    *(volatile uint16_t *)((uint8_t *)vq->used + 4 + 8 * (size_t)vq->size) = v;
}

static int add1(struct virtq *vq, uint64_t addr, uint32_t len, bool writes, void *token)
{
    struct virtq_buf b = {addr, len, writes};
    return virtq_add(vq, &b, 1, token);
}

static int tokens[1024];
#define TOKEN(i) ((void *)&tokens[(i) % 1024])

/* ---- layout ---- */

TEST(layout_sizes_and_alignment)
{
    CHECK_EQ(virtq_ring_bytes(256), 4096u + 8192u); /* 4096+518 -> 8192, used 2054 -> 4096 */
    CHECK_EQ(virtq_ring_bytes(8) % 4096, 0u);
    CHECK_EQ(virtq_state_bytes(8, false), 8u * 16);
    CHECK_EQ(virtq_state_bytes(8, true), 8u * 16 + 8u * VIRTQ_MAX_INDIRECT * 16);
    struct testq t;
    tq_init(&t, 256, true, false);
    struct virtq *vq = &t.vq;
    CHECK(!vq->broken);
    CHECK_EQ(vq->size, 256);
    CHECK_EQ((uint8_t *)vq->avail - (uint8_t *)vq->desc, 4096);
    CHECK_EQ(((uintptr_t)vq->used) % 4096, 0u);
    CHECK_EQ(vq->used_phys - vq->desc_phys, 8192u);
    CHECK_EQ(vq->avail_phys, vq->desc_phys + 4096);
    CHECK_EQ(vq->num_free, 256);
    CHECK_EQ(avail_of(vq)->idx, 0);
    CHECK_EQ(used_of(vq)->idx, 0);
    CHECK_EQ(avail_of(vq)->ring[256], 0); /* used_event cleared by init */
    tq_free(&t);
}

/* The legacy layout (2.7.2) with a Queue Align of 4096, computed here the
 * way the specification writes it, for every queue size: virtq_init's
 * rings must sit exactly there, so one layout serves the legacy interfaces. */
static size_t spec_legacy_bytes(unsigned qsz, unsigned qalign)
{
    unsigned mask =
        qalign - 1; /* the spec's ALIGN(x): (x + qalign) & ~qalign, with qalign a mask */
#define SPEC_ALIGN(x) (((x) + mask) & ~(size_t)mask)
    return SPEC_ALIGN(16 * (size_t)qsz + 2 * (3 + (size_t)qsz)) +
           SPEC_ALIGN(2 * 3 + 8 * (size_t)qsz);
#undef SPEC_ALIGN
}

TEST(legacy_layout_every_size)
{
    static uint8_t big_ring[1 << 20] __attribute__((aligned(4096)));
    static uint8_t big_state[1 << 20] __attribute__((aligned(4096)));
    for (unsigned qsz = 1; qsz <= VIRTQ_MAX_SIZE; qsz *= 2) {
        CHECK_EQ(virtq_ring_bytes((uint16_t)qsz), spec_legacy_bytes(qsz, VIRTQ_LEGACY_ALIGN));
        if (virtq_ring_bytes((uint16_t)qsz) > sizeof big_ring ||
            virtq_state_bytes((uint16_t)qsz, false) > sizeof big_state)
            continue;
        struct virtq vq;
        memset(&vq, 0, sizeof vq);
        uint64_t phys = 0x40000000; /* a 4096-aligned guest-physical address */
        virtq_init(&vq, 0, (uint16_t)qsz, big_ring, phys, big_state, 0x50000000, false, false);
        CHECK(!vq.broken);
        /* desc | avail (right after) | pad | used on the next 4096 boundary */
        CHECK_EQ(vq.desc_phys, phys);
        CHECK_EQ(vq.avail_phys, phys + 16 * (uint64_t)qsz);
        uint64_t avail_end = vq.avail_phys + 6 + 2 * (uint64_t)qsz;
        CHECK_EQ(vq.used_phys, (avail_end + 4095) / 4096 * 4096);
        CHECK(virtq_legacy_layout_ok((uint16_t)qsz, vq.desc_phys, vq.avail_phys, vq.used_phys,
                                     VIRTQ_LEGACY_ALIGN));
    }
}

TEST(legacy_layout_rejects_other_layouts)
{
    /* A queue of 256: desc 4096 bytes, avail 518, used at 8192 from desc. */
    uint64_t d = 0x100000;
    CHECK(virtq_legacy_layout_ok(256, d, d + 4096, d + 8192, 4096));
    CHECK(!virtq_legacy_layout_ok(256, d + 16, d + 16 + 4096, d + 8192, 4096)); /* unaligned */
    CHECK(!virtq_legacy_layout_ok(256, d, d + 4096 + 2, d + 8192, 4096));       /* avail moved */
    CHECK(!virtq_legacy_layout_ok(256, d, d + 4096, d + 8192 + 4096, 4096));    /* used moved */
    CHECK(
        !virtq_legacy_layout_ok(256, d, d + 4096, d + 4096 + 520, 4096)); /* used only 4-aligned */
    CHECK(!virtq_legacy_layout_ok(255, d, d + 4080, d + 8192, 4096));     /* not a power of two */
    CHECK(!virtq_legacy_layout_ok(0, d, d, d, 4096));
    CHECK(!virtq_legacy_layout_ok(256, d, d + 4096, d + 8192, 3000)); /* align not a power of two */
    /* A smaller Queue Align moves the used ring (legacy virtio-mmio may use one). */
    CHECK(virtq_legacy_layout_ok(256, d, d + 4096, d + 4096 + 520, 4));
    /* Near the top of the address space: no wrap-around accepted. */
    uint64_t top = UINT64_MAX - 4095;
    CHECK(!virtq_legacy_layout_ok(256, top, top + 4096, 8192, 4096));
}

TEST(legacy_pfn_only_for_what_the_register_takes)
{
    uint32_t pfn = 0xEEEE;
    uint64_t d = 0x100000;
    CHECK(virtq_legacy_pfn(256, d, d + 4096, d + 8192, 4096, &pfn) == NULL);
    CHECK_EQ(pfn, 0x100u);
    CHECK(virtq_legacy_pfn(256, d, d + 4096, d + 4096 + 520, 4, &pfn) == NULL);
    CHECK_EQ(pfn, 0x40000u); /* counted in Queue Align units */
    /* Not in the layout, in page 0 (the register's "no queue"), or a page
     * number past 32 bits: refused, saying which, with *pfn untouched. */
    pfn = 0xEEEE;
    CHECK_STR(virtq_legacy_pfn(256, d, d + 4096 + 2, d + 8192, 4096, &pfn),
              "rings not in the legacy layout");
    CHECK_STR(virtq_legacy_pfn(256, 0, 4096, 8192, 4096, &pfn),
              "rings in page 0, which the page-number register reads as no queue");
    uint64_t high = 1ull << 44; /* page 2^32 */
    CHECK_STR(virtq_legacy_pfn(256, high, high + 4096, high + 8192, 4096, &pfn),
              "rings above what a 32-bit page number reaches");
    CHECK_EQ(pfn, 0xEEEEu);
    uint64_t top = 0xFFFFFFFFull << 12; /* page 2^32 - 1: the last one */
    CHECK(virtq_legacy_pfn(256, top, top + 4096, top + 8192, 4096, &pfn) == NULL);
    CHECK_EQ(pfn, 0xFFFFFFFFu);
}

TEST(init_rejects_bad_size)
{
    static uint8_t ring[16384], state[4096];
    struct virtq vq = {0};
    virtq_init(&vq, 0, 6, ring, 0, state, 0, false, false);
    CHECK(vq.broken);
    CHECK(strstr(vq.error, "bad queue size 6") != NULL);
    struct virtq_buf b = {0x1000, 1, false};
    CHECK_EQ(virtq_add(&vq, &b, 1, TOKEN(0)), -1);
    void *tok;
    uint32_t len;
    CHECK_EQ(virtq_get_used(&vq, &tok, &len), -1);
    CHECK(!virtq_kick_prepare(&vq));
}

/* ---- normal operation ---- */

TEST(single_request_round_trip)
{
    struct testq t;
    tq_init(&t, 8, false, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    struct virtq_buf bufs[3] = {{0x1000, 16, false}, {0x2000, 512, true}, {0x3000, 1, true}};
    CHECK_EQ(virtq_add(vq, bufs, 3, TOKEN(7)), 0);
    CHECK_EQ(vq->num_free, 5);
    /* Not visible to the device before the kick publishes it. */
    struct popped p;
    CHECK(!sim_pop(&d, &p));
    CHECK(virtq_kick_prepare(vq));
    CHECK(sim_pop(&d, &p));
    CHECK_EQ(p.ndesc, 3u);
    CHECK(!p.indirect);
    CHECK_EQ(p.readable, 16u);
    CHECK_EQ(p.writable, 513u);
    CHECK_EQ(p.first_addr, 0x1000u);
    void *tok = NULL;
    uint32_t len = 0;
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 0);
    CHECK(sim_complete(&d, p.head, 513));
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK(tok == TOKEN(7));
    CHECK_EQ(len, 513u);
    CHECK_EQ(vq->num_free, 8);
    CHECK_EQ(vq->in_flight, 0);
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 0);
    /* A kick with nothing new says nothing. */
    CHECK(!virtq_kick_prepare(vq));
    tq_free(&t);
}

/* Drives `cycles` requests through a small queue so both 16-bit indices wrap
 * many times; the device completes in reverse order, several at a time, and
 * writes every writable byte: each token must come back with its length. */
static void wrap_run(uint16_t size, bool event_idx, bool indirect, unsigned cycles, int *ok)
{
    struct testq t;
    tq_init(&t, size, event_idx, indirect);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    unsigned added = 0, done = 0, seq = 1;
    static uint32_t expect_len[1024];
    static uint16_t heads[64];
    static uint32_t lens[64];
    *ok = 0;
    while (done < cycles) {
        /* Add a varying number of requests of 1..3 buffers. */
        unsigned want = 1 + (seq * 7) % size;
        for (unsigned k = 0; k < want && added < cycles; k++) {
            unsigned nb = 1 + (added % 3);
            if (nb > size)
                nb = size;
            struct virtq_buf b[3] = {{0x10000 + added, 10, false},
                                     {0x20000, 100 + added % 50, true},
                                     {0x30000, 7, true}};
            if (virtq_add(vq, b, nb, TOKEN(added)) != 0)
                break;
            expect_len[added % 1024] = nb == 1 ? 0 : nb == 2 ? 100 + added % 50 : 107 + added % 50;
            added++;
        }
        virtq_kick_prepare(vq);
        unsigned n = 0;
        struct popped p;
        while (n < 64 && sim_pop(&d, &p)) {
            heads[n] = p.head;
            lens[n++] = p.writable;
        }
        for (unsigned k = n; k-- > 0;)
            sim_complete(&d, heads[k], lens[k]);
        void *tok;
        uint32_t len;
        int r;
        while ((r = virtq_get_used(vq, &tok, &len)) == 1) {
            unsigned i = (unsigned)((int *)tok - tokens);
            if (len != expect_len[i])
                return;
            done++;
        }
        if (r != 0 || n == 0)
            return; /* broken, or no progress */
        seq++;
    }
    if (vq->num_free != size || vq->in_flight != 0 || vq->last_used != (uint16_t)cycles ||
        avail_of(vq)->idx != (uint16_t)cycles || used_of(vq)->idx != (uint16_t)cycles)
        return;
    tq_free(&t);
    *ok = 1;
}

TEST(index_wrap_around_many_cycles)
{
    int ok;
    wrap_run(4, false, false, 3 * 65536 + 123, &ok);
    CHECK(ok);
    wrap_run(8, true, false, 2 * 65536 + 77, &ok);
    CHECK(ok);
    wrap_run(16, true, true, 70000, &ok);
    CHECK(ok);
    wrap_run(1, false, false, 65536 + 5, &ok);
    CHECK(ok);
}

/* Tokens come back with the right lengths across wrap-around when the
 * device completes out of order. */
TEST(out_of_order_completion_keeps_tokens)
{
    struct testq t;
    tq_init(&t, 4, true, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    for (unsigned round = 0; round < 40000; round++) {
        uint16_t heads[4];
        for (unsigned k = 0; k < 4; k++)
            CHECK_EQ(add1(vq, 0x1000 * k, 64, true, TOKEN(round * 4 + k)), 0);
        CHECK_EQ(virtq_add(vq, &(struct virtq_buf){0, 1, true}, 1, TOKEN(0)), -1); /* full */
        CHECK(!vq->broken);
        virtq_kick_prepare(vq);
        struct popped p;
        for (unsigned k = 0; k < 4; k++) {
            CHECK(sim_pop(&d, &p));
            heads[k] = p.head;
        }
        /* complete 2, 0, 3, 1 */
        static const unsigned order[4] = {2, 0, 3, 1};
        for (unsigned k = 0; k < 4; k++)
            sim_complete(&d, heads[order[k]], order[k] * 8);
        for (unsigned k = 0; k < 4; k++) {
            void *tok;
            uint32_t len;
            CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
            CHECK(tok == TOKEN(round * 4 + order[k]));
            CHECK_EQ(len, order[k] * 8);
        }
    }
    CHECK_EQ(vq->num_free, 4);
    tq_free(&t);
}

/* ---- notification suppression ---- */

TEST(driver_notify_without_event_idx)
{
    struct testq t;
    tq_init(&t, 8, false, false);
    struct virtq *vq = &t.vq;
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(1)), 0);
    CHECK(virtq_kick_prepare(vq));
    used_of(vq)->flags = VIRTQ_USED_F_NO_NOTIFY;
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(2)), 0);
    CHECK(!virtq_kick_prepare(vq));
    CHECK_EQ(avail_of(vq)->idx, 2); /* published all the same */
    used_of(vq)->flags = 0;
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(3)), 0);
    CHECK(virtq_kick_prepare(vq));
    tq_free(&t);
}

TEST(driver_notify_with_event_idx)
{
    struct testq t;
    tq_init(&t, 16, true, false);
    struct virtq *vq = &t.vq;
    /* avail_event 0: the device wants to hear when entry 0 goes by. */
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(1)), 0);
    CHECK(virtq_kick_prepare(vq)); /* new 1, old 0 */
    sim_set_avail_event(vq, 5);
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(2)), 0);
    CHECK(!virtq_kick_prepare(vq)); /* new 2, old 1: entry 5 not reached */
    for (int i = 0; i < 3; i++)
        CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(3)), 0);
    CHECK(!virtq_kick_prepare(vq)); /* new 5, old 2: entries 2,3,4 */
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(4)), 0);
    CHECK(virtq_kick_prepare(vq)); /* new 6, old 5: entry 5 went by */
    /* Several at once past the event. */
    sim_set_avail_event(vq, 7);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(5)), 0);
    CHECK(virtq_kick_prepare(vq)); /* new 9, old 6: 7 in [6, 9) */
    /* An event already behind: no notification. */
    sim_set_avail_event(vq, 3);
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(6)), 0);
    CHECK(!virtq_kick_prepare(vq));
    /* The flag is ignored with EVENT_IDX. */
    used_of(vq)->flags = VIRTQ_USED_F_NO_NOTIFY;
    sim_set_avail_event(vq, 10);
    CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(7)), 0);
    CHECK(virtq_kick_prepare(vq));
    tq_free(&t);
}

TEST(need_event_across_wrap)
{
    CHECK(virtq_need_event(65535, 1, 65534)); /* window 65534, 65535, 0 */
    CHECK(virtq_need_event(0, 1, 65534));
    CHECK(!virtq_need_event(1, 1, 65534));
    CHECK(!virtq_need_event(65533, 1, 65534));
    CHECK(virtq_need_event(65534, 65535, 65534));
    CHECK(!virtq_need_event(0, 0, 0)); /* nothing went by */
}

/* Event indices wrap along with the rings: drive 2^16 + requests through a
 * queue where the device asks to be notified at every 5th entry. */
TEST(driver_notify_event_idx_over_wrap)
{
    struct testq t;
    tq_init(&t, 2, true, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    unsigned notified = 0;
    for (unsigned i = 0; i < 70000; i++) {
        uint16_t ev = (uint16_t)((i / 5) * 5 + 4); /* next multiple-of-5 boundary */
        sim_set_avail_event(vq, ev);
        CHECK_EQ(add1(vq, 0x1000, 1, false, TOKEN(i)), 0);
        bool n = virtq_kick_prepare(vq);
        CHECK_EQ(n, (uint16_t)i == ev);
        notified += n;
        struct popped p;
        CHECK(sim_pop(&d, &p));
        sim_complete(&d, p.head, 0);
        void *tok;
        uint32_t len;
        CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    }
    CHECK_EQ(notified, 14000u);
    tq_free(&t);
}

/* A notification the device never acted on (avail_event left behind the
 * published entries) leaves the queue still: virtq_device_still says so
 * after the limit, and only while requests wait with nothing completed. */
TEST(device_still_after_a_lost_notification)
{
    struct testq t;
    tq_init(&t, 16, true, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    struct popped p;
    const uint64_t limit = 50;
    CHECK(!virtq_device_still(vq, 1000, limit)); /* empty: never still */
    CHECK(!virtq_device_still(vq, 5000, limit));
    CHECK_EQ(add1(vq, 0x1000, 4, false, TOKEN(1)), 0);
    CHECK(virtq_kick_prepare(vq)); /* avail_event 0: notified */
    CHECK(sim_pop(&d, &p));        /* the device takes it and looks no further */
    sim_set_avail_event(vq, 0);    /* behind what comes next */
    sim_complete(&d, p.head, 0);
    void *tok;
    uint32_t len;
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK(!virtq_device_still(vq, 5010, limit)); /* progress seen */
    CHECK_EQ(add1(vq, 0x1000, 4, false, TOKEN(2)), 0);
    CHECK(!virtq_kick_prepare(vq)); /* suppressed: the device will not look */
    CHECK(!virtq_device_still(vq, 5020, limit));
    CHECK(!virtq_device_still(vq, 5059, limit));
    CHECK(virtq_device_still(vq, 5060, limit));  /* 50 without a completion */
    CHECK(!virtq_device_still(vq, 5070, limit)); /* counting again */
    CHECK(virtq_device_still(vq, 5110, limit));
    /* Once the device completes it, nothing is still any more. */
    CHECK(sim_pop(&d, &p));
    sim_complete(&d, p.head, 0);
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK(!virtq_device_still(vq, 9000, limit));
    CHECK(!virtq_device_still(vq, 99000, limit));
    tq_free(&t);
}

TEST(device_interrupt_without_event_idx)
{
    struct testq t;
    tq_init(&t, 8, false, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    struct popped p;
    CHECK_EQ(add1(vq, 0x1000, 4, true, TOKEN(1)), 0);
    CHECK_EQ(add1(vq, 0x1000, 4, true, TOKEN(2)), 0);
    virtq_kick_prepare(vq);
    virtq_disable_interrupts(vq);
    CHECK_EQ(avail_of(vq)->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
    CHECK(sim_pop(&d, &p));
    CHECK(!sim_complete(&d, p.head, 4));
    /* Re-enabling reports the completion already there. */
    CHECK(virtq_enable_interrupts(vq));
    CHECK_EQ(avail_of(vq)->flags, 0);
    void *tok;
    uint32_t len;
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK(!virtq_enable_interrupts(vq));
    CHECK(sim_pop(&d, &p));
    CHECK(sim_complete(&d, p.head, 4));
    tq_free(&t);
}

TEST(device_interrupt_with_event_idx)
{
    struct testq t;
    tq_init(&t, 8, true, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    struct popped p;
    for (int i = 0; i < 6; i++)
        CHECK_EQ(add1(vq, 0x1000, 4, true, TOKEN(i)), 0);
    virtq_kick_prepare(vq);
    /* Initially used_event = 0: the first completion interrupts. */
    CHECK(sim_pop(&d, &p));
    CHECK(sim_complete(&d, p.head, 4));
    /* Not consumed yet: the second completion does not. */
    CHECK(sim_pop(&d, &p));
    CHECK(!sim_complete(&d, p.head, 4));
    /* Consuming re-arms for the next entry (interrupts are on). */
    void *tok;
    uint32_t len;
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK_EQ(avail_of(vq)->ring[8], 2);
    CHECK_EQ(avail_of(vq)->flags, 0); /* flags stay 0 with EVENT_IDX (2.7.10) */
    CHECK(sim_pop(&d, &p));
    CHECK(sim_complete(&d, p.head, 4));
    /* Disabled: no interrupt for the next ones, even after consuming. */
    virtq_disable_interrupts(vq);
    CHECK_EQ(avail_of(vq)->flags, 0);
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK(sim_pop(&d, &p));
    CHECK(!sim_complete(&d, p.head, 4));
    CHECK(sim_pop(&d, &p));
    CHECK(!sim_complete(&d, p.head, 4));
    /* Enabled again: pending entries are reported, the next one interrupts. */
    CHECK(virtq_enable_interrupts(vq));
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK(!virtq_enable_interrupts(vq));
    CHECK(sim_pop(&d, &p));
    CHECK(sim_complete(&d, p.head, 4));
    tq_free(&t);
}

/* ---- indirect descriptors ---- */

TEST(indirect_chain_uses_one_descriptor)
{
    struct testq t;
    tq_init(&t, 8, false, true);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    struct virtq_buf b[5] = {{0x1000, 16, false},
                             {0x2000, 8, false},
                             {0x3000, 512, true},
                             {0x4000, 512, true},
                             {0x5000, 1, true}};
    for (int i = 0; i < 8; i++)
        CHECK_EQ(virtq_add(vq, b, 5, TOKEN(i)), 0);
    CHECK_EQ(vq->num_free, 0);
    /* 2.7.5.3.1: no chain longer than the queue size, indirect or not. */
    struct virtq_buf many[9];
    for (int i = 0; i < 9; i++)
        many[i] = (struct virtq_buf){0x1000, 1, false};
    CHECK_EQ(virtq_add(vq, many, 9, TOKEN(9)), -1);
    CHECK(virtq_kick_prepare(vq));
    struct popped p;
    for (int i = 0; i < 8; i++) {
        CHECK(sim_pop(&d, &p));
        CHECK(p.indirect);
        CHECK_EQ(p.ndesc, 5u);
        CHECK_EQ(p.readable, 24u);
        CHECK_EQ(p.writable, 1025u);
        CHECK_EQ(p.first_addr, 0x1000u);
        /* The table lies in the state memory the caller gave. */
        const struct virtq_desc *hd = (const struct virtq_desc *)vq->desc + p.head;
        CHECK(hd->flags == VIRTQ_DESC_F_INDIRECT);
        CHECK_EQ(hd->len, 5u * 16);
        CHECK(hd->addr >= (uintptr_t)t.state &&
              hd->addr + hd->len <= (uintptr_t)t.state + virtq_state_bytes(8, true));
        sim_complete(&d, p.head, 1025);
    }
    void *tok;
    uint32_t len;
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
        CHECK(tok == TOKEN(i));
        CHECK_EQ(len, 1025u);
    }
    CHECK_EQ(vq->num_free, 8);
    tq_free(&t);
}

TEST(indirect_falls_back_for_single_and_long_requests)
{
    struct testq t;
    tq_init(&t, 32, false, true);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    /* One buffer: a plain descriptor. */
    CHECK_EQ(add1(vq, 0x1000, 64, true, TOKEN(1)), 0);
    CHECK_EQ(vq->num_free, 31);
    /* More than VIRTQ_MAX_INDIRECT: a direct chain. */
    struct virtq_buf b[VIRTQ_MAX_INDIRECT + 1];
    for (unsigned i = 0; i < VIRTQ_MAX_INDIRECT + 1; i++)
        b[i] = (struct virtq_buf){0x1000 * i, 10, i > 3};
    CHECK_EQ(virtq_add(vq, b, VIRTQ_MAX_INDIRECT + 1, TOKEN(2)), 0);
    CHECK_EQ(vq->num_free, 31 - (VIRTQ_MAX_INDIRECT + 1));
    virtq_kick_prepare(vq);
    struct popped p;
    CHECK(sim_pop(&d, &p));
    CHECK(!p.indirect);
    CHECK_EQ(p.ndesc, 1u);
    CHECK(sim_pop(&d, &p));
    CHECK(!p.indirect);
    CHECK_EQ(p.ndesc, VIRTQ_MAX_INDIRECT + 1u);
    CHECK_EQ(p.writable, 10u * (VIRTQ_MAX_INDIRECT + 1 - 4));
    tq_free(&t);
}

TEST(indirect_not_used_when_not_negotiated)
{
    struct testq t;
    tq_init(&t, 8, false, false);
    struct virtq *vq = &t.vq;
    struct virtq_buf b[3] = {{1, 1, false}, {2, 2, true}, {3, 3, true}};
    CHECK_EQ(virtq_add(vq, b, 3, TOKEN(1)), 0);
    CHECK_EQ(vq->num_free, 5);
    CHECK(vq->indirect_tables == NULL);
    tq_free(&t);
}

/* ---- the driver's own mistakes: refused, queue still usable ---- */

TEST(add_rejects_bad_requests_without_breaking)
{
    struct testq t;
    tq_init(&t, 4, false, false);
    struct virtq *vq = &t.vq;
    struct virtq_buf b[5] = {
        {1, 1, false}, {2, 2, true}, {3, 3, false}, {4, 4, true}, {5, 5, true}};
    CHECK_EQ(virtq_add(vq, b, 0, TOKEN(1)), -1);
    CHECK(strstr(vq->error, "0 buffers") != NULL);
    CHECK_EQ(virtq_add(vq, b, 1, NULL), -1);
    CHECK(strstr(vq->error, "token") != NULL);
    CHECK_EQ(virtq_add(vq, b, 3, TOKEN(1)), -1);
    CHECK(strstr(vq->error, "device-readable after a device-writable") != NULL);
    CHECK_EQ(virtq_add(vq, b + 1, 4, TOKEN(1)), -1);
    CHECK_EQ(virtq_add(vq, b, 5, TOKEN(1)), -1); /* more than the queue size */
    struct virtq_buf big[2] = {{1, 0xFFFFFFFFu, false}, {2, 2, true}};
    CHECK_EQ(virtq_add(vq, big, 2, TOKEN(1)), -1);
    CHECK(strstr(vq->error, "too long") != NULL);
    CHECK(!vq->broken);
    CHECK_EQ(vq->num_free, 4);
    CHECK_EQ(virtq_add(vq, b, 2, TOKEN(1)), 0);
    CHECK_EQ(virtq_add(vq, b, 2, TOKEN(2)), 0);
    CHECK_EQ(virtq_add(vq, b, 1, TOKEN(3)), -1);
    CHECK(strstr(vq->error, "queue full") != NULL);
    CHECK(!vq->broken);
    tq_free(&t);
}

/* ---- a device that breaks the rules: -1 with a reason, every time ---- */

static void expect_broken(struct virtq *vq, const char *reason, int *ok)
{
    void *tok = NULL;
    uint32_t len = 0;
    *ok = 0;
    if (virtq_get_used(vq, &tok, &len) != -1 || !vq->broken || strstr(vq->error, reason) == NULL)
        return;
    /* Sticky: nothing more is taken from this device. */
    if (virtq_get_used(vq, &tok, &len) != -1 || add1(vq, 1, 1, true, TOKEN(9)) != -1 ||
        virtq_kick_prepare(vq) || virtq_enable_interrupts(vq))
        return;
    *ok = 1;
}

TEST(malformed_used_id_out_of_range)
{
    struct testq t;
    tq_init(&t, 8, false, false);
    struct simdev d = {&t.vq, 0, 0};
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    sim_complete(&d, 8, 0);
    int ok;
    expect_broken(&t.vq, "used id 8 out of range (queue size 8)", &ok);
    CHECK(ok);
    tq_init(&t, 8, false, false);
    d = (struct simdev){&t.vq, 0, 0};
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    sim_complete(&d, 0xFFFFFFFFu, 0);
    expect_broken(&t.vq, "out of range", &ok);
    CHECK(ok);
}

TEST(malformed_used_id_not_in_flight)
{
    int ok;
    struct testq t;
    /* A free descriptor. */
    tq_init(&t, 8, false, false);
    struct simdev d = {&t.vq, 0, 0};
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    sim_complete(&d, 5, 0);
    expect_broken(&t.vq, "used id 5 is not a request in flight", &ok);
    CHECK(ok);
    tq_free(&t);

    /* The second descriptor of a chain is not a head. */
    tq_init(&t, 8, false, false);
    d = (struct simdev){&t.vq, 0, 0};
    struct virtq_buf b[2] = {{1, 4, false}, {2, 4, true}};
    CHECK_EQ(virtq_add(&t.vq, b, 2, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    struct popped p;
    CHECK(sim_pop(&d, &p));
    uint16_t second = ((struct virtq_desc *)t.vq.desc)[p.head].next;
    CHECK(second != p.head);
    sim_complete(&d, second, 0);
    expect_broken(&t.vq, "not a request in flight", &ok);
    CHECK(ok);
    tq_free(&t);

    /* The same head completed twice. */
    tq_init(&t, 8, false, false);
    d = (struct simdev){&t.vq, 0, 0};
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(2)), 0);
    virtq_kick_prepare(&t.vq);
    CHECK(sim_pop(&d, &p));
    sim_complete(&d, p.head, 4);
    sim_complete(&d, p.head, 4);
    void *tok;
    uint32_t len;
    CHECK_EQ(virtq_get_used(&t.vq, &tok, &len), 1);
    CHECK(tok == TOKEN(1));
    expect_broken(&t.vq, "not a request in flight", &ok);
    CHECK(ok);
    tq_free(&t);
}

TEST(malformed_used_len_too_big)
{
    int ok;
    struct testq t;
    tq_init(&t, 8, false, false);
    struct simdev d = {&t.vq, 0, 0};
    struct virtq_buf b[3] = {{1, 100, false}, {2, 200, true}, {3, 56, true}};
    CHECK_EQ(virtq_add(&t.vq, b, 3, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    struct popped p;
    CHECK(sim_pop(&d, &p));
    sim_complete(&d, p.head, 257); /* 256 writable; the readable 100 do not count */
    expect_broken(&t.vq, "used len 257 exceeds the 256 device-writable bytes", &ok);
    CHECK(ok);
    tq_free(&t);

    /* A read-only request: any written length is a lie. */
    tq_init(&t, 8, false, true);
    d = (struct simdev){&t.vq, 0, 0};
    struct virtq_buf r[2] = {{1, 100, false}, {2, 100, false}};
    CHECK_EQ(virtq_add(&t.vq, r, 2, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    CHECK(sim_pop(&d, &p));
    sim_complete(&d, p.head, 1);
    expect_broken(&t.vq, "exceeds the 0 device-writable", &ok);
    CHECK(ok);
    tq_free(&t);
}

TEST(malformed_used_idx_runs_ahead)
{
    int ok;
    struct testq t;
    tq_init(&t, 8, false, false);
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    used_of(&t.vq)->ring[0].id = 0;
    used_of(&t.vq)->idx = 2; /* two completions for one request */
    expect_broken(&t.vq, "used idx 2 runs ahead: 2 completions for 1 requests", &ok);
    CHECK(ok);
    tq_free(&t);

    /* A wild jump: far more than the queue size. */
    tq_init(&t, 8, false, false);
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    used_of(&t.vq)->idx = 40000;
    expect_broken(&t.vq, "runs ahead", &ok);
    CHECK(ok);
    tq_free(&t);

    /* Completions for requests added but never published. */
    tq_init(&t, 8, false, false);
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    used_of(&t.vq)->idx = 1;
    expect_broken(&t.vq, "1 completions for 0 requests", &ok);
    CHECK(ok);
    tq_free(&t);

    /* Ahead after a wrap of the 16-bit index. */
    tq_init(&t, 2, false, false);
    struct simdev d = {&t.vq, 0, 0};
    void *tok;
    uint32_t len;
    struct popped p;
    for (unsigned i = 0; i < 65535; i++) {
        CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(i)), 0);
        virtq_kick_prepare(&t.vq);
        CHECK(sim_pop(&d, &p));
        sim_complete(&d, p.head, 4);
        CHECK_EQ(virtq_get_used(&t.vq, &tok, &len), 1);
    }
    CHECK_EQ(t.vq.last_used, 65535);
    CHECK_EQ(add1(&t.vq, 0x1000, 4, true, TOKEN(1)), 0);
    virtq_kick_prepare(&t.vq);
    used_of(&t.vq)->idx = 1; /* 65535 -> 1: two entries, one request */
    expect_broken(&t.vq, "2 completions for 1 requests", &ok);
    CHECK(ok);
    tq_free(&t);
}

/* A device that wrote garbage descriptors over the table cannot corrupt the
 * driver's free list: it is kept privately. */
TEST(scribbled_descriptor_table_does_not_corrupt_free_list)
{
    struct testq t;
    tq_init(&t, 8, false, false);
    struct virtq *vq = &t.vq;
    struct simdev d = {vq, 0, 0};
    struct virtq_buf b[3] = {{1, 4, false}, {2, 4, true}, {3, 4, true}};
    CHECK_EQ(virtq_add(vq, b, 3, TOKEN(1)), 0);
    virtq_kick_prepare(vq);
    struct popped p;
    CHECK(sim_pop(&d, &p));
    memset(vq->desc, 0xFF, 8 * sizeof(struct virtq_desc));
    sim_complete(&d, p.head, 8);
    void *tok;
    uint32_t len;
    CHECK_EQ(virtq_get_used(vq, &tok, &len), 1);
    CHECK_EQ(vq->num_free, 8);
    /* All 8 descriptors can be taken again, each exactly once. */
    unsigned seen = 0;
    for (int i = 0; i < 8; i++) {
        uint16_t h = vq->free_head;
        CHECK(h < 8);
        CHECK(!(seen & (1u << h)));
        seen |= 1u << h;
        CHECK_EQ(add1(vq, 0x1000, 4, true, TOKEN(i)), 0);
    }
    CHECK_EQ(seen, 0xFFu);
    tq_free(&t);
}

UNIT_MAIN()
