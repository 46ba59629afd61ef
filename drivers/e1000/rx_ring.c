/* The receive ring's consumer (ring.h). What the device writes into a
 * descriptor is untrusted: a length of 0 or above the buffer, or a frame
 * without EOP (buffers hold 2048 bytes and long frames are not enabled,
 * RCTL.LPE = 0, so every frame must fit in one: [SDM] ch. 3, "Receive
 * Descriptor Format") breaks the ring for good; errors the device reports
 * about the frame itself only drop that frame. The buffer address is
 * rewritten from the driver's own table on every release, never read back. */
#include <string.h>

#include "drivers/e1000/ring.h"

#define fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)

static void give(struct e1000_rx_ring *r, unsigned i)
{
    volatile struct e1000_rx_desc *d = &r->desc[i];
    d->addr = r->pool_dev + (uint64_t)i * E1000_BUF_SIZE;
    d->length = 0;
    d->csum = 0;
    d->errors = 0;
    d->special = 0;
    d->status = 0;
}

void e1000_rx_init(struct e1000_rx_ring *r, volatile struct e1000_rx_desc *desc, unsigned count,
                   uint8_t *pool, uint64_t pool_dev)
{
    memset(r, 0, sizeof *r);
    r->desc = desc;
    r->count = count;
    r->pool = pool;
    r->pool_dev = pool_dev;
    for (unsigned i = 0; i < count; i++)
        give(r, i);
    r->next = 0;
    r->tail = count - 1;
}

static enum e1000_rx_result broken(struct e1000_rx_ring *r, const char *why, uint32_t value)
{
    r->broken = true;
    r->error = why;
    r->bad_value = value;
    r->stats.malformed++;
    return E1000_RX_BROKEN;
}

static void count_csum(struct e1000_rx_ring *r, uint8_t status, uint8_t errors)
{
    if (status & E1000_RXD_STAT_IXSM)
        return; /* the device says: ignore the checksum bits */
    if (((status & E1000_RXD_STAT_TCPCS) && (errors & E1000_RXD_ERR_TCPE)) ||
        ((status & E1000_RXD_STAT_IPCS) && (errors & E1000_RXD_ERR_IPE)))
        r->stats.csum_bad++;
    else if (status & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_IPCS))
        r->stats.csum_verified++;
}

enum e1000_rx_result e1000_rx_next(struct e1000_rx_ring *r, const uint8_t **frame, size_t *len)
{
    if (r->broken)
        return E1000_RX_BROKEN;
    volatile struct e1000_rx_desc *d = &r->desc[r->next];
    uint8_t status = d->status;
    if (!(status & E1000_RXD_STAT_DD))
        return E1000_RX_EMPTY;
    /* The rest of the descriptor and the buffer are read after DD. */
    fence_acquire();
    uint16_t length = d->length;
    uint8_t errors = d->errors;
    if (length == 0)
        return broken(r, "a done descriptor with length 0", length);
    if (length > E1000_BUF_SIZE)
        return broken(r, "length larger than the receive buffer", length);
    if (!(status & E1000_RXD_STAT_EOP))
        return broken(r, "a frame without EOP (spanning buffers; long frames are off)", status);
    if (errors & E1000_RXD_ERR_FRAME) {
        r->stats.frame_errors++;
        e1000_rx_release(r);
        return E1000_RX_DROP;
    }
    if (length < E1000_FRAME_MIN) {
        r->stats.runts++;
        e1000_rx_release(r);
        return E1000_RX_DROP;
    }
    count_csum(r, status, errors);
    r->stats.frames++;
    *frame = r->pool + (size_t)r->next * E1000_BUF_SIZE;
    *len = length;
    return E1000_RX_FRAME;
}

void e1000_rx_release(struct e1000_rx_ring *r)
{
    unsigned i = r->next;
    give(r, i);
    /* The descriptor is rewritten before the tail that hands it over. */
    fence_release();
    r->tail = i; /* kept back: the device owns up to, not including, it */
    r->next = i + 1 == r->count ? 0 : i + 1;
}
