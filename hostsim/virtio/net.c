/* virtio-net back end: see net.h. Section numbers are those of virtio 1.2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hostsim/log.h"
#include "hostsim/registry.h"
#include "hostsim/virtio/net.h"

#define GUEST_GSO (VIRTIO_NET_F_GUEST_TSO4 | VIRTIO_NET_F_GUEST_TSO6 | VIRTIO_NET_F_GUEST_UFO)
#define HOST_GSO (VIRTIO_NET_F_HOST_TSO4 | VIRTIO_NET_F_HOST_TSO6 | VIRTIO_NET_F_HOST_UFO)

struct net_hdr {
    uint8_t flags, gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

static struct net_hdr parse_hdr(const uint8_t *p)
{
    struct net_hdr h;
    h.flags = p[0];
    h.gso_type = p[1];
    memcpy(&h.hdr_len, p + 2, 2);
    memcpy(&h.gso_size, p + 4, 2);
    memcpy(&h.csum_start, p + 6, 2);
    memcpy(&h.csum_offset, p + 8, 2);
    memcpy(&h.num_buffers, p + 10, 2);
    return h;
}

/* ---- features and activation ---- */

static int net_features_ok(struct vmmio *d)
{
    /* 5.1.3.1 feature dependencies; 2.2.1: a driver must not accept a
     * feature without the ones it requires. */
    static const struct {
        uint64_t bit, needs;
        const char *name, *needs_name;
    } deps[] = {
        {VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_CSUM, "GUEST_TSO4", "GUEST_CSUM"},
        {VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_CSUM, "GUEST_TSO6", "GUEST_CSUM"},
        {VIRTIO_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_CSUM, "GUEST_UFO", "GUEST_CSUM"},
        {VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_CSUM, "HOST_TSO4", "CSUM"},
        {VIRTIO_NET_F_HOST_TSO6, VIRTIO_NET_F_CSUM, "HOST_TSO6", "CSUM"},
        {VIRTIO_NET_F_HOST_UFO, VIRTIO_NET_F_CSUM, "HOST_UFO", "CSUM"},
    };
    for (size_t i = 0; i < sizeof deps / sizeof deps[0]; i++) {
        if ((d->acked & deps[i].bit) && !(d->acked & deps[i].needs))
            return vmmio_fail(d, "%s acknowledged without %s, which it requires (5.1.3.1, 2.2.1)",
                              deps[i].name, deps[i].needs_name);
    }
    return 0;
}

static int net_activate(struct vmmio *d)
{
    struct vnet *n = d->backend_ctx;
    /* The TAP may hand over only what the guest can take: partial checksums
     * with GUEST_CSUM, GSO frames with GUEST_TSO4/6/UFO. */
    unsigned off = 0;
    if (d->acked & VIRTIO_NET_F_GUEST_CSUM)
        off |= VNET_TUN_F_CSUM;
    if (d->acked & VIRTIO_NET_F_GUEST_TSO4)
        off |= VNET_TUN_F_TSO4;
    if (d->acked & VIRTIO_NET_F_GUEST_TSO6)
        off |= VNET_TUN_F_TSO6;
    if (d->acked & VIRTIO_NET_F_GUEST_UFO)
        off |= VNET_TUN_F_UFO;
    n->offload = off;
    if (n->set_offload != NULL && n->set_offload(n->offload_ctx, off) != 0)
        hs_log("warning: %s: cannot set the TAP's offloads to 0x%x; frames may arrive with "
               "offloads the guest did not acknowledge",
               d->name, off);
    hs_debug("%s: live, features 0x%llx, TAP offloads 0x%x", d->name, (unsigned long long)d->acked,
             off);
    return 0;
}

static void net_reset(struct vmmio *d)
{
    struct vnet *n = d->backend_ctx;
    n->frame_pending = false; /* a frame for the previous driver */
}

/* ---- transmit (5.1.6.2.1) ---- */

static int check_tx_hdr(struct vnet *n, const struct net_hdr *h, uint64_t frame_len, uint16_t head)
{
    uint64_t acked = n->t.acked;
    if (h->num_buffers != 0)
        return vmmio_fail(&n->t,
                          "transmit header (head %u): num_buffers is %u; the driver must set 0 "
                          "(5.1.6.2.1)",
                          head, h->num_buffers);
    if (h->flags & (VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_RSC_INFO))
        return vmmio_fail(&n->t,
                          "transmit header (head %u): flags 0x%x set DATA_VALID or RSC_INFO, "
                          "which the driver must not (5.1.6.2.1)",
                          head, h->flags);
    if (h->flags != 0 && !(acked & VIRTIO_NET_F_CSUM))
        return vmmio_fail(&n->t,
                          "transmit header (head %u): flags 0x%x without VIRTIO_NET_F_CSUM "
                          "negotiated; they must be 0 (5.1.6.2.1)",
                          head, h->flags);
    uint64_t need = 0;
    switch (h->gso_type) {
    case VIRTIO_NET_HDR_GSO_NONE:
        break;
    case VIRTIO_NET_HDR_GSO_TCPV4:
        need = VIRTIO_NET_F_HOST_TSO4;
        break;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        need = VIRTIO_NET_F_HOST_TSO6;
        break;
    case VIRTIO_NET_HDR_GSO_UDP:
        need = VIRTIO_NET_F_HOST_UFO;
        break;
    default:
        need = ~0ull; /* UDP_L4, ECN: features hostsim does not offer */
        break;
    }
    if (need != 0 && (acked & need) != need)
        return vmmio_fail(&n->t,
                          "transmit header (head %u): gso_type 0x%x without the HOST_* feature "
                          "it needs negotiated (5.1.6.2.1)",
                          head, h->gso_type);
    if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
        (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h->gso_size == 0))
        return vmmio_fail(&n->t,
                          "transmit header (head %u): gso_type 0x%x needs NEEDS_CSUM and a "
                          "gso_size (flags 0x%x, gso_size %u; 5.1.6.2.1)",
                          head, h->gso_type, h->flags, h->gso_size);
    if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
        (uint64_t)h->csum_start + h->csum_offset + 2 > frame_len)
        return vmmio_fail(&n->t,
                          "transmit header (head %u): checksum at csum_start %u + csum_offset %u "
                          "lies outside the %llu-byte frame (5.1.6.2.1)",
                          head, h->csum_start, h->csum_offset, (unsigned long long)frame_len);
    return 0;
}

static int transmit_one(struct vnet *n, const struct devq_chain *c)
{
    if (c->nreadable != c->n)
        return vmmio_fail(&n->t,
                          "transmit chain (head %u) has device-writable descriptors; transmit "
                          "buffers are device-readable",
                          c->head);
    if (c->readable_bytes < VNET_HDR)
        return vmmio_fail(&n->t,
                          "transmit chain (head %u) has %llu bytes, less than the 12-byte "
                          "virtio_net_hdr (5.1.6)",
                          c->head, (unsigned long long)c->readable_bytes);
    uint8_t raw[VNET_HDR];
    devq_chain_read(c, 0, raw, sizeof raw);
    struct net_hdr h = parse_hdr(raw);
    uint64_t frame_len = c->readable_bytes - VNET_HDR;
    if (check_tx_hdr(n, &h, frame_len, c->head) != 0)
        return -1;

    /* Header and frame go to the TAP as they are. */
    struct iovec iov[DEVQ_MAX_SIZE];
    unsigned niov = devq_chain_iov(c, false, 0, c->readable_bytes, iov);
    ssize_t w;
    do {
        w = writev(n->fd, iov, (int)niov);
    } while (w < 0 && errno == EINTR);
    if (w < 0 || (uint64_t)w != c->readable_bytes) {
        n->tx_errors++;
        const char *why = w < 0 ? strerror(errno) : "short write";
        if (!n->tx_error_logged) {
            n->tx_error_logged = true;
            hs_log("warning: %s: %s refused a %llu-byte frame: %s (dropped; later ones are "
                   "counted)",
                   n->t.name, n->ifname != NULL ? n->ifname : "the TAP",
                   (unsigned long long)frame_len, why);
        } else {
            hs_debug("%s: frame dropped: %s", n->t.name, why);
        }
        return 0;
    }
    n->tx_frames++;
    n->tx_bytes += frame_len;
    return 0;
}

static int net_transmit(struct vnet *n)
{
    struct devq *q;
    while ((q = vmmio_live_queue(&n->t, VNET_TXQ)) != NULL) {
        bool any = false;
        int r;
        while ((r = devq_pop(q, &n->chain)) == 1) {
            if (transmit_one(n, &n->chain) != 0)
                return -1;
            devq_push(q, n->chain.head, 0); /* the device writes nothing */
            any = true;
        }
        if (r < 0)
            return vmmio_fail(&n->t, "%s", q->err);
        if (any && vmmio_queue_done(&n->t, VNET_TXQ) != 0)
            return -1;
        if (!devq_arm_notify(q))
            return 0;
    }
    return 0;
}

/* ---- receive (5.1.6.3, 5.1.6.3.2) ---- */

static int check_rx_chain(struct vnet *n, const struct devq_chain *c, uint64_t min,
                          const char *rule)
{
    if (c->nreadable != 0)
        return vmmio_fail(&n->t,
                          "receive chain (head %u) has device-readable descriptors; receive "
                          "buffers are device-writable",
                          c->head);
    if (c->writable_bytes < min)
        return vmmio_fail(&n->t, "receive chain (head %u) has %llu bytes; %s", c->head,
                          (unsigned long long)c->writable_bytes, rule);
    return 0;
}

static void set_num_buffers(const struct devq_chain *first, uint16_t count)
{
    devq_chain_write(first, 10, &count, sizeof count);
}

static void drop_frame(struct vnet *n, const char *why)
{
    n->rx_dropped++;
    n->frame_pending = false;
    hs_debug("%s: received %zu-byte frame dropped: %s", n->t.name, n->frame_len - VNET_HDR, why);
}

/* The faults this back end injects on purpose (--misbehave KIND), each once,
 * on the first frame delivered on the receive queue. */
static const struct hostsim_misbehave vnet_misbehave_kinds[] = {
    {"net-used-len", "virtio-net", VNET_MISBEHAVE_USED_LEN,
     "first received frame: used len = device-writable bytes + 512"},
    {"net-used-id", "virtio-net", VNET_MISBEHAVE_USED_ID,
     "first received frame: used id = queue size + 5"},
    {"net-num-buffers", "virtio-net", VNET_MISBEHAVE_NUM_BUFFERS,
     "first received frame: num_buffers 200 though one buffer was used"},
    {"net-num-buffers-0", "virtio-net", VNET_MISBEHAVE_NUM_BUFFERS_ZERO,
     "first received frame: num_buffers 0"},
    {NULL, NULL, 0, NULL},
};

static const struct hostsim_backend vnet_backend = {
    .name = "virtio-net",
    .summary = "virtio-net on a TAP interface (virtio 1.2, 5.1)",
    .misbehave = vnet_misbehave_kinds,
};
HOSTSIM_REGISTER_BACKEND(vnet_backend);

/* ---- MISBEHAVE: deliberate protocol violations (--misbehave net-*) ----
 * Called once a frame has been written into its receive buffers, before the
 * first used element is pushed; does nothing unless n->misbehave is set, and
 * acts on the first frame only. May change that element's id and len, or
 * rewrite the header's num_buffers in the first buffer. */
static void misbehave_hook(struct vnet *n, struct devq *q, const struct devq_chain *first,
                           unsigned used, uint16_t *id, uint32_t *len)
{
    if (n->misbehave == VNET_MISBEHAVE_NONE || n->misbehaved > 0)
        return;
    uint16_t nb = 0;
    switch (n->misbehave) {
    case VNET_MISBEHAVE_USED_LEN:
        *len = (uint32_t)(first->writable_bytes + 512);
        break;
    case VNET_MISBEHAVE_USED_ID:
        *id = (uint16_t)(q->size + 5);
        break;
    case VNET_MISBEHAVE_NUM_BUFFERS:
        nb = VNET_MISBEHAVE_NUM_BUFFERS_VALUE;
        set_num_buffers(first, nb);
        break;
    case VNET_MISBEHAVE_NUM_BUFFERS_ZERO:
        set_num_buffers(first, 0);
        break;
    case VNET_MISBEHAVE_NONE:
        return;
    }
    n->misbehaved++;
    if (n->misbehave == VNET_MISBEHAVE_NUM_BUFFERS ||
        n->misbehave == VNET_MISBEHAVE_NUM_BUFFERS_ZERO)
        hs_log("%s: misbehaving now: %zu-byte frame (head %u) says num_buffers %u in %u "
               "buffer%s",
               n->t.name, n->frame_len - VNET_HDR, first->head, nb, used, used == 1 ? "" : "s");
    else
        hs_log("%s: misbehaving now: %zu-byte frame (head %u, %llu writable bytes) completes "
               "with used id %u, len %u",
               n->t.name, n->frame_len - VNET_HDR, first->head,
               (unsigned long long)first->writable_bytes, *id, *len);
}

/* Puts the pending frame into receive buffers: 1 when it was consumed
 * (delivered or dropped), 0 when there are too few buffers, -1 on a
 * violation. */
static int deliver(struct vnet *n, struct devq *q)
{
    uint64_t acked = n->t.acked;
    size_t len = n->frame_len;
    if (!(acked & VIRTIO_NET_F_MRG_RXBUF)) {
        int r = devq_pop(q, &n->chain);
        if (r <= 0)
            return r < 0 ? vmmio_fail(&n->t, "%s", q->err) : 0;
        bool gso = (acked & GUEST_GSO) != 0;
        if (check_rx_chain(n, &n->chain, gso ? VNET_RX_MIN_GSO : VNET_RX_MIN,
                           gso ? "without MRG_RXBUF and with GUEST_TSO4/6/UFO each must hold "
                                 "65562 (5.1.6.3.1; Firecracker requires it)"
                               : "without MRG_RXBUF each must hold 1526 (5.1.6.3.1; "
                                 "Firecracker requires it)") != 0)
            return -1;
        if (len > n->chain.writable_bytes) {
            devq_unpop(q, 1);
            drop_frame(n, "larger than a receive buffer");
            return 1;
        }
        uint16_t one = 1;
        memcpy(n->frame + 10, &one, 2); /* 5.1.6.3.2: num_buffers is 1 */
        devq_chain_write(&n->chain, 0, n->frame, len);
        uint16_t id = n->chain.head;
        uint32_t used_len = (uint32_t)len;
        misbehave_hook(n, q, &n->chain, 1, &id, &used_len); /* MISBEHAVE */
        devq_push(q, id, used_len);
        return 1;
    }

    /* MRG_RXBUF: as many chains as the frame needs, num_buffers in the
     * first one's header (5.1.6.3.2). */
    unsigned k = 0;
    size_t off = 0;
    while (off < len) {
        struct devq_chain *c = k == 0 ? &n->first : &n->chain;
        int r = devq_pop(q, c);
        if (r < 0)
            return vmmio_fail(&n->t, "%s", q->err);
        if (r == 0) {
            devq_unpop(q, (uint16_t)k);
            if (k >= q->size) {
                drop_frame(n, "more than a full ring of receive buffers");
                return 1;
            }
            return 0;
        }
        if (check_rx_chain(n, c, VNET_HDR,
                           "with MRG_RXBUF each buffer must hold at least the 12-byte header "
                           "(5.1.6.3.1)") != 0)
            return -1;
        size_t take = len - off;
        if (take > c->writable_bytes)
            take = (size_t)c->writable_bytes;
        devq_chain_write(c, 0, n->frame + off, take);
        n->heads[k] = c->head;
        n->lens[k] = (uint32_t)take;
        k++;
        off += take;
    }
    set_num_buffers(&n->first, (uint16_t)k);
    misbehave_hook(n, q, &n->first, k, &n->heads[0], &n->lens[0]); /* MISBEHAVE */
    for (unsigned i = 0; i < k; i++)
        devq_push(q, n->heads[i], n->lens[i]);
    return 1;
}

/* Reads one frame into n->frame: 1, or 0 when the fd has none. */
static int read_frame(struct vnet *n)
{
    for (;;) {
        ssize_t r = read(n->fd, n->frame, VNET_FRAME_MAX);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                hs_debug("%s: read from %s: %s", n->t.name, n->ifname ? n->ifname : "the TAP",
                         strerror(errno));
            return 0;
        }
        if ((size_t)r <= VNET_HDR) {
            n->rx_dropped++;
            continue;
        }
        n->frame_len = (size_t)r;
        n->frame_pending = true;
        return 1;
    }
}

bool vnet_wants_frames(const struct vnet *n)
{
    return n->t.live && !n->t.broken && !n->frame_pending && n->t.queue[VNET_RXQ].ready;
}

int vnet_receive(struct vnet *n, unsigned budget)
{
    struct devq *q = vmmio_live_queue(&n->t, VNET_RXQ);
    if (q == NULL)
        return 0;
    bool any = false;
    for (unsigned done = 0; done < budget;) {
        if (!n->frame_pending && !read_frame(n))
            break;
        size_t bytes = n->frame_len - VNET_HDR;
        int r = deliver(n, q);
        if (r < 0)
            return -1;
        if (r == 0) {
            /* Out of buffers: wait for the driver to add some. */
            if (devq_arm_notify(q))
                continue;
            break;
        }
        if (n->frame_pending) {
            n->frame_pending = false;
            n->rx_frames++;
            n->rx_bytes += bytes;
            any = true;
        }
        done++;
    }
    if (any)
        return vmmio_queue_done(&n->t, VNET_RXQ);
    return 0;
}

static int net_process(struct vmmio *d, unsigned q)
{
    struct vnet *n = d->backend_ctx;
    if (q == VNET_TXQ)
        return net_transmit(n);
    return vnet_receive(n, VNET_QUEUE_SIZE); /* new receive buffers */
}

static const struct vmmio_backend net_backend = {
    .features_ok = net_features_ok,
    .activate = net_activate,
    .process = net_process,
    .reset = net_reset,
};

int vnet_init(struct vnet *n, int fd, const char *ifname, const uint8_t *mac, uint16_t mtu)
{
    memset(n, 0, offsetof(struct vnet, chain));
    n->fd = fd;
    n->ifname = ifname;
    n->mtu = mtu;
    if (mac != NULL) {
        n->has_mac = true;
        memcpy(n->mac, mac, 6);
    }
    n->frame = malloc(VNET_FRAME_MAX);
    return n->frame != NULL ? 0 : -1;
}

void vnet_attach(struct vnet *n, uint64_t base, unsigned gsi, const struct guest_mem *mem,
                 const struct vmmio_host *host, void *host_ctx)
{
    uint64_t features = VNET_FEATURES;
    if (n->has_mac)
        features |= VIRTIO_NET_F_MAC;
    if (n->mtu != 0)
        features |= VIRTIO_NET_F_MTU;
    vmmio_init(&n->t, "net", base, gsi, VIRTIO_ID_NET, features, 2, VNET_QUEUE_SIZE, mem,
               &net_backend, n, host, host_ctx);
    /* 5.1.4: mac always exists (valid with VIRTIO_NET_F_MAC); status and
     * max_virtqueue_pairs need STATUS and MQ (not offered); mtu at 10. */
    memcpy(n->t.config, n->mac, 6);
    vmmio_add_field(&n->t, 0, 1, 6, "mac");
    if (n->mtu != 0) {
        memcpy(n->t.config + 10, &n->mtu, 2);
        vmmio_add_field(&n->t, 10, 2, 1, "mtu");
    }
}

void vnet_free(struct vnet *n)
{
    free(n->frame);
    n->frame = NULL;
}
