/* The I/O side of hostsim's virtio devices: one thread that sleeps in poll()
 * on every queue's notification eventfd and every TAP, and hands each event
 * to the device logic (mmio.c, blk.c, net.c) with the machine's device lock
 * held. The vCPUs keep running meanwhile, as with Firecracker, whose queue
 * notifications are ioeventfds handled by its VMM thread (fact sheet
 * section 7): a QueueNotify write never waits for the I/O it starts.
 *
 * QueueNotify reaches a queue's eventfd in one of two ways: through a KVM
 * ioeventfd (address base+0x50, 4 bytes, data = queue index; registered
 * while the device is live, so a notify before DRIVER_OK still exits to the
 * transport and is caught there), or, where ioeventfds are not available,
 * from the transport's MMIO handler. The machine supplies the KVM calls
 * (ioeventfd registration, interrupt edges) and the fault handler. */
#ifndef HOSTSIM_VIRTIO_IO_H
#define HOSTSIM_VIRTIO_IO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hostsim/virtio/blk.h"
#include "hostsim/virtio/mmio.h"
#include "hostsim/virtio/net.h"

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

struct vio_device {
    struct vmmio *t;
    struct vblk *blk; /* one of blk, net */
    struct vnet *net;
    int notify_fd[VMMIO_MAX_QUEUES];
    bool ioeventfd_on[VMMIO_MAX_QUEUES];
};

struct vio {
    pthread_mutex_t *lock; /* the machine's device lock */
    struct vio_machine machine;
    struct vmmio_host host; /* what every transport calls */
    struct vio_device dev[VIO_MAX_DEVICES];
    unsigned ndev;
    int wake_fd; /* eventfd: rebuild the poll set, or stop */
    bool stopping;
    bool use_ioeventfd;
    pthread_t thread;
    bool running;
};

/* lock is held by the caller of every transport entry point. Returns 0 or
 * -1 (eventfd failure, logged). */
int vio_init(struct vio *io, pthread_mutex_t *lock, const struct vio_machine *m);
/* Adds a device whose transport was attached with host = &io->host and
 * host_ctx = io. */
int vio_add_blk(struct vio *io, struct vblk *b);
int vio_add_net(struct vio *io, struct vnet *n);
/* Starts the thread with SIGALRM, SIGINT, SIGTERM and SIGUSR1 blocked (the
 * vCPU threads take those). */
int vio_start(struct vio *io);
/* Stops and joins the thread; unregisters ioeventfds. */
void vio_stop(struct vio *io);

/* Opens TAP interface `name` (which must exist) with IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, a 12-byte vnet header and non-blocking I/O. Returns the fd,
 * or -1 with a reason in err. */
int vio_tap_open(const char *name, char *err, size_t errlen);
/* TUNSETOFFLOAD; a vnet set_offload callback (ctx: the fd as intptr_t). */
int vio_tap_set_offload(void *ctx, unsigned flags);

#endif
