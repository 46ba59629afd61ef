/* libFuzzer harness: the receive side of the network path on arbitrary
 * device output: virtio-net's header, buffer merging and checksum completion
 * (drivers/virtio/net_hdr.c, net/inet_csum.c), then devinfo's ping
 * responder (apps/devinfo/ping_responder.c) on every frame that comes out.
 * Input:
 *
 *   byte 0  bit 0 MRG_RXBUF negotiated, bit 1 answer UDP echo, bit 2 leave
 *           reply checksums to the device, bits 3-4 largest frame accepted
 *           (1518, 64, 9018, 14), bits 5-6 receive buffers posted (256, 1, 3,
 *           8), bit 7 reply buffer of 64 bytes instead of 2048
 *   byte 1  bit 0 a legacy device's 10-byte header (5.1.6.1; only without
 *           MRG_RXBUF, where a legacy header is 12 bytes too)
 *   then    records: u16 length (little-endian) and that many bytes, each one
 *           receive buffer as the device filled it (header included); the
 *           last one is cut short by the end of the input
 *
 * Seeds: tests/fuzz/mkseeds.py. The harness keeps its own copy of the bytes
 * of the frame in progress: a delivered frame must be exactly those bytes
 * (bar a completed checksum field, whose sum must then verify), in as many
 * buffers as num_buffers said; replies must be well-formed, checksums right.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_net_rx.c apps/devinfo/ping_responder.c net/inet_csum.c \
 *     drivers/virtio/net_hdr.c */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/devinfo/ping_responder.h"
#include "drivers/virtio/net_hdr.h"
#include "net/inet_csum.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

static const uint8_t our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t our_ip[4] = {10, 0, 0, 2};

#define REF_MAX (1 << 20)

static void check_terminated(const char *s, size_t cap)
{
    if (s[0] == '\0' || memchr(s, '\0', cap) == NULL)
        abort();
}

/* A reply must be a sound answer to the request in frame. */
static void check_reply(const struct ping_responder *pr, const uint8_t *frame, size_t len,
                        uint8_t *out, size_t out_size, const struct ping_reply reply)
{
    if (reply.len < ETH_ZLEN || reply.len > out_size || len < ETH_HLEN)
        abort();
    /* Back to the sender (for ARP: its sender hardware address), from us. */
    const uint8_t *to = reply.kind == PING_KIND_ARP ? frame + 14 + 8 : frame + 6;
    if (memcmp(out, to, 6) != 0 || memcmp(out + 6, our_mac, 6) != 0 || (out[0] & 1))
        abort();
    if (reply.kind == PING_KIND_ARP) {
        if (net_get16(out + 12) != ETH_TYPE_ARP || memcmp(out + 14 + 14, our_ip, 4) != 0)
            abort();
        return;
    }
    if (net_get16(out + 12) != ETH_TYPE_IPV4 || out[14] != 0x45 || inet_csum(out + 14, 20) != 0 ||
        memcmp(out + 14 + 12, our_ip, 4) != 0 || memcmp(out + 14 + 16, frame + 14 + 12, 4) != 0)
        abort();
    size_t total = net_get16(out + 16);
    if (total < 20 + 8 || 14 + total > reply.len ||
        reply.len != (14 + total < ETH_ZLEN ? ETH_ZLEN : 14 + total))
        abort();
    uint8_t *payload = out + 34;
    size_t plen = total - 20;
    if (reply.csum_partial) {
        if (!pr->tx_csum_offload || reply.csum_start != 34 ||
            inet_csum_complete(out, 14 + total, reply.csum_start, reply.csum_offset) != 0)
            abort();
    }
    if (reply.kind == PING_KIND_ICMP) {
        if (out[14 + 9] != 1 || payload[0] != 0 || inet_csum(payload, plen) != 0)
            abort();
    } else if (reply.kind == PING_KIND_UDP) {
        uint8_t ph[12];
        memcpy(ph, out + 14 + 12, 8);
        ph[8] = 0;
        ph[9] = 17;
        net_put16(ph + 10, (uint16_t)plen);
        /* RFC 768: a computed 0 is sent as all ones (unless the device fills it in) */
        if (out[14 + 9] != 17 || net_get16(payload + 4) != plen ||
            (!reply.csum_partial && net_get16(payload + 6) == 0) ||
            inet_csum_fold(inet_csum_add(inet_csum_add(0, ph, 12), payload, plen)) != 0)
            abort();
    } else {
        abort();
    }
}

/* One frame through the responder, from an exactly sized copy. */
static void respond(struct ping_responder *pr, const uint8_t *frame_in, size_t len, size_t out_size)
{
    uint8_t *frame = malloc(len ? len : 1);
    memcpy(frame, frame_in, len);
    uint8_t *out = malloc(out_size);
    struct ping_reply reply;
    struct ping_counters before = pr->count;
    enum ping_result r = ping_responder_handle(pr, frame, len, out, out_size, &reply);
    const struct ping_counters *c = &pr->count;
    if (c->frames != before.frames + 1 || c->arp_replies + c->echo_replies + c->udp_replies +
                                                  c->ignored + c->malformed + c->unsupported +
                                                  c->no_room !=
                                              c->frames)
        abort();
    if (r == PING_MALFORMED)
        check_terminated(pr->last_error, sizeof pr->last_error);
    if (r == PING_REPLY)
        check_reply(pr, frame, len, out, out_size, reply);
    else if (reply.len != 0 || reply.kind != PING_KIND_NONE)
        abort();
    free(out);
    free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const size_t capacities[] = {1518, 64, 9018, 14};
    static const uint16_t posted[] = {256, 1, 3, 8};
    uint8_t cfg = data[0];
    struct vnet_rx rx;
    memset(&rx, 0, sizeof rx);
    rx.mergeable = cfg & 1;
    rx.hdr_len = (uint8_t)vnet_hdr_bytes(!(data[1] & 1), rx.mergeable);
    rx.capacity = capacities[(cfg >> 3) & 3];
    rx.max_buffers = posted[(cfg >> 5) & 3];
    rx.assembly = rx.mergeable ? malloc(rx.capacity) : NULL; /* as the driver does */
    size_t out_size = cfg & 0x80 ? 64 : 2048;
    struct ping_responder pr;
    ping_responder_init(&pr, our_mac, our_ip);
    pr.udp_echo = cfg & 2;
    pr.tx_csum_offload = cfg & 4;

    /* The harness's own copy of the frame in progress. */
    static uint8_t ref[REF_MAX];
    static struct virtio_net_hdr hdr;
    size_t ref_len = 0;
    unsigned nbuf = 0;

    const uint8_t *p = data + 2;
    size_t left = size - 2;
    while (left > 0) {
        size_t len = p[0] | (left > 1 ? (size_t)p[1] << 8 : 0);
        size_t skip = left > 1 ? 2 : 1;
        p += skip;
        left -= skip;
        if (len > left)
            len = left;
        uint8_t *buf = malloc(len ? len : 1);
        memcpy(buf, p, len);
        p += len;
        left -= len;

        bool first = rx.expected == 0;
        if (first) {
            nbuf = 1;
            ref_len = 0;
            if (len >= rx.hdr_len) {
                memset(&hdr, 0, sizeof hdr);
                memcpy(&hdr, buf, rx.hdr_len);
                ref_len = len - rx.hdr_len;
                memcpy(ref, buf + rx.hdr_len, ref_len);
            }
        } else {
            nbuf++;
            if (ref_len + len <= REF_MAX) {
                memcpy(ref + ref_len, buf, len);
                ref_len += len;
            }
        }
        uint64_t dropped = rx.dropped, frames = rx.frames;
        uint8_t *frame = (uint8_t *)1;
        size_t flen = 1;
        enum vnet_rx_result r = vnet_rx_feed(&rx, buf, (uint32_t)len, &frame, &flen);
        if (r != VNET_RX_FRAME && (frame != NULL || flen != 0))
            abort();
        switch (r) {
        case VNET_RX_BROKEN:
            if (!first || rx.expected != 0)
                abort();
            check_terminated(rx.error, sizeof rx.error);
            break;
        case VNET_RX_MORE:
            if (!rx.mergeable || rx.expected < 2 || rx.got != nbuf || nbuf >= rx.expected ||
                rx.expected != hdr.num_buffers || rx.expected > rx.max_buffers)
                abort();
            break;
        case VNET_RX_DROP:
            if (rx.expected != 0 || rx.dropped != dropped + 1)
                abort();
            check_terminated(rx.error, sizeof rx.error);
            break;
        case VNET_RX_FRAME: {
            unsigned want_bufs = rx.mergeable ? hdr.num_buffers : 1;
            if (rx.expected != 0 || rx.frames != frames + 1 || nbuf != want_bufs ||
                flen < ETH_HEADER_BYTES || flen > rx.capacity || flen != ref_len ||
                hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
                abort();
            if (nbuf == 1 ? frame != buf + rx.hdr_len : frame != rx.assembly)
                abort();
            if (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
                size_t at = (size_t)hdr.csum_start + hdr.csum_offset;
                if (at + 2 > flen || memcmp(frame, ref, at) != 0 ||
                    memcmp(frame + at + 2, ref + at + 2, flen - at - 2) != 0)
                    abort();
                /* With the pseudo-header sum that the field held, it adds up
                 * (for a field on a 16-bit boundary of the summed range, as
                 * in every protocol: at an odd offset the sum is meaningless). */
                uint32_t partial = net_get16(ref + at);
                if (hdr.csum_offset % 2 == 0 &&
                    inet_csum_fold(
                        inet_csum_add(partial, frame + hdr.csum_start, flen - hdr.csum_start)) != 0)
                    abort();
            } else if (memcmp(frame, ref, flen) != 0) {
                abort();
            }
            struct virtio_net_hdr th;
            int t = vnet_tx_header(&th, flen, true, hdr.csum_start, hdr.csum_offset, cfg & 4);
            bool fits = (size_t)hdr.csum_start + hdr.csum_offset + 2 <= flen;
            if ((t == -1) == fits || (t == 0 && (th.csum_start != hdr.csum_start ||
                                                 th.flags != VIRTIO_NET_HDR_F_NEEDS_CSUM)))
                abort();
            respond(&pr, frame, flen, out_size);
            break;
        }
        default:
            abort();
        }
        free(buf);
    }

    /* A dotted quad, as the devinfo app reads one from its arguments. */
    char text[32];
    size_t n = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
    memcpy(text, data + 1, n);
    text[n] = '\0';
    uint8_t ip[4], again[4];
    if (ping_parse_ipv4(text, ip) == 0) {
        snprintf(text, sizeof text, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        if (ping_parse_ipv4(text, again) != 0 || memcmp(ip, again, 4) != 0)
            abort();
    }
    free(rx.assembly);
    return 0;
}
