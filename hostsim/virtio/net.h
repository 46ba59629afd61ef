/* virtio-net back end on a TAP device (virtio 1.2, 5.1), as Firecracker
 * presents a network interface (src/vmm/src/devices/virtio/net/): device ID 1, queues
 * RX (0) and TX (1) of 256, features CSUM, GUEST_CSUM, GUEST_TSO4/6,
 * GUEST_UFO, HOST_TSO4/6, HOST_UFO, MRG_RXBUF, EVENT_IDX, VERSION_1
 * (0x1_2000DD83), + MAC(5) with a guest MAC, + MTU(3) with an MTU; the
 * virtio-net header is always 12 bytes; configuration: mac[6] (always
 * present, 5.1.4), mtu at offset 10 when MTU is offered.
 *
 * Frames pass through with their header unchanged, as Firecracker passes
 * them: the TAP is opened with IFF_VNET_HDR and a 12-byte header, so a frame
 * the guest sends with NEEDS_CSUM or GSO is checksummed or segmented by the
 * host kernel, and a frame the TAP delivers may carry NEEDS_CSUM, DATA_VALID
 * or GSO - the latter only when the guest acknowledged the matching GUEST_*
 * feature, since the TAP's offloads (TUNSETOFFLOAD) follow the acknowledged
 * features at DRIVER_OK. Only num_buffers is set by the device (5.1.6.3.2).
 *
 * Strict about the driver's side (5.1.6.2.1, 5.1.6.3.1): transmit chains all
 * device-readable with a 12-byte header whose flags, gso_type, csum_start /
 * csum_offset and num_buffers obey the negotiated features; receive chains
 * all device-writable, each at least 12 bytes with MRG_RXBUF, else at least
 * 1526 bytes (65562 with GUEST_TSO4/6/UFO) - Firecracker requires that.
 *
 * Pure logic over a file descriptor that carries one frame per read/write
 * (a TAP, or a datagram socket in tests) and guest memory (no KVM). */
#ifndef HOSTSIM_VIRTIO_NET_H
#define HOSTSIM_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/virtio/mmio.h"

#define VIRTIO_ID_NET 1
#define VNET_QUEUE_SIZE 256
#define VNET_RXQ 0
#define VNET_TXQ 1

#define VIRTIO_NET_F_CSUM (1ull << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1ull << 1)
#define VIRTIO_NET_F_MTU (1ull << 3)
#define VIRTIO_NET_F_MAC (1ull << 5)
#define VIRTIO_NET_F_GUEST_TSO4 (1ull << 7)
#define VIRTIO_NET_F_GUEST_TSO6 (1ull << 8)
#define VIRTIO_NET_F_GUEST_UFO (1ull << 10)
#define VIRTIO_NET_F_HOST_TSO4 (1ull << 11)
#define VIRTIO_NET_F_HOST_TSO6 (1ull << 12)
#define VIRTIO_NET_F_HOST_UFO (1ull << 14)
#define VIRTIO_NET_F_MRG_RXBUF (1ull << 15)
#define VNET_FEATURES 0x12000DD83ull /* net/device.rs avail_features, without MAC/MTU */

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_F_RSC_INFO 4
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_UDP 3
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VNET_HDR 12                             /* struct virtio_net_hdr with num_buffers */
#define VNET_RX_MIN 1526                        /* 5.1.6.3: 1514 + header */
#define VNET_RX_MIN_GSO 65562                   /* 65550 + header */
#define VNET_FRAME_MAX (VNET_RX_MIN_GSO + 4096) /* read buffer, with room to spare */

/* TAP offload bits for TUNSETOFFLOAD (linux/if_tun.h). */
#define VNET_TUN_F_CSUM 0x01
#define VNET_TUN_F_TSO4 0x02
#define VNET_TUN_F_TSO6 0x04
#define VNET_TUN_F_UFO 0x10

/* Faults injected on purpose (--misbehave net-*), to test the guest's
 * handling of a device that breaks the protocol on the receive path. Each
 * acts once, on the first frame delivered. */
enum vnet_misbehave {
    VNET_MISBEHAVE_NONE = 0,
    VNET_MISBEHAVE_USED_LEN,         /* first used element's len = writable bytes + 512 */
    VNET_MISBEHAVE_NUM_BUFFERS,      /* first header's num_buffers = 200, one buffer used */
    VNET_MISBEHAVE_NUM_BUFFERS_ZERO, /* first header's num_buffers = 0 */
    VNET_MISBEHAVE_USED_ID,          /* first used element's id = queue size + 5 */
};
#define VNET_MISBEHAVE_NUM_BUFFERS_VALUE 200

struct vnet {
    struct vmmio t; /* the transport; t.backend_ctx is this vnet */
    int fd;         /* the TAP (or a test's socket) */
    const char *ifname;
    bool has_mac;
    uint8_t mac[6];
    uint16_t mtu; /* 0: MTU not offered */
    /* Called at DRIVER_OK with the VNET_TUN_F_* set the acknowledged
     * features allow; NULL in tests. Returns 0 or -1 (host problem). */
    int (*set_offload)(void *ctx, unsigned flags);
    void *offload_ctx;
    unsigned offload; /* what was last set */

    /* A frame read from the fd and not yet delivered (no receive buffers). */
    uint8_t *frame;
    size_t frame_len;
    bool frame_pending;

    /* counters */
    uint64_t tx_frames, tx_bytes, tx_errors, rx_frames, rx_bytes, rx_dropped;
    bool tx_error_logged;

    enum vnet_misbehave misbehave; /* set after vnet_init; NONE in normal runs */
    uint64_t misbehaved;           /* frames it has falsified */

    struct devq_chain chain, first; /* scratch, large */
    uint16_t heads[DEVQ_MAX_SIZE];
    uint32_t lens[DEVQ_MAX_SIZE];
};

/* mac NULL: no MAC feature (the config's mac reads zero). mtu 0: no MTU
 * feature. The frame buffer is allocated here; returns 0 or -1. */
int vnet_init(struct vnet *n, int fd, const char *ifname, const uint8_t *mac, uint16_t mtu);
void vnet_attach(struct vnet *n, uint64_t base, unsigned gsi, const struct guest_mem *mem,
                 const struct vmmio_host *host, void *host_ctx);
void vnet_free(struct vnet *n);

/* Receive side, called when the fd is readable or the RX queue was
 * notified: moves frames from the fd into receive buffers until the fd is
 * empty, the buffers run out, or `budget` frames went. Returns 0, or -1 after
 * a violation (reported). */
int vnet_receive(struct vnet *n, unsigned budget);
/* True when the fd should be watched: the device is live and no frame is
 * waiting for buffers. */
bool vnet_wants_frames(const struct vnet *n);

#endif
