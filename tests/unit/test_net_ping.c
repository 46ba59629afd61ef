/* devinfo's responder (apps/devinfo/ping_responder.c): ARP, ICMP echo and
 * UDP echo replies, checked with the kernel's checksum (net/inet_csum.c),
 * and every kind of malformed frame dropped and counted. */
#include <stdint.h>

#include "apps/devinfo/ping_responder.h"
#include "net/inet_csum.h"
#include "tests/unit/unit.h"

static const uint8_t our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t our_ip[4] = {10, 0, 0, 2};
static const uint8_t peer_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t peer_ip[4] = {10, 0, 0, 1};

static struct ping_responder R;
static uint8_t out[2048];
static struct ping_reply reply;

static void setup(void)
{
    ping_responder_init(&R, our_mac, our_ip);
    R.udp_echo = true;
    memset(out, 0xee, sizeof out);
}

static size_t arp_request(uint8_t *f, const uint8_t *target_ip, uint16_t op)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, peer_mac, 6);
    net_put16(f + 12, ETH_TYPE_ARP);
    uint8_t *a = f + 14;
    net_put16(a, 1);
    net_put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    net_put16(a + 6, op);
    memcpy(a + 8, peer_mac, 6);
    memcpy(a + 14, peer_ip, 4);
    memcpy(a + 24, target_ip, 4);
    return 42;
}

/* An IPv4 frame to us with payload of plen bytes (protocol proto); returns
 * its length. Options of optlen bytes (a multiple of 4) are added. */
static size_t ipv4_frame(uint8_t *f, uint8_t proto, const uint8_t *payload, size_t plen,
                         size_t optlen)
{
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    net_put16(f + 12, ETH_TYPE_IPV4);
    uint8_t *ip = f + 14;
    size_t hlen = 20 + optlen;
    ip[0] = (uint8_t)(0x40 | hlen / 4);
    ip[1] = 0;
    net_put16(ip + 2, (uint16_t)(hlen + plen));
    net_put16(ip + 4, 0x1234);
    net_put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = proto;
    net_put16(ip + 10, 0);
    memcpy(ip + 12, peer_ip, 4);
    memcpy(ip + 16, our_ip, 4);
    memset(ip + 20, 1, optlen); /* NOP options */
    net_put16(ip + 10, inet_csum(ip, hlen));
    memcpy(ip + hlen, payload, plen);
    return 14 + hlen + plen;
}

static void fix_ip_csum(uint8_t *f)
{
    uint8_t *ip = f + 14;
    size_t hlen = (size_t)(ip[0] & 15) * 4;
    net_put16(ip + 10, 0);
    net_put16(ip + 10, inet_csum(ip, hlen));
}

static size_t echo_payload(uint8_t *m, size_t datalen)
{
    m[0] = 8;
    m[1] = 0;
    net_put16(m + 2, 0);
    net_put16(m + 4, 0xbeef); /* identifier */
    net_put16(m + 6, 7);      /* sequence */
    for (size_t i = 0; i < datalen; i++)
        m[8 + i] = (uint8_t)(i * 13 + 5);
    net_put16(m + 2, inet_csum(m, 8 + datalen));
    return 8 + datalen;
}

static size_t echo_request(uint8_t *f, size_t datalen)
{
    uint8_t m[1600];
    size_t n = echo_payload(m, datalen);
    return ipv4_frame(f, 1, m, n, 0);
}

static size_t udp_datagram(uint8_t *f, uint16_t dport, const char *text, bool with_csum)
{
    uint8_t u[512];
    size_t tl = strlen(text);
    net_put16(u, 40000);
    net_put16(u + 2, dport);
    net_put16(u + 4, (uint16_t)(8 + tl));
    net_put16(u + 6, 0);
    memcpy(u + 8, text, tl);
    if (with_csum) {
        uint8_t ph[12];
        memcpy(ph, peer_ip, 4);
        memcpy(ph + 4, our_ip, 4);
        ph[8] = 0;
        ph[9] = 17;
        net_put16(ph + 10, (uint16_t)(8 + tl));
        uint16_t c = inet_csum_fold(inet_csum_add(inet_csum_add(0, ph, 12), u, 8 + tl));
        net_put16(u + 6, c ? c : 0xffff);
    }
    return ipv4_frame(f, 17, u, 8 + tl, 0);
}

static enum ping_result handle(const uint8_t *f, size_t len)
{
    return ping_responder_handle(&R, f, len, out, sizeof out, &reply);
}

/* ---- checksum ---- */

TEST(csum_rfc1071_example)
{
    /* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
    const uint8_t d[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_EQ(inet_csum(d, 8), (uint16_t)~0xddf2);
    /* An odd length pads with a zero byte. */
    const uint8_t e[3] = {0x12, 0x34, 0x56};
    CHECK_EQ(inet_csum(e, 3), (uint16_t) ~(0x1234 + 0x5600));
    CHECK_EQ(inet_csum(e, 0), 0xffff);
}

TEST(csum_pieces_add_up)
{
    uint8_t d[301];
    for (size_t i = 0; i < sizeof d; i++)
        d[i] = (uint8_t)(i * 37 + 11);
    uint32_t s = inet_csum_add(inet_csum_add(0, d, 100), d + 100, 201);
    CHECK_EQ(inet_csum_fold(s), inet_csum(d, sizeof d));
}

TEST(csum_complete_fills_field)
{
    uint8_t f[64];
    for (size_t i = 0; i < sizeof f; i++)
        f[i] = (uint8_t)(i * 3);
    net_put16(f + 20 + 6, 0x1234); /* a partial pseudo-header sum */
    CHECK_EQ(inet_csum_complete(f, sizeof f, 20, 6), 0);
    /* The stored value makes the sum with the pseudo-header part zero:
     * partial + rest + stored = all ones. */
    uint8_t g[64];
    memcpy(g, f, sizeof g);
    uint16_t stored = net_get16(g + 26);
    net_put16(g + 26, 0);
    CHECK_EQ(inet_csum_fold(inet_csum_add(0x1234 + stored, g + 20, 44)), 0);
    CHECK(memcmp(f, g, 26) == 0); /* nothing else changed */
}

TEST(csum_complete_checks_range)
{
    uint8_t f[40] = {0};
    uint8_t copy[40];
    memcpy(copy, f, sizeof f);
    CHECK_EQ(inet_csum_complete(f, 40, 38, 1), -1); /* field would end at 41 */
    CHECK_EQ(inet_csum_complete(f, 40, 41, 0), -1);
    CHECK_EQ(inet_csum_complete(f, 40, 0, 39), -1);
    CHECK_EQ(inet_csum_complete(f, 40, (size_t)-1, 2), -1);
    CHECK_EQ(inet_csum_complete(f, 40, 2, (size_t)-1), -1);
    CHECK(memcmp(f, copy, sizeof f) == 0);
    CHECK_EQ(inet_csum_complete(f, 40, 38, 0), 0); /* the last two bytes */
}

/* A UDP datagram with its checksum left partial (as a NEEDS_CSUM frame from
 * a TAP carries it) is valid after inet_csum_complete. */
TEST(csum_complete_makes_valid_udp)
{
    uint8_t f[256];
    size_t len = udp_datagram(f, 7, "hello partial", false);
    uint8_t *u = f + 34;
    uint8_t ph[12];
    memcpy(ph, peer_ip, 4);
    memcpy(ph + 4, our_ip, 4);
    ph[8] = 0;
    ph[9] = 17;
    net_put16(ph + 10, net_get16(u + 4));
    net_put16(u + 6, (uint16_t)~inet_csum_fold(inet_csum_add(0, ph, 12)));
    CHECK_EQ(inet_csum_complete(f, len, 34, 6), 0);
    setup();
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(reply.kind, PING_KIND_UDP);
}

/* ---- ARP ---- */

TEST(arp_request_for_us_answered)
{
    setup();
    uint8_t f[64];
    size_t len = arp_request(f, our_ip, 1);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(reply.kind, PING_KIND_ARP);
    CHECK_EQ(reply.len, 60u);
    CHECK(memcmp(out, peer_mac, 6) == 0);
    CHECK(memcmp(out + 6, our_mac, 6) == 0);
    CHECK_EQ(net_get16(out + 12), ETH_TYPE_ARP);
    CHECK_EQ(net_get16(out + 14 + 6), 2);
    CHECK(memcmp(out + 14 + 8, our_mac, 6) == 0);
    CHECK(memcmp(out + 14 + 14, our_ip, 4) == 0);
    CHECK(memcmp(out + 14 + 18, peer_mac, 6) == 0);
    CHECK(memcmp(out + 14 + 24, peer_ip, 4) == 0);
    for (size_t i = 42; i < 60; i++)
        CHECK_EQ(out[i], 0);
    CHECK_EQ(R.count.arp_replies, 1u);
    CHECK_EQ(R.count.malformed, 0u);
}

TEST(arp_other_target_or_reply_ignored)
{
    setup();
    uint8_t f[64];
    const uint8_t other[4] = {10, 0, 0, 3};
    CHECK_EQ(handle(f, arp_request(f, other, 1)), PING_IGNORED);
    CHECK_EQ(handle(f, arp_request(f, our_ip, 2)), PING_IGNORED);
    CHECK_EQ(R.count.ignored, 2u);
    CHECK_EQ(R.count.arp_replies, 0u);
}

TEST(arp_malformed_dropped)
{
    setup();
    uint8_t f[64];
    size_t len = arp_request(f, our_ip, 1);
    CHECK_EQ(handle(f, 41), PING_MALFORMED); /* one byte short */
    CHECK(strstr(R.last_error, "too short") != NULL);
    f[15] = 6; /* hardware type 0x0106 */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    arp_request(f, our_ip, 1);
    f[14 + 4] = 8; /* hardware size */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    arp_request(f, our_ip, 1);
    f[14 + 5] = 16; /* protocol size */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    arp_request(f, our_ip, 1);
    net_put16(f + 14 + 2, 0x86dd); /* protocol IPv6 */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    arp_request(f, our_ip, 3);
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK(strstr(R.last_error, "operation 3") != NULL);
    arp_request(f, our_ip, 1);
    f[14 + 8] |= 1; /* multicast sender */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK_EQ(R.count.malformed, 7u);
    CHECK_EQ(R.count.arp_replies, 0u);
}

TEST(arp_reply_needs_room)
{
    setup();
    uint8_t f[64];
    size_t len = arp_request(f, our_ip, 1);
    CHECK_EQ(ping_responder_handle(&R, f, len, out, 59, &reply), PING_NO_ROOM);
    CHECK_EQ(R.count.no_room, 1u);
}

/* ---- Ethernet ---- */

TEST(ethernet_filters)
{
    setup();
    uint8_t f[128];
    size_t len = echo_request(f, 16);
    CHECK_EQ(handle(f, 13), PING_MALFORMED);
    CHECK_EQ(handle(NULL, 0), PING_MALFORMED);
    f[5] ^= 1; /* another unicast MAC */
    CHECK_EQ(handle(f, len), PING_IGNORED);
    f[5] ^= 1;
    f[0] = 0x01; /* multicast destination, not broadcast */
    CHECK_EQ(handle(f, len), PING_IGNORED);
    memcpy(f, our_mac, 6);
    f[6] = 0x03; /* multicast source */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    f[6] = peer_mac[0];
    net_put16(f + 12, 0x86dd);
    CHECK_EQ(handle(f, len), PING_IGNORED);
    net_put16(f + 12, 0x8100); /* VLAN tags are not handled */
    CHECK_EQ(handle(f, len), PING_IGNORED);
    CHECK_EQ(R.count.frames, 7u);
}

/* ---- ICMP echo ---- */

TEST(echo_request_answered)
{
    setup();
    uint8_t f[1600];
    size_t len = echo_request(f, 56);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(reply.kind, PING_KIND_ICMP);
    CHECK_EQ(reply.len, len);
    CHECK(!reply.csum_partial);
    CHECK(memcmp(out, peer_mac, 6) == 0);
    CHECK(memcmp(out + 6, our_mac, 6) == 0);
    const uint8_t *ip = out + 14;
    CHECK_EQ(ip[0], 0x45);
    CHECK_EQ(net_get16(ip + 2), 20 + 64);
    CHECK_EQ(ip[8], 64);
    CHECK_EQ(ip[9], 1);
    CHECK(memcmp(ip + 12, our_ip, 4) == 0);
    CHECK(memcmp(ip + 16, peer_ip, 4) == 0);
    CHECK_EQ(inet_csum(ip, 20), 0);
    const uint8_t *m = ip + 20;
    CHECK_EQ(m[0], 0);
    CHECK_EQ(m[1], 0);
    CHECK_EQ(inet_csum(m, 64), 0);
    CHECK(memcmp(m + 4, f + 34 + 4, 60) == 0); /* id, seq, data */
    CHECK_EQ(R.count.echo_replies, 1u);
    /* Identifications of consecutive replies differ. */
    uint16_t id1 = net_get16(ip + 4);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK(net_get16(out + 14 + 4) != id1);
}

TEST(echo_small_padded_and_large)
{
    setup();
    uint8_t f[1600];
    size_t len = echo_request(f, 0); /* 42 bytes: the reply is padded to 60 */
    CHECK_EQ(len, 42u);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(reply.len, 60u);
    CHECK_EQ(inet_csum(out + 34, 8), 0);
    /* The request itself arrives padded: bytes beyond total length ignored. */
    memset(f + len, 0xaa, 60 - len);
    CHECK_EQ(handle(f, 60), PING_REPLY);
    CHECK_EQ(net_get16(out + 14 + 2), 28);
    len = echo_request(f, 1472); /* a full 1500-byte datagram */
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(reply.len, 1514u);
    CHECK_EQ(inet_csum(out + 34, 1480), 0);
}

TEST(echo_with_ip_options_answered_without)
{
    setup();
    uint8_t m[64], f[128];
    size_t n = echo_payload(m, 20);
    size_t len = ipv4_frame(f, 1, m, n, 8);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(out[14], 0x45);
    CHECK_EQ(reply.len, len - 8);
    CHECK_EQ(inet_csum(out + 14, 20), 0);
    CHECK_EQ(inet_csum(out + 34, n), 0);
}

TEST(echo_checksum_offload_leaves_partial)
{
    setup();
    R.tx_csum_offload = true;
    uint8_t f[256];
    size_t len = echo_request(f, 100);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK(reply.csum_partial);
    CHECK_EQ(reply.csum_start, 34);
    CHECK_EQ(reply.csum_offset, 2);
    CHECK_EQ(net_get16(out + 36), 0);
    CHECK_EQ(inet_csum(out + 14, 20), 0); /* the IP header is always complete */
    CHECK_EQ(inet_csum_complete(out, reply.len, reply.csum_start, reply.csum_offset), 0);
    CHECK_EQ(inet_csum(out + 34, 108), 0);
}

TEST(ipv4_malformed_dropped)
{
    setup();
    uint8_t f[256];
    size_t len = echo_request(f, 16);
    CHECK_EQ(handle(f, 14 + 19), PING_MALFORMED);
    f[14] = 0x65; /* version 6 */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK(strstr(R.last_error, "version 6") != NULL);
    f[14] = 0x44; /* IHL 4 */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    f[14] = 0x4f; /* IHL 15: 60 bytes, more than the frame's IP part after total */
    CHECK_EQ(handle(f, 14 + 40), PING_MALFORMED);
    len = echo_request(f, 16);
    net_put16(f + 16, (uint16_t)(len - 14 + 1)); /* total beyond the frame */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK(strstr(R.last_error, "total length") != NULL);
    net_put16(f + 16, 19); /* total below the header */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    len = echo_request(f, 16);
    f[24] ^= 0x40; /* header checksum */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK(strstr(R.last_error, "header checksum") != NULL);
    const uint8_t bad_sources[][4] = {
        {0, 0, 0, 0}, {127, 0, 0, 1}, {224, 0, 0, 1}, {255, 255, 255, 255}};
    for (unsigned i = 0; i < 4; i++) {
        len = echo_request(f, 16);
        memcpy(f + 26, bad_sources[i], 4);
        fix_ip_csum(f);
        CHECK_EQ(handle(f, len), PING_MALFORMED);
    }
    CHECK_EQ(R.count.malformed, 11u);
    CHECK_EQ(R.count.echo_replies, 0u);
}

TEST(ipv4_not_for_us_or_fragment)
{
    setup();
    uint8_t f[256];
    size_t len = echo_request(f, 16);
    f[33] = 9; /* 10.0.0.9 */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_IGNORED);
    len = echo_request(f, 16);
    net_put16(f + 20, 0x2000); /* more fragments */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_UNSUPPORTED);
    net_put16(f + 20, 0x0010); /* offset 128 */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_UNSUPPORTED);
    len = echo_request(f, 16);
    f[23] = 6; /* TCP */
    fix_ip_csum(f);
    CHECK_EQ(handle(f, len), PING_IGNORED);
    CHECK_EQ(R.count.unsupported, 2u);
    CHECK_EQ(R.count.ignored, 2u);
}

TEST(icmp_malformed_dropped)
{
    setup();
    uint8_t f[256];
    size_t len = echo_request(f, 16);
    f[34 + 9] ^= 1; /* data changed, checksum not */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK(strstr(R.last_error, "ICMP: bad checksum") != NULL);
    uint8_t m[8] = {8, 0, 0, 0, 0, 1, 0, 1};
    net_put16(m + 2, inet_csum(m, 8));
    len = ipv4_frame(f, 1, m, 7, 0); /* 7 bytes of ICMP */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    m[1] = 3; /* echo request with a code */
    net_put16(m + 2, 0);
    net_put16(m + 2, inet_csum(m, 8));
    len = ipv4_frame(f, 1, m, 8, 0);
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    m[0] = 0; /* an echo reply is not answered */
    m[1] = 0;
    net_put16(m + 2, 0);
    net_put16(m + 2, inet_csum(m, 8));
    len = ipv4_frame(f, 1, m, 8, 0);
    CHECK_EQ(handle(f, len), PING_IGNORED);
    CHECK_EQ(R.count.malformed, 3u);
}

TEST(echo_reply_needs_room)
{
    setup();
    uint8_t f[1600];
    size_t len = echo_request(f, 1000);
    CHECK_EQ(ping_responder_handle(&R, f, len, out, len - 1, &reply), PING_NO_ROOM);
    CHECK_EQ(ping_responder_handle(&R, f, len, out, len, &reply), PING_REPLY);
    CHECK_EQ(R.count.no_room, 1u);
}

/* Every truncation of an exact-size request cuts into the datagram: none may
 * be answered, and none may read past its length (ASan watches). */
TEST(truncations_never_answered)
{
    setup();
    uint8_t f[200];
    size_t len = echo_request(f, 100);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, f, n);
        CHECK(handle(n ? copy : NULL, n) != PING_REPLY);
        free(copy);
    }
    CHECK_EQ(R.count.echo_replies, 0u);
    CHECK_EQ(R.count.malformed, len);
}

/* Random corruption: no crash, no read beyond the frame, replies fit. */
TEST(random_corruption_is_safe)
{
    setup();
    uint32_t seed = 12345;
    unsigned replies = 0;
    for (int iter = 0; iter < 20000; iter++) {
        uint8_t f[200];
        size_t len = iter % 3 == 0   ? arp_request(f, our_ip, 1)
                     : iter % 3 == 1 ? echo_request(f, 60)
                                     : udp_datagram(f, 7, "some payload here", true);
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            f[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 20) % 8));
        }
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 8 == 0 ? (seed >> 4) % (len + 1) : len;
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, f, n);
        uint8_t small[128];
        enum ping_result res = ping_responder_handle(&R, copy, n, small, sizeof small, &reply);
        if (res == PING_REPLY) {
            replies++;
            CHECK(reply.len <= sizeof small);
            CHECK(reply.len >= ETH_ZLEN);
        }
        free(copy);
    }
    CHECK(replies > 0);
    CHECK_EQ(R.count.frames, 20000u);
}

/* ---- UDP echo ---- */

TEST(udp_echo_answered)
{
    setup();
    uint8_t f[256];
    size_t len = udp_datagram(f, 7, "echo me", true);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(reply.kind, PING_KIND_UDP);
    const uint8_t *u = out + 34;
    CHECK_EQ(net_get16(u), 7);
    CHECK_EQ(net_get16(u + 2), 40000);
    CHECK_EQ(net_get16(u + 4), 15);
    CHECK(memcmp(u + 8, "echo me", 7) == 0);
    uint8_t ph[12];
    memcpy(ph, our_ip, 4);
    memcpy(ph + 4, peer_ip, 4);
    ph[8] = 0;
    ph[9] = 17;
    net_put16(ph + 10, 15);
    CHECK_EQ(inet_csum_fold(inet_csum_add(inet_csum_add(0, ph, 12), u, 15)), 0);
    /* Without a checksum (0) the datagram is still answered. */
    len = udp_datagram(f, 7, "no checksum", false);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK_EQ(R.count.udp_replies, 2u);
}

TEST(udp_offload_partial_completes)
{
    setup();
    R.tx_csum_offload = true;
    uint8_t f[256];
    size_t len = udp_datagram(f, 7, "offloaded checksum", true);
    CHECK_EQ(handle(f, len), PING_REPLY);
    CHECK(reply.csum_partial);
    CHECK_EQ(reply.csum_offset, 6);
    size_t ulen = net_get16(out + 34 + 4);
    CHECK_EQ(inet_csum_complete(out, 34 + ulen, reply.csum_start, reply.csum_offset), 0);
    uint8_t ph[12];
    memcpy(ph, our_ip, 4);
    memcpy(ph + 4, peer_ip, 4);
    ph[8] = 0;
    ph[9] = 17;
    net_put16(ph + 10, (uint16_t)ulen);
    CHECK_EQ(inet_csum_fold(inet_csum_add(inet_csum_add(0, ph, 12), out + 34, ulen)), 0);
}

TEST(udp_malformed_or_other_port)
{
    setup();
    uint8_t f[256];
    size_t len = udp_datagram(f, 7, "payload", true);
    f[len - 1] ^= 0x10;
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    CHECK(strstr(R.last_error, "UDP: bad checksum") != NULL);
    len = udp_datagram(f, 7, "payload", false);
    net_put16(f + 34 + 4, 7); /* UDP length below its header */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    net_put16(f + 34 + 4, 16); /* beyond the IP datagram */
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    uint8_t u[4] = {0};
    len = ipv4_frame(f, 17, u, 4, 0);
    CHECK_EQ(handle(f, len), PING_MALFORMED);
    len = udp_datagram(f, 53, "dns?", true);
    CHECK_EQ(handle(f, len), PING_IGNORED);
    R.udp_echo = false;
    len = udp_datagram(f, 7, "off", true);
    CHECK_EQ(handle(f, len), PING_IGNORED);
    CHECK_EQ(R.count.malformed, 4u);
    CHECK_EQ(R.count.udp_replies, 0u);
}

/* ---- address parsing ---- */

TEST(parse_ipv4)
{
    uint8_t ip[4];
    CHECK_EQ(ping_parse_ipv4("10.0.0.2", ip), 0);
    CHECK(ip[0] == 10 && ip[1] == 0 && ip[2] == 0 && ip[3] == 2);
    CHECK_EQ(ping_parse_ipv4("255.255.255.255", ip), 0);
    const char *bad[] = {"",        "10.0.0",     "10.0.0.2.", "10.0.0.256", "1.2.3.4x", "a.b.c.d",
                         "10..0.2", "0010.0.0.1", "10.0.0.-1", " 10.0.0.1",  NULL};
    for (int i = 0; bad[i]; i++)
        CHECK_EQ(ping_parse_ipv4(bad[i], ip), -1);
    CHECK_EQ(ping_parse_ipv4(NULL, ip), -1);
}

UNIT_MAIN()
