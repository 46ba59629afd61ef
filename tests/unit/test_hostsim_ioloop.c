/* hostsim's generic I/O loop (hostsim/ioloop.c): callbacks run on the loop's
 * thread with the device lock held, for exactly the fds added and ready;
 * removal takes effect at once (also from inside a callback); a `ready`
 * predicate keeps an fd unwatched until it says yes and ioloop_wake makes
 * the loop ask again; stop joins the thread.
 * Links: hostsim/ioloop.c hostsim/log.c */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit.h"

#include "hostsim/ioloop.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct counter {
    int calls;
    int lock_held; /* the lock was held during every call */
    int fd;
    struct ioloop *loop;
    bool remove_self;
    bool ready;
};

static void on_event(void *ctx, int fd, short revents)
{
    struct counter *c = ctx;
    (void)revents;
    uint64_t v;
    while (read(fd, &v, sizeof v) > 0) {
    }
    c->calls++;
    c->lock_held += pthread_mutex_trylock(&lock) != 0; /* busy: held by the loop */
    if (c->remove_self)
        ioloop_remove(c->loop, fd);
}

static bool is_ready(void *ctx)
{
    return ((struct counter *)ctx)->ready;
}

static void signal_fd(int fd)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof one) != sizeof one)
        abort();
}

/* Waits up to 2 s for *calls to reach n (read under the lock). */
static int wait_calls(const int *calls, int n)
{
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&lock);
        int now = *calls;
        pthread_mutex_unlock(&lock);
        if (now >= n)
            return now;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    pthread_mutex_lock(&lock);
    int now = *calls;
    pthread_mutex_unlock(&lock);
    return now;
}

static void settle(void)
{
    struct timespec t = {0, 50 * 1000000};
    nanosleep(&t, NULL);
}

TEST(callbacks_for_added_fds_under_the_lock)
{
    struct ioloop loop;
    CHECK_EQ(ioloop_init(&loop, &lock), 0);
    struct counter a = {0}, b = {0};
    a.fd = eventfd(0, EFD_NONBLOCK);
    b.fd = eventfd(0, EFD_NONBLOCK);
    CHECK_EQ(ioloop_add(&loop, a.fd, on_event, &a), 0);
    CHECK_EQ(ioloop_add(&loop, a.fd, on_event, &a), -1); /* twice */
    CHECK_EQ(ioloop_add(&loop, b.fd, on_event, &b), 0);
    CHECK_EQ(ioloop_start(&loop), 0);
    signal_fd(a.fd);
    CHECK_EQ(wait_calls(&a.calls, 1), 1);
    signal_fd(b.fd);
    signal_fd(a.fd);
    CHECK_EQ(wait_calls(&b.calls, 1), 1);
    CHECK_EQ(wait_calls(&a.calls, 2), 2);
    CHECK_EQ(a.lock_held, a.calls);
    /* Removed from another thread, under the lock: never called again. */
    pthread_mutex_lock(&lock);
    CHECK_EQ(ioloop_remove(&loop, b.fd), 0);
    pthread_mutex_unlock(&lock);
    CHECK_EQ(ioloop_remove(&loop, b.fd), -1);
    signal_fd(b.fd);
    settle();
    CHECK_EQ(wait_calls(&b.calls, 2), 1);
    ioloop_stop(&loop);
    close(a.fd);
    close(b.fd);
}

TEST(remove_from_inside_a_callback)
{
    struct ioloop loop;
    CHECK_EQ(ioloop_init(&loop, &lock), 0);
    struct counter a = {.remove_self = true, .loop = &loop};
    a.fd = eventfd(0, EFD_NONBLOCK);
    CHECK_EQ(ioloop_add(&loop, a.fd, on_event, &a), 0);
    CHECK_EQ(ioloop_start(&loop), 0);
    signal_fd(a.fd);
    CHECK_EQ(wait_calls(&a.calls, 1), 1);
    signal_fd(a.fd);
    settle();
    CHECK_EQ(wait_calls(&a.calls, 2), 1);
    ioloop_stop(&loop);
    close(a.fd);
}

TEST(ready_predicate_and_wake)
{
    struct ioloop loop;
    CHECK_EQ(ioloop_init(&loop, &lock), 0);
    struct counter a = {.ready = false};
    a.fd = eventfd(0, EFD_NONBLOCK);
    CHECK_EQ(ioloop_add_when(&loop, a.fd, on_event, is_ready, &a), 0);
    CHECK_EQ(ioloop_start(&loop), 0);
    signal_fd(a.fd);
    settle();
    CHECK_EQ(wait_calls(&a.calls, 1), 0); /* not ready: not watched */
    pthread_mutex_lock(&lock);
    a.ready = true;
    pthread_mutex_unlock(&lock);
    ioloop_wake(&loop);
    CHECK_EQ(wait_calls(&a.calls, 1), 1);
    ioloop_stop(&loop);
    close(a.fd);
}

TEST(nothing_added_nothing_started)
{
    struct ioloop loop;
    CHECK_EQ(ioloop_init(&loop, &lock), 0);
    CHECK_EQ(ioloop_start(&loop), 0);
    CHECK(!loop.running);
    ioloop_stop(&loop);
    CHECK_EQ(loop.wake_fd, -1);
}

UNIT_MAIN()
