/* Transmit checksum offload for TCP (dev/netdev.h, netdev_tx_offload): on
 * a device that completes checksums, lwIP leaves TCP's checksum field zero
 * (its per-interface control, NETIF_CHECKSUM_GEN_TCP off) and the frame
 * goes out with the field holding the pseudo-header's sum and the place
 * to finish it, as virtio-net's NEEDS_CSUM asks (virtio 1.2, 5.1.6.2).
 * TCP only: lwIP never fragments a TCP segment, while a fragmented UDP
 * datagram's checksum spans fragments no device sees together (UDP's
 * checksum stays in software). Pure logic: host tests link it. */
#ifndef NET_STACK_TX_OFFLOAD_H
#define NET_STACK_TX_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "dev/netdev.h"

enum tx_offload_kind {
    TX_OFFLOAD_NONE,     /* not TCP over IPv4/IPv6: nothing to do */
    TX_OFFLOAD_TCP,      /* *o filled, the field holds the pseudo-header sum */
    TX_OFFLOAD_SOFTWARE, /* TCP, but its headers are not all in head: make the frame
                          * contiguous and ask again */
};

/* frame: the Ethernet frame's first head bytes (contiguous); total: the
 * whole frame's length. Malformed headers (lengths that disagree with
 * total) give TX_OFFLOAD_NONE: such a frame is not lwIP's. */
enum tx_offload_kind tx_offload_tcp(uint8_t *frame, size_t head, size_t total,
                                    struct netdev_tx_offload *o);

#endif
