/* virtio-net packet header logic (virtio 1.2, 5.1.6), pure so host tests
 * drive it with malformed headers: the receive side's merging of buffers
 * (VIRTIO_NET_F_MRG_RXBUF, 5.1.6.3-5.1.6.4) with every count and length
 * checked, the completion of frames flagged NEEDS_CSUM, and the transmit
 * header for checksum offload. Private to drivers/virtio/net*.c. */
#ifndef DRIVERS_VIRTIO_NET_HDR_H
#define DRIVERS_VIRTIO_NET_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 5.1.6: with VERSION_1 the header always has num_buffers: 12 bytes,
 * little-endian. A legacy device uses the guest's byte order (5.1.6.1),
 * which on x86 is the same, and its header lacks num_buffers unless
 * MRG_RXBUF is negotiated: 10 bytes (vnet_hdr_bytes). */
struct virtio_net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
} __attribute__((packed));
#define VIRTIO_NET_HDR_LEN 12
#define VIRTIO_NET_HDR_LEN_LEGACY 10 /* without num_buffers */
_Static_assert(sizeof(struct virtio_net_hdr) == VIRTIO_NET_HDR_LEN, "virtio_net_hdr is 12 bytes");

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE 0

#define ETH_HEADER_BYTES 14
#define ETH_VLAN_BYTES 4

/* Bytes of header in front of each frame: 12 with VERSION_1 or MRG_RXBUF,
 * else 10 (5.1.6.1, "Legacy Interface: Device Operation"). */
unsigned vnet_hdr_bytes(bool version_1, bool mrg_rxbuf);

/* Receive-side state of one device. */
struct vnet_rx {
    /* Set up by the driver. */
    uint8_t hdr_len;      /* vnet_hdr_bytes: 10 or 12 */
    bool mergeable;       /* MRG_RXBUF negotiated: num_buffers is meaningful */
    uint16_t max_buffers; /* receive buffers the driver keeps posted */
    uint8_t *assembly;    /* frames spanning several buffers are copied here */
    size_t capacity;      /* largest frame accepted (Ethernet header included) */
    /* A frame being merged. */
    uint16_t expected, got;
    size_t len;
    bool dropping; /* too long: its remaining buffers are consumed, then dropped */
    struct virtio_net_hdr hdr;
    /* Counters. */
    uint64_t frames, merged_frames, csum_completed, data_valid, dropped;
    char error[112]; /* why the last VNET_RX_DROP or VNET_RX_BROKEN */
};

enum vnet_rx_result {
    VNET_RX_MORE,   /* buffer taken; the frame continues in the next one */
    VNET_RX_FRAME,  /* a whole frame at *frame (checksum completed), length *frame_len */
    VNET_RX_DROP,   /* the frame was dropped (counted; error says why) */
    VNET_RX_BROKEN, /* the device broke the protocol: fail it (error says why) */
};

/* Feeds one used receive buffer (buf, len bytes written by the device). The
 * buffer may be reused as soon as this returns, except after VNET_RX_FRAME
 * when *frame points into it (single-buffer frames are not copied): then it
 * is reused after the frame has been consumed. */
enum vnet_rx_result vnet_rx_feed(struct vnet_rx *rx, uint8_t *buf, uint32_t len, uint8_t **frame,
                                 size_t *frame_len);

/* Fills the header of a frame to transmit. When csum is requested, checks
 * that the field at csum_start + csum_offset lies inside the frame (-1
 * otherwise). device_csum: the device completes it (VIRTIO_NET_F_CSUM);
 * otherwise the caller completes it in software (return 1). Returns 0 when
 * nothing more is needed. */
int vnet_tx_header(struct virtio_net_hdr *h, size_t frame_len, bool csum, uint16_t csum_start,
                   uint16_t csum_offset, bool device_csum);

#endif
