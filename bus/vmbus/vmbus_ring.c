/* VMBus ring buffers (bus/vmbus/vmbus_ring.h cites the sources). */
#include "bus/vmbus/vmbus_ring.h"

#include <string.h>

#include "core/unaligned.h"

#define PAGE 4096u
#define FEATURE_PENDING_SEND_SZ 1u
#define MIN_OFFSET8 2u
#define MAX_PACKET_BYTES (0xFFFFu * 8u) /* len8 is a u16 */
/* Extra headers after the descriptor: transfer-page packets (pageset_id
 * u16, sender_owns u8, reserved u8, range_cnt u32, then 8-byte ranges) and
 * GPA-direct packets (reserved u32, range_cnt u32, then ranges). */
#define XFER_HEADER_BYTES 8u
#define XFER_RANGE_BYTES 8u
#define GPA_HEADER_BYTES 8u

static void full_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static uint32_t used_bytes(const struct vmbus_ring *r, uint32_t write, uint32_t read)
{
    return write >= read ? write - read : r->size - read + write;
}

static bool index_ok(const struct vmbus_ring *r, uint32_t i)
{
    return i < r->size && i % 8 == 0;
}

/* Copies in and out of the data area across its end. */
static void copy_in(struct vmbus_ring *r, uint32_t at, const uint8_t *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        r->data[(at + i) % r->size] = src[i];
}

static void copy_out(const struct vmbus_ring *r, uint32_t at, uint8_t *dst, size_t len)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = r->data[(at + i) % r->size];
}

int vmbus_ring_init(struct vmbus_ring *r, void *pages, uint32_t bytes, bool outbound)
{
    if (pages == NULL || bytes % PAGE != 0 || bytes < 2 * PAGE)
        return -1;
    r->ctl = pages;
    r->data = (volatile uint8_t *)pages + VMBUS_RING_CONTROL_BYTES;
    r->size = bytes - VMBUS_RING_CONTROL_BYTES;
    r->own = 0;
    r->outbound = outbound;
    if (outbound)
        r->ctl->feature_bits = FEATURE_PENDING_SEND_SZ;
    return 0;
}

enum vmbus_ring_result vmbus_ring_write(struct vmbus_ring *r, const struct vmbus_sg *parts,
                                        unsigned nparts, bool *signal, const char **why)
{
    *signal = false;
    *why = NULL;
    size_t len = 0;
    for (unsigned i = 0; i < nparts; i++)
        len += parts[i].len;
    size_t padded = (len + 7) & ~(size_t)7;
    size_t need = padded + VMBUS_RING_TRAILER_BYTES;
    if (len == 0 || need >= r->size || padded > MAX_PACKET_BYTES)
        return VMBUS_RING_TOO_BIG;
    uint32_t read = r->ctl->read_index;
    if (!index_ok(r, read)) {
        *why = "the host's read index is outside the ring or not 8-aligned";
        return VMBUS_RING_BROKEN;
    }
    if (r->size - used_bytes(r, r->own, read) <= need) {
        /* Ask to be told when there is room, then look again: the host
         * may have read meanwhile and seen no pending size. */
        r->ctl->pending_send_sz = (uint32_t)need;
        full_barrier();
        read = r->ctl->read_index;
        if (!index_ok(r, read)) {
            *why = "the host's read index is outside the ring or not 8-aligned";
            return VMBUS_RING_BROKEN;
        }
        if (r->size - used_bytes(r, r->own, read) <= need)
            return VMBUS_RING_FULL;
    }
    if (r->ctl->pending_send_sz != 0)
        r->ctl->pending_send_sz = 0;
    uint32_t old = r->own, at = old;
    for (unsigned i = 0; i < nparts; i++) {
        copy_in(r, at, parts[i].p, parts[i].len);
        at = (uint32_t)((at + parts[i].len) % r->size);
    }
    static const uint8_t zeros[8];
    copy_in(r, at, zeros, padded - len);
    at = (uint32_t)((at + (padded - len)) % r->size);
    uint8_t trailer[8];
    wr64(trailer, (uint64_t)old << 32);
    copy_in(r, at, trailer, sizeof trailer);
    r->own = (uint32_t)((at + sizeof trailer) % r->size);
    /* The packet before the index that publishes it. */
    full_barrier();
    r->ctl->write_index = r->own;
    full_barrier();
    *signal = r->ctl->interrupt_mask == 0 && r->ctl->read_index == old;
    return VMBUS_RING_OK;
}

static const char *check_desc(const uint8_t *d, uint32_t avail, uint32_t *bytes)
{
    uint16_t type = rd16(d), offset8 = rd16(d + 2), len8 = rd16(d + 4), flags = rd16(d + 6);
    if (offset8 < MIN_OFFSET8)
        return "a packet whose payload offset is inside its descriptor";
    if (len8 < offset8)
        return "a packet shorter than its payload offset";
    if ((uint32_t)len8 * 8 + VMBUS_RING_TRAILER_BYTES > avail)
        return "a packet longer than the data in the ring";
    if ((flags & ~VMBUS_PKT_FLAG_COMPLETION_REQUESTED) != 0)
        return "a packet with unknown flags";
    switch (type) {
    case VMBUS_PKT_DATA_INBAND:
    case VMBUS_PKT_COMP:
        break;
    case VMBUS_PKT_DATA_USING_XFER_PAGES:
    case VMBUS_PKT_DATA_USING_GPA_DIRECT:
        if ((uint32_t)offset8 * 8 < VMBUS_PKT_DESC_BYTES + XFER_HEADER_BYTES)
            return "a transfer packet without room for its range header";
        break;
    default:
        return "a packet of unknown type";
    }
    *bytes = (uint32_t)len8 * 8;
    return NULL;
}

/* The range headers of types 7 and 9, once the packet is in buf. */
static const char *check_ranges(const uint8_t *p, const struct vmbus_pkt *pkt)
{
    uint32_t count = rd32(p + VMBUS_PKT_DESC_BYTES + 4);
    if (pkt->type == VMBUS_PKT_DATA_USING_XFER_PAGES) {
        if ((uint64_t)count * XFER_RANGE_BYTES >
            pkt->offset - VMBUS_PKT_DESC_BYTES - XFER_HEADER_BYTES)
            return "a transfer-page packet whose ranges overrun its header";
    } else if (pkt->type == VMBUS_PKT_DATA_USING_GPA_DIRECT) {
        if (count == 0)
            return "a GPA-direct packet without ranges";
    }
    return NULL;
}

enum vmbus_ring_result vmbus_ring_read(struct vmbus_ring *r, void *buf, size_t buflen,
                                       struct vmbus_pkt *pkt, bool *signal, const char **why)
{
    *signal = false;
    *why = NULL;
    uint32_t write = r->ctl->write_index;
    if (!index_ok(r, write)) {
        *why = "the host's write index is outside the ring or not 8-aligned";
        return VMBUS_RING_BROKEN;
    }
    uint32_t avail = used_bytes(r, write, r->own);
    if (avail == 0)
        return VMBUS_RING_EMPTY;
    /* The data before the descriptor's fields. */
    full_barrier();
    if (avail < VMBUS_PKT_DESC_BYTES + VMBUS_RING_TRAILER_BYTES) {
        *why = "fewer bytes in the ring than a packet descriptor";
        return VMBUS_RING_BROKEN;
    }
    uint8_t d[VMBUS_PKT_DESC_BYTES];
    copy_out(r, r->own, d, sizeof d);
    uint32_t bytes = 0;
    if ((*why = check_desc(d, avail, &bytes)) != NULL)
        return VMBUS_RING_BROKEN;
    if (bytes > buflen)
        return VMBUS_RING_TOO_BIG;
    copy_out(r, r->own, buf, bytes);
    *pkt = (struct vmbus_pkt){.type = rd16(d),
                              .flags = rd16(d + 6),
                              .offset = (uint32_t)rd16(d + 2) * 8,
                              .len = bytes,
                              .transaction_id = rd64(d + 8)};
    if ((*why = check_ranges(buf, pkt)) != NULL)
        return VMBUS_RING_BROKEN;
    uint32_t free_before = r->size - avail;
    uint32_t consumed = bytes + VMBUS_RING_TRAILER_BYTES;
    r->own = (r->own + consumed) % r->size;
    /* Our reads of the packet before the index that frees its room. */
    full_barrier();
    r->ctl->read_index = r->own;
    full_barrier();
    uint32_t pending = r->ctl->pending_send_sz;
    if (pending != 0) {
        uint32_t free_after = free_before + consumed;
        *signal = free_before <= pending && free_after > pending;
    }
    return VMBUS_RING_OK;
}

void vmbus_ring_mask(struct vmbus_ring *r)
{
    r->ctl->interrupt_mask = 1;
    full_barrier();
}

bool vmbus_ring_unmask(struct vmbus_ring *r)
{
    r->ctl->interrupt_mask = 0;
    full_barrier();
    return r->ctl->write_index != r->own;
}

void vmbus_pkt_desc(uint8_t desc[VMBUS_PKT_DESC_BYTES], uint16_t type, size_t payload_len,
                    uint64_t transaction_id, bool completion_requested)
{
    size_t len8 = (VMBUS_PKT_DESC_BYTES + payload_len + 7) / 8;
    wr16(desc, type);
    wr16(desc + 2, VMBUS_PKT_DESC_BYTES / 8);
    wr16(desc + 4, (uint16_t)len8);
    wr16(desc + 6, completion_requested ? VMBUS_PKT_FLAG_COMPLETION_REQUESTED : 0);
    wr64(desc + 8, transaction_id);
}
