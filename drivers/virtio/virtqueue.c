/* Split virtqueue ring logic (virtio 1.2, 2.7): descriptor free list,
 * available ring, used ring, notification suppression and event indices,
 * indirect descriptors. Pure logic: the rings are plain memory the caller
 * hands in, so host tests and fuzzers play the device.
 *
 * Trust: the device writes only the used ring (idx, id, len) and
 * avail_event/flags; each is read once and checked before use. The driver's
 * own bookkeeping (free list, chain lengths, tokens) lives in private state
 * memory and is never read back from the shared descriptor table, so a device
 * that scribbles over descriptors cannot corrupt it. */
#include "drivers/virtio/virtqueue.h"

#include "klib/format.h"
#include <string.h>

/* The used ring on a 4096 boundary: 4 suffices for a modern interface (2.7),
 * the legacy layout needs Queue Align (2.7.2; virtqueue.h). */
#define RING_ALIGN VIRTQ_LEGACY_ALIGN
#define INDIRECT_TABLE_BYTES (VIRTQ_MAX_INDIRECT * sizeof(struct virtq_desc))

/* Orders the driver's accesses to shared memory as the device observes them.
 * On x86 loads are not reordered with loads nor stores with stores, so the
 * release/acquire fences only stop the compiler; the full fence (mfence)
 * orders a store before a later load, which the event-index protocol needs
 * (2.7.13.4 / 2.7.14). */
#define fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define fence_full() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static bool is_power_of_two(uint32_t v);

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static size_t avail_bytes(uint16_t size)
{
    return 6 + 2 * (size_t)size; /* flags, idx, ring[size], used_event */
}

static size_t used_offset(uint16_t size)
{
    return align_up(sizeof(struct virtq_desc) * (size_t)size + avail_bytes(size), RING_ALIGN);
}

size_t virtq_ring_bytes(uint16_t size)
{
    return align_up(used_offset(size) + 6 + 8 * (size_t)size, RING_ALIGN);
}

bool virtq_legacy_layout_ok(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                            uint32_t align)
{
    if (!is_power_of_two(size) || size > VIRTQ_MAX_SIZE || !is_power_of_two(align))
        return false;
    uint64_t desc_bytes = sizeof(struct virtq_desc) * (uint64_t)size;
    uint64_t span = desc_bytes + avail_bytes(size) + align; /* what must fit above desc */
    if (desc % align != 0 || desc > UINT64_MAX - span)
        return false;
    uint64_t avail_end = desc + desc_bytes + avail_bytes(size);
    return avail == desc + desc_bytes && used == (avail_end + align - 1) / align * align;
}

const char *virtq_legacy_pfn(uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
                             uint32_t align, uint32_t *pfn)
{
    if (!virtq_legacy_layout_ok(size, desc, avail, used, align))
        return "rings not in the legacy layout";
    uint64_t page = desc / align;
    if (page == 0)
        return "rings in page 0, which the page-number register reads as no queue";
    if (page > UINT32_MAX)
        return "rings above what a 32-bit page number reaches";
    *pfn = (uint32_t)page;
    return NULL;
}

/* State layout, largest alignment first: indirect tables (16-byte
 * descriptors), tokens, chain_write_len, chain_len, next_free. */
static size_t indirect_bytes(uint16_t size, bool indirect)
{
    return indirect ? (size_t)size * INDIRECT_TABLE_BYTES : 0;
}

size_t virtq_state_bytes(uint16_t size, bool indirect)
{
    return indirect_bytes(size, indirect) +
           (size_t)size * (sizeof(void *) + sizeof(uint32_t) + 2 * sizeof(uint16_t));
}

/* ---- shared-memory accessors: one volatile access each ---- */

static volatile struct virtq_desc *desc_at(const struct virtq *vq, uint16_t i)
{
    return (volatile struct virtq_desc *)vq->desc + i;
}
static volatile struct virtq_avail *avail_ring(const struct virtq *vq)
{
    return (volatile struct virtq_avail *)vq->avail;
}
static volatile struct virtq_used *used_ring(const struct virtq *vq)
{
    return (volatile struct virtq_used *)vq->used;
}
/* used_event sits after avail->ring[size], avail_event after used->ring[size]. */
static volatile uint16_t *used_event(const struct virtq *vq)
{
    return &avail_ring(vq)->ring[vq->size];
}
static volatile uint16_t *avail_event(const struct virtq *vq)
{
    return (volatile uint16_t *)((uint8_t *)vq->used + 4 + 8 * (size_t)vq->size);
}

static bool is_power_of_two(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Records why the queue is unusable; every later call fails. */
static int broke(struct virtq *vq)
{
    vq->broken = true;
    return -1;
}

void virtq_init(struct virtq *vq, uint16_t index, uint16_t size, void *ring, uint64_t ring_phys,
                void *state, uint64_t state_phys, bool event_idx, bool indirect)
{
    struct virtio_dev *vd = vq->vd;
    memset(vq, 0, sizeof *vq);
    vq->vd = vd;
    vq->index = index;
    vq->size = size;
    if (!is_power_of_two(size) || size > VIRTQ_MAX_SIZE || ring == NULL || state == NULL) {
        ksnprintf(vq->error, sizeof vq->error, "bad queue size %u or missing memory", size);
        broke(vq);
        vq->size = 0;
        return;
    }
    vq->event_idx = event_idx;
    vq->indirect = indirect;

    memset(ring, 0, virtq_ring_bytes(size));
    vq->desc = ring;
    vq->avail = (uint8_t *)ring + sizeof(struct virtq_desc) * (size_t)size;
    vq->used = (uint8_t *)ring + used_offset(size);
    vq->desc_phys = ring_phys;
    vq->avail_phys = ring_phys + sizeof(struct virtq_desc) * (uint64_t)size;
    vq->used_phys = ring_phys + used_offset(size);

    memset(state, 0, virtq_state_bytes(size, indirect));
    uint8_t *p = state;
    if (indirect) {
        vq->indirect_tables = p;
        vq->indirect_phys = state_phys;
        p += indirect_bytes(size, true);
    }
    vq->tokens = (void **)p;
    p += (size_t)size * sizeof(void *);
    vq->chain_write_len = (uint32_t *)p;
    p += (size_t)size * sizeof(uint32_t);
    vq->chain_len = (uint16_t *)p;
    p += (size_t)size * sizeof(uint16_t);
    vq->next_free = (uint16_t *)p;

    for (uint32_t i = 0; i < size; i++)
        vq->next_free[i] = (uint16_t)(i + 1);
    vq->free_head = 0;
    vq->num_free = size;
}

/* Checks the request before anything is taken from the free list. Returns the
 * bytes the device may write, or -1 with vq->error set. */
static int64_t check_request(struct virtq *vq, const struct virtq_buf *bufs, unsigned n,
                             const void *token)
{
    if (token == NULL) {
        ksnprintf(vq->error, sizeof vq->error, "request without a token");
        return -1;
    }
    if (n == 0 || n > vq->size) {
        ksnprintf(vq->error, sizeof vq->error, "request of %u buffers (queue size %u)", n,
                  vq->size);
        return -1;
    }
    uint64_t total = 0, writable = 0;
    bool seen_writable = false;
    for (unsigned i = 0; i < n; i++) {
        /* 2.7.4.2: device-writable descriptors come after the readable ones. */
        if (seen_writable && !bufs[i].device_writes) {
            ksnprintf(vq->error, sizeof vq->error,
                      "buffer %u is device-readable after a device-writable one", i);
            return -1;
        }
        seen_writable |= bufs[i].device_writes;
        total += bufs[i].len;
        if (bufs[i].device_writes)
            writable += bufs[i].len;
    }
    /* 2.7.13.1: a chain holds at most 2^32 bytes; lengths are 32-bit anyway. */
    if (total > UINT32_MAX) {
        ksnprintf(vq->error, sizeof vq->error, "request of %llu bytes is too long",
                  (unsigned long long)total);
        return -1;
    }
    return (int64_t)writable;
}

static uint16_t desc_flags(const struct virtq_buf *b, bool more)
{
    return (uint16_t)((more ? VIRTQ_DESC_F_NEXT : 0) | (b->device_writes ? VIRTQ_DESC_F_WRITE : 0));
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned n, void *token)
{
    if (vq->broken)
        return -1;
    int64_t writable = check_request(vq, bufs, n, token);
    if (writable < 0)
        return -1;
    bool use_indirect =
        vq->indirect_tables != NULL && n > 1 && n <= VIRTQ_MAX_INDIRECT && n <= vq->size;
    unsigned need = use_indirect ? 1 : n;
    if (need > vq->num_free) {
        ksnprintf(vq->error, sizeof vq->error, "queue full: %u descriptors needed, %u free", need,
                  vq->num_free);
        return -1;
    }

    /* Take `need` descriptors off the free list. Their next_free links are
     * left as they are: they are the chain, and freeing walks them. */
    uint16_t head = vq->free_head;
    uint16_t last = head;
    for (unsigned i = 1; i < need; i++)
        last = vq->next_free[last];
    vq->free_head = vq->next_free[last];
    vq->num_free = (uint16_t)(vq->num_free - need);

    if (use_indirect) {
        /* 2.7.5.3: one descriptor with F_INDIRECT pointing at a table of n. */
        size_t off = (size_t)head * INDIRECT_TABLE_BYTES;
        volatile struct virtq_desc *t =
            (volatile struct virtq_desc *)((uint8_t *)vq->indirect_tables + off);
        for (unsigned i = 0; i < n; i++) {
            t[i].addr = bufs[i].addr;
            t[i].len = bufs[i].len;
            t[i].flags = desc_flags(&bufs[i], i + 1 < n);
            t[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
        }
        volatile struct virtq_desc *d = desc_at(vq, head);
        d->addr = vq->indirect_phys + off;
        d->len = (uint32_t)(n * sizeof(struct virtq_desc));
        d->flags = VIRTQ_DESC_F_INDIRECT;
        d->next = 0;
    } else {
        uint16_t i = head;
        for (unsigned k = 0; k < n; k++) {
            volatile struct virtq_desc *d = desc_at(vq, i);
            d->addr = bufs[k].addr;
            d->len = bufs[k].len;
            d->flags = desc_flags(&bufs[k], k + 1 < n);
            d->next = k + 1 < n ? vq->next_free[i] : 0;
            i = vq->next_free[i];
        }
    }

    vq->tokens[head] = token;
    vq->chain_len[head] = (uint16_t)need;
    vq->chain_write_len[head] = (uint32_t)writable;
    vq->in_flight++;

    /* The ring slot; avail->idx itself is published by virtq_kick_prepare. */
    avail_ring(vq)->ring[vq->avail_idx & (vq->size - 1)] = head;
    vq->avail_idx++;
    vq->added_since_kick++;
    return 0;
}

bool virtq_kick_prepare(struct virtq *vq)
{
    if (vq->broken)
        return false;
    /* Descriptors and ring slots before the index that exposes them (2.7.13.3). */
    fence_release();
    avail_ring(vq)->idx = vq->avail_idx;
    /* The index store before the load of the device's suppression state,
     * else both sides can decide the other will act (2.7.13.4). */
    fence_full();

    uint16_t old_idx = vq->kick_old_idx, new_idx = vq->avail_idx;
    vq->kick_old_idx = new_idx;
    vq->added_since_kick = 0;
    if (old_idx == new_idx)
        return false;
    if (vq->event_idx)
        return virtq_need_event(*avail_event(vq), new_idx, old_idx);
    return (used_ring(vq)->flags & VIRTQ_USED_F_NO_NOTIFY) == 0;
}

/* Asks for an interrupt at the next completion (used_event = the next entry
 * to consume), then orders that store before the caller's next look at
 * used->idx, so a completion cannot slip by unseen. */
static void arm_used_event(struct virtq *vq)
{
    *used_event(vq) = vq->last_used;
    fence_full();
}

int virtq_get_used(struct virtq *vq, void **token, uint32_t *len)
{
    if (vq->broken)
        return -1;
    uint16_t used_idx = used_ring(vq)->idx;
    uint16_t pending = (uint16_t)(used_idx - vq->last_used);
    if (pending == 0)
        return 0;
    /* The device can only complete what was published and not yet consumed
     * (2.7.8: idx only counts entries it has written). */
    uint16_t published = (uint16_t)(vq->kick_old_idx - vq->last_used);
    if (pending > published) {
        ksnprintf(vq->error, sizeof vq->error,
                  "used idx %u runs ahead: %u completions for %u requests made available", used_idx,
                  pending, published);
        return broke(vq);
    }
    /* The entry is read only after the index that says it is there. */
    fence_acquire();
    volatile struct virtq_used_elem *e = &used_ring(vq)->ring[vq->last_used & (vq->size - 1)];
    uint32_t id = e->id;
    uint32_t written = e->len;
    if (id >= vq->size) {
        ksnprintf(vq->error, sizeof vq->error, "used id %u out of range (queue size %u)", id,
                  vq->size);
        return broke(vq);
    }
    if (vq->tokens[id] == NULL) {
        ksnprintf(vq->error, sizeof vq->error, "used id %u is not a request in flight", id);
        return broke(vq);
    }
    if (written > vq->chain_write_len[id]) {
        ksnprintf(vq->error, sizeof vq->error,
                  "used len %u exceeds the %u device-writable bytes of request %u", written,
                  vq->chain_write_len[id], id);
        return broke(vq);
    }

    *token = vq->tokens[id];
    *len = written;
    vq->tokens[id] = NULL;

    /* Give the chain back: walk its private links to the last descriptor. */
    uint16_t last = (uint16_t)id;
    for (unsigned i = 1; i < vq->chain_len[id]; i++)
        last = vq->next_free[last];
    vq->next_free[last] = vq->free_head;
    vq->free_head = (uint16_t)id;
    vq->num_free = (uint16_t)(vq->num_free + vq->chain_len[id]);
    vq->chain_len[id] = 0;
    vq->chain_write_len[id] = 0;
    vq->in_flight--;
    vq->last_used++;

    /* With event indices an interrupt is asked for one entry at a time, so
     * while interrupts are on keep asking for the next one. */
    if (vq->event_idx && !vq->interrupts_off)
        arm_used_event(vq);
    return 1;
}

bool virtq_device_still(struct virtq *vq, uint64_t now_ns, uint64_t limit_ns)
{
    if (vq->in_flight == 0 || vq->last_used != vq->still_seen_used) {
        vq->still_seen_used = vq->last_used;
        vq->still_since_ns = now_ns;
        return false;
    }
    if (now_ns - vq->still_since_ns < limit_ns)
        return false;
    vq->still_since_ns = now_ns;
    return true;
}

bool virtq_enable_interrupts(struct virtq *vq)
{
    if (vq->broken)
        return false;
    vq->interrupts_off = false;
    if (vq->event_idx) {
        arm_used_event(vq);
    } else {
        avail_ring(vq)->flags = 0;
        fence_full();
    }
    return used_ring(vq)->idx != vq->last_used;
}

void virtq_disable_interrupts(struct virtq *vq)
{
    if (vq->broken)
        return;
    vq->interrupts_off = true;
    if (vq->event_idx) {
        /* 2.7.10: flags stay 0 with EVENT_IDX; an event index just behind
         * what was consumed is not reached again for 2^16 completions. */
        *used_event(vq) = (uint16_t)(vq->last_used - 1);
    } else {
        avail_ring(vq)->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    }
}
