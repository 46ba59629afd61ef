/* TCP transmit checksum offload (net/stack/tx_offload.h). */
#include "net/stack/tx_offload.h"

#include "net/inet_csum.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800 /* IEEE 802 numbers; RFC 894 */
#define ETHERTYPE_IPV6 0x86dd /* RFC 2464 */
#define PROTO_TCP 6
#define TCP_CSUM_OFFSET 16 /* RFC 9293, 3.1: the checksum after ports, seq, ack, flags, window */
#define TCP_MIN_HLEN 20

/* Where the TCP segment starts and how long it is, or 0 when the frame is
 * not TCP over IPv4 (unfragmented) or IPv6 (TCP as the first next header). */
static size_t locate(const uint8_t *f, size_t head, size_t total, size_t *seg_len)
{
    if (head < ETH_HLEN + 1 || total < head)
        return 0;
    uint16_t type = net_get16(f + 12);
    if (type == ETHERTYPE_IPV4) {
        if (head < ETH_HLEN + 20)
            return 0;
        const uint8_t *ip = f + ETH_HLEN;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4, tot = net_get16(ip + 2);
        /* RFC 791: version 4, IHL >= 5, no fragment offset or more-fragments. */
        if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != PROTO_TCP || (net_get16(ip + 6) & 0x3fff))
            return 0;
        if (tot < ihl + TCP_MIN_HLEN || ETH_HLEN + tot > total || head < ETH_HLEN + ihl)
            return 0;
        *seg_len = tot - ihl;
        return ETH_HLEN + ihl;
    }
    if (type == ETHERTYPE_IPV6) {
        if (head < ETH_HLEN + 40)
            return 0;
        const uint8_t *ip = f + ETH_HLEN;
        size_t plen = net_get16(ip + 4);
        /* RFC 8200: version 6; next header TCP directly (no extension headers). */
        if ((ip[0] >> 4) != 6 || ip[6] != PROTO_TCP || plen < TCP_MIN_HLEN ||
            ETH_HLEN + 40 + plen > total)
            return 0;
        *seg_len = plen;
        return ETH_HLEN + 40;
    }
    return 0;
}

/* The folded, uncomplemented sum of TCP's pseudo-header (RFC 9293, 3.1;
 * for IPv6, RFC 8200, 8.1) for a segment of len bytes. */
static uint16_t pseudo_sum(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + ETH_HLEN;
    uint32_t s;
    if (net_get16(f + 12) == ETHERTYPE_IPV4) {
        uint8_t tail[4] = {0, PROTO_TCP, (uint8_t)(len >> 8), (uint8_t)len};
        s = inet_csum_add(0, ip + 12, 8); /* source, destination */
        s = inet_csum_add(s, tail, 4);    /* zero, protocol, TCP length */
    } else {
        uint8_t tail[8] = {(uint8_t)(len >> 24),
                           (uint8_t)(len >> 16),
                           (uint8_t)(len >> 8),
                           (uint8_t)len,
                           0,
                           0,
                           0,
                           PROTO_TCP};
        s = inet_csum_add(0, ip + 8, 32); /* source, destination */
        s = inet_csum_add(s, tail, 8);    /* upper-layer length, zeros, next header */
    }
    return (uint16_t)~inet_csum_fold(s);
}

enum tx_offload_kind tx_offload_tcp(uint8_t *f, size_t head, size_t total,
                                    struct netdev_tx_offload *o)
{
    size_t len = 0;
    size_t at = locate(f, head, total, &len);
    if (at == 0)
        return TX_OFFLOAD_NONE;
    if (head < at + TCP_MIN_HLEN)
        return TX_OFFLOAD_SOFTWARE;
    net_put16(f + at + TCP_CSUM_OFFSET, pseudo_sum(f, len));
    o->csum = true;
    o->csum_start = (uint16_t)at;
    o->csum_offset = TCP_CSUM_OFFSET;
    return TX_OFFLOAD_TCP;
}
