/* Device side of a split virtqueue: see virtq.h. Section numbers are those
 * of virtio 1.2. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "hostsim/virtio/virtq.h"

#define CHAIN_MAX_BYTES 0xFFFFFFFFull /* 2.7.5.2: no chain longer than 2^32 bytes */

static uint16_t load16(const uint8_t *p)
{
    return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

/* The rings' fields, at the offsets of 2.7.6 and 2.7.8. */
static const uint8_t *avail_flags(const struct devq *q)
{
    return q->avail;
}

static const uint8_t *avail_idx(const struct devq *q)
{
    return q->avail + 2;
}

static const uint8_t *avail_ring(const struct devq *q, uint16_t slot)
{
    return q->avail + 4 + 2 * (size_t)(slot % q->size);
}

static const uint8_t *used_event(const struct devq *q)
{
    return q->avail + 4 + 2 * (size_t)q->size;
}

static uint8_t *used_idx_field(const struct devq *q)
{
    return q->used + 2;
}

static uint8_t *used_elem(const struct devq *q, uint16_t slot)
{
    return q->used + 4 + 8 * (size_t)(slot % q->size);
}

static uint8_t *avail_event(const struct devq *q)
{
    return q->used + 4 + 8 * (size_t)q->size;
}

static int fail(struct devq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct devq *q, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(q->err, sizeof q->err, "queue %u: ", q->index);
    va_start(ap, fmt);
    vsnprintf(q->err + n, sizeof q->err - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int place_area(struct devq *q, const char *name, uint64_t gpa, uint64_t len, unsigned align,
                      uint8_t **host)
{
    if (gpa % align != 0)
        return fail(q, "the %s at 0x%llx is not %u-byte aligned (2.7.1: virtqueue part alignment)",
                    name, (unsigned long long)gpa, align);
    *host = guest_mem_ptr(q->mem, gpa, len);
    if (*host == NULL)
        return fail(q, "the %s at 0x%llx (0x%llx bytes for %u entries) is not inside guest RAM",
                    name, (unsigned long long)gpa, (unsigned long long)len, q->size);
    return 0;
}

int devq_start(struct devq *q, const struct guest_mem *mem, unsigned index, uint16_t size,
               uint16_t max_size, uint64_t desc, uint64_t avail, uint64_t used, bool event_idx)
{
    memset(q, 0, sizeof *q);
    q->mem = mem;
    q->index = index;
    q->size = size;
    q->event_idx = event_idx;
    q->desc_gpa = desc;
    q->avail_gpa = avail;
    q->used_gpa = used;
    if (max_size > DEVQ_MAX_SIZE)
        max_size = DEVQ_MAX_SIZE;
    if (size == 0 || (size & (size - 1)) != 0 || size > max_size)
        return fail(q, "size %u is not a power of two from 1 to QueueNumMax %u", size, max_size);
    if (place_area(q, "descriptor area", desc, DEVQ_DESC_BYTES(size), DEVQ_DESC_ALIGN, &q->desc) !=
            0 ||
        place_area(q, "driver area (available ring)", avail, DEVQ_AVAIL_BYTES(size),
                   DEVQ_AVAIL_ALIGN, &q->avail) != 0 ||
        place_area(q, "device area (used ring)", used, DEVQ_USED_BYTES(size), DEVQ_USED_ALIGN,
                   &q->used) != 0)
        return -1;
    q->started = true;
    return 0;
}

void devq_stop(struct devq *q)
{
    q->started = false;
}

bool devq_has_avail(const struct devq *q)
{
    return q->started && load16(avail_idx(q)) != q->last_avail;
}

int devq_pop(struct devq *q, struct devq_chain *c)
{
    if (!q->started)
        return 0;
    uint16_t idx = load16(avail_idx(q));
    uint16_t pending = (uint16_t)(idx - q->last_avail);
    if (pending == 0) {
        q->seen_avail = idx;
        return 0;
    }
    if (pending > q->size)
        return fail(q,
                    "available idx %u is %u entries past the device's position %u, more than the "
                    "queue size %u (2.7.6.1: idx never decreases, at most size entries pending)",
                    idx, pending, q->last_avail, q->size);
    uint16_t head = load16(avail_ring(q, q->last_avail));
    if (head >= q->size)
        return fail(q, "available ring slot %u holds descriptor %u, outside the queue of %u",
                    q->last_avail % q->size, head, q->size);

    memset(c, 0, offsetof(struct devq_chain, buf));
    c->head = head;
    uint16_t i = head;
    uint64_t total = 0;
    bool seen_writable = false;
    for (unsigned count = 0;; count++) {
        if (count >= q->size)
            return fail(q,
                        "the chain from head %u has more than %u descriptors (the queue size): "
                        "a loop (2.7.5.2)",
                        head, q->size);
        uint8_t d[DEVQ_DESC_SIZE];
        memcpy(d, q->desc + (size_t)i * DEVQ_DESC_SIZE, sizeof d);
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
        memcpy(&addr, d, 8);
        memcpy(&len, d + 8, 4);
        memcpy(&flags, d + 12, 2);
        memcpy(&next, d + 14, 2);
        if (flags & DEVQ_DESC_F_INDIRECT)
            return fail(q,
                        "descriptor %u (chain from %u) is indirect, but VIRTIO_F_INDIRECT_DESC "
                        "is not offered",
                        i, head);
        bool writable = (flags & DEVQ_DESC_F_WRITE) != 0;
        if (!writable && seen_writable)
            return fail(q,
                        "descriptor %u (chain from %u) is device-readable after a "
                        "device-writable one (2.7.4.2: writable descriptors come last)",
                        i, head);
        seen_writable |= writable;
        total += len;
        if (total > CHAIN_MAX_BYTES)
            return fail(q, "the chain from head %u is longer than 2^32 bytes (2.7.5.2)", head);
        if (len > 0) {
            uint8_t *host = guest_mem_ptr(q->mem, addr, len);
            if (host == NULL)
                return fail(q,
                            "descriptor %u (chain from %u): buffer 0x%llx+0x%x is not inside "
                            "guest RAM",
                            i, head, (unsigned long long)addr, len);
            c->buf[c->n++] =
                (struct devq_buf){.host = host, .gpa = addr, .len = len, .writable = writable};
            if (writable) {
                c->writable_bytes += len;
            } else {
                c->nreadable++;
                c->readable_bytes += len;
            }
        }
        if (!(flags & DEVQ_DESC_F_NEXT))
            break;
        if (next >= q->size)
            return fail(q, "descriptor %u (chain from %u) has next %u, outside the queue of %u", i,
                        head, next, q->size);
        i = next;
    }
    q->last_avail++;
    return 1;
}

void devq_unpop(struct devq *q, uint16_t n)
{
    q->last_avail = (uint16_t)(q->last_avail - n);
}

void devq_push(struct devq *q, uint16_t head, uint32_t len)
{
    uint8_t *e = used_elem(q, q->used_idx);
    uint32_t id = head;
    memcpy(e, &id, 4);
    memcpy(e + 4, &len, 4);
    q->used_idx++;
}

void devq_publish(struct devq *q)
{
    /* 2.7.8.2: len (and the data) before idx. */
    __atomic_store_n((uint16_t *)used_idx_field(q), q->used_idx, __ATOMIC_RELEASE);
}

int devq_need_interrupt(struct devq *q)
{
    uint16_t old = q->signalled_used, now = q->used_idx;
    if (old == now)
        return 0;
    q->signalled_used = now;
    /* Our used idx store must be visible before we read the driver's
     * suppression fields, or both sides may decide to wait. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint16_t flags = load16(avail_flags(q));
    if (q->event_idx) {
        if (flags != 0)
            return fail(q,
                        "available ring flags are 0x%x; with VIRTIO_F_EVENT_IDX the driver "
                        "must set 0 (2.7.7.1)",
                        flags);
        uint16_t event = load16(used_event(q));
        /* Interrupt when used_event lies in [old, now): the entry the driver
         * asked about was written in this batch. */
        return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
    }
    if (flags > DEVQ_AVAIL_F_NO_INTERRUPT)
        return fail(q, "available ring flags are 0x%x; the driver must set 0 or 1 (2.7.7.1)",
                    flags);
    return flags == 0;
}

bool devq_arm_notify(struct devq *q)
{
    if (!q->started)
        return false;
    if (q->event_idx) {
        __atomic_store_n((uint16_t *)avail_event(q), q->seen_avail, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    return load16(avail_idx(q)) != q->seen_avail;
}

/* Walks the readable (or writable) part of a chain from byte `offset`. */
struct chain_cursor {
    unsigned i, end;
    uint64_t skip;
};

static struct chain_cursor cursor_at(const struct devq_chain *c, bool writable, uint64_t offset)
{
    struct chain_cursor k = {.i = writable ? c->nreadable : 0,
                             .end = writable ? c->n : c->nreadable};
    while (k.i < k.end && offset >= c->buf[k.i].len) {
        offset -= c->buf[k.i].len;
        k.i++;
    }
    k.skip = offset;
    return k;
}

size_t devq_chain_read(const struct devq_chain *c, uint64_t offset, void *dst, size_t n)
{
    struct chain_cursor k = cursor_at(c, false, offset);
    size_t done = 0;
    for (; k.i < k.end && done < n; k.i++, k.skip = 0) {
        size_t take = c->buf[k.i].len - k.skip;
        if (take > n - done)
            take = n - done;
        memcpy((uint8_t *)dst + done, c->buf[k.i].host + k.skip, take);
        done += take;
    }
    return done;
}

size_t devq_chain_write(const struct devq_chain *c, uint64_t offset, const void *src, size_t n)
{
    struct chain_cursor k = cursor_at(c, true, offset);
    size_t done = 0;
    for (; k.i < k.end && done < n; k.i++, k.skip = 0) {
        size_t take = c->buf[k.i].len - k.skip;
        if (take > n - done)
            take = n - done;
        memcpy(c->buf[k.i].host + k.skip, (const uint8_t *)src + done, take);
        done += take;
    }
    return done;
}

unsigned devq_chain_iov(const struct devq_chain *c, bool writable, uint64_t offset, uint64_t n,
                        struct iovec *iov)
{
    struct chain_cursor k = cursor_at(c, writable, offset);
    unsigned used = 0;
    uint64_t left = n;
    for (; k.i < k.end && left > 0; k.i++, k.skip = 0) {
        uint64_t take = c->buf[k.i].len - k.skip;
        if (take > left)
            take = left;
        iov[used++] = (struct iovec){.iov_base = c->buf[k.i].host + k.skip, .iov_len = take};
        left -= take;
    }
    return used;
}
