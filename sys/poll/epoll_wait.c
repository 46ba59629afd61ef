/* epoll_wait, epoll_pwait, epoll_pwait2, and a set's own readiness
 * (sys/poll/epoll.h says how the ready list works). Checks, their order and
 * the results follow Linux 6.1's fs/eventpoll.c (do_epoll_wait, ep_poll,
 * ep_send_events, do_epoll_pwait, __ep_eventpoll_poll) and epoll_wait(2):
 * maxevents must be positive (and below INT_MAX / 12), the array writable
 * before anything else is looked at; events come in the order their files
 * became ready, those a full array left out first the next time; a zero
 * timeout never ends with EINTR.
 *
 * Cost of a look: one poll call per registration on the ready list, that
 * is per file that notified since the last look, was reported ready
 * (level-triggered) or does not notify; nothing for the rest, however many. */
#include "sys/poll/epoll.h"

#include "core/event.h"
#include "sys/calls.h"
#include "sys/poll/wait.h"
#include "sys/uaccess.h"

#define NS_PER_MS 1000000ull
/* fs/eventpoll.c, EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct linux_epoll_event))

/* What a look reports for w now (0: nothing), updating what an
 * edge-triggered registration of a file that does not notify has seen. */
static uint32_t report(struct sys_watch *w)
{
    uint32_t now = poll_readiness(w->file) & ep_interest(w);
    if (!w->file->ops->notifies && (w->events & LINUX_EPOLLET)) {
        uint32_t rose = now & ~w->seen;
        w->seen = now;
        return rose ? now : 0;
    }
    return now;
}

/* Moves the ready list onto tx: a look takes each registration once, and
 * those it puts back (level-triggered, reported) wait for the next look. */
static void take_ready(struct epoll *ep, struct ep_link *tx)
{
    ep_list_init(tx);
    if (ep_list_empty(&ep->ready))
        return;
    tx->next = ep->ready.next;
    tx->prev = ep->ready.prev;
    tx->next->prev = tx;
    tx->prev->next = tx;
    ep_list_init(&ep->ready);
}

/* What a look did not reach goes back in front, in its order. */
static void give_back(struct epoll *ep, struct ep_link *tx)
{
    if (ep_list_empty(tx))
        return;
    struct ep_link *first = tx->next, *last = tx->prev, *old_first = ep->ready.next;
    ep->ready.next = first;
    first->prev = &ep->ready;
    last->next = old_first;
    old_first->prev = last;
}

/* One look: up to max events into the application's array at out. */
static int collect(struct epoll *ep, uint64_t out, int max)
{
    struct ep_link tx;
    take_ready(ep, &tx);
    int n = 0;
    while (n < max && !ep_list_empty(&tx)) {
        struct sys_watch *w = EP_ENTRY(tx.next, struct sys_watch, ready);
        ep_unlink(&w->ready);
        bool notifies = w->file->ops->notifies;
        uint32_t ev = report(w);
        if (ev == 0) {
            if (!notifies && ep_interest(w) != 0)
                ep_append(&ep->ready, &w->ready); /* looked at every time */
            continue;
        }
        struct linux_epoll_event e = {ev, w->data};
        memcpy(user_ptr(out + (uint64_t)n * sizeof e), &e, sizeof e);
        n++;
        if (w->events & LINUX_EPOLLONESHOT)
            w->events &= EP_MODE_BITS; /* disarmed until EPOLL_CTL_MOD */
        else if (!(w->events & LINUX_EPOLLET) || !notifies)
            ep_append(&ep->ready, &w->ready);
    }
    give_back(ep, &tx);
    return n;
}

/* Whether a look would report anything, without reporting it: the
 * registrations of notifying files that are not ready leave the list. */
unsigned ep_poll(struct sys_file *f)
{
    struct epoll *ep = (struct epoll *)f;
    struct ep_link *next;
    for (struct ep_link *n = ep->ready.next; n != &ep->ready; n = next) {
        next = n->next;
        struct sys_watch *w = EP_ENTRY(n, struct sys_watch, ready);
        uint32_t now = poll_readiness(w->file) & ep_interest(w);
        if (!w->file->ops->notifies) {
            if ((w->events & LINUX_EPOLLET) ? (now & ~w->seen) != 0 : now != 0)
                return LINUX_POLLIN;
        } else if (now != 0) {
            return LINUX_POLLIN;
        } else {
            ep_unlink(&w->ready);
        }
    }
    return 0;
}

struct ep_call {
    struct epoll *ep;
    uint64_t out;
    int max, n;
};

static bool look(void *ctx)
{
    struct ep_call *c = ctx;
    c->n = collect(c->ep, c->out, c->max);
    return c->n > 0;
}

static long do_wait(long epfd, long events, long maxevents, uint64_t deadline, bool zero)
{
    int max = (int)maxevents;
    if (max <= 0 || max > EP_MAX_EVENTS)
        return -LINUX_EINVAL;
    if (!user_range_ok((uint64_t)events, (uint64_t)max * sizeof(struct linux_epoll_event)))
        return -LINUX_EFAULT;
    struct sys_file *f = sys_fd_file((unsigned)epfd);
    if (f == NULL)
        return -LINUX_EBADF;
    struct epoll *ep = ep_of(f);
    if (ep == NULL)
        return -LINUX_EINVAL;
    /* Held while it waits: work that runs meanwhile may close it. */
    f->refs++;
    struct ep_call c = {ep, (uint64_t)events, max, 0};
    enum poll_end end = poll_wait(look, &c, deadline);
    sys_file_put(f);
    if (end == POLL_READY)
        return c.n;
    return end == POLL_SIGNAL && !zero ? -LINUX_EINTR : 0;
}

static uint64_t ms_deadline(int ms)
{
    return ms < 0 ? WAIT_FOREVER : poll_deadline((uint64_t)ms * NS_PER_MS);
}

long sys_epoll_wait(const long *a)
{
    int ms = (int)a[3];
    return do_wait(a[0], a[1], a[2], ms_deadline(ms), ms == 0);
}

/* The mask is applied before anything else is checked. */
static long pwait(const long *a, uint64_t deadline, bool zero)
{
    struct poll_sigmask m;
    long r = poll_sigmask_apply(&m, a[4], (uint64_t)a[5]);
    if (r < 0)
        return r;
    r = do_wait(a[0], a[1], a[2], deadline, zero);
    poll_sigmask_restore(&m, r);
    return r;
}

long sys_epoll_pwait(const long *a)
{
    int ms = (int)a[3];
    return pwait(a, ms_deadline(ms), ms == 0);
}

/* epoll_pwait2: the timeout is a timespec (NULL: for ever), read first. */
long sys_epoll_pwait2(const long *a)
{
    uint64_t ns = 0;
    if (a[3] != 0) {
        long r = sys_timespec_ns(a[3], &ns);
        if (r < 0)
            return r;
    }
    return pwait(a, a[3] != 0 ? poll_deadline(ns) : WAIT_FOREVER, a[3] != 0 && ns == 0);
}
