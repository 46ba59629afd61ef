/* anyvm/net.h on the network device class (dev/netdev.h). Handles as in
 * api/handle.h: the class tells api/ when a device leaves (netdev_watch).
 * The app's receiver hangs on its handle, never on the device, so a frame
 * delivered while the device goes away finds nothing freed. */
#include <anyvm/net.h>

#include <string.h>

#include "api/app_errno.h"
#include "api/device_name.h"
#include "api/handle.h"
#include "api/net_receiving.h"
#include "core/device.h"
#include "dev/netdev.h"
#include "klib/format.h"

#define ETH_HEADER_BYTES 14 /* destination, source, type (IEEE 802.3, 3.1.1) */

struct anyvm_net {
    struct api_handle h; /* h.obj: the struct netdev, NULL once removed */
    void (*receive)(void *ctx, const void *frame, size_t len);
    void *ctx;
};

static struct api_handles nics;
static unsigned receiving; /* receive callbacks running (one, unless one waits) */

static void nic_removed(struct netdev *nd)
{
    api_handle_forget(&nics, nd);
}

static struct netdev_watcher watcher = {.removed = nic_removed};

static struct anyvm_net *handle_of(struct netdev *nd)
{
    static bool watching;
    if (!watching) {
        netdev_watch(&watcher);
        watching = true;
    }
    struct api_handle *h = api_handle_of(&nics, nd, sizeof(struct anyvm_net));
    return h ? (struct anyvm_net *)h : app_fail_null(APP_ENOMEM);
}

/* The device behind n; NULL with errno set when there is none. */
static struct netdev *nic_of(struct anyvm_net *n)
{
    if (n == NULL) {
        app_fail(APP_EINVAL);
        return NULL;
    }
    if (n->h.obj == NULL)
        app_fail(APP_ENODEV);
    return n->h.obj;
}

bool api_net_receiving(void)
{
    return receiving != 0;
}

struct anyvm_net *anyvm_net_next(struct anyvm_net *prev)
{
    struct netdev *nd = netdev_first();
    if (prev != NULL) {
        struct netdev *p = nic_of(prev);
        if (p == NULL)
            return NULL;
        nd = p->next;
    }
    return nd ? handle_of(nd) : NULL;
}

struct anyvm_net *anyvm_net_open(const char *name)
{
    struct netdev *nd = netdev_find(name);
    return nd ? handle_of(nd) : app_fail_null(APP_ENOENT);
}

int anyvm_net_info(struct anyvm_net *n, struct anyvm_net_info *out)
{
    struct netdev *nd = nic_of(n);
    if (nd == NULL)
        return -1;
    if (out == NULL)
        return app_fail(APP_EINVAL);
    memset(out, 0, sizeof *out);
    ksnprintf(out->name, sizeof out->name, "%s", nd->name);
    ksnprintf(out->driver, sizeof out->driver, "%s", nd->driver ? nd->driver : "");
    memcpy(out->mac, nd->mac, sizeof out->mac);
    out->mtu = nd->mtu;
    out->link_up = nd->link_up;
    out->tx_csum_offload = nd->features & NETDEV_FEATURE_TX_CSUM;
    api_device_name(nd->dev, out->device, sizeof out->device);
    return 0;
}

static int transmit(struct anyvm_net *n, const void *frame, size_t len,
                    const struct netdev_tx_offload *offload)
{
    struct netdev *nd = nic_of(n);
    if (nd == NULL)
        return -1;
    if (frame == NULL || len < ETH_HEADER_BYTES)
        return app_fail(APP_EINVAL);
    if (len > (size_t)nd->mtu + ETH_HEADER_BYTES)
        return app_fail(APP_EMSGSIZE);
    struct netdev_buf buf = {.data = frame, .len = len};
    if (netdev_transmit(nd, &buf, 1, offload) == 0)
        return 0;
    /* The class does not say why; a disabled device never takes a frame
     * again, any other refusal is a full queue. */
    bool disabled = nd->dev != NULL && nd->dev->state == DEVICE_DISABLED;
    return app_fail(disabled ? APP_EIO : APP_EAGAIN);
}

int anyvm_net_send(struct anyvm_net *n, const void *frame, size_t len)
{
    return transmit(n, frame, len, NULL);
}

int anyvm_net_send_csum(struct anyvm_net *n, const void *frame, size_t len, size_t csum_start,
                        size_t csum_offset)
{
    struct netdev *nd = nic_of(n);
    if (nd == NULL)
        return -1;
    if (!(nd->features & NETDEV_FEATURE_TX_CSUM))
        return app_fail(APP_EOPNOTSUPP);
    /* The 16-bit field at csum_start + csum_offset lies inside the frame. */
    if (csum_start > len || csum_offset > len - csum_start || len - csum_start - csum_offset < 2 ||
        csum_start > UINT16_MAX || csum_offset > UINT16_MAX)
        return app_fail(APP_EINVAL);
    struct netdev_tx_offload offload = {
        .csum = true, .csum_start = (uint16_t)csum_start, .csum_offset = (uint16_t)csum_offset};
    return transmit(n, frame, len, &offload);
}

/* The class's receiver: from the driver's receive path, in the loop. */
static void deliver(struct netdev *nd, const void *frame, size_t len, void *ctx)
{
    (void)nd;
    struct anyvm_net *n = ctx;
    if (n->receive == NULL)
        return;
    receiving++;
    n->receive(n->ctx, frame, len);
    receiving--;
}

int anyvm_net_set_receiver(struct anyvm_net *n,
                           void (*receive)(void *ctx, const void *frame, size_t len), void *ctx)
{
    struct netdev *nd = nic_of(n);
    if (nd == NULL)
        return -1;
    n->receive = receive;
    n->ctx = ctx;
    netdev_set_receiver(nd, receive ? deliver : NULL, receive ? n : NULL);
    return 0;
}

int anyvm_net_stats(struct anyvm_net *n, struct anyvm_net_stats *out)
{
    struct netdev *nd = nic_of(n);
    if (nd == NULL)
        return -1;
    if (out == NULL)
        return app_fail(APP_EINVAL);
    const struct netdev_stats *s = &nd->stats;
    *out = (struct anyvm_net_stats){.rx_packets = s->rx_packets,
                                    .rx_bytes = s->rx_bytes,
                                    .rx_dropped = s->rx_dropped,
                                    .rx_errors = s->rx_errors,
                                    .tx_packets = s->tx_packets,
                                    .tx_bytes = s->tx_bytes,
                                    .tx_dropped = s->tx_dropped,
                                    .tx_errors = s->tx_errors,
                                    .rx_csum_completed = s->rx_csum_completed,
                                    .tx_csum_offloaded = s->tx_csum_offloaded};
    return 0;
}
