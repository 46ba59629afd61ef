/* hostsim's I/O loop: one thread that sleeps in poll() on the file
 * descriptors the machine's back ends add (queue-notification eventfds, a
 * TAP, later VMBus ring signals) and calls each one's callback when it is
 * readable, with the machine's device lock held, so callbacks and the vCPUs'
 * device handlers never run at once. The vCPUs keep running meanwhile: a
 * notification never waits for the work it starts (as with Firecracker,
 * whose queue notifications are ioeventfds served by its VMM thread).
 *
 * An fd may come with a `ready` predicate, asked under the lock before each
 * sleep: while it says false the fd is not watched (a TAP whose guest has no
 * receive buffers). After changing what a predicate would say, or from any
 * thread, ioloop_wake() makes the loop look again. */
#ifndef HOSTSIM_IOLOOP_H
#define HOSTSIM_IOLOOP_H

#include <pthread.h>
#include <stdbool.h>

#define IOLOOP_MAX_FDS 128

/* Called with the lock held; revents as poll() reported it. */
typedef void (*ioloop_fn)(void *ctx, int fd, short revents);
typedef bool (*ioloop_ready_fn)(void *ctx);

struct ioloop_entry {
    int fd;
    ioloop_fn fn;
    ioloop_ready_fn ready; /* NULL: always watched */
    void *ctx;
};

struct ioloop {
    pthread_mutex_t *lock; /* the machine's device lock */
    struct ioloop_entry entry[IOLOOP_MAX_FDS];
    unsigned count;
    unsigned generation; /* bumped by add and remove */
    int wake_fd;         /* eventfd */
    bool stopping, running;
    pthread_t thread;
};

/* Returns 0, or -1 after saying why. */
int ioloop_init(struct ioloop *l, pthread_mutex_t *lock);
/* Watches fd for input (POLLIN; errors and hang-ups are reported too).
 * Returns 0, or -1 when the table is full or fd is already there. Callable
 * before start or, with the lock held, from a callback or a device
 * handler. */
int ioloop_add(struct ioloop *l, int fd, ioloop_fn fn, void *ctx);
int ioloop_add_when(struct ioloop *l, int fd, ioloop_fn fn, ioloop_ready_fn ready, void *ctx);
/* Stops watching fd (its callback is not called again). 0, or -1 if absent. */
int ioloop_remove(struct ioloop *l, int fd);
void ioloop_wake(struct ioloop *l);
/* Starts the thread with SIGALRM, SIGINT, SIGTERM and SIGUSR1 blocked (the
 * vCPU threads take those). Does nothing when no fd was added. */
int ioloop_start(struct ioloop *l);
/* Stops and joins the thread; closes only its own eventfd. */
void ioloop_stop(struct ioloop *l);

#endif
