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
 * (netdev_tx_offload) says the same.
 *
 * The device is asked only for TCP and UDP checksums at the transport
 * header of an unfragmented IPv4 or IPv6 packet (no extension headers):
 * that is what the context describes, and QEMU's 82574L model inserts
 * nothing for other protocols (it finds the checksum by parsing; an ICMP
 * reply left to it went out with a zero checksum). Any other request is
 * completed here in software. */
#include <string.h>

#include "drivers/e1000/ring.h"
#include "net/inet_csum.h"

#define fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Ethernet frame without CRC: header, 1500-byte payload, one VLAN tag. */
#define FRAME_MAX 1518
#define TCP_CSUM_OFFSET 16 /* RFC 793: the checksum's place in the TCP header */
#define UDP_CSUM_OFFSET 6  /* RFC 768 */
#define ETH_HEADER 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define IPV4_HEADER_MIN 20
#define IPV6_HEADER 40
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IPV4_FRAG_MASK 0x3FFF                  /* MF and the fragment offset (RFC 791, 3.1) */
#define HEADERS_MAX (ETH_HEADER + IPV6_HEADER) /* enough to find the transport header */

/* Whether the checksum at start + offset is a TCP or UDP checksum over a
 * transport header right behind an unfragmented IP header. f holds the
 * frame's first len bytes. */
static bool device_can_insert(const uint8_t *f, size_t len, unsigned start, unsigned offset)
{
    unsigned proto;
    size_t l4;
    if (len < ETH_HEADER + IPV4_HEADER_MIN)
        return false;
    uint16_t type = net_get16(f + 12);
    if (type == ETHERTYPE_IPV4) {
        if ((f[ETH_HEADER] >> 4) != 4 || (net_get16(f + ETH_HEADER + 6) & IPV4_FRAG_MASK) != 0)
            return false;
        l4 = ETH_HEADER + (size_t)(f[ETH_HEADER] & 0xF) * 4;
        proto = f[ETH_HEADER + 9];
    } else if (type == ETHERTYPE_IPV6) {
        if (len < ETH_HEADER + IPV6_HEADER || (f[ETH_HEADER] >> 4) != 6)
            return false;
        l4 = ETH_HEADER + IPV6_HEADER;
        proto = f[ETH_HEADER + 6];
    } else {
        return false;
    }
    if (start != l4)
        return false;
    return (proto == IP_PROTO_TCP && offset == TCP_CSUM_OFFSET) ||
           (proto == IP_PROTO_UDP && offset == UDP_CSUM_OFFSET);
}

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

/* Copies up to size bytes of the frame's start out of its pieces. */
static size_t gather(uint8_t *out, size_t size, const struct netdev_buf *bufs, unsigned n)
{
    size_t at = 0;
    for (unsigned i = 0; i < n && at < size; i++) {
        size_t k = bufs[i].len < size - at ? bufs[i].len : size - at;
        memcpy(out + at, bufs[i].data, k);
        at += k;
    }
    return at;
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
    bool want = offload != NULL && offload->csum;
    bool csum = false, new_ctx = false, tcp = false;
    uint8_t start = 0, field = 0;
    if (want) {
        unsigned s = offload->csum_start, f = s + offload->csum_offset;
        if ((size_t)f + 2 > total)
            return -1; /* the field is not inside the frame */
        uint8_t head[HEADERS_MAX];
        size_t got = gather(head, sizeof head, bufs, n);
        /* TUCSS and TUCSO are single bytes. */
        csum = s <= 0xFF && f <= 0xFF && device_can_insert(head, got, s, offload->csum_offset);
        if (csum) {
            start = (uint8_t)s;
            field = (uint8_t)f;
            tcp = offload->csum_offset == TCP_CSUM_OFFSET;
            new_ctx = !r->ctx_valid || r->ctx_start != start || r->ctx_field != field ||
                      r->ctx_tcp != tcp;
        }
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
    gather(buf, total, bufs, n);
    if (want && !csum) {
        inet_csum_complete(buf, total, offload->csum_start, offload->csum_offset);
        r->software++;
    }
    uint32_t lower = (uint32_t)total | E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
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
