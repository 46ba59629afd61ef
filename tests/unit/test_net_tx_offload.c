/* TCP transmit checksum offload (net/stack/tx_offload.c): a frame prepared
 * for the device and then completed as a device would (inet_csum_complete,
 * as virtio-net's NEEDS_CSUM does) carries the checksum a full software
 * computation gives, over IPv4 and IPv6; what is not an unfragmented TCP
 * segment is left alone. */
#include "net/inet_csum.h"
#include "net/stack/tx_offload.h"
#include "tests/unit/unit.h"

static size_t build(uint8_t *f, bool v6, size_t payload, uint8_t proto)
{
    memset(f, 0, 2048);
    memcpy(f, "\x52\x54\x00\x12\x34\x56\x52\x54\x00\x12\x34\x57", 12);
    size_t ip = 14, seg_len = 20 + payload, at;
    if (!v6) {
        net_put16(f + 12, 0x0800);
        f[ip] = 0x45;
        net_put16(f + ip + 2, (uint16_t)(20 + seg_len));
        f[ip + 8] = 64;
        f[ip + 9] = proto;
        memcpy(f + ip + 12, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
        at = ip + 20;
    } else {
        net_put16(f + 12, 0x86dd);
        f[ip] = 0x60;
        net_put16(f + ip + 4, (uint16_t)seg_len);
        f[ip + 6] = proto;
        f[ip + 7] = 64;
        for (int i = 0; i < 32; i++)
            f[ip + 8 + i] = (uint8_t)(0xfd + i * 7);
        at = ip + 40;
    }
    for (size_t i = 0; i < seg_len; i++)
        f[at + i] = (uint8_t)(i * 13 + 5);
    f[at + 12] = 0x50; /* data offset 5 */
    f[at + 16] = f[at + 17] = 0;
    return at + seg_len;
}

/* The checksum as software computes it (RFC 9293, 3.1). */
static uint16_t software(const uint8_t *f, bool v6, size_t total)
{
    size_t at = v6 ? 54 : 34, len = total - at;
    uint32_t s;
    if (!v6) {
        uint8_t tail[4] = {0, 6, (uint8_t)(len >> 8), (uint8_t)len};
        s = inet_csum_add(inet_csum_add(0, f + 26, 8), tail, 4);
    } else {
        uint8_t tail[8] = {(uint8_t)(len >> 24),
                           (uint8_t)(len >> 16),
                           (uint8_t)(len >> 8),
                           (uint8_t)len,
                           0,
                           0,
                           0,
                           6};
        s = inet_csum_add(inet_csum_add(0, f + 22, 32), tail, 8);
    }
    return inet_csum_fold(inet_csum_add(s, f + at, len));
}

TEST(offloaded_checksums_complete_to_the_software_value)
{
    uint8_t f[2048];
    for (int v6 = 0; v6 <= 1; v6++) {
        for (size_t payload = 0; payload < 1400; payload += 97) {
            size_t total = build(f, v6, payload, 6);
            uint16_t want = software(f, v6, total);
            struct netdev_tx_offload o = {0};
            CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_TCP);
            CHECK(o.csum && o.csum_start == (v6 ? 54 : 34) && o.csum_offset == 16);
            CHECK_EQ(inet_csum_complete(f, total, o.csum_start, o.csum_offset), 0);
            CHECK_EQ(net_get16(f + o.csum_start + 16), want);
        }
    }
}

TEST(headers_split_across_pieces_ask_for_software)
{
    uint8_t f[2048];
    size_t total = build(f, false, 100, 6);
    struct netdev_tx_offload o = {0};
    CHECK_EQ(tx_offload_tcp(f, 40, total, &o), TX_OFFLOAD_SOFTWARE);
    CHECK(!o.csum);
    CHECK_EQ(tx_offload_tcp(f, 30, total, &o), TX_OFFLOAD_NONE); /* IP header incomplete */
}

TEST(what_is_not_an_unfragmented_tcp_segment_is_left_alone)
{
    uint8_t f[2048], copy[2048];
    struct netdev_tx_offload o = {0};
    size_t total = build(f, false, 50, 17); /* UDP */
    memcpy(copy, f, sizeof f);
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    total = build(f, true, 50, 17);
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    total = build(f, false, 50, 6);
    net_put16(f + 20, 0x2000); /* more fragments */
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    total = build(f, false, 50, 6);
    net_put16(f + 16, (uint16_t)(total)); /* total length past the frame */
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    total = build(f, false, 50, 6);
    f[14] = 0x44; /* IHL 4 */
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    total = build(f, true, 50, 6);
    net_put16(f + 18, 2000); /* payload length past the frame */
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    net_put16(f + 12, 0x0806); /* ARP */
    CHECK_EQ(tx_offload_tcp(f, total, total, &o), TX_OFFLOAD_NONE);
    CHECK_EQ(tx_offload_tcp(f, 10, 10, &o), TX_OFFLOAD_NONE);
    CHECK(!o.csum);
}

UNIT_MAIN();
