/* poll and ppoll (Linux 6.1's fs/select.c: do_sys_poll, do_poll,
 * do_pollfd; poll(2)). Each entry of the application's array is looked at
 * where it lies (the array was checked whole first): a negative descriptor
 * is skipped (revents 0), one that is not open reports POLLNVAL, an open
 * one what it is ready for among the events asked plus POLLERR and
 * POLLHUP. The result counts the entries whose revents is not zero; every
 * revents is written, zeros included.
 *
 * Cost: every look polls every entry. While all the files behind them
 * notify (sys/fd.h), a pass of the loop that moved no file (no
 * sys_file_notify, no descriptor opened or closed) is not looked at again;
 * otherwise each pass is. */
#include <stddef.h>

#include "core/event.h"
#include "sys/calls.h"
#include "sys/poll/wait.h"
#include "sys/uaccess.h"

#define NS_PER_MS 1000000ull

struct poll_call {
    uint64_t fds; /* the application's struct pollfd array */
    unsigned nfds;
    long count;          /* entries with revents at the last look */
    unsigned long epoch; /* sys_file_epoch at the last look */
    bool looked, all_notify;
};

static bool look(void *ctx)
{
    struct poll_call *c = ctx;
    if (c->looked && c->all_notify && c->epoch == sys_file_epoch)
        return false;
    long count = 0;
    bool all_notify = true;
    for (unsigned i = 0; i < c->nfds; i++) {
        struct linux_pollfd p;
        uint64_t at = c->fds + (uint64_t)i * sizeof p;
        memcpy(&p, user_ptr(at), sizeof p);
        unsigned mask = 0;
        if (p.fd >= 0) {
            struct sys_file *f = sys_fd_file((unsigned)p.fd);
            if (f == NULL) {
                mask = LINUX_POLLNVAL;
            } else {
                all_notify &= f->ops->notifies;
                mask = poll_readiness(f) & ((uint16_t)p.events | LINUX_POLLERR | LINUX_POLLHUP);
            }
        }
        int16_t revents = (int16_t)mask;
        memcpy(user_ptr(at + offsetof(struct linux_pollfd, revents)), &revents, sizeof revents);
        count += mask != 0;
    }
    c->count = count;
    c->epoch = sys_file_epoch;
    c->all_notify = all_notify;
    c->looked = true;
    return count != 0;
}

static long do_poll(uint64_t fds, unsigned nfds, uint64_t deadline)
{
    if (nfds > sys_rlimit_nofile())
        return -LINUX_EINVAL;
    if (!user_range_ok(fds, (uint64_t)nfds * sizeof(struct linux_pollfd)))
        return -LINUX_EFAULT;
    struct poll_call c = {.fds = fds, .nfds = nfds};
    switch (poll_wait(look, &c, deadline)) {
    case POLL_READY:
        return c.count;
    case POLL_SIGNAL:
        return -LINUX_EINTR;
    default:
        return 0;
    }
}

/* The timeout is an int of milliseconds; a negative one waits for ever. */
long sys_poll(const long *a)
{
    int ms = (int)a[2];
    uint64_t deadline = ms < 0 ? WAIT_FOREVER : poll_deadline((uint64_t)ms * NS_PER_MS);
    return do_poll((uint64_t)a[0], (unsigned)a[1], deadline);
}

/* The timeout is a timespec (NULL: for ever), read and checked before the
 * mask; the time left is written back to it. */
long sys_ppoll(const long *a)
{
    uint64_t deadline = WAIT_FOREVER, ns = 0;
    if (a[2] != 0) {
        long r = sys_timespec_ns(a[2], &ns);
        if (r < 0)
            return r;
        deadline = poll_deadline(ns);
    }
    struct poll_sigmask m;
    long r = poll_sigmask_apply(&m, a[3], (uint64_t)a[4]);
    if (r < 0)
        return r;
    r = do_poll((uint64_t)a[0], (unsigned)a[1], deadline);
    if (a[2] != 0 && ns != 0)
        poll_put_time_left(a[2], deadline, false);
    poll_sigmask_restore(&m, r);
    return r;
}
