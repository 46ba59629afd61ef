/* hostsim's network VSP: the RNDIS messages inside NVSP 107 (netvsp.h).
 * Layouts from Linux drivers/net/hyperv/hyperv_net.h (struct
 * rndis_message and members, RNDIS_OID_*, struct ndis_offload_params,
 * ndis_tcp_ip_checksum_info) and the host's answers and checks from
 * openvmm netvsp lib.rs (handle_rndis_control_message: INIT_CMPLT of RNDIS
 * 1.0, 8 packets a message, alignment factor 3; handle_oid_query and
 * OidError for unknown OIDs; handle_rndis_packet_message: no OOB data,
 * vc_handle 0, data inside the message) and rndisprot.rs. Every offset
 * counts from byte 8 of the message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/netvsp.h"

#define PACKET_MSG 1u
#define INITIALIZE 2u
#define HALT 3u
#define QUERY 4u
#define SET 5u
#define KEEPALIVE 8u
#define COMPLETION 0x80000000u
#define STATUS_OK 0u
#define STATUS_NOT_SUPPORTED 0xC00000BBu
#define STATUS_INVALID_DATA 0xC0010015u
#define NVSP_SUCCESS 1u
#define NVSP_FAIL 2u
#define OID_PERMANENT_ADDRESS 0x01010101u
#define OID_CURRENT_ADDRESS 0x01010102u
#define OID_MAXIMUM_FRAME_SIZE 0x00010106u
#define OID_LINK_SPEED 0x00010107u
#define OID_PACKET_FILTER 0x0001010Eu
#define OID_MEDIA_CONNECT_STATUS 0x00010114u
#define OID_OFFLOAD_PARAMETERS 0xFC01020Cu
#define OID_OFFLOAD_HARDWARE_CAPABILITIES 0xFC01020Du
/* The NDIS_OFFLOAD answer to it, in its NDIS 6.0 size (Linux
 * drivers/net/hyperv/hyperv_net.h struct ndis_offload: object header, then
 * checksum, LSOv1, IPsec v1 and LSOv2 blocks and flags, 112 bytes up to
 * ipsecv2; NDIS_OBJECT_TYPE_OFFLOAD 0xa7, revision 1). Linux's netvsc
 * refuses a NIC whose answer is not one (rndis_query_hwcaps). */
#define NDIS_OFFLOAD_SIZE_6_0 112
#define NDIS_OBJECT_TYPE_OFFLOAD 0xA7
#define NDIS_ENCAP_8023 0x2
#define CSUM_IP4 0x100
#define CSUM_TCP4 0x010
#define CSUM_TCP4_OPT 0x004
#define CSUM_UDP4 0x040
#define LINK_SPEED_100BPS 100000000u /* 10 Gbit/s */
#define PACKET_MIN_OFFSET 36u
#define PPI_CHECKSUM 0u
#define ETH_HEADER 14u

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* A violation: reported; 0 for the caller to return. */
static uint32_t __attribute__((format(printf, 2, 3))) refuse(struct netvsp *v, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    vmbus_host_violation(v->ch->host, "netvsc: %s", what);
    return 0;
}

/* A completion: type | COMPLETION, length, req_id, status, then n extra
 * bytes from extra. */
static uint32_t reply(struct netvsp *v, uint32_t type, uint32_t req_id, uint32_t status,
                      const uint8_t *extra, uint32_t n)
{
    uint8_t m[sizeof v->reply] = {0};
    if (16 + n > sizeof m)
        return NVSP_FAIL; /* a bug of this file: every answer is sized to fit */
    put32(m, type | COMPLETION);
    put32(m + 4, 16 + n);
    put32(m + 8, req_id);
    put32(m + 12, status);
    if (n != 0)
        memcpy(m + 16, extra, n);
    /* Sent after the completion of the guest's packet (netvsp.c), in the
     * order openvmm sends them. */
    memcpy(v->reply, m, 16 + n);
    v->reply_len = 16 + n;
    return NVSP_SUCCESS;
}

static void query(struct netvsp *v, uint32_t req_id, uint32_t oid)
{
    uint8_t info[8 + NDIS_OFFLOAD_SIZE_6_0] = {0}, *d = info + 8; /* info_len, info_offset,
                                                                     then the answer */
    uint32_t len = 4, status = STATUS_OK;
    switch (oid) {
    case OID_PERMANENT_ADDRESS:
    case OID_CURRENT_ADDRESS:
        memcpy(d, v->mac, 6);
        len = 6;
        break;
    case OID_MAXIMUM_FRAME_SIZE:
        put32(d, NETVSP_MTU);
        break;
    case OID_LINK_SPEED:
        put32(d, LINK_SPEED_100BPS);
        break;
    case OID_MEDIA_CONNECT_STATUS:
        put32(d, v->link_up ? 0 : 1);
        break;
    case OID_PACKET_FILTER:
        put32(d, v->filter);
        break;
    case OID_OFFLOAD_HARDWARE_CAPABILITIES:
        /* What this back end does: IPv4 TCP and UDP checksums finished on
         * send, IPv4 header, TCP and UDP checksums verified on receive; no
         * segmentation offload, no IPv6 offloads. */
        d[0] = NDIS_OBJECT_TYPE_OFFLOAD;
        d[1] = 1;
        d[2] = NDIS_OFFLOAD_SIZE_6_0;
        put32(d + 4, NDIS_ENCAP_8023);                       /* csum.ip4_txenc */
        put32(d + 8, CSUM_TCP4 | CSUM_TCP4_OPT | CSUM_UDP4); /* csum.ip4_txcsum */
        put32(d + 12, NDIS_ENCAP_8023);                      /* csum.ip4_rxenc */
        put32(d + 16, CSUM_IP4 | CSUM_TCP4 | CSUM_UDP4);     /* csum.ip4_rxcsum */
        len = NDIS_OFFLOAD_SIZE_6_0;
        break;
    default:
        status = STATUS_NOT_SUPPORTED;
        len = 0;
    }
    put32(info, len);
    put32(info + 4, 16); /* the answer right after info_offset */
    reply(v, QUERY, req_id, status, info, 8 + len);
}

static uint32_t set(struct netvsp *v, uint32_t oid, const uint8_t *info, uint32_t len)
{
    if (oid == OID_PACKET_FILTER) {
        if (len < 4)
            return STATUS_INVALID_DATA;
        v->filter = get32(info);
        return STATUS_OK;
    }
    if (oid == OID_OFFLOAD_PARAMETERS) {
        /* NDIS object header: type 0x80, revision >= 1, 20 <= size <= len
         * (openvmm validate_ndis_object_header); checksum values 0-4. */
        uint16_t size = 0;
        if (len >= 4)
            memcpy(&size, info + 2, 2);
        if (len < 20 || info[0] != 0x80 || info[1] < 1 || size < 20 || size > len || info[5] > 4 ||
            info[6] > 4 || info[7] > 4 || info[8] > 4)
            return STATUS_INVALID_DATA;
        if (info[5] != 0)
            v->offload_tcp4 = info[5];
        if (info[7] != 0)
            v->offload_tcp6 = info[7];
        if (info[6] != 0)
            v->offload_udp4 = info[6];
        if (info[8] != 0)
            v->offload_udp6 = info[8];
        return STATUS_OK;
    }
    return STATUS_NOT_SUPPORTED;
}

static uint32_t control(struct netvsp *v, const uint8_t *m, uint32_t len)
{
    uint32_t type = get32(m), req_id = len >= 12 ? get32(m + 8) : 0;
    if (type != INITIALIZE && !v->rndis_inited)
        return refuse(v, "RNDIS message type %#x before INITIALIZE: expected INITIALIZE first",
                      type);
    switch (type) {
    case INITIALIZE: {
        if (len < 24 || v->rndis_inited)
            return refuse(v, "RNDIS INITIALIZE of %u bytes%s: expected one of 24 bytes", len,
                          v->rndis_inited ? " after INITIALIZE" : "");
        uint8_t x[36] = {0};
        put32(x, 1);               /* major */
        put32(x + 8, 1);           /* device flags: connectionless */
        put32(x + 16, 8);          /* packets per message */
        put32(x + 20, 0xEFFFFFFF); /* max transfer */
        put32(x + 24, 3);          /* alignment 8 */
        v->rndis_inited = true;
        return reply(v, INITIALIZE, req_id, STATUS_OK, x, sizeof x);
    }
    case QUERY:
        if (len < 28)
            return refuse(v, "RNDIS QUERY of %u bytes: expected at least 28", len);
        query(v, req_id, get32(m + 12));
        return NVSP_SUCCESS;
    case SET: {
        uint32_t ilen = len >= 28 ? get32(m + 16) : 0, ioff = len >= 28 ? get32(m + 20) : 0;
        if (len < 28 || ioff < 20 || (uint64_t)8 + ioff + ilen > len)
            return refuse(v,
                          "RNDIS SET with %u bytes of information at offset %u: expected them "
                          "inside the message, after its fields",
                          ilen, ioff);
        uint32_t status = set(v, get32(m + 12), m + 8 + ioff, ilen);
        return reply(v, SET, req_id, status, NULL, 0);
    }
    case KEEPALIVE:
        if (len < 12)
            return refuse(v, "RNDIS KEEPALIVE of %u bytes: expected 12", len);
        return reply(v, KEEPALIVE, req_id, STATUS_OK, NULL, 0);
    case HALT:
        v->rndis_inited = false;
        v->filter = 0;
        return NVSP_SUCCESS;
    default:
        return refuse(v,
                      "RNDIS control message type %#x: expected INITIALIZE, QUERY, SET, "
                      "KEEPALIVE or HALT",
                      type);
    }
}

/* The checksum PPI's transmit value: where the checksum goes. */
static uint32_t tx_checksum(struct netvsp *v, uint32_t info, const uint8_t *frame, uint32_t len,
                            uint16_t *start, uint16_t *offset)
{
    bool tcp = info & 0x4, udp = info & 0x8, v4 = info & 0x1, v6 = info & 0x2;
    uint32_t at = (info >> 16) & 0x3FF, min = ETH_HEADER + (v6 ? 40 : 20);
    if (!tcp && !udp)
        return NVSP_SUCCESS; /* IP header checksum only, or nothing: done by the guest */
    if (tcp == udp || v4 == v6 || at < min || at + (tcp ? 18u : 8u) > len ||
        (tcp && (v4 ? v->offload_tcp4 : v->offload_tcp6) < 2) ||
        (udp && (v4 ? v->offload_udp4 : v->offload_udp6) < 2))
        return refuse(v,
                      "RNDIS checksum info %#x for a %u-byte frame: expected IPv4 or IPv6, TCP "
                      "or UDP with its checksum offload set, the header offset inside the frame",
                      info, len);
    (void)frame;
    *start = (uint16_t)at;
    *offset = tcp ? 16 : 6;
    return NVSP_SUCCESS;
}

/* One PACKET_MSG of len bytes (openvmm handle_rndis_packet_message). */
static uint32_t packet(struct netvsp *v, const uint8_t *m, uint32_t len)
{
    uint32_t doff = get32(m + 8), dlen = get32(m + 12), oob = get32(m + 20), noob = get32(m + 24);
    uint32_t poff = get32(m + 28), plen = get32(m + 32), vc = get32(m + 36);
    if (doff < PACKET_MIN_OFFSET || dlen < ETH_HEADER || (uint64_t)8 + doff + dlen > len ||
        dlen > ETH_HEADER + NETVSP_MTU)
        return refuse(v,
                      "RNDIS packet data of %u bytes at offset %u: expected a frame of 14 to "
                      "1514 bytes inside the message, after its fields",
                      dlen, doff);
    if (oob != 0 || noob != 0 || vc != 0)
        return refuse(v,
                      "RNDIS packet with %u out-of-band bytes in %u blocks, vc_handle %u: "
                      "expected none and 0",
                      oob, noob, vc);
    uint16_t start = 0, offset = 0;
    if (plen != 0) {
        if (poff < PACKET_MIN_OFFSET || poff % 4 != 0 || (uint64_t)8 + poff + plen > len)
            return refuse(v,
                          "RNDIS per-packet info of %u bytes at offset %u: expected it 4-aligned "
                          "inside the message, after its fields",
                          plen, poff);
        for (uint32_t at = 8 + poff, end = 8 + poff + plen; at < end;) {
            uint32_t size = end - at >= 12 ? get32(m + at) : 0;
            uint32_t eoff = size != 0 ? get32(m + at + 8) : 0;
            if (size < 12 || size > end - at || eoff < 12 || eoff > size - 4)
                return refuse(v,
                              "an RNDIS per-packet info element of %u bytes, data at %u: "
                              "expected at least 12 bytes inside the list, 4 bytes of data",
                              size, eoff);
            if (get32(m + at + 4) == PPI_CHECKSUM &&
                tx_checksum(v, get32(m + at + eoff), m + 8 + doff, dlen, &start, &offset) == 0)
                return 0;
            at += size;
        }
    }
    v->tx_frames++;
    v->hooks.transmit(v->hooks.ctx, m + 8 + doff, dlen, start, offset);
    return NVSP_SUCCESS;
}

uint32_t netvsp_rndis(struct netvsp *v, uint32_t channel, size_t size)
{
    const uint8_t *m = v->scratch;
    uint32_t len = (uint32_t)size;
    uint32_t msg_len = len >= 8 ? get32(m + 4) : 0;
    if (len < 8 || msg_len < 8 || msg_len > len)
        return refuse(v, "an RNDIS message of msg_len %u in %u bytes: expected 8 to the bytes sent",
                      msg_len, len);
    if (channel == 1)
        return control(v, m, msg_len);
    if (!v->rndis_inited)
        return refuse(v, "an RNDIS data message before INITIALIZE");
    /* Several PACKET_MSGs may share a section, each at the previous one's
     * msg_len rounded up to 8 (the INITIALIZE alignment). */
    for (uint32_t at = 0; at + 8 <= len;) {
        uint32_t type = get32(m + at), ml = get32(m + at + 4);
        if (type != PACKET_MSG || ml < 44 || ml > len - at)
            return refuse(v,
                          "RNDIS data message type %#x of msg_len %u: expected PACKET_MSG of at "
                          "least 44 bytes inside the section",
                          type, ml);
        if (packet(v, m + at, ml) == 0)
            return 0;
        at += (ml + 7) & ~7u;
    }
    return NVSP_SUCCESS;
}
