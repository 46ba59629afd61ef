/* select and pselect6 (Linux 6.1's fs/select.c: kern_select, do_pselect,
 * core_sys_select, max_select_fd, do_select; select(2)). The sets are bit
 * arrays of nfds bits, read and written in whole 64-bit words as Linux
 * does (FDS_BYTES); nfds beyond the descriptor table (SYS_FD_MAX, Linux's
 * max_fds) is cut to it, so the bits above are neither read nor written,
 * and bits of the last word at or above nfds are ignored (cleared on the
 * way out). A set bit for a descriptor that is not open is EBADF, and the
 * sets are then left alone. A descriptor counts once per set it is ready
 * in: readable is POLLIN, POLLRDNORM, POLLRDBAND, POLLHUP or POLLERR;
 * writable POLLOUT, POLLWRNORM, POLLWRBAND or POLLERR; exceptional POLLPRI.
 *
 * Cost: as poll (sys/poll/poll.c): every look polls every descriptor named,
 * and a pass that moved no file is skipped while they all notify. */
#include "core/event.h"
#include "sys/calls.h"
#include "sys/poll/wait.h"
#include "sys/uaccess.h"

#define WORDS (SYS_FD_MAX / 64)
#define NS_PER_SEC 1000000000ull
#define US_PER_SEC 1000000

#define IN_SET (LINUX_POLLRDNORM | LINUX_POLLRDBAND | LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR)
#define OUT_SET (LINUX_POLLWRBAND | LINUX_POLLWRNORM | LINUX_POLLOUT | LINUX_POLLERR)
#define EX_SET LINUX_POLLPRI

struct fd_sets {
    uint64_t in[WORDS], out[WORDS], ex[WORDS];
};

struct select_call {
    unsigned n; /* descriptors 0 .. n-1 */
    const struct fd_sets *want;
    struct fd_sets got;
    long count;
    unsigned long epoch;
    bool looked, all_notify;
};

static uint64_t set_bytes(unsigned n)
{
    return (n + 63) / 64 * sizeof(uint64_t);
}

/* One set from the application (NULL: empty), the bits from n up cleared. */
static bool get_set(uint64_t *dst, long uptr, unsigned n)
{
    memset(dst, 0, WORDS * sizeof *dst);
    if (uptr == 0 || n == 0)
        return true;
    if (!user_read(dst, uptr, set_bytes(n)))
        return false;
    if (n % 64)
        dst[n / 64] &= (1ull << (n % 64)) - 1;
    return true;
}

static bool put_set(long uptr, const uint64_t *src, unsigned n)
{
    return uptr == 0 || n == 0 || user_write(uptr, src, set_bytes(n));
}

static bool all_open(const struct fd_sets *s, unsigned n)
{
    for (unsigned w = 0; w < (n + 63) / 64; w++) {
        for (uint64_t bits = s->in[w] | s->out[w] | s->ex[w]; bits; bits &= bits - 1) {
            if (sys_fd_file(w * 64 + (unsigned)__builtin_ctzll(bits)) == NULL)
                return false;
        }
    }
    return true;
}

static bool look(void *ctx)
{
    struct select_call *c = ctx;
    if (c->looked && c->all_notify && c->epoch == sys_file_epoch)
        return false;
    const struct fd_sets *s = c->want;
    memset(&c->got, 0, sizeof c->got);
    long count = 0;
    bool all_notify = true;
    for (unsigned w = 0; w < (c->n + 63) / 64; w++) {
        for (uint64_t bits = s->in[w] | s->out[w] | s->ex[w]; bits; bits &= bits - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(bits);
            /* Closed by work that ran while the call waited: nothing, as
             * the POLLNVAL Linux then sees is in none of the sets. */
            struct sys_file *f = sys_fd_file(w * 64 + bit);
            if (f == NULL)
                continue;
            all_notify &= f->ops->notifies;
            unsigned mask = poll_readiness(f);
            uint64_t m = 1ull << bit;
            if ((mask & IN_SET) && (s->in[w] & m)) {
                c->got.in[w] |= m;
                count++;
            }
            if ((mask & OUT_SET) && (s->out[w] & m)) {
                c->got.out[w] |= m;
                count++;
            }
            if ((mask & EX_SET) && (s->ex[w] & m)) {
                c->got.ex[w] |= m;
                count++;
            }
        }
    }
    c->count = count;
    c->epoch = sys_file_epoch;
    c->all_notify = all_notify;
    c->looked = true;
    return count != 0;
}

static long do_select(long nfds, long inp, long outp, long exp, uint64_t deadline)
{
    int n = (int)nfds;
    if (n < 0)
        return -LINUX_EINVAL;
    if (n > SYS_FD_MAX)
        n = SYS_FD_MAX;
    struct fd_sets want;
    if (!get_set(want.in, inp, (unsigned)n) || !get_set(want.out, outp, (unsigned)n) ||
        !get_set(want.ex, exp, (unsigned)n))
        return -LINUX_EFAULT;
    if (!all_open(&want, (unsigned)n))
        return -LINUX_EBADF;
    struct select_call c = {.n = (unsigned)n, .want = &want};
    if (poll_wait(look, &c, deadline) == POLL_SIGNAL)
        return -LINUX_EINTR;
    if (!put_set(inp, c.got.in, (unsigned)n) || !put_set(outp, c.got.out, (unsigned)n) ||
        !put_set(exp, c.got.ex, (unsigned)n))
        return -LINUX_EFAULT;
    return c.count;
}

/* kern_select: whole seconds of the microseconds carry into the seconds,
 * the rest must make a valid timespec (seconds >= 0, nanoseconds in
 * [0, 1e9)), the sum wrapping as the kernel's does. NULL waits for ever. */
static long timeval_ns(long uptr, uint64_t *ns)
{
    struct linux_timeval tv;
    if (!user_read(&tv, uptr, sizeof tv))
        return -LINUX_EFAULT;
    int64_t sec = (int64_t)((uint64_t)tv.tv_sec + (uint64_t)(tv.tv_usec / US_PER_SEC));
    int64_t nsec = tv.tv_usec % US_PER_SEC * 1000;
    if (sec < 0 || nsec < 0)
        return -LINUX_EINVAL;
    uint64_t s = (uint64_t)sec;
    *ns = s >= UINT64_MAX / NS_PER_SEC ? UINT64_MAX : s * NS_PER_SEC + (uint64_t)nsec;
    return 0;
}

long sys_select(const long *a)
{
    uint64_t deadline = WAIT_FOREVER, ns = 0;
    if (a[4] != 0) {
        long r = timeval_ns(a[4], &ns);
        if (r < 0)
            return r;
        deadline = poll_deadline(ns);
    }
    long r = do_select(a[0], a[1], a[2], a[3], deadline);
    if (a[4] != 0 && ns != 0)
        poll_put_time_left(a[4], deadline, true);
    return r;
}

/* The sixth argument points at the signal mask's address and size (NULL:
 * none); it is read first, then the timeout, then the mask. */
long sys_pselect6(const long *a)
{
    struct linux_sigset_argpack pack = {0, 0};
    if (a[5] != 0 && !user_read(&pack, a[5], sizeof pack))
        return -LINUX_EFAULT;
    uint64_t deadline = WAIT_FOREVER, ns = 0;
    if (a[4] != 0) {
        long r = sys_timespec_ns(a[4], &ns);
        if (r < 0)
            return r;
        deadline = poll_deadline(ns);
    }
    struct poll_sigmask m;
    long r = poll_sigmask_apply(&m, (long)pack.p, pack.size);
    if (r < 0)
        return r;
    r = do_select(a[0], a[1], a[2], a[3], deadline);
    if (a[4] != 0 && ns != 0)
        poll_put_time_left(a[4], deadline, false);
    poll_sigmask_restore(&m, r);
    return r;
}
