/* Queue notifications of the virtio-mmio devices: see io.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hostsim/log.h"
#include "hostsim/virtio/io.h"

static struct vio_device *find(struct vio *io, struct vmmio *t)
{
    for (unsigned i = 0; i < io->ndev; i++) {
        if (io->dev[i].t == t)
            return &io->dev[i];
    }
    return NULL;
}

static void drain(int fd)
{
    uint64_t v;
    while (read(fd, &v, sizeof v) > 0) {
    }
}

/* ---- struct vmmio_host, called with the device lock held ---- */

static void host_irq(void *ctx, unsigned gsi)
{
    struct vio *io = ctx;
    io->machine.irq(io->machine.ctx, gsi);
}

static void host_notify(void *ctx, struct vmmio *t, unsigned q)
{
    struct vio_device *d = find(ctx, t);
    uint64_t one = 1;
    if (d != NULL && q < VMMIO_MAX_QUEUES && write(d->notify_fd[q], &one, sizeof one) < 0 &&
        errno != EAGAIN)
        hs_debug("%s: notify eventfd: %s", t->name, strerror(errno));
}

static void set_ioeventfd(struct vio *io, struct vio_device *d, unsigned q, bool on)
{
    if (!io->use_ioeventfd || io->machine.ioeventfd == NULL || d->ioeventfd_on[q] == on)
        return;
    if (io->machine.ioeventfd(io->machine.ctx, d->t->base + VMMIO_QUEUE_NOTIFY, q, d->notify_fd[q],
                              on) != 0) {
        if (on) /* keep going on the MMIO exit path */
            hs_debug("%s: no ioeventfd for queue %u; notifications take the MMIO exit", d->t->name,
                     q);
        return;
    }
    d->ioeventfd_on[q] = on;
}

static void host_live(void *ctx, struct vmmio *t, bool live)
{
    struct vio *io = ctx;
    struct vio_device *d = find(io, t);
    if (d == NULL)
        return;
    for (unsigned q = 0; q < t->nqueues; q++) {
        set_ioeventfd(io, d, q, live);
        if (!live)
            drain(d->notify_fd[q]); /* notifications for the session that ended */
    }
    ioloop_wake(io->loop); /* what the loop watches may change (a TAP) */
}

static void host_fault(void *ctx, struct vmmio *t, const char *msg)
{
    struct vio *io = ctx;
    (void)t;
    io->machine.fault(io->machine.ctx, msg);
}

void vio_init(struct vio *io, struct ioloop *loop, const struct vio_machine *m)
{
    memset(io, 0, sizeof *io);
    io->loop = loop;
    io->machine = *m;
    io->use_ioeventfd = m->ioeventfd != NULL;
    io->host = (struct vmmio_host){
        .irq = host_irq, .notify = host_notify, .live = host_live, .fault = host_fault};
}

static void queue_notified(void *ctx, int fd, short revents)
{
    struct vio_queue_ref *ref = ctx;
    (void)revents;
    drain(fd);
    vmmio_notified(ref->dev->t, ref->q);
}

int vio_add(struct vio *io, struct vmmio *t)
{
    if (io->ndev >= VIO_MAX_DEVICES) {
        hs_log("too many virtio devices (at most %d)", VIO_MAX_DEVICES);
        return -1;
    }
    struct vio_device *d = &io->dev[io->ndev];
    memset(d, 0, sizeof *d);
    d->io = io;
    d->t = t;
    for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++)
        d->notify_fd[q] = -1;
    io->ndev++;
    for (unsigned q = 0; q < t->nqueues && q < VMMIO_MAX_QUEUES; q++) {
        d->notify_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (d->notify_fd[q] < 0) {
            hs_log("eventfd: %s", strerror(errno));
            return -1;
        }
        d->ref[q] = (struct vio_queue_ref){.dev = d, .q = q};
        if (ioloop_add(io->loop, d->notify_fd[q], queue_notified, &d->ref[q]) != 0)
            return -1;
    }
    return 0;
}

void vio_close(struct vio *io)
{
    for (unsigned i = 0; i < io->ndev; i++) {
        struct vio_device *d = &io->dev[i];
        for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++) {
            if (d->notify_fd[q] < 0)
                continue;
            set_ioeventfd(io, d, q, false);
            ioloop_remove(io->loop, d->notify_fd[q]);
            close(d->notify_fd[q]);
            d->notify_fd[q] = -1;
        }
    }
    io->ndev = 0;
}
