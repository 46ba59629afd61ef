/* Futexes with one application thread. A FUTEX_WAIT whose value still
 * matches waits in the event loop (wait_until), so device work goes on;
 * what can wake it is a FUTEX_WAKE made by code that runs meanwhile: work
 * or a timer callback the application registered (with one thread nothing
 * else runs). Waits nest (a callback that runs during a wait may wait in
 * turn), so the waiters are a list of records on the waiting stacks.
 *
 * A wait with a timeout ends with ETIMEDOUT when nobody woke it. A wait
 * without one, that nothing wakes, lasts as long as the monotonic clock
 * does (2^64 ns, then ETIMEDOUT), as it would on Linux with one thread; it
 * is said once on the console, since that is almost always a deadlock (a
 * mutex locked twice, a condition nobody will signal), and the CPU halts
 * rather than spins meanwhile. Answering EDEADLK instead would make musl
 * 1.2.3 spin: its waits (src/thread/__timedwait.c, __wait.c) retry on any
 * error but ETIMEDOUT, EINTR and ECANCELED.
 *
 * WAIT, WAKE, their BITSET forms and REQUEUE/CMP_REQUEUE are served; the
 * priority-inheritance operations, WAKE_OP and FD are ENOSYS. Checks and
 * their order follow Linux 6.1's kernel/futex/syscalls.c, waitwake.c and
 * requeue.c. */
#include "core/event.h"
#include "core/log.h"
#include "core/time.h"
#include "sys/calls.h"
#include "sys/uaccess.h"

struct waiter {
    uint64_t addr;
    uint32_t bitset;
    bool woken;
    struct waiter *next;
};

static struct waiter *waiters;
static bool told_forever;

void sys_futex_reset(void)
{
    waiters = NULL;
    told_forever = false;
}

#define CMD_MASK (~(LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME))

/* kernel/futex/core.c, get_futex_key: a futex is an aligned 32-bit word. */
static long check_word(uint64_t addr)
{
    if (addr % sizeof(uint32_t))
        return -LINUX_EINVAL;
    return user_range_ok(addr, sizeof(uint32_t)) && addr != 0 ? 0 : -LINUX_EFAULT;
}

static uint32_t load(uint64_t addr)
{
    return __atomic_load_n((uint32_t *)user_ptr(addr), __ATOMIC_SEQ_CST);
}

static bool woken(void *ctx)
{
    return ((struct waiter *)ctx)->woken;
}

static void unlink_waiter(struct waiter *w)
{
    for (struct waiter **p = &waiters; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

static long wait(uint64_t addr, uint32_t val, uint32_t bitset, bool timed, uint64_t deadline)
{
    if (bitset == 0)
        return -LINUX_EINVAL;
    long r = check_word(addr);
    if (r < 0)
        return r;
    if (load(addr) != val)
        return -LINUX_EAGAIN;
    if (!timed && !told_forever) {
        told_forever = true;
        kprintf("sys: futex wait with no timeout and no other thread: only work the "
                "application registered can wake it\n");
    }
    struct waiter w = {.addr = addr, .bitset = bitset, .next = waiters};
    waiters = &w;
    bool ok = wait_until(woken, &w, timed ? deadline : WAIT_FOREVER);
    unlink_waiter(&w);
    return ok ? 0 : -LINUX_ETIMEDOUT;
}

/* kernel/futex/waitwake.c, futex_wake: wakes waiters on addr whose bitset
 * meets the given one, up to n but at least one. */
static long wake(uint64_t addr, uint32_t bitset, int n)
{
    long woke = 0;
    for (struct waiter *w = waiters; w; w = w->next) {
        if (w->woken || w->addr != addr || !(w->bitset & bitset))
            continue;
        w->woken = true;
        if (++woke >= n)
            break;
    }
    return woke;
}

/* kernel/futex/requeue.c, futex_requeue: wakes up to n_wake waiters on addr
 * and moves up to n_requeue more to addr2; returns how many it touched. */
static long requeue(uint64_t addr, long n_wake, uint64_t addr2, long n_requeue)
{
    long count = 0;
    for (struct waiter *w = waiters; w && count < n_wake + n_requeue; w = w->next) {
        if (w->woken || w->addr != addr)
            continue;
        if (count < n_wake)
            w->woken = true;
        else
            w->addr = addr2;
        count++;
    }
    return count;
}

/* The deadline, on the monotonic clock, of a wait with a timeout: FUTEX_WAIT
 * takes a relative time, FUTEX_WAIT_BITSET an absolute one on the monotonic
 * clock or, with FUTEX_CLOCK_REALTIME, the real-time clock. */
static uint64_t deadline_of(int cmd, int op, uint64_t ns)
{
    uint64_t mono = time_now_ns(), now = mono;
    if (cmd == LINUX_FUTEX_WAIT_BITSET) {
        if (op & LINUX_FUTEX_CLOCK_REALTIME)
            sys_clock_now(LINUX_CLOCK_REALTIME, &now);
        ns = ns > now ? ns - now : 0;
    }
    return ns > UINT64_MAX - mono ? UINT64_MAX : mono + ns;
}

long sys_futex(const long *a)
{
    uint64_t addr = (uint64_t)a[0], addr2 = (uint64_t)a[4];
    int op = (int)a[1], cmd = op & CMD_MASK;
    uint32_t val = (uint32_t)a[2], val3 = (uint32_t)a[5];
    bool timed = false;
    uint64_t deadline = 0;

    /* The timeout is read before the operation is judged. */
    if (a[3] != 0 && (cmd == LINUX_FUTEX_WAIT || cmd == LINUX_FUTEX_WAIT_BITSET)) {
        uint64_t ns;
        long r = sys_timespec_ns(a[3], &ns);
        if (r < 0)
            return r;
        timed = true;
        deadline = deadline_of(cmd, op, ns);
    }
    if ((op & LINUX_FUTEX_CLOCK_REALTIME) && cmd != LINUX_FUTEX_WAIT_BITSET &&
        cmd != LINUX_FUTEX_WAIT_REQUEUE_PI && cmd != LINUX_FUTEX_LOCK_PI2)
        return -LINUX_ENOSYS;

    switch (cmd) {
    case LINUX_FUTEX_WAIT:
        return wait(addr, val, LINUX_FUTEX_BITSET_MATCH_ANY, timed, deadline);
    case LINUX_FUTEX_WAIT_BITSET:
        return wait(addr, val, val3, timed, deadline);
    case LINUX_FUTEX_WAKE:
    case LINUX_FUTEX_WAKE_BITSET: {
        uint32_t bitset = cmd == LINUX_FUTEX_WAKE ? LINUX_FUTEX_BITSET_MATCH_ANY : val3;
        if (bitset == 0)
            return -LINUX_EINVAL;
        long r = check_word(addr);
        return r < 0 ? r : wake(addr, bitset, (int)val);
    }
    case LINUX_FUTEX_REQUEUE:
    case LINUX_FUTEX_CMP_REQUEUE: {
        /* The fourth argument is the number to move, not a timeout. */
        int n_wake = (int)val, n_requeue = (int)a[3];
        if (n_wake < 0 || n_requeue < 0)
            return -LINUX_EINVAL;
        long r = check_word(addr);
        if (r == 0)
            r = check_word(addr2);
        if (r < 0)
            return r;
        if (cmd == LINUX_FUTEX_CMP_REQUEUE && load(addr) != val3)
            return -LINUX_EAGAIN;
        return requeue(addr, n_wake, addr2, n_requeue);
    }
    default:
        return -LINUX_ENOSYS;
    }
}
