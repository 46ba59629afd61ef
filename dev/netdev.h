/* Network device class: what lwIP (later) and apps see of any NIC, whichever
 * driver is underneath (virtio-net, e1000, vmxnet3, netvsc). */
#ifndef DEV_NETDEV_H
#define DEV_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netdev;

/* One piece of a frame to transmit (scatter-gather). */
struct netdev_buf {
    const void *data;
    size_t len;
};

/* Transmit checksum offload request: the device fills the 16-bit Internet
 * checksum over [csum_start, end) at csum_start + csum_offset, as in
 * virtio-net's NEEDS_CSUM (virtio 1.2, 5.1.6.2). */
struct netdev_tx_offload {
    bool csum;
    uint16_t csum_start, csum_offset;
};

struct netdev_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    /* Checksum work done on the way, for diagnostics and tests. */
    uint64_t rx_csum_completed; /* frames flagged "checksum partial" finished in software */
    uint64_t tx_csum_offloaded; /* frames sent with the checksum left to the device */
    /* Times the transmit queue sat still with frames in it and the driver
     * notified the device again (a notification lost or suppressed wrongly). */
    uint64_t tx_renotified;
};

#define NETDEV_FEATURE_TX_CSUM (1u << 0) /* transmit accepts netdev_tx_offload.csum */
#define NETDEV_FEATURE_RX_CSUM (1u << 1) /* received frames arrive with checksums verified */

struct netdev_ops {
    /* Queues one frame made of n pieces (the Ethernet header first). Returns
     * 0, or -1 when it cannot be queued (counted in tx_dropped by the class). */
    int (*transmit)(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                    const struct netdev_tx_offload *offload);
};

/* Called for each received frame, from the event loop (never in an interrupt
 * handler: core/event.h); the frame is only valid during the call. Its
 * checksums are complete (drivers finish NEEDS_CSUM frames before). */
typedef void (*netdev_rx_fn)(struct netdev *nd, const void *frame, size_t len, void *ctx);

struct device;

struct netdev {
    char name[16]; /* "net0", ... assigned at registration */
    const char *driver;
    struct device *dev; /* the device behind it (core/device.h), set by the driver */
    uint8_t mac[6];
    uint16_t mtu;
    bool link_up;
    uint32_t features;
    const struct netdev_ops *ops;
    void *priv;
    netdev_rx_fn rx;
    void *rx_ctx;
    struct netdev_stats stats;
    struct netdev *next;
};

/* Called by drivers once the device is ready to transmit and receive. */
int netdev_register(struct netdev *nd);
/* Called by drivers before the device goes away (removal): it leaves the
 * list; its name is not reused. */
void netdev_unregister(struct netdev *nd);

/* Told when a device joins the class (netdev_register), when its link
 * changes (netdev_set_link), and when it leaves (netdev_unregister; its
 * driver frees it afterwards), so that whoever keeps pointers to it (api/net.c's
 * handles, the network stack's interfaces) follows. Thread context; any
 * of the three may be NULL. */
struct netdev_watcher {
    void (*added)(struct netdev *nd);
    void (*link_changed)(struct netdev *nd);
    void (*removed)(struct netdev *nd);
    struct netdev_watcher *next;
};
void netdev_watch(struct netdev_watcher *w);
/* Called by drivers when the link changes; logs "<name>: link up|down". */
void netdev_set_link(struct netdev *nd, bool up);
/* Called by drivers for each received frame; counts it and hands it to the
 * receive callback, or counts a drop when nobody listens. */
void netdev_deliver(struct netdev *nd, const void *frame, size_t len);

/* For users of the class. */
struct netdev *netdev_first(void);
struct netdev *netdev_find(const char *name);
void netdev_set_receiver(struct netdev *nd, netdev_rx_fn fn, void *ctx);
int netdev_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                    const struct netdev_tx_offload *offload);

#endif
