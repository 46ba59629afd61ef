/* ARP, ICMP echo and UDP echo answers for one address (see the header). The
 * order of checks is outermost first: a frame is judged only on the layers it
 * reached, and the first failed check names the reason. */
#include "ping_responder.h"

#include <stdio.h>
#include <string.h>

#define ARP_LEN 28
#define IPV4_MIN_HLEN 20
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP 17
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define UDP_HLEN 8
#define REPLY_TTL 64

static const uint8_t broadcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* ---- big-endian fields and the Internet checksum (RFC 1071): the app's
 * own, as an app has no access to the kernel's ---- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Adds len bytes to a running sum of big-endian 16-bit words (an odd last
 * byte padded with zero); every piece but the last has an even length. */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;
    for (; len >= 2; p += 2, len -= 2)
        s += get16(p);
    if (len)
        s += (uint32_t)p[0] << 8;
    while (s >> 32) /* stays addable without overflow */
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

/* Folds the carries in and complements: what a checksum field holds. */
static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* 0 over data whose checksum field is right. */
static uint16_t csum(const void *data, size_t len)
{
    return csum_fold(csum_add(0, data, len));
}

void ping_responder_init(struct ping_responder *r, const uint8_t mac[6], const uint8_t ip[4])
{
    memset(r, 0, sizeof *r);
    memcpy(r->mac, mac, 6);
    memcpy(r->ip, ip, 4);
    r->ip_id = 1;
}

static enum ping_result count_malformed(struct ping_responder *r)
{
    r->count.malformed++;
    return PING_MALFORMED;
}

/* Drops a frame: says why in last_error (printf-style) and counts it. A
 * macro rather than a variadic function: app code must not save vector
 * registers, which a variadic function's prologue does (x86-64 psABI
 * 3.5.7, register save area). */
#define MALFORMED(r, ...)                                                                          \
    (snprintf((r)->last_error, sizeof(r)->last_error, __VA_ARGS__), count_malformed(r))

static enum ping_result ignored(struct ping_responder *r)
{
    r->count.ignored++;
    return PING_IGNORED;
}

static bool mac_is_multicast(const uint8_t *mac)
{
    return mac[0] & 1;
}

/* Source addresses no host may use (RFC 1122 3.2.1.3): answering them would
 * send a reply to a broadcast or nowhere. */
static bool ipv4_bad_source(const uint8_t *ip)
{
    return ip[0] == 0 || ip[0] == 127 || ip[0] >= 224;
}

static size_t pad_frame(uint8_t *out, size_t len)
{
    if (len < ETH_ZLEN) {
        memset(out + len, 0, ETH_ZLEN - len);
        len = ETH_ZLEN;
    }
    return len;
}

static void eth_header(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    put16(out + 12, type);
}

/* RFC 826: Ethernet (1) / IPv4 (0x0800), 6-byte and 4-byte addresses. */
static enum ping_result handle_arp(struct ping_responder *r, const uint8_t *frame, size_t len,
                                   uint8_t *out, size_t out_size, struct ping_reply *reply)
{
    if (len < ETH_HLEN + ARP_LEN)
        return MALFORMED(r, "ARP: frame of %u bytes too short", (unsigned)len);
    const uint8_t *a = frame + ETH_HLEN;
    if (get16(a) != 1 || get16(a + 2) != ETH_TYPE_IPV4 || a[4] != 6 || a[5] != 4)
        return MALFORMED(r, "ARP: hardware/protocol type or size not Ethernet/IPv4");
    uint16_t op = get16(a + 6);
    if (op != 1 && op != 2)
        return MALFORMED(r, "ARP: operation %u", op);
    const uint8_t *sha = a + 8, *spa = a + 14, *tpa = a + 24;
    if (mac_is_multicast(sha))
        return MALFORMED(r, "ARP: multicast sender hardware address");
    if (op != 1 || memcmp(tpa, r->ip, 4) != 0)
        return ignored(r);
    if (out_size < ETH_ZLEN) {
        r->count.no_room++;
        return PING_NO_ROOM;
    }
    eth_header(out, sha, r->mac, ETH_TYPE_ARP);
    uint8_t *b = out + ETH_HLEN;
    put16(b, 1);
    put16(b + 2, ETH_TYPE_IPV4);
    b[4] = 6;
    b[5] = 4;
    put16(b + 6, 2);
    memcpy(b + 8, r->mac, 6);
    memcpy(b + 14, r->ip, 4);
    memcpy(b + 18, sha, 6);
    memcpy(b + 24, spa, 4);
    reply->len = pad_frame(out, ETH_HLEN + ARP_LEN);
    reply->kind = PING_KIND_ARP;
    r->count.arp_replies++;
    return PING_REPLY;
}

/* Writes the Ethernet and IPv4 headers of a reply carrying payload_len bytes
 * of protocol proto back to the sender of the request at frame/ip. */
static void ipv4_reply_headers(struct ping_responder *r, const uint8_t *frame, const uint8_t *ip,
                               uint8_t *out, uint8_t proto, size_t payload_len)
{
    eth_header(out, frame + 6, r->mac, ETH_TYPE_IPV4);
    uint8_t *h = out + ETH_HLEN;
    h[0] = 0x45; /* version 4, no options: the request's options are not echoed */
    h[1] = ip[1];
    put16(h + 2, (uint16_t)(IPV4_MIN_HLEN + payload_len));
    put16(h + 4, r->ip_id++);
    put16(h + 6, 0);
    h[8] = REPLY_TTL;
    h[9] = proto;
    put16(h + 10, 0);
    memcpy(h + 12, r->ip, 4);
    memcpy(h + 16, ip + 12, 4);
    put16(h + 10, csum(h, IPV4_MIN_HLEN));
}

static enum ping_result handle_icmp(struct ping_responder *r, const uint8_t *frame,
                                    const uint8_t *ip, const uint8_t *icmp, size_t icmp_len,
                                    uint8_t *out, size_t out_size, struct ping_reply *reply)
{
    if (icmp_len < 8)
        return MALFORMED(r, "ICMP: message of %u bytes too short", (unsigned)icmp_len);
    if (csum(icmp, icmp_len) != 0)
        return MALFORMED(r, "ICMP: bad checksum");
    if (icmp[0] != ICMP_ECHO_REQUEST)
        return ignored(r);
    if (icmp[1] != 0)
        return MALFORMED(r, "ICMP: echo request with code %u", icmp[1]);
    size_t total = ETH_HLEN + IPV4_MIN_HLEN + icmp_len;
    if (out_size < total || out_size < ETH_ZLEN) {
        r->count.no_room++;
        return PING_NO_ROOM;
    }
    ipv4_reply_headers(r, frame, ip, out, IP_PROTO_ICMP, icmp_len);
    uint8_t *m = out + ETH_HLEN + IPV4_MIN_HLEN;
    memcpy(m, icmp, icmp_len); /* identifier, sequence number and data echoed */
    m[0] = ICMP_ECHO_REPLY;
    m[1] = 0;
    put16(m + 2, 0);
    reply->csum_start = ETH_HLEN + IPV4_MIN_HLEN;
    reply->csum_offset = 2;
    if (r->tx_csum_offload) /* ICMP has no pseudo-header: the partial sum is 0 */
        reply->csum_partial = true;
    else
        put16(m + 2, csum(m, icmp_len));
    reply->len = pad_frame(out, total);
    reply->kind = PING_KIND_ICMP;
    r->count.echo_replies++;
    return PING_REPLY;
}

/* RFC 768 pseudo-header: source, destination, zero, protocol, UDP length. */
static uint32_t udp_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint16_t udp_len)
{
    uint8_t ph[12];
    memcpy(ph, src, 4);
    memcpy(ph + 4, dst, 4);
    ph[8] = 0;
    ph[9] = IP_PROTO_UDP;
    put16(ph + 10, udp_len);
    return csum_add(0, ph, sizeof ph);
}

static enum ping_result handle_udp(struct ping_responder *r, const uint8_t *frame,
                                   const uint8_t *ip, const uint8_t *udp, size_t avail,
                                   uint8_t *out, size_t out_size, struct ping_reply *reply)
{
    if (avail < UDP_HLEN)
        return MALFORMED(r, "UDP: datagram of %u bytes too short", (unsigned)avail);
    uint16_t udp_len = get16(udp + 4);
    if (udp_len < UDP_HLEN || udp_len > avail)
        return MALFORMED(r, "UDP: length %u outside 8..%u", udp_len, (unsigned)avail);
    if (get16(udp + 6) != 0) { /* 0: the sender computed no checksum */
        uint32_t s = udp_pseudo_sum(ip + 12, ip + 16, udp_len);
        if (csum_fold(csum_add(s, udp, udp_len)) != 0)
            return MALFORMED(r, "UDP: bad checksum");
    }
    if (!r->udp_echo || get16(udp + 2) != PING_UDP_ECHO_PORT)
        return ignored(r);
    size_t total = ETH_HLEN + IPV4_MIN_HLEN + udp_len;
    if (out_size < total || out_size < ETH_ZLEN) {
        r->count.no_room++;
        return PING_NO_ROOM;
    }
    ipv4_reply_headers(r, frame, ip, out, IP_PROTO_UDP, udp_len);
    uint8_t *u = out + ETH_HLEN + IPV4_MIN_HLEN;
    memcpy(u, udp, udp_len);
    memcpy(u, udp + 2, 2); /* ports swapped */
    memcpy(u + 2, udp, 2);
    uint32_t s = udp_pseudo_sum(r->ip, ip + 12, udp_len);
    reply->csum_start = ETH_HLEN + IPV4_MIN_HLEN;
    reply->csum_offset = 6;
    if (r->tx_csum_offload) {
        /* The field holds the folded, uncomplemented pseudo-header sum. */
        put16(u + 6, (uint16_t)~csum_fold(s));
        reply->csum_partial = true;
    } else {
        put16(u + 6, 0);
        uint16_t c = csum_fold(csum_add(s, u, udp_len));
        put16(u + 6, c ? c : 0xffff); /* RFC 768: a computed 0 is sent as all ones */
    }
    reply->len = pad_frame(out, total);
    reply->kind = PING_KIND_UDP;
    r->count.udp_replies++;
    return PING_REPLY;
}

static enum ping_result handle_ipv4(struct ping_responder *r, const uint8_t *frame, size_t len,
                                    uint8_t *out, size_t out_size, struct ping_reply *reply)
{
    const uint8_t *ip = frame + ETH_HLEN;
    size_t avail = len - ETH_HLEN;
    if (avail < IPV4_MIN_HLEN)
        return MALFORMED(r, "IPv4: %u bytes, shorter than a header", (unsigned)avail);
    if (ip[0] >> 4 != 4)
        return MALFORMED(r, "IPv4: version %u", ip[0] >> 4);
    size_t hlen = (size_t)(ip[0] & 0xf) * 4;
    if (hlen < IPV4_MIN_HLEN || hlen > avail)
        return MALFORMED(r, "IPv4: header length %u", (unsigned)hlen);
    uint16_t total = get16(ip + 2);
    if (total < hlen || total > avail) /* bytes beyond total are Ethernet padding */
        return MALFORMED(r, "IPv4: total length %u outside %u..%u", total, (unsigned)hlen,
                         (unsigned)avail);
    if (csum(ip, hlen) != 0)
        return MALFORMED(r, "IPv4: bad header checksum");
    if (ipv4_bad_source(ip + 12))
        return MALFORMED(r, "IPv4: source %u.%u.%u.%u not a host address", ip[12], ip[13], ip[14],
                         ip[15]);
    if (memcmp(ip + 16, r->ip, 4) != 0)
        return ignored(r);
    if (get16(ip + 6) & 0x3fff) { /* more-fragments flag or a fragment offset */
        r->count.unsupported++;
        return PING_UNSUPPORTED;
    }
    if (ip[9] == IP_PROTO_ICMP)
        return handle_icmp(r, frame, ip, ip + hlen, total - hlen, out, out_size, reply);
    if (ip[9] == IP_PROTO_UDP)
        return handle_udp(r, frame, ip, ip + hlen, total - hlen, out, out_size, reply);
    return ignored(r);
}

enum ping_result ping_responder_handle(struct ping_responder *r, const uint8_t *frame, size_t len,
                                       uint8_t *out, size_t out_size, struct ping_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    r->count.frames++;
    if (frame == NULL || len < ETH_HLEN)
        return MALFORMED(r, "Ethernet: frame of %u bytes too short", (unsigned)len);
    const uint8_t *dst = frame, *src = frame + 6;
    if (memcmp(dst, r->mac, 6) != 0 && memcmp(dst, broadcast_mac, 6) != 0)
        return ignored(r);
    if (mac_is_multicast(src))
        return MALFORMED(r, "Ethernet: multicast source address");
    uint16_t type = get16(frame + 12);
    if (type == ETH_TYPE_ARP)
        return handle_arp(r, frame, len, out, out_size, reply);
    if (type == ETH_TYPE_IPV4)
        return handle_ipv4(r, frame, len, out, out_size, reply);
    return ignored(r);
}

int ping_parse_ipv4(const char *s, uint8_t ip[4])
{
    if (s == NULL)
        return -1;
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255)
                return -1;
        }
        if (digits == 0)
            return -1;
        ip[i] = (uint8_t)v;
        if (i < 3 && *s++ != '.')
            return -1;
    }
    return *s == '\0' ? 0 : -1;
}
