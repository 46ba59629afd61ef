/* The I/O loop: see ioloop.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hostsim/ioloop.h"
#include "hostsim/log.h"
#include "hostsim/run_signals.h"

int ioloop_init(struct ioloop *l, pthread_mutex_t *lock)
{
    memset(l, 0, sizeof *l);
    l->lock = lock;
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->wake_fd < 0) {
        hs_log("eventfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void ioloop_wake(struct ioloop *l)
{
    uint64_t one = 1;
    if (write(l->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        hs_debug("I/O loop wake-up: %s", strerror(errno));
}

int ioloop_add_when(struct ioloop *l, int fd, ioloop_fn fn, ioloop_ready_fn ready, void *ctx)
{
    if (fd < 0 || fn == NULL)
        return -1;
    for (unsigned i = 0; i < l->count; i++) {
        if (l->entry[i].fd == fd) {
            hs_log("I/O loop: fd %d added twice", fd);
            return -1;
        }
    }
    if (l->count >= IOLOOP_MAX_FDS) {
        hs_log("I/O loop: more than %d file descriptors", IOLOOP_MAX_FDS);
        return -1;
    }
    l->entry[l->count++] = (struct ioloop_entry){.fd = fd, .fn = fn, .ready = ready, .ctx = ctx};
    l->generation++;
    if (l->running)
        ioloop_wake(l);
    return 0;
}

int ioloop_add(struct ioloop *l, int fd, ioloop_fn fn, void *ctx)
{
    return ioloop_add_when(l, fd, fn, NULL, ctx);
}

int ioloop_remove(struct ioloop *l, int fd)
{
    for (unsigned i = 0; i < l->count; i++) {
        if (l->entry[i].fd == fd) {
            l->entry[i] = l->entry[--l->count];
            l->generation++;
            if (l->running)
                ioloop_wake(l);
            return 0;
        }
    }
    return -1;
}

static void drain(int fd)
{
    uint64_t v;
    while (read(fd, &v, sizeof v) > 0) {
    }
}

static void *loop_thread(void *arg)
{
    struct ioloop *l = arg;
    struct pollfd pfd[1 + IOLOOP_MAX_FDS];
    struct ioloop_entry seen[IOLOOP_MAX_FDS];
    for (;;) {
        unsigned n = 0;
        pfd[n++] = (struct pollfd){.fd = l->wake_fd, .events = POLLIN};
        pthread_mutex_lock(l->lock);
        if (l->stopping) {
            pthread_mutex_unlock(l->lock);
            return NULL;
        }
        for (unsigned i = 0; i < l->count; i++) {
            const struct ioloop_entry *e = &l->entry[i];
            if (e->ready != NULL && !e->ready(e->ctx))
                continue;
            seen[n - 1] = *e;
            pfd[n++] = (struct pollfd){.fd = e->fd, .events = POLLIN};
        }
        unsigned generation = l->generation;
        pthread_mutex_unlock(l->lock);

        if (poll(pfd, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            hs_log("I/O loop: poll: %s", strerror(errno));
            return NULL;
        }
        if (pfd[0].revents)
            drain(l->wake_fd);
        pthread_mutex_lock(l->lock);
        for (unsigned i = 1; i < n && !l->stopping; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            /* A callback may have removed an fd: serve only what is still
             * registered (and, for a predicate, still wants input). */
            if (l->generation != generation) {
                bool present = false;
                for (unsigned j = 0; j < l->count; j++)
                    present |= l->entry[j].fd == seen[i - 1].fd && l->entry[j].fn == seen[i - 1].fn;
                if (!present)
                    continue;
            }
            const struct ioloop_entry *e = &seen[i - 1];
            if (e->ready != NULL && !e->ready(e->ctx))
                continue;
            e->fn(e->ctx, e->fd, pfd[i].revents);
        }
        bool stop = l->stopping;
        pthread_mutex_unlock(l->lock);
        if (stop)
            return NULL;
    }
}

int ioloop_start(struct ioloop *l)
{
    if (l->count == 0)
        return 0;
    sigset_t old;
    hs_block_run_signals(&old);
    l->running = true;
    int rc = pthread_create(&l->thread, NULL, loop_thread, l);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        l->running = false;
        hs_log("cannot start the I/O thread: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void ioloop_stop(struct ioloop *l)
{
    if (l->running) {
        pthread_mutex_lock(l->lock);
        l->stopping = true;
        pthread_mutex_unlock(l->lock);
        ioloop_wake(l);
        pthread_join(l->thread, NULL);
        l->running = false;
    }
    if (l->wake_fd >= 0)
        close(l->wake_fd);
    l->wake_fd = -1;
}
