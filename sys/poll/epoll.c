/* epoll sets: epoll_create, epoll_create1, epoll_ctl, and the hooks the
 * descriptor layer calls (sys_file_notify, the last close of a file).
 * Checks, their order and the semantics follow Linux 6.1's
 * fs/eventpoll.c (do_epoll_create, do_epoll_ctl, ep_insert, ep_modify,
 * ep_remove) and epoll_ctl(2):
 *
 *   - a registration is keyed by the open file and the descriptor number it
 *     was added under: a dup of the descriptor is another key (EPOLL_CTL_ADD
 *     through it adds a second registration), and closing one descriptor
 *     of a file that has others leaves the registration in place, still
 *     reported; the file's last close removes it from every set;
 *   - a file without a poll operation (a regular file) is EPERM, as Linux
 *     refuses files that cannot be polled; every file with one is accepted,
 *     including the console, which is always ready;
 *   - EPOLLERR and EPOLLHUP are always watched; EPOLLET reports a file
 *     again only after it notified again (one that does not notify: after
 *     its readiness rose, since the last look); EPOLLONESHOT disarms a
 *     registration once reported, until EPOLL_CTL_MOD; EPOLLEXCLUSIVE is
 *     accepted on ADD with Linux's restrictions and changes nothing (one
 *     thread waits); EPOLLWAKEUP is accepted and changes nothing;
 *   - a set inside itself is EINVAL; one that would contain itself through
 *     others, or make a chain of more than EP_MAX_NESTS (4) sets inside
 *     sets above or below it, ELOOP (fs/eventpoll.c, ep_loop_check).
 *
 * Registrations are allocated from the kernel heap; there is no limit on
 * their number but memory (Linux's max_user_watches: ENOSPC, never here). */
#include "sys/poll/epoll.h"

#include <stdlib.h>

#include "sys/calls.h"
#include "sys/poll/wait.h"
#include "sys/uaccess.h"

#define EP_MAX_NESTS 4
#define TOO_DEEP (EP_MAX_NESTS + 2u)
/* fs/eventpoll.c, EPOLLEXCLUSIVE_OK_BITS. */
#define EXCLUSIVE_OK                                                                               \
    (LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP | LINUX_EPOLLWAKEUP |            \
     LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)

static bool notifies(const struct sys_watch *w)
{
    return w->file->ops->notifies;
}

/* Puts w where epoll_wait will look, if it is not there and still armed. */
static void make_ready(struct sys_watch *w)
{
    if (!ep_linked(&w->ready) && ep_interest(w) != 0)
        ep_append(&w->ep->ready, &w->ready);
}

void sys_watchers_notify(struct sys_file *f)
{
    for (struct sys_watch *w = f->watchers; w != NULL; w = w->next)
        make_ready(w);
}

static void drop(struct sys_watch *w)
{
    ep_unlink(&w->all);
    ep_unlink(&w->ready);
    free(w);
}

void sys_watchers_closed(struct sys_file *f)
{
    struct sys_watch *next;
    for (struct sys_watch *w = f->watchers; w != NULL; w = next) {
        next = w->next;
        drop(w);
    }
    f->watchers = NULL;
}

static void unwatch(struct sys_watch *w)
{
    for (struct sys_watch **p = &w->file->watchers; *p != NULL; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    drop(w);
}

static void ep_release(struct sys_file *f)
{
    struct epoll *ep = (struct epoll *)f;
    while (!ep_list_empty(&ep->items))
        unwatch(EP_ENTRY(ep->items.next, struct sys_watch, all));
    free(ep);
}

const struct sys_file_ops ep_ops = {
    .kind = "epoll",
    .poll = ep_poll,
    .release = ep_release,
    /* Its readiness follows its members', some of which may not notify:
     * a set is looked at again on every pass by whoever waits on it. */
    .notifies = false,
};

static long create(uint32_t flags)
{
    if (flags & ~(uint32_t)LINUX_EPOLL_CLOEXEC)
        return -LINUX_EINVAL;
    struct epoll *ep = calloc(1, sizeof *ep);
    if (ep == NULL)
        return -LINUX_ENOMEM;
    ep->file = (struct sys_file){.ops = &ep_ops, .flags = LINUX_O_RDWR};
    ep_list_init(&ep->items);
    ep_list_init(&ep->ready);
    int fd = sys_fd_install(&ep->file, 0, flags & LINUX_EPOLL_CLOEXEC);
    if (fd < 0)
        free(ep);
    return fd;
}

/* The size is a hint Linux ignores, but it must be positive. */
long sys_epoll_create(const long *a)
{
    return (int)a[0] <= 0 ? -LINUX_EINVAL : create(0);
}

long sys_epoll_create1(const long *a)
{
    return create((uint32_t)a[0]);
}

/* ---- nesting: sets inside sets must form no loop and no long chain ---- */

static unsigned long visit;

/* The longest chain of sets below e (0 when it holds none), memoised per
 * check, or TOO_DEEP when `into` is among them. The sets already nested
 * form no loop and no chain longer than EP_MAX_NESTS, so this ends. */
static unsigned depth_below(struct epoll *e, struct epoll *into)
{
    if (e == into)
        return TOO_DEEP;
    if (e->below_mark == visit)
        return e->below;
    unsigned most = 0;
    for (struct ep_link *n = e->items.next; n != &e->items && most < TOO_DEEP; n = n->next) {
        struct epoll *child = ep_of(EP_ENTRY(n, struct sys_watch, all)->file);
        if (child != NULL) {
            unsigned d = depth_below(child, into);
            d = d >= TOO_DEEP ? TOO_DEEP : d + 1;
            most = d > most ? d : most;
        }
    }
    e->below_mark = visit;
    e->below = most;
    return most;
}

/* The longest chain of sets above e: the sets that watch it, and theirs. */
static unsigned depth_above(struct epoll *e)
{
    if (e->above_mark == visit)
        return e->above;
    unsigned most = 0;
    for (struct sys_watch *w = e->file.watchers; w != NULL; w = w->next) {
        unsigned d = depth_above(w->ep) + 1;
        most = d > most ? d : most;
    }
    e->above_mark = visit;
    e->above = most;
    return most;
}

static bool nests_badly(struct epoll *ep, struct epoll *target)
{
    visit++;
    unsigned below = depth_below(target, ep);
    return below >= TOO_DEEP || below + 1 + depth_above(ep) > EP_MAX_NESTS;
}

/* ---- epoll_ctl ---- */

static struct sys_watch *find(struct epoll *ep, struct sys_file *f, int fd)
{
    for (struct sys_watch *w = f->watchers; w != NULL; w = w->next)
        if (w->ep == ep && w->fd == fd)
            return w;
    return NULL;
}

static long insert(struct epoll *ep, struct sys_file *f, int fd, const struct linux_epoll_event *e)
{
    struct sys_watch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -LINUX_ENOMEM;
    w->ep = ep;
    w->file = f;
    w->fd = fd;
    w->events = e->events | LINUX_POLLERR | LINUX_POLLHUP;
    w->data = e->data;
    w->next = f->watchers;
    f->watchers = w;
    ep_append(&ep->items, &w->all);
    if (!notifies(w) || (poll_readiness(f) & ep_interest(w)))
        make_ready(w);
    return 0;
}

static void modify(struct sys_watch *w, const struct linux_epoll_event *e)
{
    w->events = e->events | LINUX_POLLERR | LINUX_POLLHUP;
    w->data = e->data;
    w->seen = 0;
    if (!notifies(w) || (poll_readiness(w->file) & ep_interest(w)))
        make_ready(w);
}

long sys_epoll_ctl(const long *a)
{
    int epfd = (int)a[0], op = (int)a[1], fd = (int)a[2];
    struct linux_epoll_event e = {0, 0};
    bool has_event = op != LINUX_EPOLL_CTL_DEL;
    if (has_event && !user_read(&e, a[3], sizeof e))
        return -LINUX_EFAULT;
    struct sys_file *f = sys_fd_file((unsigned)epfd), *tf = sys_fd_file((unsigned)fd);
    if (f == NULL || tf == NULL)
        return -LINUX_EBADF;
    if (tf->ops->poll == NULL)
        return -LINUX_EPERM;
    struct epoll *ep = ep_of(f);
    if (f == tf || ep == NULL)
        return -LINUX_EINVAL;
    if (has_event && (e.events & LINUX_EPOLLEXCLUSIVE)) {
        if (op == LINUX_EPOLL_CTL_MOD)
            return -LINUX_EINVAL;
        if (op == LINUX_EPOLL_CTL_ADD && (ep_of(tf) != NULL || (e.events & ~EXCLUSIVE_OK)))
            return -LINUX_EINVAL;
    }
    if (op == LINUX_EPOLL_CTL_ADD && ep_of(tf) != NULL && nests_badly(ep, ep_of(tf)))
        return -LINUX_ELOOP;
    struct sys_watch *w = find(ep, tf, fd);
    switch (op) {
    case LINUX_EPOLL_CTL_ADD:
        return w != NULL ? -LINUX_EEXIST : insert(ep, tf, fd, &e);
    case LINUX_EPOLL_CTL_DEL:
        if (w == NULL)
            return -LINUX_ENOENT;
        unwatch(w);
        return 0;
    case LINUX_EPOLL_CTL_MOD:
        if (w == NULL)
            return -LINUX_ENOENT;
        if (w->events & LINUX_EPOLLEXCLUSIVE)
            return -LINUX_EINVAL;
        modify(w, &e);
        return 0;
    default:
        return -LINUX_EINVAL;
    }
}
