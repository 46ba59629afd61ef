/* Network device class: registration under names net0, net1, ..., lookup,
 * delivery to the receiver and the counters every driver shares. Pure logic
 * (no hardware access), so host tests drive it with a fake driver. */
#include "dev/netdev.h"

#include "klib/format.h"
#include <string.h>

#include "core/log.h"

static struct netdev *devices;
static unsigned registered;
static struct netdev_watcher *watchers;

int netdev_register(struct netdev *nd)
{
    if (nd == NULL || nd->ops == NULL || nd->ops->transmit == NULL) {
        kprintf("netdev: registration without a transmit operation refused\n");
        return -1;
    }
    ksnprintf(nd->name, sizeof nd->name, "net%u", registered++);
    nd->next = NULL;
    struct netdev **p = &devices;
    while (*p)
        p = &(*p)->next;
    *p = nd;
    kprintf("%s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, link %s\n", nd->name,
            nd->driver ? nd->driver : "?", nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3],
            nd->mac[4], nd->mac[5], nd->mtu, nd->link_up ? "up" : "down");
    for (struct netdev_watcher *w = watchers; w; w = w->next)
        if (w->added)
            w->added(nd);
    return 0;
}

void netdev_unregister(struct netdev *nd)
{
    for (struct netdev **p = &devices; *p; p = &(*p)->next) {
        if (*p == nd) {
            *p = nd->next;
            kprintf("%s: removed\n", nd->name);
            break;
        }
    }
    nd->next = NULL;
    nd->rx = NULL;
    for (struct netdev_watcher *w = watchers; w; w = w->next)
        if (w->removed)
            w->removed(nd);
}

void netdev_watch(struct netdev_watcher *w)
{
    w->next = watchers;
    watchers = w;
}

void netdev_set_link(struct netdev *nd, bool up)
{
    if (up == nd->link_up)
        return;
    kprintf("%s: link %s\n", nd->name, up ? "up" : "down");
    nd->link_up = up;
    for (struct netdev_watcher *w = watchers; w; w = w->next)
        if (w->link_changed)
            w->link_changed(nd);
}

void netdev_deliver(struct netdev *nd, const void *frame, size_t len)
{
    netdev_rx_fn fn = nd->rx;
    if (fn == NULL) {
        nd->stats.rx_dropped++; /* nobody listens: counted, never silent */
        return;
    }
    nd->stats.rx_packets++;
    nd->stats.rx_bytes += len;
    fn(nd, frame, len, nd->rx_ctx);
}

struct netdev *netdev_first(void)
{
    return devices;
}

struct netdev *netdev_find(const char *name)
{
    for (struct netdev *nd = devices; nd; nd = nd->next)
        if (name && strcmp(nd->name, name) == 0)
            return nd;
    return NULL;
}

void netdev_set_receiver(struct netdev *nd, netdev_rx_fn fn, void *ctx)
{
    /* Delivery runs from the event loop, never in between these stores. */
    nd->rx_ctx = ctx;
    nd->rx = fn;
}

int netdev_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                    const struct netdev_tx_offload *offload)
{
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += bufs[i].len;
    if (n == 0 || len == 0) {
        nd->stats.tx_errors++;
        return -1;
    }
    if (offload && offload->csum && !(nd->features & NETDEV_FEATURE_TX_CSUM)) {
        /* Callers ask for offload only when the device offers it. */
        nd->stats.tx_errors++;
        return -1;
    }
    if (nd->ops->transmit(nd, bufs, n, offload) != 0) {
        nd->stats.tx_dropped++;
        return -1;
    }
    nd->stats.tx_packets++;
    nd->stats.tx_bytes += len;
    return 0;
}
