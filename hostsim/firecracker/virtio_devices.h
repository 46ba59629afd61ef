/* Firecracker's virtio-mmio devices in hostsim: --disk files as virtio-blk,
 * --nic TAP interfaces as virtio-net, attached in Firecracker's order at its
 * addresses and GSIs (virtio_layout.h), their queue notifications and TAPs
 * served by the VM's I/O loop. A guest that breaks a virtio rule ends the
 * VM: hostsim prints "hostsim: virtio-<dev>@0x...: <what it expected>" and
 * exits with HOSTSIM_EXIT_VIRTIO. */
#ifndef HOSTSIM_FC_VIRTIO_DEVICES_H
#define HOSTSIM_FC_VIRTIO_DEVICES_H

#include "hostsim/firecracker/virtio_layout.h"
#include "hostsim/options.h"
#include "hostsim/virtio/blk.h"
#include "hostsim/virtio/io.h"
#include "hostsim/virtio/net.h"
#include "hostsim/vm.h"

#define FC_MAX_NICS 1 /* hostsim serves one network interface */

struct fc_virtio {
    struct vblk blk[HOSTSIM_MAX_DISKS]; /* in attach order: root first */
    unsigned nblk;
    struct vnet net;
    int has_net;
    int tap_fd;
    struct vio io;
    struct hostsim_vm *vm;
    int faulted;
};

/* Opens the disk files and the TAP (before the VM is built); returns 0, or
 * -1 after saying why. */
int fc_virtio_open(struct fc_virtio *v, const struct hostsim_options *o);
/* How many devices, and the root drive's mode for the command line (0 none,
 * 1 rw, 2 ro). */
unsigned fc_virtio_count(const struct fc_virtio *v);
int fc_virtio_root(const struct fc_virtio *v, const struct hostsim_options *o);
/* Registers the devices on the VM's MMIO bus and I/O loop; returns 0 or -1. */
int fc_virtio_attach(struct fc_virtio *v, struct hostsim_vm *vm);
/* After the run: closes the devices (with --verbose, prints counters). */
void fc_virtio_close(struct fc_virtio *v);

#endif
