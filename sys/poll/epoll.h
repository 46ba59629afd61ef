/* An epoll set (sys/poll/epoll.c, epoll_wait.c): a file of its own whose
 * registrations (struct sys_watch) each name an open file, the descriptor
 * it was added under, the events asked for and the application's data.
 *
 * Every registration is on its set's list of all and on its file's list of
 * watchers (sys_file.watchers, usually one long), which finds it again for
 * epoll_ctl, for sys_file_notify and when the file closes. A set also
 * keeps a ready list, Linux's rdllist: the registrations epoll_wait must
 * look at. A file that notifies (sys/fd.h) joins it when it notifies (or
 * when it is added or modified while ready) and leaves it when a look finds
 * it not ready, or once reported in edge-triggered or one-shot mode; a
 * level-triggered one stays while it is reported, so the next epoll_wait
 * looks again. A file that does not notify stays on it for good, looked
 * at by every epoll_wait. So a wait over many quiet sockets costs nothing
 * per pass of the event loop but the ready list. */
#ifndef SYS_POLL_EPOLL_H
#define SYS_POLL_EPOLL_H

#include <stdbool.h>
#include <stdint.h>

#include "sys/fd.h"

/* A doubly linked list node, and the head of a list (a node linked to
 * itself when empty). A node on no list points nowhere (NULL). */
struct ep_link {
    struct ep_link *prev, *next;
};

static inline void ep_list_init(struct ep_link *head)
{
    head->prev = head->next = head;
}

static inline bool ep_list_empty(const struct ep_link *head)
{
    return head->next == head;
}

static inline bool ep_linked(const struct ep_link *n)
{
    return n->next != NULL;
}

static inline void ep_unlink(struct ep_link *n)
{
    if (!ep_linked(n))
        return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = NULL;
}

static inline void ep_append(struct ep_link *head, struct ep_link *n)
{
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

#define EP_ENTRY(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

struct epoll {
    struct sys_file file; /* first: the file is the set */
    struct ep_link items; /* every registration, by sys_watch.all */
    struct ep_link ready; /* by sys_watch.ready */
    /* The nesting check's visits (epoll.c) and their results. */
    unsigned long below_mark, above_mark;
    unsigned below, above;
};

/* fs/eventpoll.c, EP_PRIVATE_BITS: the mode bits, which are no event. */
#define EP_MODE_BITS (LINUX_EPOLLWAKEUP | LINUX_EPOLLONESHOT | LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)

struct sys_watch {
    struct epoll *ep;
    struct sys_file *file;
    struct sys_watch *next; /* the file's next watcher */
    struct ep_link all, ready;
    uint64_t data;
    uint32_t events; /* asked, with POLLERR, POLLHUP and the mode bits */
    /* For a file that does not notify, in edge-triggered mode: what it was
     * ready for at the last look, so a report needs a rise. */
    uint32_t seen;
    int fd;
};

/* The events a registration still waits for: none once a one-shot one was
 * reported, until EPOLL_CTL_MOD arms it again. */
static inline uint32_t ep_interest(const struct sys_watch *w)
{
    return w->events & ~(uint32_t)EP_MODE_BITS;
}

extern const struct sys_file_ops ep_ops;

static inline struct epoll *ep_of(struct sys_file *f)
{
    return f->ops == &ep_ops ? (struct epoll *)f : NULL;
}

/* epoll_wait.c: the set's own readiness, POLLIN while a look would report
 * something (so sets nest, and poll and select see them). */
unsigned ep_poll(struct sys_file *f);

#endif
