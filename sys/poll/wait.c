/* What the waiting calls share (sys/poll/wait.h). */
#include "sys/poll/wait.h"

#include "core/event.h"
#include "core/time.h"
#include "sys/calls.h"
#include "sys/uaccess.h"

#define NS_PER_SEC 1000000000ull

unsigned poll_readiness(struct sys_file *f)
{
    if (f->ops->poll == NULL)
        return POLL_ALWAYS_READY;
    unsigned m = f->ops->poll(f);
    if (m & LINUX_POLLIN)
        m |= LINUX_POLLRDNORM;
    if (m & LINUX_POLLOUT)
        m |= LINUX_POLLWRNORM;
    return m;
}

uint64_t poll_deadline(uint64_t ns)
{
    uint64_t now = time_now_ns();
    return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}

struct waiting {
    bool (*look)(void *ctx);
    void *ctx;
    bool signalled;
};

static bool ready_or_signalled(void *ctx)
{
    struct waiting *w = ctx;
    if (w->look(w->ctx))
        return true;
    w->signalled = sys_signal_interrupts();
    return w->signalled;
}

enum poll_end poll_wait(bool (*look)(void *ctx), void *ctx, uint64_t deadline)
{
    if (sys_signal_interrupts())
        return look(ctx) ? POLL_READY : POLL_SIGNAL;
    struct waiting w = {look, ctx, false};
    if (!wait_until(ready_or_signalled, &w, deadline))
        return POLL_TIMEOUT;
    return w.signalled ? POLL_SIGNAL : POLL_READY;
}

long poll_sigmask_apply(struct poll_sigmask *m, long uptr, uint64_t size)
{
    m->applied = false;
    if (uptr == 0)
        return 0;
    uint64_t set;
    if (size != sizeof set)
        return -LINUX_EINVAL;
    if (!user_read(&set, uptr, sizeof set))
        return -LINUX_EFAULT;
    m->saved = sys_signal_swap_blocked(set);
    m->applied = true;
    return 0;
}

void poll_sigmask_restore(struct poll_sigmask *m, long result)
{
    if (!m->applied)
        return;
    if (result == -LINUX_EINTR)
        sys_signal_deliver();
    sys_signal_swap_blocked(m->saved);
}

void poll_put_time_left(long uptr, uint64_t deadline, bool timeval)
{
    uint64_t now = time_now_ns(), left = deadline > now ? deadline - now : 0;
    if (timeval) {
        struct linux_timeval tv = {(int64_t)(left / NS_PER_SEC),
                                   (int64_t)(left % NS_PER_SEC / 1000)};
        (void)user_write(uptr, &tv, sizeof tv);
    } else {
        struct linux_timespec ts = {(int64_t)(left / NS_PER_SEC), (int64_t)(left % NS_PER_SEC)};
        (void)user_write(uptr, &ts, sizeof ts);
    }
}
