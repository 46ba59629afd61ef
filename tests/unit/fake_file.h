/* A kind of file whose readiness the test sets, for the waiting calls'
 * tests (test_sys_poll.c, test_sys_select.c, test_sys_epoll.c): `ready` is
 * what its poll operation answers. Two kinds: one that notifies
 * (sys_file_notify) when the test changes its readiness through fake_set,
 * as sockets do, and a quiet one that never does, whose waiters must find
 * the change by looking. Each counts its poll calls and releases. Timer
 * callbacks (fake_at) change readiness while a call waits: the only other
 * code that runs beside a one-threaded application. */
#ifndef TESTS_UNIT_FAKE_FILE_H
#define TESTS_UNIT_FAKE_FILE_H

#include <stdbool.h>
#include <string.h>

#include "core/time.h"
#include "sys/fd.h"

struct fake {
    struct sys_file f;
    unsigned ready;
    unsigned polls, releases;
};

static unsigned fake_poll(struct sys_file *f)
{
    struct fake *k = (struct fake *)f;
    k->polls++;
    return k->ready;
}

static void fake_release(struct sys_file *f)
{
    ((struct fake *)f)->releases++;
}

static const struct sys_file_ops fake_notifying_ops = {
    .kind = "fake",
    .poll = fake_poll,
    .release = fake_release,
    .notifies = true,
};

static const struct sys_file_ops fake_quiet_ops = {
    .kind = "fake-quiet",
    .poll = fake_poll,
    .release = fake_release,
};

/* A file that cannot be polled (a regular file's kind). */
static const struct sys_file_ops fake_plain_ops = {.kind = "fake-plain", .release = fake_release};

/* Opens k as a new file of the given kind at the lowest descriptor from
 * min_fd; returns the descriptor. */
static int fake_open(struct fake *k, const struct sys_file_ops *ops, int min_fd)
{
    memset(k, 0, sizeof *k);
    k->f = (struct sys_file){.ops = ops, .flags = LINUX_O_RDWR};
    return sys_fd_install(&k->f, min_fd, false);
}

/* Changes what k is ready for, and says so when its kind notifies. */
static void fake_set(struct fake *k, unsigned ready)
{
    k->ready = ready;
    if (k->f.ops->notifies)
        sys_file_notify(&k->f);
}

/* fake_set(k, ready) from a timer callback at `when` on the fake clock. */
struct fake_change {
    struct timer t;
    struct fake *k;
    unsigned ready;
};

static void fake_change_fire(struct timer *t)
{
    struct fake_change *c = (struct fake_change *)t;
    fake_set(c->k, c->ready);
}

static void fake_at(struct fake_change *c, uint64_t when, struct fake *k, unsigned ready)
{
    memset(c, 0, sizeof *c);
    c->t.fn = fake_change_fire;
    c->k = k;
    c->ready = ready;
    timer_arm(&c->t, when);
}

#endif
