/* virtio-net configuration (see net_config.h). */
#include "drivers/virtio/net_config.h"

#include <string.h>

int vnet_read_config(struct virtio_dev *vd, struct vnet_config *out)
{
    memset(out, 0, sizeof *out);
    out->mtu = VIRTIO_NET_DEFAULT_MTU;
    if (vd->features & VIRTIO_NET_F_MTU) {
        uint16_t mtu = (uint16_t)virtio_config_read(vd, VIRTIO_NET_CFG_MTU, 2);
        if (vd->broken)
            return -1;
        if (mtu < VIRTIO_NET_MIN_MTU) {
            virtio_fail(vd, "virtio-net: MTU %u below the minimum of %u (5.1.4.1)", mtu,
                        VIRTIO_NET_MIN_MTU);
            return -1;
        }
        out->mtu = mtu;
    }
    if (vd->features & VIRTIO_NET_F_MAC) {
        if (virtio_config_read_bytes(vd, VIRTIO_NET_CFG_MAC, out->mac, sizeof out->mac) != 0)
            return -1;
        out->has_mac = true;
    }
    return 0;
}

bool vnet_read_link(struct virtio_dev *vd)
{
    if (!(vd->features & VIRTIO_NET_F_STATUS))
        return true;
    return (virtio_config_read(vd, VIRTIO_NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP) != 0;
}
