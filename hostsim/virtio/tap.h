/* A TAP interface as a virtio-net device's host side: opened with
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a 12-byte vnet header, as
 * Firecracker opens its host_dev_name (devices/virtio/net/tap.rs). */
#ifndef HOSTSIM_VIRTIO_TAP_H
#define HOSTSIM_VIRTIO_TAP_H

#include <stddef.h>

/* Opens TAP interface `name` (which must exist) non-blocking. Returns the
 * fd, or -1 with a reason in err. */
int tap_open(const char *name, char *err, size_t errlen);
/* TUNSETOFFLOAD; a vnet set_offload callback (ctx: the fd as intptr_t). */
int tap_set_offload(void *ctx, unsigned flags);

#endif
