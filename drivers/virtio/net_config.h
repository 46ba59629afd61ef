/* virtio-net feature bits and device configuration (virtio 1.2, 5.1.3 and
 * 5.1.4), read through the virtio core's policy and checked. Pure (host
 * tests and fuzzers drive it with a simulated device). Private to
 * drivers/virtio/net*.c. */
#ifndef DRIVERS_VIRTIO_NET_CONFIG_H
#define DRIVERS_VIRTIO_NET_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/virtio/virtio.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM (1ull << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1ull << 1)
#define VIRTIO_NET_F_MTU (1ull << 3)
#define VIRTIO_NET_F_MAC (1ull << 5)
#define VIRTIO_NET_F_MRG_RXBUF (1ull << 15)
#define VIRTIO_NET_F_STATUS (1ull << 16)

/* struct virtio_net_config (5.1.4). */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_CFG_MTU 10
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_MAC_BYTES 6

#define VIRTIO_NET_MIN_MTU 68       /* 5.1.4.1: the device MUST NOT offer less */
#define VIRTIO_NET_DEFAULT_MTU 1500 /* Ethernet's, without VIRTIO_NET_F_MTU */

struct vnet_config {
    bool has_mac; /* VIRTIO_NET_F_MAC: mac is the device's */
    uint8_t mac[VIRTIO_NET_MAC_BYTES];
    uint16_t mtu;
};

/* Reads the MAC (one consistent snapshot of its six bytes) and the MTU as
 * far as the negotiated features (vd->features) say they exist. Returns 0,
 * or -1 with the device failed (an MTU below 68, a read the core refused). */
int vnet_read_config(struct virtio_dev *vd, struct vnet_config *out);

/* The link state (5.1.4: VIRTIO_NET_S_LINK_UP in status); true without
 * VIRTIO_NET_F_STATUS, where the link is taken to be up (5.1.4.2). */
bool vnet_read_link(struct virtio_dev *vd);

#endif
