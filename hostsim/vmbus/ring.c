/* VMBus ring buffers, host side: see ring.h. Rules (Linux drivers/hv/
 * ring_buffer.c hv_ringbuffer_write, hv_pkt_iter_close; openvmm vmbus_ring
 * validate, parse_packet, commit_write, commit_read):
 *   - empty when write index == read index; a writer needs strictly more
 *     free bytes than the packet and trailer take;
 *   - a writer signals only when the reader's interrupt_mask is 0 and the
 *     ring was empty before the write;
 *   - a reader that moved its index signals a writer whose pending_send_sz
 *     is set when the free space crossed from below it to at least it;
 *   - a packet: offset8 >= 2, len8 >= offset8, len8 * 8 + 8 <= available,
 *     no flag but bit 0, type 6, 7, 9 or 0xB. */
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/ring.h"
#include "hostsim/vmbus/wire.h"

#define PAGE 4096u

static uint32_t *control(const struct vmbus_host_ring *r, unsigned off)
{
    uint8_t *p = guest_mem_ptr(r->mem, r->pfn[0] * PAGE, PAGE);
    return p == NULL ? NULL : (uint32_t *)(void *)(p + off);
}

static uint32_t load(const struct vmbus_host_ring *r, unsigned off)
{
    uint32_t *p = control(r, off);
    return p == NULL ? 0 : __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(const struct vmbus_host_ring *r, unsigned off, uint32_t v)
{
    uint32_t *p = control(r, off);
    if (p != NULL)
        __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The host bytes behind data offset off (taken modulo the data size) and
 * how many follow on the same page, at most n. */
static uint8_t *span(const struct vmbus_host_ring *r, uint32_t off, size_t n, size_t *chunk)
{
    off %= r->size;
    uint32_t page = off / PAGE, at = off % PAGE;
    *chunk = PAGE - at < n ? PAGE - at : n;
    return guest_mem_ptr(r->mem, r->pfn[1 + page] * PAGE + at, *chunk);
}

/* n bytes at data offset off, wrapping, out of the ring... */
static void copy_out(const struct vmbus_host_ring *r, uint32_t off, void *dst, size_t n)
{
    uint8_t *b = dst;
    while (n > 0) {
        size_t chunk;
        const uint8_t *p = span(r, off, n, &chunk);
        if (p != NULL)
            memcpy(b, p, chunk);
        b += chunk;
        off += (uint32_t)chunk;
        n -= chunk;
    }
}

/* ... and into it. */
static void copy_in(const struct vmbus_host_ring *r, uint32_t off, const void *src, size_t n)
{
    const uint8_t *b = src;
    while (n > 0) {
        size_t chunk;
        uint8_t *p = span(r, off, n, &chunk);
        if (p != NULL)
            memcpy(p, b, chunk);
        b += chunk;
        off += (uint32_t)chunk;
        n -= chunk;
    }
}

int vmbus_host_ring_init(struct vmbus_host_ring *r, const struct guest_mem *mem,
                         const uint64_t *pfn, unsigned npages, bool outbound, char *err,
                         size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (npages < 2) {
        snprintf(err, errlen, "a ring of %u pages (at least a control and a data page)", npages);
        return -1;
    }
    for (unsigned i = 0; i < npages; i++) {
        if (guest_mem_ptr(mem, pfn[i] * PAGE, PAGE) == NULL) {
            snprintf(err, errlen, "ring page %u (PFN 0x%llx) is not guest RAM", i,
                     (unsigned long long)pfn[i]);
            return -1;
        }
    }
    r->mem = mem;
    r->pfn = pfn;
    r->npages = npages;
    r->size = (npages - 1) * PAGE;
    if (outbound) {
        store(r, RING_WRITE_INDEX, 0);
        store(r, RING_READ_INDEX, 0);
        store(r, RING_PENDING_SEND_SIZE, 0);
        store(r, RING_FEATURE_BITS, RING_FEAT_PENDING_SEND_SIZE);
    }
    return 0;
}

static int index_ok(const struct vmbus_host_ring *r, uint32_t i)
{
    return i < r->size && i % 8 == 0;
}

enum vmbus_ring_result vmbus_host_ring_read(struct vmbus_host_ring *r, struct vmbus_host_packet *p,
                                            uint8_t *buf, size_t cap, bool *signal, char *err,
                                            size_t errlen)
{
    *signal = false;
    uint32_t write = load(r, RING_WRITE_INDEX);
    if (!index_ok(r, write)) {
        snprintf(err, errlen, "write index %u: expected below the ring's %u bytes and 8-aligned",
                 write, r->size);
        return VMBUS_RING_BROKEN;
    }
    uint32_t read = r->index;
    if (write == read)
        return VMBUS_RING_EMPTY;
    uint32_t avail = (write + r->size - read) % r->size;
    if (avail < RING_PACKET_DESCRIPTOR + RING_TRAILER) {
        snprintf(err, errlen,
                 "%u bytes written: expected at least a descriptor and a trailer "
                 "(24)",
                 avail);
        return VMBUS_RING_BROKEN;
    }
    uint8_t d[RING_PACKET_DESCRIPTOR];
    copy_out(r, read, d, sizeof d);
    memset(p, 0, sizeof *p);
    memcpy(&p->type, d, 2);
    memcpy(&p->offset8, d + 2, 2);
    memcpy(&p->len8, d + 4, 2);
    memcpy(&p->flags, d + 6, 2);
    memcpy(&p->transaction_id, d + 8, 8);
    uint32_t len = (uint32_t)p->len8 * 8;
    if (p->offset8 < 2 || p->len8 < p->offset8 || len + RING_TRAILER > avail) {
        snprintf(err, errlen,
                 "packet offset8 %u len8 %u with %u bytes written: expected "
                 "2 <= offset8 <= len8 and len8 * 8 + 8 <= %u",
                 p->offset8, p->len8, avail, avail);
        return VMBUS_RING_BROKEN;
    }
    if (p->flags & ~VMBUS_PACKET_FLAG_COMPLETION) {
        snprintf(err, errlen, "packet flags 0x%x: expected only bit 0 (completion requested)",
                 p->flags);
        return VMBUS_RING_BROKEN;
    }
    if (p->type != VMBUS_PACKET_DATA_INBAND && p->type != VMBUS_PACKET_DATA_XFER_PAGES &&
        p->type != VMBUS_PACKET_DATA_GPA_DIRECT && p->type != VMBUS_PACKET_COMP) {
        snprintf(err, errlen, "packet type %u: expected 6, 7, 9 or 11", p->type);
        return VMBUS_RING_BROKEN;
    }
    if (len > cap) {
        snprintf(err, errlen, "a packet of %u bytes: this channel takes at most %zu", len, cap);
        return VMBUS_RING_BROKEN;
    }
    copy_out(r, read, buf, len);
    p->data = buf;
    p->payload = buf + p->offset8 * 8;
    p->payload_len = len - p->offset8 * 8u;
    /* Consume: packet and trailer. */
    uint32_t free_before = r->size - avail;
    r->index = (read + len + RING_TRAILER) % r->size;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    store(r, RING_READ_INDEX, r->index);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t pending = load(r, RING_PENDING_SEND_SIZE) & ~7u;
    uint32_t free_after = free_before + len + RING_TRAILER;
    if (pending != 0 && free_before < pending && free_after >= pending)
        *signal = true;
    return VMBUS_RING_OK;
}

/* Writes one packet whose payload follows an extra header of hlen bytes
 * (a multiple of 8) after the descriptor: offset8 covers both. */
static enum vmbus_ring_result write_packet(struct vmbus_host_ring *r, uint16_t type, uint16_t flags,
                                           uint64_t transaction_id, const void *hdr, size_t hlen,
                                           const void *payload, size_t len, bool *signal, char *err,
                                           size_t errlen)
{
    *signal = false;
    uint32_t read = load(r, RING_READ_INDEX);
    if (!index_ok(r, read)) {
        snprintf(err, errlen, "read index %u: expected below the ring's %u bytes and 8-aligned",
                 read, r->size);
        return VMBUS_RING_BROKEN;
    }
    size_t padded = (len + 7) & ~(size_t)7;
    size_t packet = RING_PACKET_DESCRIPTOR + hlen + padded;
    uint32_t write = r->index;
    uint32_t used = (write + r->size - read) % r->size;
    uint32_t free = r->size - used;
    if (packet / 8 > 0xFFFF || packet + RING_TRAILER >= free) {
        store(r, RING_PENDING_SEND_SIZE, (uint32_t)(packet + RING_TRAILER));
        return VMBUS_RING_FULL;
    }
    uint8_t d[RING_PACKET_DESCRIPTOR];
    uint16_t offset8 = (uint16_t)((RING_PACKET_DESCRIPTOR + hlen) / 8),
             len8 = (uint16_t)(packet / 8);
    if (r->corrupt_next == 2) /* MISBEHAVE: longer than anything written */
        len8 = (uint16_t)(r->size / 8 > 0xFFFF ? 0xFFFF : r->size / 8);
    memcpy(d, &type, 2);
    memcpy(d + 2, &offset8, 2);
    memcpy(d + 4, &len8, 2);
    memcpy(d + 6, &flags, 2);
    memcpy(d + 8, &transaction_id, 8);
    copy_in(r, write, d, sizeof d);
    copy_in(r, write + RING_PACKET_DESCRIPTOR, hdr, hlen);
    uint32_t at = write + RING_PACKET_DESCRIPTOR + (uint32_t)hlen;
    copy_in(r, at, payload, len);
    static const uint8_t zero[8];
    if (padded > len)
        copy_in(r, at + (uint32_t)len, zero, padded - len);
    uint64_t trailer = (uint64_t)write << 32;
    copy_in(r, write + (uint32_t)packet, &trailer, sizeof trailer);
    r->index = (write + (uint32_t)packet + RING_TRAILER) % r->size;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* MISBEHAVE: an index past the data area. */
    store(r, RING_WRITE_INDEX, r->corrupt_next == 1 ? r->size + 8 : r->index);
    r->corrupt_next = 0;
    store(r, RING_PENDING_SEND_SIZE, 0);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (load(r, RING_INTERRUPT_MASK) == 0 && write == load(r, RING_READ_INDEX))
        *signal = true;
    return VMBUS_RING_OK;
}

enum vmbus_ring_result vmbus_host_ring_write(struct vmbus_host_ring *r, uint16_t type,
                                             uint16_t flags, uint64_t transaction_id,
                                             const void *payload, size_t len, bool *signal,
                                             char *err, size_t errlen)
{
    return write_packet(r, type, flags, transaction_id, NULL, 0, payload, len, signal, err, errlen);
}

enum vmbus_ring_result vmbus_host_ring_write_hdr(struct vmbus_host_ring *r, uint16_t type,
                                                 uint16_t flags, uint64_t transaction_id,
                                                 const void *hdr, size_t hlen, const void *payload,
                                                 size_t len, bool *signal, char *err, size_t errlen)
{
    return write_packet(r, type, flags, transaction_id, hdr, hlen, payload, len, signal, err,
                        errlen);
}
