/* Signals, for one process with one thread. Nothing else sends one but the
 * kernel when the host asks the VM to shut down (sys_signal_post_kernel:
 * SIGTERM to an app with a handler for it, from the event loop while the
 * app waits), so a signal becomes pending through kill, tkill, tgkill or
 * that, and is delivered as that call (or the wait it ended) returns (sys_signal_deliver, called by
 * the dispatcher after every call), as Linux delivers a signal a thread sends itself on the way
 * back to user space. A blocked signal stays pending until a later call unblocks it (musl 1.2.3's
 * raise and abort rely on this: src/signal/raise.c blocks, sends, and restores the mask, which
 * delivers).
 *
 * Delivery: a handler is called directly on the current stack, with the
 * mask widened as Linux does (the action's mask, and the signal itself
 * unless SA_NODEFER) and restored when it returns; with SA_SIGINFO it gets
 * a siginfo_t (si_signo, si_code SI_USER for kill or SI_TKILL, sender pid 1
 * uid 0) and a NULL context: there is no interrupted user context to
 * describe. An alternate stack can be set and read back but is never
 * switched to. The default action ignores SIGCHLD, SIGURG, SIGWINCH and
 * SIGCONT (Linux's SIG_KERNEL_IGNORE_MASK); every other signal ends the
 * application with status 128 + the signal, the stop signals included
 * (nothing could continue it). The rules follow Linux 6.1's kernel/signal.c. */
#include "core/kernel.h"
#include "core/log.h"
#include "sys/calls.h"
#include "sys/uaccess.h"

#define BIT(sig) (1ull << ((sig)-1))
#define UNBLOCKABLE (BIT(LINUX_SIGKILL) | BIT(LINUX_SIGSTOP))
#define DEFAULT_IGNORED                                                                            \
    (BIT(LINUX_SIGCHLD) | BIT(LINUX_SIGURG) | BIT(LINUX_SIGWINCH) | BIT(LINUX_SIGCONT))
/* include/linux/signal_types.h, UAPI_SA_FLAGS (with x86's SA_RESTORER):
 * other flag bits are dropped, which is how an application learns they are
 * not supported. */
#define KNOWN_SA_FLAGS                                                                             \
    (LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT | LINUX_SA_SIGINFO | LINUX_SA_ONSTACK |               \
     LINUX_SA_RESTART | LINUX_SA_NODEFER | LINUX_SA_RESETHAND | LINUX_SA_EXPOSE_TAGBITS |          \
     LINUX_SA_RESTORER)
#define SIGSET_SIZE 8 /* _NSIG / 8 */
#define SELF 1        /* the pid, the tid and the thread group */

static struct linux_k_sigaction actions[LINUX_NSIG];
static int32_t codes[LINUX_NSIG]; /* si_code of each pending signal */
static uint64_t blocked, pending;
static struct linux_stack altstack;

static const char *const names[32] = {
    NULL,        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

void sys_signal_reset(void)
{
    memset(actions, 0, sizeof actions);
    blocked = pending = 0;
    altstack = (struct linux_stack){0};
}

static bool valid(long sig)
{
    return sig >= 1 && sig <= LINUX_NSIG;
}

__attribute__((noreturn)) static void killed(int sig)
{
    if (sig < LINUX_SIGRTMIN)
        kprintf("anyvm: app killed by signal %d (%s)\n", sig, names[sig]);
    else
        kprintf("anyvm: app killed by signal %d (SIGRTMIN+%d)\n", sig, sig - LINUX_SIGRTMIN);
    kernel_exit(128 + sig);
}

typedef void handler_fn(int sig);
typedef void siginfo_handler_fn(int sig, struct linux_siginfo *info, void *context);

static void run_handler(int sig, struct linux_k_sigaction k)
{
    uint64_t saved = blocked;
    blocked |= k.mask;
    if (!(k.flags & LINUX_SA_NODEFER))
        blocked |= BIT(sig);
    blocked &= ~UNBLOCKABLE;
    if (k.flags & LINUX_SA_RESETHAND)
        actions[sig - 1].handler = LINUX_SIG_DFL;
    if (k.flags & LINUX_SA_SIGINFO) {
        struct linux_siginfo info;
        memset(&info, 0, sizeof info);
        info.si_signo = sig;
        info.si_code = codes[sig - 1];
        info.u.kill.pid = SELF;
        info.u.kill.uid = 0;
        ((siginfo_handler_fn *)(uintptr_t)k.handler)(sig, &info, NULL);
    } else {
        ((handler_fn *)(uintptr_t)k.handler)(sig);
    }
    blocked = saved;
}

/* The lowest-numbered deliverable signal first, as Linux's next_signal
 * takes the standard signals; a handler may send or unblock more, which
 * this loop then delivers too. */
void sys_signal_deliver(void)
{
    uint64_t ready;
    while ((ready = pending & ~blocked) != 0) {
        int sig = __builtin_ctzll(ready) + 1;
        pending &= ~BIT(sig);
        struct linux_k_sigaction k = actions[sig - 1];
        if (k.handler == LINUX_SIG_IGN)
            continue;
        if (k.handler == LINUX_SIG_DFL) {
            if (DEFAULT_IGNORED & BIT(sig))
                continue;
            killed(sig);
        }
        run_handler(sig, k);
    }
}

/* The action discards the signal right away (do_sigaction's POSIX rule). */
static bool ignored(int sig)
{
    uint64_t h = actions[sig - 1].handler;
    return h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && (DEFAULT_IGNORED & BIT(sig)));
}

static long send(long sig, int32_t code)
{
    if (sig < 0 || sig > LINUX_NSIG)
        return -LINUX_EINVAL;
    if (sig == 0) /* only the check that the target exists */
        return 0;
    if (!(pending & BIT(sig))) /* standard signals do not queue */
        codes[sig - 1] = code;
    pending |= BIT(sig);
    return 0;
}

bool sys_signal_post_kernel(int sig)
{
    if (!valid(sig))
        return false;
    uint64_t h = actions[sig - 1].handler;
    if (h == LINUX_SIG_DFL || h == LINUX_SIG_IGN)
        return false;
    send(sig, LINUX_SI_KERNEL);
    return true;
}

long sys_rt_sigaction(const long *a)
{
    int sig = (int)a[0];
    struct linux_k_sigaction act, old;
    if ((uint64_t)a[3] != SIGSET_SIZE)
        return -LINUX_EINVAL;
    if (a[1] != 0 && !user_read(&act, a[1], sizeof act))
        return -LINUX_EFAULT;
    if (!valid(sig) || (a[1] != 0 && (UNBLOCKABLE & BIT(sig))))
        return -LINUX_EINVAL;
    old = actions[sig - 1];
    if (a[1] != 0) {
        act.flags &= KNOWN_SA_FLAGS;
        act.mask &= ~UNBLOCKABLE;
        actions[sig - 1] = act;
        if (ignored(sig))
            pending &= ~BIT(sig);
    }
    if (a[2] != 0 && !user_write(a[2], &old, sizeof old))
        return -LINUX_EFAULT;
    return 0;
}

long sys_rt_sigprocmask(const long *a)
{
    int how = (int)a[0];
    uint64_t set, old = blocked;
    if ((uint64_t)a[3] != SIGSET_SIZE)
        return -LINUX_EINVAL;
    if (a[1] != 0) {
        if (!user_read(&set, a[1], sizeof set))
            return -LINUX_EFAULT;
        set &= ~UNBLOCKABLE;
        switch (how) {
        case LINUX_SIG_BLOCK:
            blocked |= set;
            break;
        case LINUX_SIG_UNBLOCK:
            blocked &= ~set;
            break;
        case LINUX_SIG_SETMASK:
            blocked = set;
            break;
        default:
            return -LINUX_EINVAL;
        }
    }
    if (a[2] != 0 && !user_write(a[2], &old, sizeof old))
        return -LINUX_EFAULT;
    return 0;
}

uint64_t sys_signal_swap_blocked(uint64_t set)
{
    uint64_t old = blocked;
    blocked = set & ~UNBLOCKABLE;
    return old;
}

bool sys_signal_interrupts(void)
{
    for (uint64_t ready = pending & ~blocked; ready != 0; ready &= ready - 1) {
        if (!ignored(__builtin_ctzll(ready) + 1))
            return true;
    }
    return false;
}

/* A shorter set is allowed: its first bytes are written. */
long sys_rt_sigpending(const long *a)
{
    uint64_t size = (uint64_t)a[1], set = pending & blocked;
    if (size > SIGSET_SIZE)
        return -LINUX_EINVAL;
    return user_write(a[0], &set, size) || size == 0 ? 0 : -LINUX_EFAULT;
}

long sys_sigaltstack(const long *a)
{
    struct linux_stack ss, old = altstack;
    /* Never on the alternate stack: sas_ss_flags is DISABLE or nothing. */
    old.ss_flags = (altstack.ss_size == 0 ? LINUX_SS_DISABLE : 0) |
                   (int32_t)(altstack.ss_flags & LINUX_SS_AUTODISARM);
    if (a[0] != 0) {
        if (!user_read(&ss, a[0], sizeof ss))
            return -LINUX_EFAULT;
        uint32_t mode = (uint32_t)ss.ss_flags & ~LINUX_SS_AUTODISARM;
        if (mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK && mode != 0)
            return -LINUX_EINVAL;
        if (mode == LINUX_SS_DISABLE) {
            ss.ss_sp = 0;
            ss.ss_size = 0;
        } else if (ss.ss_size < LINUX_MINSIGSTKSZ) {
            return -LINUX_ENOMEM;
        }
        altstack.ss_sp = ss.ss_sp;
        altstack.ss_size = ss.ss_size;
        altstack.ss_flags = (int32_t)((uint32_t)ss.ss_flags & LINUX_SS_AUTODISARM);
    }
    if (a[1] != 0 && !user_write(a[1], &old, sizeof old))
        return -LINUX_EFAULT;
    return 0;
}

/* kill: pid 1 (this process) or 0 (its process group, which is only it);
 * -1 means every process but init and the caller, and the caller is init:
 * nobody, ESRCH as when Linux finds no one to signal. */
long sys_kill(const long *a)
{
    int pid = (int)a[0];
    if (pid != 0 && pid != SELF)
        return -LINUX_ESRCH;
    return send((int)a[1], LINUX_SI_USER);
}

long sys_tkill(const long *a)
{
    int tid = (int)a[0];
    if (tid <= 0)
        return -LINUX_EINVAL;
    if (tid != SELF)
        return -LINUX_ESRCH;
    return send((int)a[1], LINUX_SI_TKILL);
}

long sys_tgkill(const long *a)
{
    int tgid = (int)a[0], tid = (int)a[1];
    if (tgid <= 0 || tid <= 0)
        return -LINUX_EINVAL;
    if (tgid != SELF || tid != SELF)
        return -LINUX_ESRCH;
    return send((int)a[2], LINUX_SI_TKILL);
}

/* Handlers return to the dispatcher like any function, so no signal frame
 * is ever built; an application that gets here jumped to its restorer by
 * hand. Linux answers a frame it cannot read with SIGSEGV. */
long sys_rt_sigreturn(const long *a)
{
    (void)a;
    kprintf("sys: rt_sigreturn with no signal frame (handlers here return like functions)\n");
    killed(LINUX_SIGSEGV);
}
