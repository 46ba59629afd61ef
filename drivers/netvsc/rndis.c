/* RNDIS messages (drivers/netvsc/rndis.h cites the sources). */
#include "drivers/netvsc/rndis.h"

#include <string.h>

#include "core/unaligned.h"

#define BODY 8u               /* offsets inside a message count from here */
#define PACKET_MIN_OFFSET 36u /* the end of PACKET_MSG's fields, from byte 8 */
#define QUERY_FIXED 28u       /* QUERY/SET request up to vc_handle */
#define MAX_XFER 0x4000u      /* Linux and DPDK's INITIALIZE max_transfer_size */
#define OFFLOAD_OBJECT 0x80u  /* NDIS_OBJECT_TYPE_DEFAULT: offload parameters */
#define OFFLOAD_REV1_BYTES 20u
#define OFFLOAD_TX_RX 4u /* NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED */

static size_t header(uint8_t *buf, uint32_t type, uint32_t len)
{
    memset(buf, 0, len);
    wr32(buf, type);
    wr32(buf + 4, len);
    return len;
}

size_t rndis_initialize(uint8_t *buf, uint32_t req_id)
{
    header(buf, RNDIS_INITIALIZE_MSG, 24);
    wr32(buf + 8, req_id);
    wr32(buf + 12, 1); /* RNDIS 1.0 */
    wr32(buf + 20, MAX_XFER);
    return 24;
}

size_t rndis_query(uint8_t *buf, uint32_t req_id, uint32_t oid)
{
    header(buf, RNDIS_QUERY_MSG, QUERY_FIXED);
    wr32(buf + 8, req_id);
    wr32(buf + 12, oid);
    wr32(buf + 20, QUERY_FIXED - BODY); /* info_offset, though there is none */
    return QUERY_FIXED;
}

size_t rndis_set(uint8_t *buf, uint32_t req_id, uint32_t oid, const void *info, uint32_t len)
{
    header(buf, RNDIS_SET_MSG, QUERY_FIXED + len);
    wr32(buf + 8, req_id);
    wr32(buf + 12, oid);
    wr32(buf + 16, len);
    wr32(buf + 20, QUERY_FIXED - BODY);
    memcpy(buf + QUERY_FIXED, info, len);
    return QUERY_FIXED + len;
}

size_t rndis_halt(uint8_t *buf, uint32_t req_id)
{
    header(buf, RNDIS_HALT_MSG, 12);
    wr32(buf + 8, req_id);
    return 12;
}

size_t rndis_offload_csum(uint8_t *info)
{
    memset(info, 0, OFFLOAD_REV1_BYTES);
    info[0] = OFFLOAD_OBJECT;
    info[1] = 1; /* revision 1 */
    wr16(info + 2, OFFLOAD_REV1_BYTES);
    info[5] = OFFLOAD_TX_RX; /* tcp_ip_v4_csum */
    info[6] = OFFLOAD_TX_RX; /* udp_ip_v4_csum */
    info[7] = OFFLOAD_TX_RX; /* tcp_ip_v6_csum */
    info[8] = OFFLOAD_TX_RX; /* udp_ip_v6_csum */
    return OFFLOAD_REV1_BYTES;
}

size_t rndis_packet_header(uint8_t *buf, size_t frame_len, uint32_t csum_info)
{
    uint32_t ppi = csum_info != 0 ? RNDIS_CSUM_PPI_BYTES : 0;
    uint32_t head = RNDIS_PACKET_HEADER + ppi;
    memset(buf, 0, head);
    wr32(buf, RNDIS_PACKET_MSG);
    wr32(buf + 4, (uint32_t)(head + frame_len));
    wr32(buf + 8, head - BODY);          /* data_offset */
    wr32(buf + 12, (uint32_t)frame_len); /* data_len */
    if (ppi != 0) {
        wr32(buf + 28, PACKET_MIN_OFFSET); /* ppi_offset: right after the fields */
        wr32(buf + 32, ppi);
        uint8_t *e = buf + RNDIS_PACKET_HEADER;
        wr32(e, RNDIS_CSUM_PPI_BYTES);
        wr32(e + 4, RNDIS_PPI_CHECKSUM);
        wr32(e + 8, RNDIS_PPI_HEADER);
        wr32(e + 12, csum_info);
    }
    return head;
}

/* Whether [BODY + off, + n) lies inside a message of msg_len bytes. */
static bool inside(uint32_t msg_len, uint32_t off, uint32_t n)
{
    return (uint64_t)BODY + off + n <= msg_len;
}

int rndis_parse_control(const uint8_t *msg, uint32_t len, struct rndis_reply *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (len < 12) {
        *why = "an RNDIS message shorter than 12 bytes";
        return -1;
    }
    uint32_t type = rd32(msg), msg_len = rd32(msg + 4);
    if (msg_len < 12 || msg_len > len) {
        *why = "an RNDIS msg_len outside the receive section";
        return -1;
    }
    out->type = type;
    uint32_t fixed;
    switch (type) {
    case RNDIS_INITIALIZE_MSG | RNDIS_COMPLETION:
    case RNDIS_SET_MSG | RNDIS_COMPLETION:
    case RNDIS_KEEPALIVE_MSG | RNDIS_COMPLETION:
        fixed = 16;
        break;
    case RNDIS_QUERY_MSG | RNDIS_COMPLETION:
        fixed = 24;
        break;
    case RNDIS_INDICATE_STATUS_MSG:
        fixed = 20;
        break;
    default:
        *why = "an RNDIS control message of a type the host does not send";
        return -1;
    }
    if (msg_len < fixed) {
        *why = "an RNDIS message shorter than its type's fields";
        return -1;
    }
    if (type == RNDIS_INDICATE_STATUS_MSG) {
        out->status = rd32(msg + 8);
        uint32_t blen = rd32(msg + 12), boff = rd32(msg + 16);
        if (blen != 0 && (boff < fixed - BODY || !inside(msg_len, boff, blen))) {
            *why = "an RNDIS status buffer outside the message";
            return -1;
        }
        out->info = blen != 0 ? msg + BODY + boff : NULL;
        out->info_len = blen;
        return 0;
    }
    out->req_id = rd32(msg + 8);
    out->status = rd32(msg + 12);
    if (type == (RNDIS_QUERY_MSG | RNDIS_COMPLETION)) {
        uint32_t ilen = rd32(msg + 16), ioff = rd32(msg + 20);
        if (ilen != 0 && (ioff < fixed - BODY || !inside(msg_len, ioff, ilen))) {
            *why = "an RNDIS query answer outside the message";
            return -1;
        }
        out->info = ilen != 0 ? msg + BODY + ioff : NULL;
        out->info_len = ilen;
    }
    return 0;
}

/* The PPI list: each element's size and data inside the list. */
static int parse_ppi(const uint8_t *p, uint32_t n, struct rndis_packet *out, const char **why)
{
    while (n > 0) {
        uint32_t size = n >= RNDIS_PPI_HEADER ? rd32(p) : 0;
        uint32_t off = size != 0 ? rd32(p + 8) : 0;
        if (n < RNDIS_PPI_HEADER || size < RNDIS_PPI_HEADER || size > n || size % 4 != 0 ||
            off < RNDIS_PPI_HEADER || off > size - 4) {
            *why = "an RNDIS per-packet-info element outside its list";
            return -1;
        }
        if (rd32(p + 4) == RNDIS_PPI_CHECKSUM) {
            out->has_csum = true;
            out->csum = rd32(p + off);
        }
        p += size;
        n -= size;
    }
    return 0;
}

int rndis_parse_packet(const uint8_t *msg, uint32_t len, struct rndis_packet *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (len < RNDIS_PACKET_HEADER || rd32(msg) != RNDIS_PACKET_MSG) {
        *why = "a data message that is not an RNDIS packet";
        return -1;
    }
    uint32_t msg_len = rd32(msg + 4);
    uint32_t doff = rd32(msg + 8), dlen = rd32(msg + 12);
    uint32_t oob_len = rd32(msg + 20), noob = rd32(msg + 24);
    uint32_t poff = rd32(msg + 28), plen = rd32(msg + 32);
    if (msg_len < RNDIS_PACKET_HEADER || msg_len > len) {
        *why = "an RNDIS msg_len outside the receive section";
        return -1;
    }
    if (doff < PACKET_MIN_OFFSET || dlen < 14 || !inside(msg_len, doff, dlen)) {
        *why = "RNDIS packet data outside the message";
        return -1;
    }
    if (oob_len != 0 || noob != 0) {
        *why = "RNDIS out-of-band data, which no host sends";
        return -1;
    }
    if (plen != 0) {
        if (poff < PACKET_MIN_OFFSET || poff % 4 != 0 || !inside(msg_len, poff, plen)) {
            *why = "RNDIS per-packet info outside the message";
            return -1;
        }
        if (parse_ppi(msg + BODY + poff, plen, out, why) != 0)
            return -1;
    }
    out->frame = msg + BODY + doff;
    out->frame_len = dlen;
    return 0;
}
