/* virtio-net (virtio 1.2, 5.1): one receive and one transmit queue behind the
 * netdev class. Receive buffers are kept posted and refilled after each
 * frame; with MRG_RXBUF a frame may span several (net_hdr.c merges and checks
 * them); frames flagged NEEDS_CSUM (Firecracker passes the TAP's header
 * through) get their checksum completed before delivery. Transmit copies the
 * frame behind its header into a buffer of ours: the netdev class has no
 * transmit-completion callback, so the caller's pieces cannot be held until
 * the device is done with them. All of it runs from the event loop
 * (core/event.h): the interrupt handler only records the status and queues
 * the device's work; without an interrupt the virtio core polls the device.
 *
 * Features asked for: VERSION_1, MAC, MTU, STATUS, CSUM, GUEST_CSUM,
 * MRG_RXBUF, EVENT_IDX. Never GUEST_TSO4/6, GUEST_UFO or GUEST_ECN, so no
 * frame is larger than the MTU and receive buffers stay small (Firecracker
 * offers them; the driver chooses, 5.1.3).
 *
 * A legacy device (no VERSION_1) gets the same driver with two differences:
 * its header is 10 bytes unless MRG_RXBUF is negotiated (5.1.6.1,
 * vnet_hdr_bytes), and without ANY_LAYOUT the header must sit in a
 * descriptor of its own (5.1, "Legacy Interface: Framing Requirements"), so
 * every buffer is then posted as two descriptors over the same memory. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/event.h"
#include "core/log.h"
#include "core/param.h"
#include "core/time.h"
#include "dev/netdev.h"
#include "dev/random.h"
#include "drivers/virtio/net_config.h"
#include "drivers/virtio/net_hdr.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtqueue.h"
#include "net/inet_csum.h"

#define RXQ 0
#define TXQ 1
#define QUEUE_MAX 256     /* Firecracker's size; QEMU's default */
#define RX_POSTED_MAX 128 /* receive buffers kept posted */
#define TX_SLOTS_MAX 64   /* frames in flight */
#define POOL_BYTES_TARGET (512 * 1024)
#define MRG_BUFFER_DEFAULT 2048 /* one buffer holds a 1500-byte frame and its header */
/* virtio_net.rx_buffer_size=N: merged receive buffers of N bytes, rounded up
 * to RX_BUFFER_ROUND, within these bounds. */
#define MRG_BUFFER_MIN 64
#define MRG_BUFFER_MAX 4096
#define RX_BUFFER_ROUND 16
#define BUFFER_ALIGN 64 /* buffer sizes are multiples of this (cache lines) */
#define LOG_LIMIT 10    /* messages about bad frames per device */
/* Bits of the first MAC byte (IEEE 802-2014, 8.2.2): group (multicast)
 * and locally administered. */
#define MAC_GROUP_BIT 0x01
#define MAC_LOCAL_BIT 0x02
/* A device that keeps refilling the used ring (a flood, or a device that
 * completes the buffers as fast as they are reposted) must not hold the
 * event loop in one call forever: at most this many buffers per posted
 * buffer are taken in one call; the rest on the loop's next pass, after
 * timers and other devices had their turn. */
#define RX_BUDGET_PER_POSTED 2
/* At exit the device gets this long to send what was queued: a VMM handles
 * the transmit queue after the notification (QEMU in its main loop), so a
 * guest that powers off right after its last reply would lose it. */
#define TX_FLUSH_LIMIT_NS 1000000000ull
/* Frames in the transmit queue that the device has not taken for this long
 * get a notification whatever avail_event says (virtq_device_still): QEMU
 * 7.2 under TCG was seen to stop with frames published and avail_event
 * left behind them; a spare notification costs the device one look. */
#define TX_STILL_NS 50000000ull

KERNEL_PARAM(param_rx_buffer_size, "virtio_net.rx_buffer_size",
             "size of merged receive buffers, 64-4096 (tests use it to split frames)");

struct vnet {
    struct netdev nd;
    struct virtio_dev *vd;
    struct virtq *rxq, *txq;
    uint8_t *rx_pool;
    size_t rx_buf_size;
    unsigned rx_count;
    uint8_t *tx_pool;
    size_t tx_buf_size;
    unsigned tx_count;
    uint16_t *tx_free; /* stack of free transmit slots */
    unsigned tx_nfree;
    struct vnet_rx rx;
    unsigned hdr_len;  /* bytes of struct virtio_net_hdr in front of each frame */
    bool hdr_separate; /* legacy without ANY_LAYOUT: the header has its own descriptor */
    unsigned descs_per_buffer;
    bool device_csum; /* CSUM negotiated: the device completes transmit checksums */
    bool has_status;
    bool irq;
    bool registered; /* netdev_register succeeded */
    unsigned logged;
    uint64_t rx_budget_hits; /* times the budget ran out (diagnostics) */
};

static size_t round_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* One frame buffer as the device sees it: one descriptor, or the header's
 * and the rest's when the header must be apart. Returns the count. */
static unsigned frame_bufs(const struct vnet *n, uint8_t *buf, size_t len, bool device_writes,
                           struct virtq_buf out[2])
{
    uint64_t a = dma_addr(buf);
    if (!n->hdr_separate) {
        out[0] = (struct virtq_buf){a, (uint32_t)len, device_writes};
        return 1;
    }
    out[0] = (struct virtq_buf){a, n->hdr_len, device_writes};
    out[1] = (struct virtq_buf){a + n->hdr_len, (uint32_t)(len - n->hdr_len), device_writes};
    return 2;
}

static const char *vname(const struct vnet *n)
{
    return n->nd.name[0] ? n->nd.name : n->vd->location;
}

static void note(struct vnet *n, const char *what, const char *why)
{
    if (n->logged < LOG_LIMIT) {
        n->logged++;
        kprintf("%s: %s: %s%s\n", vname(n), what, why,
                n->logged == LOG_LIMIT ? " (further messages suppressed)" : "");
    }
}

/* ---- receive ---- */

static int rx_post(struct vnet *n, uint8_t *buf)
{
    struct virtq_buf b[2];
    unsigned k = frame_bufs(n, buf, n->rx_buf_size, true, b);
    return virtq_add(n->rxq, b, k, buf);
}

static void fail(struct vnet *n, const char *queue, const char *why)
{
    virtio_fail(n->vd, "virtio-net %s: %s queue: %s", vname(n), queue, why);
    n->nd.link_up = false;
}

/* Event-loop context. */
static void rx_process(struct vnet *n)
{
    if (n->vd->broken)
        return;
    unsigned budget = RX_BUDGET_PER_POSTED * n->rx_count;
    for (;;) {
        if (budget-- == 0) {
            /* Trust: a device must not keep us here forever. The rest is
             * taken on the loop's next pass. */
            if (n->rx_budget_hits++ == 0)
                note(n, "receive", "used ring keeps refilling; finishing later (budget reached)");
            virtio_interrupt(n->vd, VIRTIO_ISR_QUEUE);
            break;
        }
        void *token;
        uint32_t len;
        int r = virtq_get_used(n->rxq, &token, &len);
        if (r < 0) {
            fail(n, "receive", n->rxq->error);
            break;
        }
        if (r == 0) {
            if (n->irq && virtq_enable_interrupts(n->rxq))
                continue; /* one slipped in while interrupts were being asked for */
            break;
        }
        uint8_t *buf = token;
        uint8_t *frame;
        size_t flen;
        enum vnet_rx_result res = vnet_rx_feed(&n->rx, buf, len, &frame, &flen);
        if (res == VNET_RX_BROKEN) {
            fail(n, "receive", n->rx.error);
            break;
        }
        if (res == VNET_RX_DROP) {
            n->nd.stats.rx_errors++;
            note(n, "receive frame dropped", n->rx.error);
        } else if (res == VNET_RX_FRAME) {
            netdev_deliver(&n->nd, frame, flen);
        }
        /* The buffer goes back to the device once its frame has been used. */
        if (rx_post(n, buf) != 0) {
            n->nd.stats.rx_dropped++;
            note(n, "receive buffer not reposted", n->rxq->error);
        }
    }
    n->nd.stats.rx_csum_completed = n->rx.csum_completed;
    if (!n->vd->broken)
        virtq_kick(n->rxq);
}

/* ---- transmit ---- */

static void tx_reap(struct vnet *n)
{
    for (;;) {
        void *token;
        uint32_t len;
        int r = virtq_get_used(n->txq, &token, &len);
        if (r < 0) {
            fail(n, "transmit", n->txq->error);
            return;
        }
        if (r == 0)
            return;
        size_t slot = (size_t)((uint8_t *)token - n->tx_pool) / n->tx_buf_size;
        n->tx_free[n->tx_nfree++] = (uint16_t)slot;
    }
}

static int vnet_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned count,
                         const struct netdev_tx_offload *offload)
{
    struct vnet *n = nd->priv;
    size_t total = 0;
    for (unsigned i = 0; i < count; i++) {
        if (bufs[i].len > n->tx_buf_size)
            return -1;
        total += bufs[i].len;
    }
    if (total < ETH_HEADER_BYTES || total > n->tx_buf_size - n->hdr_len) {
        note(n, "transmit refused", "frame shorter than an Ethernet header or above the MTU");
        return -1;
    }
    if (n->vd->broken)
        return -1;
    tx_reap(n);
    /* Looked at before each frame, so at least at every retransmission. */
    if (!n->vd->broken && virtq_device_still(n->txq, time_now_ns(), TX_STILL_NS)) {
        nd->stats.tx_renotified++;
        virtq_kick_always(n->txq);
    }
    if (n->tx_nfree == 0 || n->vd->broken)
        return -1;
    uint16_t slot = n->tx_free[--n->tx_nfree];
    uint8_t *b = n->tx_pool + (size_t)slot * n->tx_buf_size;
    uint8_t *frame = b + n->hdr_len;
    size_t at = 0;
    for (unsigned i = 0; i < count; i++) {
        memcpy(frame + at, bufs[i].data, bufs[i].len);
        at += bufs[i].len;
    }
    bool csum = offload && offload->csum;
    struct virtio_net_hdr h;
    int need = vnet_tx_header(&h, total, csum, csum ? offload->csum_start : 0,
                              csum ? offload->csum_offset : 0, n->device_csum);
    if (need < 0) {
        note(n, "transmit refused", "checksum offset outside the frame");
        n->tx_free[n->tx_nfree++] = slot;
        return -1;
    }
    if (need == 1)
        inet_csum_complete(frame, total, offload->csum_start, offload->csum_offset);
    memcpy(b, &h, n->hdr_len); /* a legacy 10-byte header has no num_buffers */
    struct virtq_buf vb[2];
    unsigned k = frame_bufs(n, b, n->hdr_len + total, false, vb);
    if (virtq_add(n->txq, vb, k, b) != 0) {
        n->tx_free[n->tx_nfree++] = slot;
        if (n->txq->broken)
            fail(n, "transmit", n->txq->error);
        return -1;
    }
    if (csum && need == 0)
        nd->stats.tx_csum_offloaded++;
    virtq_kick(n->txq);
    return 0;
}

/* ---- events, link state ---- */

static void read_link(struct vnet *n)
{
    if (!n->has_status)
        return;
    bool up = vnet_read_link(n->vd);
    if (n->registered)
        netdev_set_link(&n->nd, up);
    else
        n->nd.link_up = up;
}

static void vnet_event(struct virtio_dev *vd, uint32_t isr)
{
    struct vnet *n = vd->priv;
    if (n == NULL || vd->broken)
        return;
    if (isr & VIRTIO_ISR_CONFIG)
        read_link(n);
    tx_reap(n);
    rx_process(n);
}

static const struct netdev_ops vnet_ops = {.transmit = vnet_transmit};

/* ---- probe ---- */

static void set_mac(struct vnet *n, const struct vnet_config *cfg)
{
    if (cfg->has_mac) {
        memcpy(n->nd.mac, cfg->mac, sizeof n->nd.mac);
        return;
    }
    random_bytes(n->nd.mac, sizeof n->nd.mac);
    n->nd.mac[0] = (uint8_t)((n->nd.mac[0] & ~MAC_GROUP_BIT) | MAC_LOCAL_BIT); /* unicast, local */
    kprintf("virtio-net %s: the device gives no MAC address; using random "
            "%02x:%02x:%02x:%02x:%02x:%02x\n",
            n->vd->location, n->nd.mac[0], n->nd.mac[1], n->nd.mac[2], n->nd.mac[3], n->nd.mac[4],
            n->nd.mac[5]);
}

/* virtio_net.rx_buffer_size=N on the command line makes merged receive
 * buffers smaller than a frame, so tests exercise MRG_RXBUF on any VMM. */
static size_t mrg_buffer_size(void)
{
    return round_up(
        param_uint(&param_rx_buffer_size, MRG_BUFFER_DEFAULT, MRG_BUFFER_MIN, MRG_BUFFER_MAX),
        RX_BUFFER_ROUND);
}

/* Sizes and allocates the receive and transmit buffers (none given to the
 * device yet). Returns 0, or -1 with the device failed. */
static int alloc_buffers(struct vnet *n, size_t max_frame, bool mrg)
{
    n->rx_buf_size = mrg ? mrg_buffer_size() : round_up(n->hdr_len + max_frame, BUFFER_ALIGN);
    if (n->rx_buf_size <= n->hdr_len)
        n->rx_buf_size = round_up(n->hdr_len + 1, RX_BUFFER_ROUND);
    /* Without indirect descriptors each buffer takes descs_per_buffer. */
    unsigned rx_slots = n->rxq->size / n->descs_per_buffer;
    unsigned tx_slots = n->txq->size / n->descs_per_buffer;
    n->rx_count = rx_slots < RX_POSTED_MAX ? rx_slots : RX_POSTED_MAX;
    while (n->rx_count > 8 && n->rx_count * n->rx_buf_size > POOL_BYTES_TARGET)
        n->rx_count /= 2;
    n->tx_buf_size = round_up(n->hdr_len + max_frame, BUFFER_ALIGN);
    n->tx_count = tx_slots < TX_SLOTS_MAX ? tx_slots : TX_SLOTS_MAX;
    while (n->tx_count > 8 && n->tx_count * n->tx_buf_size > POOL_BYTES_TARGET / 2)
        n->tx_count /= 2;
    if (n->rx_count == 0 || n->tx_count == 0) {
        virtio_fail(n->vd, "virtio-net: queues of %u and %u entries hold no buffer", n->rxq->size,
                    n->txq->size);
        return -1;
    }
    n->rx_pool = dma_alloc(n->rx_count * n->rx_buf_size, BUFFER_ALIGN, NULL);
    n->tx_pool = dma_alloc(n->tx_count * n->tx_buf_size, BUFFER_ALIGN, NULL);
    n->tx_free = calloc(n->tx_count, sizeof *n->tx_free);
    n->rx.assembly = mrg ? malloc(max_frame) : NULL;
    if (!n->rx_pool || !n->tx_pool || !n->tx_free || (mrg && !n->rx.assembly)) {
        virtio_fail(n->vd, "virtio-net: out of memory for %u+%u buffers", n->rx_count, n->tx_count);
        return -1;
    }
    for (unsigned i = 0; i < n->tx_count; i++)
        n->tx_free[i] = (uint16_t)i;
    n->tx_nfree = n->tx_count;
    n->rx.mergeable = mrg;
    n->rx.max_buffers = (uint16_t)n->rx_count;
    n->rx.capacity = max_frame;
    return 0;
}

/* The one way out of a failed probe: everything vnet_probe allocated is
 * freed. What the device was given (the rings, posted buffers) is freed only
 * once the device has let go of it: it is reset, and a device that does not
 * read back 0 at once (a modern virtio-pci device may finish a reset later,
 * 4.1.4.3.2) keeps that memory rather than writing into pages reused
 * elsewhere. The device is left FAILED (2.1). Returns -1. */
static int vnet_unwind(struct vnet *n)
{
    struct virtio_dev *vd = n->vd;
    vd->on_event = NULL;
    vd->priv = NULL;
    bool device_has_memory = n->rxq != NULL || n->txq != NULL;
    bool released = true;
    if (device_has_memory) {
        vd->ops->set_status(vd, 0);
        released = vd->ops->get_status(vd) == 0;
        vd->ops->set_status(vd, VIRTIO_STATUS_FAILED);
        if (!released)
            kprintf("virtio-net %s: the device did not confirm its reset; its rings and "
                    "buffers stay with it\n",
                    vd->location);
    }
    free(n->tx_free);
    free(n->rx.assembly);
    if (released) {
        dma_free(n->rx_pool, n->rx_count * n->rx_buf_size);
        dma_free(n->tx_pool, n->tx_count * n->tx_buf_size);
        virtq_free(n->rxq);
        virtq_free(n->txq);
    }
    free(n);
    return -1;
}

static int vnet_probe(struct virtio_dev *vd, const struct virtio_device_id *id)
{
    (void)id;
    uint64_t wanted = VIRTIO_F_VERSION_1 | VIRTIO_F_EVENT_IDX | VIRTIO_NET_F_MAC |
                      VIRTIO_NET_F_MTU | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_CSUM |
                      VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_MRG_RXBUF;
    if (virtio_begin_init(vd, wanted) != 0)
        return -1;
    struct vnet *n = calloc(1, sizeof *n);
    if (n == NULL) {
        virtio_fail(vd, "virtio-net: out of memory");
        return -1;
    }
    n->vd = vd;
    uint64_t f = vd->features;
    struct vnet_config cfg;
    if (vnet_read_config(vd, &cfg) != 0)
        return vnet_unwind(n);
    set_mac(n, &cfg);
    bool mrg = f & VIRTIO_NET_F_MRG_RXBUF;
    n->hdr_len = vnet_hdr_bytes(!vd->legacy, mrg);
    n->hdr_separate = vd->legacy && !(f & VIRTIO_F_ANY_LAYOUT);
    n->descs_per_buffer = n->hdr_separate ? 2 : 1;
    n->device_csum = f & VIRTIO_NET_F_CSUM;
    n->has_status = f & VIRTIO_NET_F_STATUS;
    /* The interrupt first, so the queues get their own MSI-X vectors. */
    n->irq = virtio_irq_setup(vd);

    n->rxq = virtq_create(vd, RXQ, QUEUE_MAX);
    n->txq = n->rxq ? virtq_create(vd, TXQ, QUEUE_MAX) : NULL;
    if (n->rxq == NULL || n->txq == NULL) {
        virtio_fail(vd, "virtio-net: queues could not be set up");
        return vnet_unwind(n);
    }
    /* Frames are at most MTU + Ethernet header + one VLAN tag. */
    size_t max_frame = cfg.mtu + ETH_HEADER_BYTES + ETH_VLAN_BYTES;
    if (alloc_buffers(n, max_frame, mrg) != 0)
        return vnet_unwind(n);
    n->rx.hdr_len = (uint8_t)n->hdr_len;
    for (unsigned i = 0; i < n->rx_count; i++) {
        if (rx_post(n, n->rx_pool + i * n->rx_buf_size) != 0) {
            virtio_fail(vd, "virtio-net: receive buffer %u not accepted: %s", i, n->rxq->error);
            return vnet_unwind(n);
        }
    }

    n->nd.driver = "virtio-net";
    n->nd.dev = &vd->dev;
    n->nd.mtu = cfg.mtu;
    n->nd.features = n->device_csum ? NETDEV_FEATURE_TX_CSUM : 0;
    n->nd.ops = &vnet_ops;
    n->nd.priv = n;
    n->nd.link_up = true; /* without STATUS the link is assumed up (5.1.4.2) */
    vd->priv = n;
    vd->on_event = vnet_event;
    /* Transmit completions are collected on the next transmit or receive;
     * an interrupt for each would only cost time. */
    virtq_disable_interrupts(n->txq);
    if (!n->irq)
        virtq_disable_interrupts(n->rxq);
    else
        virtq_enable_interrupts(n->rxq);
    virtio_driver_ok(vd);
    if (vd->broken)
        return vnet_unwind(n);
    virtq_kick(n->rxq); /* 3.1.1: no notification before DRIVER_OK */
    if (vd->broken)
        return vnet_unwind(n); /* it broke the rules on its first frames: never offered to users */
    read_link(n);
    kprintf("virtio-net %s: features %s%s%s%s%s%s, %u receive buffers of %zu bytes\n", vd->location,
            vd->legacy ? "legacy " : "", (f & VIRTIO_F_ANY_LAYOUT) ? "ANY_LAYOUT " : "",
            mrg ? "MRG_RXBUF " : "", n->device_csum ? "CSUM " : "",
            (f & VIRTIO_NET_F_GUEST_CSUM) ? "GUEST_CSUM " : "",
            (f & VIRTIO_F_EVENT_IDX) ? "EVENT_IDX" : "", n->rx_count, n->rx_buf_size);
    if (netdev_register(&n->nd) != 0)
        return vnet_unwind(n);
    n->registered = true;
    return 0;
}

static bool tx_all_done(void *ctx)
{
    struct vnet *n = ctx;
    tx_reap(n);
    return n->tx_nfree == n->tx_count || n->vd->broken;
}

/* Exit: what was queued leaves the VM before the reset that follows
 * (virtio_bus_quiesce). Completions interrupt now, so the wait is short. */
static void vnet_quiesce(struct virtio_dev *vd)
{
    struct vnet *n = vd->priv;
    if (n == NULL || vd->broken)
        return;
    vd->on_event = NULL; /* nothing is delivered any more */
    if (n->irq)
        virtq_enable_interrupts(n->txq);
    if (n->tx_nfree != n->tx_count)
        virtq_kick_always(n->txq);
    if (!wait_until(tx_all_done, n, time_now_ns() + TX_FLUSH_LIMIT_NS))
        kprintf("%s: %u frames still unsent at exit\n", vname(n), n->tx_count - n->tx_nfree);
}

/* The device is going away: the class forgets it, the device is reset (it
 * may hold receive buffers) and only then is its memory freed (vnet_unwind,
 * which leaves it with the device when the reset is not confirmed). */
static void vnet_remove(struct virtio_dev *vd)
{
    struct vnet *n = vd->priv;
    if (n == NULL)
        return;
    if (n->registered)
        netdev_unregister(&n->nd);
    vnet_unwind(n);
}

static const struct virtio_device_id vnet_ids[] = {{VIRTIO_ID_NET}, {0}};
static const struct virtio_driver virtio_net_driver = {
    .drv = {.name = "virtio-net", .bus = &virtio_bus},
    .ids = vnet_ids,
    .probe = vnet_probe,
    .remove = vnet_remove,
    .quiesce = vnet_quiesce,
};
VIRTIO_DRIVER_REGISTER(virtio_net_driver);
