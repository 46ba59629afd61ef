/* The I/O thread of hostsim's virtio devices and the TAP set-up: see io.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostsim/log.h"
#include "hostsim/virtio/io.h"

#define RX_BUDGET 64 /* frames per wake-up, so one busy TAP cannot starve the rest */

static struct vio_device *find(struct vio *io, struct vmmio *t)
{
    for (unsigned i = 0; i < io->ndev; i++) {
        if (io->dev[i].t == t)
            return &io->dev[i];
    }
    return NULL;
}

static void wake(struct vio *io)
{
    uint64_t one = 1;
    if (write(io->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        hs_debug("virtio I/O wake-up: %s", strerror(errno));
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
    if (d != NULL && write(d->notify_fd[q], &one, sizeof one) < 0 && errno != EAGAIN)
        hs_debug("%s: notify eventfd: %s", t->name, strerror(errno));
}

static void set_ioeventfd(struct vio *io, struct vio_device *d, unsigned q, bool on)
{
    if (!io->use_ioeventfd || io->machine.ioeventfd == NULL || d->ioeventfd_on[q] == on)
        return;
    if (io->machine.ioeventfd(io->machine.ctx, d->t->base + VMMIO_QUEUE_NOTIFY, q, d->notify_fd[q],
                              on) != 0) {
        if (on) {
            /* Keep going on the MMIO exit path. */
            hs_debug("%s: no ioeventfd for queue %u; notifications take the MMIO exit", d->t->name,
                     q);
        }
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
    wake(io); /* the poll set changes (a TAP to watch or not) */
}

static void host_fault(void *ctx, struct vmmio *t, const char *msg)
{
    struct vio *io = ctx;
    (void)t;
    io->machine.fault(io->machine.ctx, msg);
}

int vio_init(struct vio *io, pthread_mutex_t *lock, const struct vio_machine *m)
{
    memset(io, 0, sizeof *io);
    io->lock = lock;
    io->machine = *m;
    io->use_ioeventfd = m->ioeventfd != NULL;
    io->host = (struct vmmio_host){
        .irq = host_irq, .notify = host_notify, .live = host_live, .fault = host_fault};
    io->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (io->wake_fd < 0) {
        hs_log("eventfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static struct vio_device *add(struct vio *io, struct vmmio *t)
{
    if (io->ndev >= VIO_MAX_DEVICES) {
        hs_log("too many virtio devices (at most %d)", VIO_MAX_DEVICES);
        return NULL;
    }
    struct vio_device *d = &io->dev[io->ndev];
    memset(d, 0, sizeof *d);
    d->t = t;
    for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++) {
        d->notify_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (d->notify_fd[q] < 0) {
            hs_log("eventfd: %s", strerror(errno));
            return NULL;
        }
    }
    io->ndev++;
    return d;
}

int vio_add_blk(struct vio *io, struct vblk *b)
{
    struct vio_device *d = add(io, &b->t);
    if (d == NULL)
        return -1;
    d->blk = b;
    return 0;
}

int vio_add_net(struct vio *io, struct vnet *n)
{
    struct vio_device *d = add(io, &n->t);
    if (d == NULL)
        return -1;
    d->net = n;
    return 0;
}

/* What each pollfd stands for. */
struct slot {
    struct vio_device *dev;
    int queue; /* >= 0: that queue's notify eventfd; -1: the TAP; -2: wake */
};

static void *io_thread(void *arg)
{
    struct vio *io = arg;
    struct pollfd pfd[1 + VIO_MAX_DEVICES * (VMMIO_MAX_QUEUES + 1)];
    struct slot slot[sizeof pfd / sizeof pfd[0]];
    for (;;) {
        unsigned n = 0;
        pfd[n] = (struct pollfd){.fd = io->wake_fd, .events = POLLIN};
        slot[n++] = (struct slot){NULL, -2};
        pthread_mutex_lock(io->lock);
        if (io->stopping) {
            pthread_mutex_unlock(io->lock);
            return NULL;
        }
        for (unsigned i = 0; i < io->ndev; i++) {
            struct vio_device *d = &io->dev[i];
            for (unsigned q = 0; q < d->t->nqueues; q++) {
                pfd[n] = (struct pollfd){.fd = d->notify_fd[q], .events = POLLIN};
                slot[n++] = (struct slot){d, (int)q};
            }
            if (d->net != NULL && vnet_wants_frames(d->net)) {
                pfd[n] = (struct pollfd){.fd = d->net->fd, .events = POLLIN};
                slot[n++] = (struct slot){d, -1};
            }
        }
        pthread_mutex_unlock(io->lock);

        if (poll(pfd, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            hs_log("virtio I/O thread: poll: %s", strerror(errno));
            return NULL;
        }
        pthread_mutex_lock(io->lock);
        for (unsigned i = 0; i < n; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            struct slot s = slot[i];
            if (s.queue == -2) {
                drain(io->wake_fd);
            } else if (s.queue >= 0) {
                drain(s.dev->notify_fd[s.queue]);
                vmmio_notified(s.dev->t, (unsigned)s.queue);
            } else if (vnet_wants_frames(s.dev->net)) {
                vnet_receive(s.dev->net, RX_BUDGET);
            }
        }
        bool stop = io->stopping;
        pthread_mutex_unlock(io->lock);
        if (stop)
            return NULL;
    }
}

int vio_start(struct vio *io)
{
    if (io->ndev == 0)
        return 0;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&io->thread, NULL, io_thread, io);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        hs_log("cannot start the virtio I/O thread: %s", strerror(rc));
        return -1;
    }
    io->running = true;
    return 0;
}

void vio_stop(struct vio *io)
{
    if (io->running) {
        pthread_mutex_lock(io->lock);
        io->stopping = true;
        pthread_mutex_unlock(io->lock);
        wake(io);
        pthread_join(io->thread, NULL);
        io->running = false;
    }
    for (unsigned i = 0; i < io->ndev; i++) {
        struct vio_device *d = &io->dev[i];
        for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++) {
            set_ioeventfd(io, d, q, false);
            if (d->notify_fd[q] >= 0)
                close(d->notify_fd[q]);
            d->notify_fd[q] = -1;
        }
    }
    if (io->wake_fd >= 0)
        close(io->wake_fd);
    io->wake_fd = -1;
}

/* ---- TAP ---- */

int vio_tap_open(const char *name, char *err, size_t errlen)
{
    struct ifreq ifr;
    if (strlen(name) >= sizeof ifr.ifr_name) {
        snprintf(err, errlen, "--tap %s: interface names have at most %zu characters", name,
                 sizeof ifr.ifr_name - 1);
        return -1;
    }
    /* TUNSETIFF would create a missing interface; hostsim uses only one the
     * caller made (and configured) beforehand. */
    if (if_nametoindex(name) == 0) {
        snprintf(err, errlen,
                 "--tap %s: no such network interface here (create it first, e.g. "
                 "ip tuntap add %s mode tap)",
                 name, name);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--tap %s: /dev/net/tun: %s", name, strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    int hdr = VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        snprintf(err, errlen,
                 "--tap %s: TUNSETIFF: %s (create it first, e.g. ip tuntap add %s "
                 "mode tap)",
                 name, strerror(errno), name);
        close(fd);
        return -1;
    }
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) != 0) {
        snprintf(err, errlen, "--tap %s: TUNSETVNETHDRSZ 12: %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    /* No offloads until the guest says which it takes (DRIVER_OK). */
    if (ioctl(fd, TUNSETOFFLOAD, 0ul) != 0)
        hs_debug("--tap %s: TUNSETOFFLOAD 0: %s", name, strerror(errno));
    return fd;
}

int vio_tap_set_offload(void *ctx, unsigned flags)
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
