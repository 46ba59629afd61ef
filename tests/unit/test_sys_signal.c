/* sys/signal.c through __anyvm_syscall: actions, the mask, signals sent to
 * itself and delivered before the sending call returns, blocked signals
 * kept pending until unblocked, default actions (ignore or end with
 * 128 + N and the console line), musl's abort() call for call, the
 * alternate stack and rt_sigreturn, and the kernel's own SIGTERM when the
 * host asks the VM to shut down. */
#include "sys/calls.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define BIT(sig) (1ull << ((sig)-1))

/* What the handlers saw, in order. */
static int seen[16];
static unsigned nseen;
static struct linux_siginfo last_info;
static void *last_context = (void *)1;
static uint64_t mask_inside;

static uint64_t current_mask(void)
{
    uint64_t m = 0;
    SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, NULL, &m, 8);
    return m;
}

static void on_signal(int sig)
{
    if (nseen < 16)
        seen[nseen++] = sig;
    mask_inside = current_mask();
}

static void on_siginfo(int sig, struct linux_siginfo *info, void *context)
{
    on_signal(sig);
    last_info = *info;
    last_context = context;
}

/* Sends SIGUSR2 to itself from inside the SIGUSR1 handler. */
static void on_usr1_send_usr2(int sig)
{
    on_signal(sig);
    SC(LINUX_NR_kill, 1, LINUX_SIGUSR2);
    on_signal(100); /* USR2 was blocked meanwhile (the action's mask) */
}

static void fresh(void)
{
    host_sys_reset(0);
    nseen = 0;
    memset(seen, 0, sizeof seen);
    memset(&last_info, 0, sizeof last_info);
    last_context = (void *)1;
}

static long set_action(int sig, void *handler, uint64_t flags, uint64_t mask)
{
    struct linux_k_sigaction act = {(uint64_t)(uintptr_t)handler, flags, 0, mask};
    return SC(LINUX_NR_rt_sigaction, sig, &act, NULL, 8);
}

TEST(actions_are_kept_and_reported_back)
{
    fresh();
    struct linux_k_sigaction act = {(uintptr_t)on_siginfo,
                                    LINUX_SA_SIGINFO | LINUX_SA_RESTORER | 0x100, 0x1234,
                                    BIT(LINUX_SIGKILL) | BIT(LINUX_SIGSTOP) | BIT(LINUX_SIGINT)},
                             old;
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, &old, 8), 0);
    CHECK_EQ(old.handler, (uint64_t)LINUX_SIG_DFL);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, NULL, &old, 8), 0);
    CHECK_EQ(old.handler, (uint64_t)(uintptr_t)on_siginfo);
    CHECK_EQ(old.flags, LINUX_SA_SIGINFO | LINUX_SA_RESTORER); /* unknown bit dropped */
    CHECK_EQ(old.restorer, 0x1234u);
    CHECK_EQ(old.mask, BIT(LINUX_SIGINT)); /* KILL and STOP never masked */
    /* Reset returns every action to the default. */
    fresh();
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, NULL, &old, 8), 0);
    CHECK_EQ(old.handler, (uint64_t)LINUX_SIG_DFL);
}

TEST(rt_sigaction_refusals)
{
    fresh();
    struct linux_k_sigaction act = {LINUX_SIG_IGN, 0, 0, 0}, old;
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, NULL, 4), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, 0, &act, NULL, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, 65, &act, NULL, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGKILL, &act, NULL, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGSTOP, &act, NULL, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGKILL, NULL, &old, 8), 0);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, 8, NULL, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, -8, 8), -LINUX_EFAULT);
    /* The action was set before the old one could not be written back. */
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, NULL, &old, 8), 0);
    CHECK_EQ(old.handler, (uint64_t)LINUX_SIG_IGN);
}

TEST(the_mask_blocks_unblocks_and_sets)
{
    fresh();
    uint64_t set = BIT(LINUX_SIGUSR1) | BIT(LINUX_SIGKILL) | BIT(LINUX_SIGSTOP), old = 99;
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &set, &old, 8), 0);
    CHECK_EQ(old, 0u);
    CHECK_EQ(current_mask(), BIT(LINUX_SIGUSR1));
    set = BIT(LINUX_SIGUSR2);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_SETMASK, &set, &old, 8), 0);
    CHECK_EQ(old, BIT(LINUX_SIGUSR1));
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, &set, NULL, 8), 0);
    CHECK_EQ(current_mask(), 0u);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, 3, &set, NULL, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, 3, NULL, &old, 8), 0); /* how unused without a set */
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &set, NULL, 16), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, 8, NULL, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &set, 8, 8), -LINUX_EFAULT);
    CHECK_EQ(current_mask(), BIT(LINUX_SIGUSR2));
}

TEST(a_handler_runs_before_kill_returns)
{
    fresh();
    CHECK_EQ(set_action(LINUX_SIGUSR1, on_signal, 0, 0), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR1), 0);
    CHECK_EQ(nseen, 1u);
    CHECK_EQ(seen[0], LINUX_SIGUSR1);
    CHECK_EQ(mask_inside, BIT(LINUX_SIGUSR1));        /* the signal is blocked in its handler */
    CHECK_EQ(current_mask(), 0u);                     /* and unblocked after */
    CHECK_EQ(SC(LINUX_NR_kill, 0, LINUX_SIGUSR1), 0); /* pid 0: its own group */
    CHECK_EQ(SC(LINUX_NR_tkill, 1, LINUX_SIGUSR1), 0);
    CHECK_EQ(SC(LINUX_NR_tgkill, 1, 1, LINUX_SIGUSR1), 0);
    CHECK_EQ(nseen, 4u);
}

TEST(sa_siginfo_handlers_get_the_sender_and_no_context)
{
    fresh();
    CHECK_EQ(set_action(LINUX_SIGTERM, on_siginfo, LINUX_SA_SIGINFO | LINUX_SA_RESTORER, 0), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGTERM), 0);
    CHECK_EQ(last_info.si_signo, LINUX_SIGTERM);
    CHECK_EQ(last_info.si_code, LINUX_SI_USER);
    CHECK_EQ(last_info.u.kill.pid, 1);
    CHECK_EQ(last_info.u.kill.uid, 0u);
    CHECK(last_context == NULL);
    CHECK_EQ(SC(LINUX_NR_tkill, 1, LINUX_SIGTERM), 0);
    CHECK_EQ(last_info.si_code, LINUX_SI_TKILL);
    CHECK_EQ(SC(LINUX_NR_tgkill, 1, 1, LINUX_SIGTERM), 0);
    CHECK_EQ(last_info.si_code, LINUX_SI_TKILL);
    CHECK_EQ(nseen, 3u);
}

TEST(a_blocked_signal_waits_until_unblocked)
{
    fresh();
    CHECK_EQ(set_action(LINUX_SIGUSR1, on_signal, 0, 0), 0);
    uint64_t set = BIT(LINUX_SIGUSR1), pending = 0;
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &set, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR1), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR1), 0); /* standard signals do not queue */
    CHECK_EQ(nseen, 0u);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pending, 8), 0);
    CHECK_EQ(pending, BIT(LINUX_SIGUSR1));
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, &set, NULL, 8), 0);
    CHECK_EQ(nseen, 1u);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pending, 8), 0);
    CHECK_EQ(pending, 0u);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pending, 9), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, NULL, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, NULL, 0), 0);
}

TEST(lowest_first_and_a_handler_may_send_more)
{
    fresh();
    CHECK_EQ(set_action(LINUX_SIGUSR1, on_usr1_send_usr2, 0, BIT(LINUX_SIGUSR2)), 0);
    CHECK_EQ(set_action(LINUX_SIGUSR2, on_signal, 0, 0), 0);
    CHECK_EQ(set_action(LINUX_SIGHUP, on_signal, 0, 0), 0);
    uint64_t set = BIT(LINUX_SIGUSR1) | BIT(LINUX_SIGHUP);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &set, NULL, 8), 0);
    SC(LINUX_NR_kill, 1, LINUX_SIGUSR1);
    SC(LINUX_NR_kill, 1, LINUX_SIGHUP);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, &set, NULL, 8), 0);
    /* HUP (1) before USR1 (10); USR2, sent inside USR1's handler, is held
     * by USR1's mask until that handler returns. */
    CHECK_EQ(nseen, 4u);
    CHECK_EQ(seen[0], LINUX_SIGHUP);
    CHECK_EQ(seen[1], LINUX_SIGUSR1);
    CHECK_EQ(seen[2], 100);
    CHECK_EQ(seen[3], LINUX_SIGUSR2);
}

TEST(sa_nodefer_and_sa_resethand)
{
    fresh();
    CHECK_EQ(set_action(LINUX_SIGUSR1, on_signal, LINUX_SA_NODEFER, BIT(LINUX_SIGINT)), 0);
    SC(LINUX_NR_kill, 1, LINUX_SIGUSR1);
    CHECK_EQ(mask_inside, BIT(LINUX_SIGINT));
    CHECK_EQ(set_action(LINUX_SIGUSR2, on_signal, LINUX_SA_RESETHAND, 0), 0);
    SC(LINUX_NR_kill, 1, LINUX_SIGUSR2);
    CHECK_EQ(nseen, 2u);
    struct linux_k_sigaction old;
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR2, NULL, &old, 8), 0);
    CHECK_EQ(old.handler, (uint64_t)LINUX_SIG_DFL);
    /* Now the default: the application ends. */
    CHECK(HOST_EXITS(SC(LINUX_NR_kill, 1, LINUX_SIGUSR2)));
    CHECK_EQ(host_exit_status, 128 + LINUX_SIGUSR2);
}

TEST(ignored_signals_and_discarding_pending_ones)
{
    fresh();
    CHECK_EQ(set_action(LINUX_SIGTERM, (void *)LINUX_SIG_IGN, 0, 0), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGTERM), 0);
    uint64_t set = BIT(LINUX_SIGINT), pending = 0;
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &set, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGINT), 0);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pending, 8), 0);
    CHECK_EQ(pending, BIT(LINUX_SIGINT));
    /* SIG_IGN discards a pending signal, blocked or not (POSIX 3.3.1.3). */
    CHECK_EQ(set_action(LINUX_SIGINT, (void *)LINUX_SIG_IGN, 0, 0), 0);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pending, 8), 0);
    CHECK_EQ(pending, 0u);
    CHECK_EQ(set_action(LINUX_SIGINT, (void *)LINUX_SIG_DFL, 0, 0), 0);
    CHECK(!HOST_EXITS(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, &set, NULL, 8)));
    /* A signal ignored by default is dropped when it is sent. */
    int quiet[] = {LINUX_SIGCHLD, LINUX_SIGURG, LINUX_SIGWINCH, LINUX_SIGCONT};
    for (volatile unsigned i = 0; i < 4; i++)
        CHECK(!HOST_EXITS(SC(LINUX_NR_kill, 1, quiet[i])));
    CHECK_EQ(host_exits, 0u);
    CHECK(!LOG_CONTAINS("killed"));
}

TEST(default_action_ends_the_app_with_128_plus_the_signal)
{
    fresh();
    CHECK(HOST_EXITS(SC(LINUX_NR_kill, 1, LINUX_SIGTERM)));
    CHECK_EQ(host_exit_status, 143);
    CHECK(LOG_CONTAINS("anyvm: app killed by signal 15 (SIGTERM)\n"));
    fresh();
    CHECK(HOST_EXITS(SC(LINUX_NR_tkill, 1, LINUX_SIGKILL)));
    CHECK_EQ(host_exit_status, 137);
    CHECK(LOG_CONTAINS("anyvm: app killed by signal 9 (SIGKILL)\n"));
    fresh();
    CHECK(HOST_EXITS(SC(LINUX_NR_tgkill, 1, 1, LINUX_SIGSTOP)));
    CHECK_EQ(host_exit_status, 128 + 19); /* nothing could continue it */
    fresh();
    CHECK(HOST_EXITS(SC(LINUX_NR_kill, 1, 40)));
    CHECK_EQ(host_exit_status, 168);
    CHECK(LOG_CONTAINS("anyvm: app killed by signal 40 (SIGRTMIN+8)\n"));
    /* SIGKILL cannot be blocked. */
    fresh();
    uint64_t all = ~0ull;
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_SETMASK, &all, NULL, 8), 0);
    CHECK(HOST_EXITS(SC(LINUX_NR_kill, 1, LINUX_SIGKILL)));
    CHECK_EQ(host_exit_status, 137);
}

/* musl 1.2.3's abort(), call for call (src/exit/abort.c, src/signal/raise.c,
 * src/internal/pthread_impl.h's __block_app_sigs and __block_all_sigs):
 * raise(SIGABRT) blocks the application's signals, sends, restores the
 * mask; if that returned, everything is blocked, SIGABRT set to SIG_DFL,
 * sent again and unblocked. */
static void musl_raise(int sig)
{
    uint64_t app = ~(BIT(32) | BIT(33) | BIT(34)), old;
    SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &app, &old, 8);
    SC(LINUX_NR_tkill, 1, sig);
    SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_SETMASK, &old, NULL, 8);
}

static void musl_abort(void)
{
    musl_raise(LINUX_SIGABRT);
    uint64_t all = ~0ull, abrt = BIT(LINUX_SIGABRT);
    SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &all, NULL, 8);
    struct linux_k_sigaction dfl = {LINUX_SIG_DFL, 0, 0, 0};
    SC(LINUX_NR_rt_sigaction, LINUX_SIGABRT, &dfl, NULL, 8);
    SC(LINUX_NR_tkill, 1, LINUX_SIGABRT);
    SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_UNBLOCK, &abrt, NULL, 8);
}

TEST(musl_abort_ends_the_app_with_134)
{
    fresh();
    CHECK(HOST_EXITS(musl_abort()));
    CHECK_EQ(host_exit_status, 134);
    CHECK(LOG_CONTAINS("anyvm: app killed by signal 6 (SIGABRT)\n"));
    /* A SIGABRT handler that returns runs once; abort still ends the app. */
    fresh();
    CHECK_EQ(set_action(LINUX_SIGABRT, on_signal, 0, 0), 0);
    CHECK(HOST_EXITS(musl_abort()));
    CHECK_EQ(nseen, 1u);
    CHECK_EQ(host_exit_status, 134);
    /* Even with SIGABRT ignored. */
    fresh();
    CHECK_EQ(set_action(LINUX_SIGABRT, (void *)LINUX_SIG_IGN, 0, 0), 0);
    CHECK(HOST_EXITS(musl_abort()));
    CHECK_EQ(host_exit_status, 134);
}

TEST(kill_targets_only_this_process)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_kill, 2, LINUX_SIGTERM), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_kill, -1, LINUX_SIGTERM), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_kill, -5, LINUX_SIGTERM), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_kill, 1, 65), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_kill, 1, -1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_kill, 1, 0), 0); /* only "does it exist" */
    CHECK_EQ(SC(LINUX_NR_tkill, 0, LINUX_SIGTERM), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_tkill, -3, LINUX_SIGTERM), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_tkill, 2, LINUX_SIGTERM), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_tkill, 1, 99), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_tgkill, 0, 1, LINUX_SIGTERM), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_tgkill, 1, 0, LINUX_SIGTERM), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_tgkill, 1, 2, LINUX_SIGTERM), -LINUX_ESRCH);
    CHECK_EQ(SC(LINUX_NR_tgkill, 2, 1, LINUX_SIGTERM), -LINUX_ESRCH);
    CHECK_EQ(host_exits, 0u);
}

TEST(the_alternate_stack_is_kept_and_reported)
{
    fresh();
    struct linux_stack old, ss = {.ss_sp = 0x10000, .ss_size = 8192};
    CHECK_EQ(SC(LINUX_NR_sigaltstack, NULL, &old), 0);
    CHECK_EQ(old.ss_flags, LINUX_SS_DISABLE);
    CHECK_EQ(SC(LINUX_NR_sigaltstack, &ss, NULL), 0);
    CHECK_EQ(SC(LINUX_NR_sigaltstack, NULL, &old), 0);
    CHECK(old.ss_sp == 0x10000 && old.ss_size == 8192 && old.ss_flags == 0);
    ss.ss_size = LINUX_MINSIGSTKSZ - 1;
    CHECK_EQ(SC(LINUX_NR_sigaltstack, &ss, NULL), -LINUX_ENOMEM);
    ss.ss_flags = 4;
    CHECK_EQ(SC(LINUX_NR_sigaltstack, &ss, NULL), -LINUX_EINVAL);
    ss.ss_flags = (int32_t)(LINUX_SS_ONSTACK | LINUX_SS_AUTODISARM);
    ss.ss_size = 4096;
    CHECK_EQ(SC(LINUX_NR_sigaltstack, &ss, &old), 0);
    CHECK_EQ(old.ss_size, 8192u); /* the previous one */
    CHECK_EQ(SC(LINUX_NR_sigaltstack, NULL, &old), 0);
    CHECK_EQ((uint32_t)old.ss_flags, LINUX_SS_AUTODISARM);
    ss.ss_flags = LINUX_SS_DISABLE;
    CHECK_EQ(SC(LINUX_NR_sigaltstack, &ss, NULL), 0);
    CHECK_EQ(SC(LINUX_NR_sigaltstack, NULL, &old), 0);
    CHECK(old.ss_flags == LINUX_SS_DISABLE && old.ss_size == 0);
    CHECK_EQ(SC(LINUX_NR_sigaltstack, 8, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_sigaltstack, NULL, 8), -LINUX_EFAULT);
}

TEST(rt_sigreturn_has_no_frame_and_ends_as_sigsegv)
{
    fresh();
    CHECK(HOST_EXITS(SC(LINUX_NR_rt_sigreturn)));
    CHECK_EQ(host_exit_status, 139);
    CHECK(LOG_CONTAINS("sys: rt_sigreturn with no signal frame"));
    CHECK(LOG_CONTAINS("anyvm: app killed by signal 11 (SIGSEGV)\n"));
}

TEST(the_kernels_sigterm_only_reaches_a_handler)
{
    fresh();
    /* default action, or ignored: the kernel acts for the app instead */
    CHECK(!sys_signal_post_kernel(LINUX_SIGTERM));
    CHECK(!sys_signal_interrupts());
    CHECK_EQ(set_action(LINUX_SIGTERM, (void *)(uintptr_t)LINUX_SIG_IGN, LINUX_SA_RESTORER, 0), 0);
    CHECK(!sys_signal_post_kernel(LINUX_SIGTERM));
    CHECK(!sys_signal_post_kernel(0));
    CHECK(!sys_signal_post_kernel(LINUX_NSIG + 1));
    /* a handler: pending (a waiting call ends with EINTR), then delivered as
     * the next call returns, with si_code SI_KERNEL */
    CHECK_EQ(set_action(LINUX_SIGTERM, on_siginfo, LINUX_SA_SIGINFO | LINUX_SA_RESTORER, 0), 0);
    CHECK(sys_signal_post_kernel(LINUX_SIGTERM));
    CHECK(sys_signal_interrupts());
    CHECK_EQ(nseen, 0u);
    SC(LINUX_NR_getpid);
    CHECK_EQ(nseen, 1u);
    CHECK_EQ(seen[0], LINUX_SIGTERM);
    CHECK_EQ(last_info.si_code, LINUX_SI_KERNEL);
    CHECK(!sys_signal_interrupts());
}

UNIT_MAIN()
