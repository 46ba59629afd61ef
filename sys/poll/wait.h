/* The waiting calls (poll, ppoll, select, pselect6, epoll_*): what they
 * share. Each looks at its files' readiness (sys/fd.h, "Readiness") and,
 * while nothing is ready, waits in the event loop (wait_until, core/event.h)
 * looking again after every pass, until something is ready, its deadline
 * on the monotonic clock passes, or a signal interrupts it. Checks, their
 * order and the results follow Linux 6.1's fs/select.c and fs/eventpoll.c.
 *
 * A call that waits runs at least one pass of the loop before it first
 * looks, even with a zero timeout: an application that polls in a loop, or
 * whose descriptors are always ready (a writable socket in a level-triggered
 * set), must not starve the devices and timers that feed it. */
#ifndef SYS_POLL_WAIT_H
#define SYS_POLL_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sys/fd.h"

/* Linux's DEFAULT_POLLMASK, for a file without a poll operation. */
#define POLL_ALWAYS_READY (LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLRDNORM | LINUX_POLLWRNORM)

/* What f is ready for now: its poll operation's answer with POLLRDNORM
 * beside POLLIN and POLLWRNORM beside POLLOUT, or POLL_ALWAYS_READY. */
unsigned poll_readiness(struct sys_file *f);

/* The monotonic deadline of a relative timeout in nanoseconds (a zero
 * timeout is due at once: one pass, one look). */
uint64_t poll_deadline(uint64_t ns);

enum poll_end { POLL_READY, POLL_TIMEOUT, POLL_SIGNAL };
/* Looks with look(ctx) (true: something is ready) after each pass of the
 * loop until it is ready, the deadline passes, or a signal that is neither
 * blocked nor ignored is pending. A signal already deliverable when the
 * call starts (one its temporary mask unblocked) gets one look without a
 * pass: ready files win over it, as in Linux. */
enum poll_end poll_wait(bool (*look)(void *ctx), void *ctx, uint64_t deadline);

/* The signal mask a call waits with (ppoll, pselect6, epoll_pwait): NULL
 * keeps the current one; a size other than a sigset_t's (8) is EINVAL, an
 * unreadable set EFAULT. restore puts the old mask back; when the call was
 * interrupted (-EINTR), the signals are delivered first, while its mask
 * still applies, as Linux delivers them before restoring it. */
struct poll_sigmask {
    bool applied;
    uint64_t saved;
};
long poll_sigmask_apply(struct poll_sigmask *m, long uptr, uint64_t size);
void poll_sigmask_restore(struct poll_sigmask *m, long result);

/* Writes the time left until deadline into the application's timeout, as
 * Linux's poll_select_finish does for select (a timeval), pselect6 and
 * ppoll (a timespec); a timeout it cannot write is left alone. */
void poll_put_time_left(long uptr, uint64_t deadline, bool timeval);

#endif
