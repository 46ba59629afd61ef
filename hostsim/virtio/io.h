/* Queue notifications of hostsim's virtio-mmio devices: one eventfd per
 * queue, watched by the machine's I/O loop (ioloop.h), which hands each
 * notification to the transport (vmmio_notified) with the device lock held.
 *
 * QueueNotify reaches a queue's eventfd in one of two ways: through a KVM
 * ioeventfd (address base+0x50, 4 bytes, data = queue index; registered
 * while the device is live, so a notify before DRIVER_OK still exits to the
 * transport and is caught there), or, where ioeventfds are not available,
 * from the transport's MMIO handler. The machine supplies the KVM calls
 * (ioeventfd registration, interrupt edges) and the fault handler. Device
 * specific file descriptors (a net device's TAP) are the machine's to add
 * to the loop. */
#ifndef HOSTSIM_VIRTIO_IO_H
#define HOSTSIM_VIRTIO_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/ioloop.h"
#include "hostsim/virtio/mmio.h"

#define VIO_MAX_DEVICES 32

struct vio_machine {
    /* Register (assign) or remove a KVM ioeventfd; returns 0 or -1. NULL:
     * notifications always take the MMIO exit. */
    int (*ioeventfd)(void *ctx, uint64_t addr, uint32_t datamatch, int fd, bool assign);
    void (*irq)(void *ctx, unsigned gsi);
    /* A device broke the rules: report msg and end the VM. */
    void (*fault)(void *ctx, const char *msg);
    void *ctx;
};

struct vio;

struct vio_device {
    struct vio *io;
    struct vmmio *t;
    struct vio_queue_ref {
        struct vio_device *dev;
        unsigned q;
    } ref[VMMIO_MAX_QUEUES];
    int notify_fd[VMMIO_MAX_QUEUES];
    bool ioeventfd_on[VMMIO_MAX_QUEUES];
};

struct vio {
    struct ioloop *loop;
    struct vio_machine machine;
    struct vmmio_host host; /* what every transport calls */
    struct vio_device dev[VIO_MAX_DEVICES];
    unsigned ndev;
    bool use_ioeventfd;
};

void vio_init(struct vio *io, struct ioloop *loop, const struct vio_machine *m);
/* Adds a transport attached with host = &io->host and host_ctx = io: its
 * queues' eventfds join the loop. Returns 0 or -1 (logged). */
int vio_add(struct vio *io, struct vmmio *t);
/* Unregisters the ioeventfds and closes the eventfds (after the loop
 * stopped). */
void vio_close(struct vio *io);

#endif
