/* virtio-net header logic (see net_hdr.h). */
#include "drivers/virtio/net_hdr.h"

#include "klib/format.h"
#include <string.h>

#include "net/inet_csum.h"

unsigned vnet_hdr_bytes(bool version_1, bool mrg_rxbuf)
{
    return version_1 || mrg_rxbuf ? VIRTIO_NET_HDR_LEN : VIRTIO_NET_HDR_LEN_LEGACY;
}

static enum vnet_rx_result drop(struct vnet_rx *rx)
{
    rx->dropped++;
    return VNET_RX_DROP;
}

/* A whole frame with its header: checks it and completes a partial checksum. */
static enum vnet_rx_result finish(struct vnet_rx *rx, const struct virtio_net_hdr *h,
                                  uint8_t *frame, size_t len, uint8_t **out, size_t *out_len)
{
    if (len < ETH_HEADER_BYTES) {
        ksnprintf(rx->error, sizeof rx->error,
                  "frame of %zu bytes, shorter than an Ethernet header", len);
        return drop(rx);
    }
    if (len > rx->capacity) {
        ksnprintf(rx->error, sizeof rx->error, "frame of %zu bytes, more than the %zu accepted",
                  len, rx->capacity);
        return drop(rx);
    }
    /* No GUEST_TSO/UFO feature is negotiated, so no GSO frame may come (5.1.6.4). */
    if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        ksnprintf(rx->error, sizeof rx->error,
                  "GSO frame (type %u) though no GSO feature was negotiated", h->gso_type);
        return drop(rx);
    }
    if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        /* 5.1.6.4.1: the checksum over [csum_start, end) still has to be
         * stored at csum_start + csum_offset; the field holds the partial sum. */
        if (inet_csum_complete(frame, len, h->csum_start, h->csum_offset) != 0) {
            ksnprintf(rx->error, sizeof rx->error, "NEEDS_CSUM at %u+%u outside the %zu-byte frame",
                      h->csum_start, h->csum_offset, len);
            return drop(rx);
        }
        rx->csum_completed++;
    } else if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
        rx->data_valid++;
    }
    rx->frames++;
    *out = frame;
    *out_len = len;
    return VNET_RX_FRAME;
}

enum vnet_rx_result vnet_rx_feed(struct vnet_rx *rx, uint8_t *buf, uint32_t len, uint8_t **frame,
                                 size_t *frame_len)
{
    *frame = NULL;
    *frame_len = 0;
    if (rx->expected == 0) { /* the first buffer of a frame */
        unsigned hl = rx->hdr_len;
        if (hl != VIRTIO_NET_HDR_LEN && !(hl == VIRTIO_NET_HDR_LEN_LEGACY && !rx->mergeable)) {
            ksnprintf(rx->error, sizeof rx->error, "driver set a %u-byte header", hl);
            return VNET_RX_BROKEN;
        }
        if (len < hl) {
            ksnprintf(rx->error, sizeof rx->error,
                      "receive buffer of %u bytes, shorter than the %u-byte header", len, hl);
            return VNET_RX_BROKEN;
        }
        memset(&rx->hdr, 0, sizeof rx->hdr);
        memcpy(&rx->hdr, buf, hl);
        /* Without MRG_RXBUF every frame is one buffer, whatever the field says. */
        uint16_t n = rx->mergeable ? rx->hdr.num_buffers : 1;
        if (n == 0 || n > rx->max_buffers) {
            ksnprintf(rx->error, sizeof rx->error,
                      "num_buffers %u outside 1..%u (the buffers posted)", n, rx->max_buffers);
            return VNET_RX_BROKEN;
        }
        uint8_t *payload = buf + hl;
        size_t plen = len - hl;
        if (n == 1)
            return finish(rx, &rx->hdr, payload, plen, frame, frame_len);
        rx->expected = n;
        rx->got = 1;
        rx->len = 0;
        rx->dropping = plen > rx->capacity;
        if (!rx->dropping) {
            memcpy(rx->assembly, payload, plen);
            rx->len = plen;
        }
        return VNET_RX_MORE;
    }
    /* A continuation buffer: payload only, no header (5.1.6.4). */
    rx->got++;
    if (!rx->dropping) {
        if (len > rx->capacity - rx->len) {
            rx->dropping = true;
        } else {
            memcpy(rx->assembly + rx->len, buf, len);
            rx->len += len;
        }
    }
    if (rx->got < rx->expected)
        return VNET_RX_MORE;
    rx->expected = 0;
    if (rx->dropping) {
        rx->dropping = false;
        ksnprintf(rx->error, sizeof rx->error,
                  "frame in %u buffers longer than the %zu bytes accepted", rx->got, rx->capacity);
        return drop(rx);
    }
    rx->merged_frames++;
    return finish(rx, &rx->hdr, rx->assembly, rx->len, frame, frame_len);
}

int vnet_tx_header(struct virtio_net_hdr *h, size_t frame_len, bool csum, uint16_t csum_start,
                   uint16_t csum_offset, bool device_csum)
{
    memset(h, 0, sizeof *h);
    h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
    if (!csum)
        return 0;
    if (csum_start > frame_len || csum_offset > frame_len - csum_start ||
        frame_len - csum_start - csum_offset < 2)
        return -1;
    if (!device_csum)
        return 1;
    /* 5.1.6.2: the device stores the checksum over [csum_start, end) at
     * csum_start + csum_offset; hdr_len is only a hint for non-GSO frames. */
    h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h->csum_start = csum_start;
    h->csum_offset = csum_offset;
    h->hdr_len = (uint16_t)(csum_start + csum_offset + 2);
    return 0;
}
