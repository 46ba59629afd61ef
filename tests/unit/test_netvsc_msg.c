/* netvsc's NVSP and RNDIS messages (drivers/netvsc/nvsp.c, rndis.c)
 * against golden bytes written from the public layouts - Linux
 * drivers/net/hyperv/hyperv_net.h (struct nvsp_message members, struct
 * rndis_message members, NDIS offload parameters) and openvmm netvsp
 * protocol.rs / rndisprot.rs - and the parsers against malformed host
 * messages, one broken rule at a time. */
#include <stdint.h>
#include <string.h>

#include "drivers/netvsc/nvsp.h"
#include "drivers/netvsc/rndis.h"
#include "unit.h"

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

#define GOLDEN(buf, len, ...)                                                                      \
    do {                                                                                           \
        static const uint8_t want[] = {__VA_ARGS__};                                               \
        CHECK_EQ((len), sizeof want);                                                              \
        CHECK(memcmp((buf), want, sizeof want) == 0);                                              \
    } while (0)

TEST(nvsp_golden_bytes)
{
    uint8_t b[NVSP_MSG_SIZE];
    /* INIT: type 1, min_ver @4, max_ver @8 (both 6.1), padded to 40 */
    GOLDEN(b, nvsp_init(b, NVSP_VERSION_61), 1, 0, 0, 0, 1, 0, 6, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    /* SEND_NDIS_CONFIG: 125, mtu @4 (1514), reserved @8, capabilities u64 @12 (none) */
    CHECK_EQ(nvsp_ndis_config(b, 1514), 40u);
    GOLDEN(b, 20u, 125, 0, 0, 0, 0xEA, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    /* SEND_NDIS_VERSION: 100, major @4, minor @8: 6.30 from NVSP 5, 6.1 below */
    nvsp_ndis_version(b, NVSP_VERSION_5);
    GOLDEN(b, 12u, 100, 0, 0, 0, 6, 0, 0, 0, 30, 0, 0, 0);
    nvsp_ndis_version(b, NVSP_VERSION_4);
    GOLDEN(b, 12u, 100, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0);
    /* SEND_RECV_BUF: 101, gpadl @4, id u16 @8 */
    nvsp_send_buf(b, NVSP_SEND_RECV_BUF, 0xE1E11, NVSP_RECV_BUF_ID);
    GOLDEN(b, 12u, 101, 0, 0, 0, 0x11, 0x1E, 0x0E, 0, 0xFE, 0xCA, 0, 0);
    /* REVOKE_RECV_BUF: 103, id u16 @4 */
    nvsp_revoke(b, NVSP_REVOKE_RECV_BUF, NVSP_RECV_BUF_ID);
    GOLDEN(b, 8u, 103, 0, 0, 0, 0xFE, 0xCA, 0, 0);
    /* SEND_RNDIS_PKT: 107, channel @4 (1 control), section @8, size @12 */
    nvsp_rndis_pkt(b, NVSP_CHANNEL_CONTROL, 5, 28);
    GOLDEN(b, 16u, 107, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0);
    /* SEND_RNDIS_PKT_COMPLETE: 108, status @4 */
    nvsp_rndis_complete(b, NVSP_STATUS_SUCCESS);
    GOLDEN(b, 8u, 108, 0, 0, 0, 1, 0, 0, 0);
}

TEST(rndis_golden_bytes)
{
    uint8_t b[128];
    /* INITIALIZE: type 2, msg_len 24, req_id @8, major 1 @12, minor 0 @16,
     * max_transfer_size 0x4000 @20 */
    GOLDEN(b, rndis_initialize(b, 1), 2, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
           0, 0x40, 0, 0);
    /* QUERY of the permanent address: type 4, 28, req_id, oid @12, info_len
     * @16 0, info_offset @20 (20, from byte 8), vc @24 0 */
    GOLDEN(b, rndis_query(b, 2, RNDIS_OID_PERMANENT_ADDRESS), 4, 0, 0, 0, 28, 0, 0, 0, 2, 0, 0, 0,
           1, 1, 1, 1, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0);
    /* SET of the packet filter to 0xD: the u32 at byte 28 */
    uint8_t v[4] = {0xD, 0, 0, 0};
    GOLDEN(b, rndis_set(b, 3, RNDIS_OID_PACKET_FILTER, v, 4), 5, 0, 0, 0, 32, 0, 0, 0, 3, 0, 0, 0,
           0x0E, 1, 1, 0, 4, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0xD, 0, 0, 0);
    /* NDIS_OFFLOAD_PARAMETERS rev 1: header {0x80, 1, 20}, ip4 @4 unchanged,
     * tcp4 @5, udp4 @6, tcp6 @7, udp6 @8 = 4 (TX and RX), the rest 0 */
    GOLDEN(b, rndis_offload_csum(b), 0x80, 1, 20, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0);
    /* HALT: type 3, 12, req_id */
    GOLDEN(b, rndis_halt(b, 9), 3, 0, 0, 0, 12, 0, 0, 0, 9, 0, 0, 0);
    /* PACKET_MSG for a 60-byte frame with a checksum PPI (TCP over IPv4,
     * header at 34): msg_len 120, data_offset 52, data_len 60, ppi_offset
     * 36, ppi_len 16; the PPI: size 16, type 0, offset 12, value */
    GOLDEN(b, rndis_packet_header(b, 60, 0x00220005), 1, 0, 0, 0, 120, 0, 0, 0, 52, 0, 0, 0, 60, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 36, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 16, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 5, 0, 0x22, 0);
    /* without one: data right after the fields */
    GOLDEN(b, rndis_packet_header(b, 60, 0), 1, 0, 0, 0, 104, 0, 0, 0, 36, 0, 0, 0, 60, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/* A transfer-page packet: descriptor, pageset 0xCAFE, n ranges, NVSP 107. */
static size_t xfer(uint8_t *p, uint16_t set, uint32_t n, const uint32_t *ranges, uint32_t msg)
{
    memset(p, 0, 256);
    size_t off = 24 + 8 * n;
    p[0] = 7;
    p[2] = (uint8_t)(off / 8);
    memcpy(p + 16, &set, 2);
    put32(p + 20, n);
    memcpy(p + 24, ranges, 8 * n);
    put32(p + off, msg);
    return off + 16;
}

TEST(transfer_pages_checked)
{
    uint8_t p[256];
    struct nvsp_xfer x;
    const char *why;
    uint32_t ok[4] = {100, 0, 60, 4096 - 60};
    size_t n = xfer(p, NVSP_RECV_BUF_ID, 2, ok, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), 0);
    uint32_t off, len;
    nvsp_xfer_range(&x, 1, &off, &len);
    CHECK(off == 4036 && len == 60);
    n = xfer(p, 0xBEEF, 2, ok, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), -1);
    CHECK_STR(why, "a transfer-page set that is not the receive buffer");
    n = xfer(p, NVSP_RECV_BUF_ID, 2, ok, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, 32, 4096, &x, &why), -1); /* offset8 inside the ranges */
    CHECK_STR(why, "transfer-page ranges that do not fit before the payload");
    uint32_t past[2] = {61, 4096 - 60};
    n = xfer(p, NVSP_RECV_BUF_ID, 1, past, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), -1);
    CHECK_STR(why, "a receive section outside the receive buffer");
    uint32_t wrap[2] = {0x100, 0xFFFFFF80u};
    n = xfer(p, NVSP_RECV_BUF_ID, 1, wrap, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), -1);
    uint32_t empty[2] = {0, 0};
    n = xfer(p, NVSP_RECV_BUF_ID, 1, empty, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), -1);
    n = xfer(p, NVSP_RECV_BUF_ID, 1, ok, NVSP_SEND_RNDIS_PKT_COMPLETE);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), -1);
    CHECK_STR(why, "a transfer-page packet whose payload is not an NVSP RNDIS packet");
    n = xfer(p, NVSP_RECV_BUF_ID, 0, ok, NVSP_SEND_RNDIS_PKT);
    CHECK_EQ(nvsp_parse_xfer(p, n, p[2] * 8u, 4096, &x, &why), -1);
}

TEST(completions_checked)
{
    uint8_t m[40] = {0};
    struct nvsp_completion c;
    const char *why;
    /* SEND_RECV_BUF_COMPLETE: status, one run of 36 sections of 1806 */
    put32(m, 102), put32(m + 4, 1), put32(m + 8, 1), put32(m + 16, 1806), put32(m + 20, 36);
    put32(m + 24, 1806 * 36);
    CHECK_EQ(nvsp_parse_completion(m, 28, NVSP_SEND_RECV_BUF_COMPLETE, 65536, &c, &why), 0);
    CHECK(c.sub_alloc_size == 1806 && c.num_sub_allocs == 36);
    CHECK_EQ(nvsp_parse_completion(m, 27, NVSP_SEND_RECV_BUF_COMPLETE, 65536, &c, &why), -1);
    CHECK_EQ(nvsp_parse_completion(m, 28, NVSP_SEND_RECV_BUF_COMPLETE, 1806 * 35, &c, &why), -1);
    put32(m + 8, 2); /* two runs */
    CHECK_EQ(nvsp_parse_completion(m, 28, NVSP_SEND_RECV_BUF_COMPLETE, 65536, &c, &why), -1);
    put32(m + 8, 1), put32(m + 16, 67); /* sections below 68 bytes */
    CHECK_EQ(nvsp_parse_completion(m, 28, NVSP_SEND_RECV_BUF_COMPLETE, 65536, &c, &why), -1);
    CHECK_EQ(nvsp_parse_completion(m, 28, NVSP_SEND_SEND_BUF_COMPLETE, 65536, &c, &why), -1);
    CHECK_STR(why, "a completion of another NVSP type than the request's");
    /* SEND_SEND_BUF_COMPLETE: section size 6144; 6146 not 4-aligned */
    memset(m, 0, sizeof m);
    put32(m, 105), put32(m + 4, 1), put32(m + 8, 6144);
    CHECK_EQ(nvsp_parse_completion(m, 12, NVSP_SEND_SEND_BUF_COMPLETE, 65536, &c, &why), 0);
    CHECK_EQ(c.section_size, 6144u);
    put32(m + 8, 6146);
    CHECK_EQ(nvsp_parse_completion(m, 12, NVSP_SEND_SEND_BUF_COMPLETE, 65536, &c, &why), -1);
    /* a refusal is reported, not judged */
    put32(m + 4, NVSP_STATUS_FAIL);
    CHECK_EQ(nvsp_parse_completion(m, 12, NVSP_SEND_SEND_BUF_COMPLETE, 65536, &c, &why), 0);
    CHECK_EQ(c.status, NVSP_STATUS_FAIL);
}

/* A PACKET_MSG with a checksum PPI around a 60-byte frame. */
static uint32_t packet(uint8_t *m)
{
    memset(m, 0, 200);
    uint32_t len = (uint32_t)rndis_packet_header(m, 60, 0x38);
    for (unsigned i = 0; i < 60; i++)
        m[len + i] = (uint8_t)i;
    return len + 60;
}

TEST(rndis_packets_checked)
{
    uint8_t m[200];
    struct rndis_packet p;
    const char *why;
    uint32_t len = packet(m);
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), 0);
    CHECK(p.frame == m + 60 && p.frame_len == 60 && p.has_csum && p.csum == 0x38);
    CHECK_EQ(rndis_parse_packet(m, len - 1, &p, &why), -1); /* msg_len past the range */
    CHECK_STR(why, "an RNDIS msg_len outside the receive section");
    packet(m), put32(m + 8, 32); /* data_offset inside the fields */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    packet(m), put32(m + 8, len - 8 - 59); /* data past the message */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    CHECK_STR(why, "RNDIS packet data outside the message");
    packet(m), put32(m + 12, 0xFFFFFFF0u); /* a length that wraps */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    packet(m), put32(m + 20, 4); /* OOB data */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    packet(m), put32(m + 28, 38); /* PPI not 4-aligned */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    packet(m), put32(m + 44, 0); /* a PPI element of size 0: never an endless walk */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    CHECK_STR(why, "an RNDIS per-packet-info element outside its list");
    packet(m), put32(m + 52, 14); /* its data past the element */
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
    packet(m), put32(m, RNDIS_QUERY_MSG | RNDIS_COMPLETION);
    CHECK_EQ(rndis_parse_packet(m, len, &p, &why), -1);
}

TEST(rndis_control_checked)
{
    uint8_t m[64] = {0};
    struct rndis_reply r;
    const char *why;
    /* QUERY_CMPLT with a 6-byte answer at offset 16 (from byte 8) */
    put32(m, RNDIS_QUERY_MSG | RNDIS_COMPLETION), put32(m + 4, 30), put32(m + 8, 7);
    put32(m + 16, 6), put32(m + 20, 16);
    memcpy(m + 24, "\x00\x15\x5d\x00\x00\x01", 6);
    CHECK_EQ(rndis_parse_control(m, 30, &r, &why), 0);
    CHECK(r.req_id == 7 && r.info == m + 24 && r.info_len == 6);
    CHECK_EQ(rndis_parse_control(m, 29, &r, &why), -1); /* msg_len past the range */
    put32(m + 16, 7);                                   /* the answer past msg_len */
    CHECK_EQ(rndis_parse_control(m, 30, &r, &why), -1);
    CHECK_STR(why, "an RNDIS query answer outside the message");
    put32(m + 16, 6), put32(m + 20, 8); /* inside the fixed fields */
    CHECK_EQ(rndis_parse_control(m, 30, &r, &why), -1);
    /* INDICATE_STATUS: status @8, buffer length @12, offset @16 */
    memset(m, 0, sizeof m);
    put32(m, RNDIS_INDICATE_STATUS_MSG), put32(m + 4, 20), put32(m + 8, RNDIS_STATUS_MEDIA_CONNECT);
    CHECK_EQ(rndis_parse_control(m, 20, &r, &why), 0);
    CHECK(r.status == RNDIS_STATUS_MEDIA_CONNECT && r.info == NULL);
    put32(m + 12, 4), put32(m + 16, 12);
    CHECK_EQ(rndis_parse_control(m, 20, &r, &why), -1);
    CHECK_STR(why, "an RNDIS status buffer outside the message");
    put32(m, RNDIS_PACKET_MSG); /* not a control message */
    CHECK_EQ(rndis_parse_control(m, 20, &r, &why), -1);
    put32(m, RNDIS_SET_MSG | RNDIS_COMPLETION), put32(m + 4, 12); /* SET_CMPLT without status */
    CHECK_EQ(rndis_parse_control(m, 20, &r, &why), -1);
    CHECK_EQ(rndis_parse_control(m, 11, &r, &why), -1);
}

UNIT_MAIN()
