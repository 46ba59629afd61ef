/* drivers/virtio/net_hdr.c: receive buffers merged (MRG_RXBUF), counts and
 * lengths from the device checked, NEEDS_CSUM frames completed, transmit
 * headers for checksum offload. */
#include <stdint.h>

#include "drivers/virtio/net_hdr.h"
#include "net/inet_csum.h"
#include "tests/unit/unit.h"

#define CAP 1518
static uint8_t assembly[CAP];
static struct vnet_rx RX;

static void setup(bool mergeable)
{
    memset(&RX, 0, sizeof RX);
    RX.mergeable = mergeable;
    RX.hdr_len = VIRTIO_NET_HDR_LEN;
    RX.max_buffers = 16;
    RX.assembly = assembly;
    RX.capacity = CAP;
}

/* A receive buffer: header then payload bytes. */
static size_t make_buf(uint8_t *b, uint16_t num_buffers, uint8_t flags, const uint8_t *payload,
                       size_t plen)
{
    struct virtio_net_hdr h = {.flags = flags, .num_buffers = num_buffers};
    memcpy(b, &h, sizeof h);
    memcpy(b + 12, payload, plen);
    return 12 + plen;
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + seed);
}

/* A UDP/IPv4 frame with the UDP checksum left partial, as a TAP hands a
 * NEEDS_CSUM frame over: the field holds the pseudo-header sum. */
static size_t partial_udp_frame(uint8_t *f, size_t payload)
{
    memset(f, 0, 42 + payload);
    net_put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    net_put16(ip + 2, (uint16_t)(28 + payload));
    ip[8] = 64;
    ip[9] = 17;
    const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    net_put16(ip + 10, inet_csum(ip, 20));
    uint8_t *u = ip + 20;
    net_put16(u, 1234);
    net_put16(u + 2, 7);
    net_put16(u + 4, (uint16_t)(8 + payload));
    pattern(u + 8, payload, 3);
    uint8_t ph[12];
    memcpy(ph, src, 4);
    memcpy(ph + 4, dst, 4);
    ph[8] = 0;
    ph[9] = 17;
    net_put16(ph + 10, (uint16_t)(8 + payload));
    net_put16(u + 6, (uint16_t)~inet_csum_fold(inet_csum_add(0, ph, 12)));
    return 42 + payload;
}

static bool udp_checksum_ok(const uint8_t *f)
{
    const uint8_t *ip = f + 14, *u = ip + 20;
    uint16_t ulen = net_get16(u + 4);
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = 17;
    net_put16(ph + 10, ulen);
    return inet_csum_fold(inet_csum_add(inet_csum_add(0, ph, 12), u, ulen)) == 0;
}

TEST(single_buffer_frame_not_copied)
{
    setup(false);
    uint8_t b[2048], p[100];
    pattern(p, sizeof p, 1);
    size_t len = make_buf(b, 77, 0, p, sizeof p); /* num_buffers ignored without MRG */
    uint8_t *frame;
    size_t flen;
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)len, &frame, &flen), VNET_RX_FRAME);
    CHECK(frame == b + 12);
    CHECK_EQ(flen, 100u);
    CHECK_EQ(RX.frames, 1u);
}

/* 5.1.6.1: a legacy device's header lacks num_buffers unless MRG_RXBUF is
 * negotiated. */
TEST(header_sizes)
{
    CHECK_EQ(vnet_hdr_bytes(true, false), 12u);
    CHECK_EQ(vnet_hdr_bytes(true, true), 12u);
    CHECK_EQ(vnet_hdr_bytes(false, true), 12u);
    CHECK_EQ(vnet_hdr_bytes(false, false), 10u);
}

TEST(legacy_ten_byte_header)
{
    setup(false);
    RX.hdr_len = VIRTIO_NET_HDR_LEN_LEGACY;
    uint8_t b[2048], f[200];
    size_t flen0 = partial_udp_frame(f, 100);
    /* flags NEEDS_CSUM, csum_start 34, csum_offset 6, then the frame at 10. */
    struct virtio_net_hdr h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6};
    memcpy(b, &h, 10);
    memcpy(b + 10, f, flen0);
    uint8_t *frame;
    size_t flen;
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)(10 + flen0), &frame, &flen), VNET_RX_FRAME);
    CHECK(frame == b + 10);
    CHECK_EQ(flen, flen0);
    CHECK(udp_checksum_ok(frame));
    CHECK_EQ(RX.csum_completed, 1u);
    for (uint32_t len = 0; len < 10; len++)
        CHECK_EQ(vnet_rx_feed(&RX, b, len, &frame, &flen), VNET_RX_BROKEN);
    CHECK(strstr(RX.error, "shorter than the 10-byte header") != NULL);
    /* A 10-byte header with MRG_RXBUF is the driver's mistake: refused. */
    setup(true);
    RX.hdr_len = VIRTIO_NET_HDR_LEN_LEGACY;
    CHECK_EQ(vnet_rx_feed(&RX, b, 100, &frame, &flen), VNET_RX_BROKEN);
    CHECK(strstr(RX.error, "driver set a 10-byte header") != NULL);
}

TEST(short_buffer_breaks_device)
{
    setup(true);
    uint8_t b[64] = {0};
    uint8_t *frame;
    size_t flen;
    for (uint32_t len = 0; len < 12; len++)
        CHECK_EQ(vnet_rx_feed(&RX, b, len, &frame, &flen), VNET_RX_BROKEN);
    CHECK(strstr(RX.error, "shorter than the 12-byte header") != NULL);
}

TEST(runt_frame_dropped)
{
    setup(true);
    uint8_t b[64], p[13] = {0};
    size_t len = make_buf(b, 1, 0, p, sizeof p);
    uint8_t *frame;
    size_t flen;
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)len, &frame, &flen), VNET_RX_DROP);
    CHECK(frame == NULL);
    CHECK_EQ(RX.dropped, 1u);
    len = make_buf(b, 1, 0, p, 0); /* header only */
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)len, &frame, &flen), VNET_RX_DROP);
}

TEST(num_buffers_checked)
{
    setup(true);
    uint8_t b[64], p[20] = {0};
    uint8_t *frame;
    size_t flen;
    size_t len = make_buf(b, 0, 0, p, sizeof p);
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)len, &frame, &flen), VNET_RX_BROKEN);
    len = make_buf(b, 17, 0, p, sizeof p);
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)len, &frame, &flen), VNET_RX_BROKEN);
    CHECK(strstr(RX.error, "num_buffers 17") != NULL);
    len = make_buf(b, 0xffff, 0, p, sizeof p);
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)len, &frame, &flen), VNET_RX_BROKEN);
}

TEST(merged_frame_reassembled)
{
    setup(true);
    uint8_t whole[1514];
    pattern(whole, sizeof whole, 9);
    /* 3 buffers: 500 bytes after the header, then 600, then 414. */
    uint8_t b1[512 + 12], b2[600], b3[414];
    size_t l1 = make_buf(b1, 3, 0, whole, 500);
    memcpy(b2, whole + 500, 600);
    memcpy(b3, whole + 1100, 414);
    uint8_t *frame;
    size_t flen;
    CHECK_EQ(vnet_rx_feed(&RX, b1, (uint32_t)l1, &frame, &flen), VNET_RX_MORE);
    CHECK_EQ(vnet_rx_feed(&RX, b2, 600, &frame, &flen), VNET_RX_MORE);
    CHECK_EQ(vnet_rx_feed(&RX, b3, 414, &frame, &flen), VNET_RX_FRAME);
    CHECK(frame == assembly);
    CHECK_EQ(flen, 1514u);
    CHECK(memcmp(frame, whole, 1514) == 0);
    CHECK_EQ(RX.merged_frames, 1u);
    /* The next buffer starts a new frame. */
    size_t l = make_buf(b1, 1, 0, whole, 60);
    CHECK_EQ(vnet_rx_feed(&RX, b1, (uint32_t)l, &frame, &flen), VNET_RX_FRAME);
    CHECK(frame == b1 + 12);
}

TEST(too_long_merged_frame_consumed_then_dropped)
{
    setup(true);
    uint8_t b[2048], p[1000];
    pattern(p, sizeof p, 2);
    uint8_t *frame;
    size_t flen;
    size_t l = make_buf(b, 3, 0, p, 1000);
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)l, &frame, &flen), VNET_RX_MORE);
    CHECK_EQ(vnet_rx_feed(&RX, p, 1000, &frame, &flen), VNET_RX_MORE); /* now 2000 > 1518 */
    CHECK_EQ(vnet_rx_feed(&RX, p, 10, &frame, &flen), VNET_RX_DROP);
    CHECK(strstr(RX.error, "longer than") != NULL);
    CHECK_EQ(RX.dropped, 1u);
    /* First buffer alone over the capacity: also consumed to its end. */
    uint8_t big[12 + 1600];
    memset(big, 0, sizeof big);
    struct virtio_net_hdr h = {.num_buffers = 2};
    memcpy(big, &h, sizeof h);
    CHECK_EQ(vnet_rx_feed(&RX, big, sizeof big, &frame, &flen), VNET_RX_MORE);
    CHECK_EQ(vnet_rx_feed(&RX, p, 1, &frame, &flen), VNET_RX_DROP);
    /* A single buffer longer than the capacity. */
    h.num_buffers = 1;
    memcpy(big, &h, sizeof h);
    CHECK_EQ(vnet_rx_feed(&RX, big, sizeof big, &frame, &flen), VNET_RX_DROP);
    /* And the stream is in step again. */
    l = make_buf(b, 1, 0, p, 100);
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)l, &frame, &flen), VNET_RX_FRAME);
    CHECK_EQ(flen, 100u);
}

TEST(needs_csum_completed_single_buffer)
{
    setup(false);
    uint8_t f[200], b[256];
    size_t flen0 = partial_udp_frame(f, 100);
    CHECK(!udp_checksum_ok(f));
    struct virtio_net_hdr h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6, .num_buffers = 1};
    memcpy(b, &h, sizeof h);
    memcpy(b + 12, f, flen0);
    uint8_t *frame;
    size_t flen;
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)(12 + flen0), &frame, &flen), VNET_RX_FRAME);
    CHECK(udp_checksum_ok(frame));
    CHECK_EQ(RX.csum_completed, 1u);
}

TEST(needs_csum_completed_across_buffers)
{
    setup(true);
    uint8_t f[1200];
    size_t flen0 = partial_udp_frame(f, 1100);
    /* Split so the checksum field (bytes 40..41) straddles two buffers. */
    uint8_t b1[64];
    struct virtio_net_hdr h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6, .num_buffers = 2};
    memcpy(b1, &h, sizeof h);
    memcpy(b1 + 12, f, 41);
    uint8_t *frame;
    size_t flen;
    CHECK_EQ(vnet_rx_feed(&RX, b1, 12 + 41, &frame, &flen), VNET_RX_MORE);
    CHECK_EQ(vnet_rx_feed(&RX, f + 41, (uint32_t)(flen0 - 41), &frame, &flen), VNET_RX_FRAME);
    CHECK_EQ(flen, flen0);
    CHECK(udp_checksum_ok(frame));
}

TEST(needs_csum_out_of_range_dropped)
{
    setup(false);
    uint8_t f[200], b[256];
    size_t flen0 = partial_udp_frame(f, 20);
    const uint16_t bad[][2] = {{(uint16_t)flen0, 0},
                               {(uint16_t)(flen0 - 1), 0},
                               {34, 200},
                               {0xffff, 0xffff},
                               {(uint16_t)(flen0 - 2), 1}};
    for (unsigned i = 0; i < 5; i++) {
        struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
                                   .csum_start = bad[i][0],
                                   .csum_offset = bad[i][1],
                                   .num_buffers = 1};
        memcpy(b, &h, sizeof h);
        memcpy(b + 12, f, flen0);
        uint8_t *frame;
        size_t flen;
        CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)(12 + flen0), &frame, &flen), VNET_RX_DROP);
        CHECK(memcmp(b + 12, f, flen0) == 0); /* untouched */
    }
    CHECK(strstr(RX.error, "NEEDS_CSUM") != NULL);
    CHECK_EQ(RX.dropped, 5u);
    CHECK_EQ(RX.csum_completed, 0u);
}

TEST(gso_frame_dropped_data_valid_counted)
{
    setup(true);
    uint8_t b[128], p[60] = {0};
    uint8_t *frame;
    size_t flen;
    size_t l = make_buf(b, 1, 0, p, sizeof p);
    b[1] = 1; /* GSO TCPv4 */
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)l, &frame, &flen), VNET_RX_DROP);
    CHECK(strstr(RX.error, "GSO") != NULL);
    l = make_buf(b, 1, VIRTIO_NET_HDR_F_DATA_VALID, p, sizeof p);
    CHECK_EQ(vnet_rx_feed(&RX, b, (uint32_t)l, &frame, &flen), VNET_RX_FRAME);
    CHECK_EQ(RX.data_valid, 1u);
}

TEST(tx_header)
{
    struct virtio_net_hdr h;
    memset(&h, 0xaa, sizeof h);
    CHECK_EQ(vnet_tx_header(&h, 100, false, 0, 0, true), 0);
    CHECK_EQ(h.flags, 0);
    CHECK_EQ(h.gso_type, 0);
    CHECK_EQ(h.num_buffers, 0);
    CHECK_EQ(h.csum_start, 0);
    CHECK_EQ(vnet_tx_header(&h, 100, true, 34, 6, true), 0);
    CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    CHECK_EQ(h.csum_start, 34);
    CHECK_EQ(h.csum_offset, 6);
    CHECK_EQ(h.hdr_len, 42);
    CHECK_EQ(vnet_tx_header(&h, 100, true, 34, 6, false), 1);
    CHECK_EQ(h.flags, 0);
    CHECK_EQ(vnet_tx_header(&h, 100, true, 98, 0, true), 0);
    CHECK_EQ(vnet_tx_header(&h, 100, true, 98, 1, true), -1);
    CHECK_EQ(vnet_tx_header(&h, 100, true, 101, 0, true), -1);
    CHECK_EQ(vnet_tx_header(&h, 100, true, 0, 0xffff, false), -1);
}

/* Random headers and lengths: never a crash, never a frame outside the
 * buffer or the assembly area, never longer than the capacity. */
TEST(random_buffers_are_safe)
{
    setup(true);
    uint32_t seed = 99;
    unsigned frames = 0;
    for (int i = 0; i < 50000; i++) {
        uint8_t *b = malloc(2048);
        seed = seed * 1103515245u + 12345u;
        uint32_t len = (seed >> 8) % 2049;
        for (uint32_t k = 0; k < len; k++)
            b[k] = (uint8_t)(k * 7 + seed);
        if (len >= 12) {
            struct virtio_net_hdr h = {0};
            h.num_buffers = (uint16_t)(1 + (seed >> 20) % 4);
            h.flags = (uint8_t)((seed >> 24) & 3);
            h.csum_start = (uint16_t)((seed >> 3) % 1600);
            h.csum_offset = (uint16_t)((seed >> 13) % 40);
            if ((seed & 0xff) == 0)
                h.gso_type = 1;
            memcpy(b, &h, sizeof h);
        }
        uint8_t *frame;
        size_t flen;
        enum vnet_rx_result r = vnet_rx_feed(&RX, b, len, &frame, &flen);
        if (r == VNET_RX_FRAME) {
            frames++;
            CHECK(flen <= CAP && flen >= 14);
            CHECK((frame >= b && frame + flen <= b + len) ||
                  (frame == assembly && flen <= sizeof assembly));
        }
        if (r == VNET_RX_BROKEN)
            setup(true); /* the driver would fail the device; start afresh */
        free(b);
    }
    CHECK(frames > 0);
}

UNIT_MAIN()
