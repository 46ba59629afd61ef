/* The transmit ring's producer and reaper (ring.h). Each frame is copied
 * into the buffer of its data descriptor: the netdev class has no
 * transmit-completion callback, so the caller's pieces cannot be held until
 * the device is done with them. Every descriptor asks for its status (RS),
 * so done-ness is read from the descriptors themselves, oldest first, and
 * never from the head register.
 *
 * Checksum insertion ([SDM] ch. 3, "TCP/IP Context Transmit Descriptor" and
 * "TCP/IP Data Descriptor"): a context descriptor says where the TCP/UDP
 * checksum starts (TUCSS) and where it goes (TUCSO), to the end of the frame
 * (TUCSE 0); a data descriptor with POPTS.TXSM asks for it. The device adds
 * the 16-bit one's-complement sum over [TUCSS, end) into the field, which
 * the caller seeded with the pseudo-header sum: the netdev contract
 * (netdev_tx_offload) says the same. */
#include <string.h>

#include "drivers/e1000/ring.h"

#define fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Ethernet frame without CRC: header, 1500-byte payload, one VLAN tag. */
#define FRAME_MAX 1518
#define TCP_CSUM_OFFSET 16 /* RFC 793: the checksum's place in the TCP header */

void e1000_tx_init(struct e1000_tx_ring *r, volatile struct e1000_tx_desc *desc, unsigned count,
                   uint8_t *pool, uint64_t pool_dev)
{
    memset(r, 0, sizeof *r);
    r->desc = desc;
    r->count = count;
    r->pool = pool;
    r->pool_dev = pool_dev;
    for (unsigned i = 0; i < count; i++)
        desc[i] = (struct e1000_tx_desc){0, 0, 0};
}

unsigned e1000_tx_free(const struct e1000_tx_ring *r)
{
    return r->count - 1 - r->in_flight;
}

static unsigned advance(const struct e1000_tx_ring *r, unsigned i)
{
    return i + 1 == r->count ? 0 : i + 1;
}

/* Writes descriptor next_use and hands it to the producer's side. */
static void put_desc(struct e1000_tx_ring *r, uint64_t addr, uint32_t lower, uint32_t upper)
{
    volatile struct e1000_tx_desc *d = &r->desc[r->next_use];
    d->addr = addr;
    d->lower = lower;
    d->upper = upper;
    r->next_use = advance(r, r->next_use);
    r->in_flight++;
}

int e1000_tx_put(struct e1000_tx_ring *r, const struct netdev_buf *bufs, unsigned n,
                 const struct netdev_tx_offload *offload)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (bufs[i].len > FRAME_MAX)
            return -1;
        total += bufs[i].len;
    }
    if (total < E1000_FRAME_MIN || total > FRAME_MAX)
        return -1;
    bool csum = offload != NULL && offload->csum;
    bool new_ctx = false;
    uint8_t start = 0, field = 0;
    bool tcp = false;
    if (csum) {
        /* TUCSS and TUCSO are byte offsets from the frame's start: the
         * field must lie inside the frame, after the start. */
        unsigned s = offload->csum_start, f = (unsigned)offload->csum_start + offload->csum_offset;
        if (s > 0xFF || f > 0xFF || f + 2 > total)
            return -1;
        start = (uint8_t)s;
        field = (uint8_t)f;
        tcp = offload->csum_offset == TCP_CSUM_OFFSET;
        new_ctx =
            !r->ctx_valid || r->ctx_start != start || r->ctx_field != field || r->ctx_tcp != tcp;
    }
    if (e1000_tx_free(r) < 1u + new_ctx)
        return -1;
    if (new_ctx) {
        uint64_t ctx = (uint64_t)start << E1000_TXC_TUCSS_SHIFT |
                       (uint64_t)field << E1000_TXC_TUCSO_SHIFT; /* TUCSE 0: to the end */
        put_desc(r, ctx, E1000_TXD_CMD_DEXT | E1000_TXD_CMD_RS | (tcp ? E1000_TXD_CMD_TCP : 0), 0);
        r->ctx_valid = true;
        r->ctx_start = start;
        r->ctx_field = field;
        r->ctx_tcp = tcp;
        r->contexts++;
    }
    unsigned slot = r->next_use;
    uint8_t *buf = r->pool + (size_t)slot * E1000_BUF_SIZE;
    size_t at = 0;
    for (unsigned i = 0; i < n; i++) {
        memcpy(buf + at, bufs[i].data, bufs[i].len);
        at += bufs[i].len;
    }
    uint32_t cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
    uint32_t lower = (uint32_t)total | cmd;
    uint32_t upper = 0;
    if (csum) {
        lower |= E1000_TXD_CMD_DEXT | E1000_TXD_DTYP_DATA;
        upper = E1000_TXD_POPTS_TXSM;
        r->offloaded++;
    }
    /* The frame's bytes are in memory before the descriptor is. */
    fence_release();
    put_desc(r, r->pool_dev + (uint64_t)slot * E1000_BUF_SIZE, lower, upper);
    r->frames++;
    return 0;
}

unsigned e1000_tx_reap(struct e1000_tx_ring *r)
{
    unsigned done = 0;
    while (r->in_flight > 0) {
        volatile struct e1000_tx_desc *d = &r->desc[r->next_clean];
        if (!(d->upper & E1000_TXD_STAT_DD))
            break;
        fence_acquire();
        d->upper = 0;
        r->next_clean = advance(r, r->next_clean);
        r->in_flight--;
        done++;
    }
    return done;
}
