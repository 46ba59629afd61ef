/* TAP set-up for virtio-net: see tap.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostsim/log.h"
#include "hostsim/virtio/net.h"
#include "hostsim/virtio/tap.h"

int tap_open(const char *name, char *err, size_t errlen)
{
    struct ifreq ifr;
    if (strlen(name) >= sizeof ifr.ifr_name) {
        snprintf(err, errlen, "--nic tap=%s: interface names have at most %zu characters", name,
                 sizeof ifr.ifr_name - 1);
        return -1;
    }
    /* TUNSETIFF would create a missing interface; hostsim uses only one the
     * caller made (and configured) beforehand. */
    if (if_nametoindex(name) == 0) {
        snprintf(err, errlen,
                 "--nic tap=%s: no such network interface here (create it first, e.g. "
                 "ip tuntap add %s mode tap)",
                 name, name);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--nic tap=%s: /dev/net/tun: %s", name, strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    int hdr = VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        snprintf(err, errlen,
                 "--nic tap=%s: TUNSETIFF: %s (create it first, e.g. ip tuntap add %s "
                 "mode tap)",
                 name, strerror(errno), name);
        close(fd);
        return -1;
    }
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) != 0) {
        snprintf(err, errlen, "--nic tap=%s: TUNSETVNETHDRSZ 12: %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    /* No offloads until the guest says which it takes (DRIVER_OK). */
    if (ioctl(fd, TUNSETOFFLOAD, 0ul) != 0)
        hs_debug("--nic tap=%s: TUNSETOFFLOAD 0: %s", name, strerror(errno));
    return fd;
}

int tap_set_offload(void *ctx, unsigned flags)
{
    int fd = (int)(intptr_t)ctx;
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) == 0)
        return 0;
    /* Kernels that refuse UFO still take the rest; a guest that acked
     * GUEST_UFO then simply gets no UFO frames. */
    if ((flags & TUN_F_UFO) && ioctl(fd, TUNSETOFFLOAD, (unsigned long)(flags & ~TUN_F_UFO)) == 0) {
        hs_debug("TAP: TUNSETOFFLOAD without UFO (the kernel refused it)");
        return 0;
    }
    return -1;
}
