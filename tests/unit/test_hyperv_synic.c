/* hv/hyperv/synic_msg.c against a model of the hypervisor's side written
 * here from the Hyper-V TLFS ("Inter-Partition Communication": messages
 * are queued per SINT; one is copied into the slot only when its type is 0;
 * MessagePending may be set at any time after delivery; the queue is
 * rescanned on EOM). Thousands of messages are delivered with the host's
 * actions interleaved at random: none may be lost, reordered or stall. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hv/hyperv/synic_msg.h"
#include "unit.h"

#define QUEUE_MAX 8192

struct host {
    volatile struct hv_message slot;
    uint32_t queue[QUEUE_MAX]; /* message numbers not yet in the slot */
    unsigned head, tail;
    unsigned eoms;
    uint32_t next_number;
};

static bool host_queue_empty(const struct host *h)
{
    return h->head == h->tail;
}

/* The hypervisor's delivery: into an empty slot only; a message left in the
 * queue behind a full slot sets MessagePending. */
static void host_deliver(struct host *h)
{
    if (host_queue_empty(h))
        return;
    if (h->slot.type != 0) {
        h->slot.flags |= HV_MESSAGE_FLAG_PENDING;
        return;
    }
    uint32_t n = h->queue[h->head++];
    struct hv_message m = {.type = 1, .payload_size = 4, .sender = n};
    memcpy(m.payload, &n, sizeof n);
    m.flags = host_queue_empty(h) ? 0 : HV_MESSAGE_FLAG_PENDING;
    memcpy((void *)&h->slot, &m, sizeof m);
}

static void host_post(struct host *h)
{
    h->queue[h->tail++] = h->next_number++;
    host_deliver(h);
}

static void host_eom(struct host *h)
{
    h->eoms++;
    host_deliver(h);
}

/* xorshift: reproducible interleavings */
static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

TEST(thousands_of_messages_arrive_in_order)
{
    static struct host h;
    memset((void *)&h, 0, sizeof h);
    uint32_t expect = 0;
    unsigned posted = 0;
    while (expect < 6000) {
        unsigned r = rng() % 4;
        if (r == 0 && posted < 6000) {
            unsigned burst = 1 + rng() % 20;
            for (unsigned i = 0; i < burst && posted < 6000; i++, posted++)
                host_post(&h);
        } else {
            struct hv_message m;
            bool eom;
            enum hv_message_take t = hv_message_take(&h.slot, &m, &eom);
            if (t == HV_MESSAGE_EMPTY) {
                CHECK(!eom);
                if (posted == 6000)
                    CHECK(host_queue_empty(&h)); /* otherwise a message stalled */
                continue;
            }
            CHECK_EQ(t, HV_MESSAGE_TAKEN);
            uint32_t n;
            memcpy(&n, m.payload, sizeof n);
            CHECK_EQ(n, expect);
            CHECK_EQ(m.sender, (uint64_t)expect);
            CHECK_EQ(h.slot.type, 0u); /* the slot was freed */
            expect++;
            if (eom)
                host_eom(&h);
        }
    }
    CHECK(host_queue_empty(&h));
    CHECK(h.eoms > 0);
}

TEST(pending_set_after_delivery_is_seen)
{
    static struct host h;
    memset((void *)&h, 0, sizeof h);
    host_post(&h); /* delivered at once, nothing pending */
    CHECK_EQ(h.slot.flags, 0);
    host_post(&h); /* queued behind the full slot: pending is set now */
    CHECK_EQ(h.slot.flags & HV_MESSAGE_FLAG_PENDING, HV_MESSAGE_FLAG_PENDING);
    struct hv_message m;
    bool eom = false;
    CHECK_EQ(hv_message_take(&h.slot, &m, &eom), HV_MESSAGE_TAKEN);
    CHECK(eom);
    host_eom(&h);
    CHECK_EQ(hv_message_take(&h.slot, &m, &eom), HV_MESSAGE_TAKEN);
    CHECK(!eom);
    CHECK_EQ(m.sender, 1u);
    CHECK_EQ(hv_message_take(&h.slot, &m, &eom), HV_MESSAGE_EMPTY);
}

TEST(oversized_payload_is_refused_but_freed)
{
    volatile struct hv_message slot;
    memset((void *)&slot, 0, sizeof slot);
    slot.type = 1;
    slot.payload_size = 241;
    slot.flags = HV_MESSAGE_FLAG_PENDING;
    struct hv_message m;
    bool eom = false;
    CHECK_EQ(hv_message_take(&slot, &m, &eom), HV_MESSAGE_MALFORMED);
    CHECK_EQ(slot.type, 0u);
    CHECK(eom); /* the queue behind it must move on */
    slot.type = 1;
    slot.payload_size = 240;
    slot.flags = 0;
    CHECK_EQ(hv_message_take(&slot, &m, &eom), HV_MESSAGE_TAKEN);
    CHECK(!eom);
}

struct seen {
    unsigned flags[64];
    unsigned n;
};

static void record(void *ctx, unsigned flag)
{
    struct seen *s = ctx;
    if (s->n < 64)
        s->flags[s->n++] = flag;
}

TEST(event_flags_are_drained_in_order_and_cleared)
{
    static uint64_t page[HV_SINT_COUNT * HV_EVENT_FLAG_WORDS];
    memset(page, 0, sizeof page);
    volatile uint64_t *sint2 = page + 2 * HV_EVENT_FLAG_WORDS;
    /* flag k is byte k/8, bit k%8 of the SINT's 256 bytes (TLFS) */
    static const unsigned set[] = {0, 1, 63, 64, 200, 2047};
    for (unsigned i = 0; i < 6; i++)
        ((volatile uint8_t *)sint2)[set[i] / 8] |= (uint8_t)(1u << (set[i] % 8));
    page[3 * HV_EVENT_FLAG_WORDS] = 1; /* SINT3's: not touched */
    struct seen s = {0};
    CHECK_EQ(hv_event_flags_drain(sint2, record, &s), 6u);
    CHECK_EQ(s.n, 6u);
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ(s.flags[i], set[i]);
    for (unsigned w = 0; w < HV_EVENT_FLAG_WORDS; w++)
        CHECK_EQ(sint2[w], 0u);
    CHECK_EQ(page[3 * HV_EVENT_FLAG_WORDS], 1u);
    s.n = 0;
    CHECK_EQ(hv_event_flags_drain(sint2, record, &s), 0u);
}

UNIT_MAIN()
