/* sys/poll/poll.c through __anyvm_syscall on the fake CPU: poll and ppoll
 * over the console and fake files (tests/unit/fake_file.h) whose readiness
 * timer callbacks change while the call waits; revents as Linux computes
 * them, timeouts to the nanosecond on the fake clock, every refusal, the
 * signal mask of ppoll, and what a wait costs in poll calls. */
#include "core/event.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/fake_file.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define MS 1000000ull
#define IN LINUX_POLLIN
#define OUT LINUX_POLLOUT
#define RDNORM LINUX_POLLRDNORM
#define WRNORM LINUX_POLLWRNORM

static struct fake fakes[4];
static struct fake_change changes[4];

/* A poller makes the loop pass every EVENT_POLL_INTERVAL_NS (1 ms) while
 * nothing else happens. */
static unsigned poller_runs;
static void count_pass(struct poller *p)
{
    (void)p;
    poller_runs++;
}
static struct poller ticker = {.fn = count_pass};

static void close_3(struct timer *t);
static struct timer closer = {.fn = close_3};

/* What a test left behind when a check failed half-way goes first. */
static void fresh(void)
{
    for (unsigned i = 0; i < sizeof changes / sizeof changes[0]; i++)
        timer_cancel(&changes[i].t);
    timer_cancel(&closer);
    poller_remove(&ticker);
    host_sys_reset(0);
    event_run_pending();
}

static struct linux_pollfd pfd(int fd, int events)
{
    return (struct linux_pollfd){.fd = fd, .events = (int16_t)events, .revents = 0x5a5a};
}

TEST(the_console_is_ready_to_read_and_write_at_once)
{
    fresh();
    struct linux_pollfd p[3] = {pfd(0, IN), pfd(1, OUT), pfd(2, IN | OUT | LINUX_POLLPRI)};
    CHECK_EQ(SC(LINUX_NR_poll, p, 3, -1), 3);
    CHECK_EQ(p[0].revents, IN);
    CHECK_EQ(p[1].revents, OUT);
    CHECK_EQ(p[2].revents, IN | OUT);
    CHECK_EQ(p[0].fd, 0); /* fd and events are left as they were */
    CHECK_EQ(p[2].events, IN | OUT | LINUX_POLLPRI);
    /* The NORM twins come with POLLIN and POLLOUT, as Linux reports them. */
    p[0] = pfd(0, RDNORM);
    p[1] = pfd(1, WRNORM | LINUX_POLLRDBAND);
    CHECK_EQ(SC(LINUX_NR_poll, p, 2, 0), 2);
    CHECK_EQ(p[0].revents, RDNORM);
    CHECK_EQ(p[1].revents, WRNORM);
    CHECK_EQ(host_now_ns, 0u);
}

TEST(negative_descriptors_are_skipped_and_closed_ones_are_pollnval)
{
    fresh();
    struct linux_pollfd p[4] = {pfd(-1, IN), pfd(7, IN), pfd(INT32_MIN, OUT), pfd(9, 0)};
    CHECK_EQ(SC(LINUX_NR_poll, p, 4, 0), 2);
    CHECK_EQ(p[0].revents, 0);
    CHECK_EQ(p[1].revents, LINUX_POLLNVAL);
    CHECK_EQ(p[2].revents, 0);
    CHECK_EQ(p[3].revents, LINUX_POLLNVAL); /* asked nothing: still told */
    /* A descriptor beyond the table is not open either. */
    p[0] = pfd(SYS_FD_MAX, IN);
    CHECK_EQ(SC(LINUX_NR_poll, p, 1, 0), 1);
    CHECK_EQ(p[0].revents, LINUX_POLLNVAL);
}

TEST(errors_and_hangups_are_reported_unasked_and_other_events_only_when_asked)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    fakes[0].ready = LINUX_POLLHUP | LINUX_POLLERR | IN | LINUX_POLLRDHUP | LINUX_POLLPRI;
    struct linux_pollfd p[2] = {pfd(fd, 0), pfd(fd, LINUX_POLLRDHUP | LINUX_POLLPRI)};
    CHECK_EQ(SC(LINUX_NR_poll, p, 2, 0), 2);
    CHECK_EQ(p[0].revents, LINUX_POLLHUP | LINUX_POLLERR);
    CHECK_EQ(p[1].revents, LINUX_POLLHUP | LINUX_POLLERR | LINUX_POLLRDHUP | LINUX_POLLPRI);
    /* Asked for output on a file only readable: nothing, and 0. */
    fakes[0].ready = IN;
    p[0] = pfd(fd, OUT);
    CHECK_EQ(SC(LINUX_NR_poll, p, 1, 0), 0);
    CHECK_EQ(p[0].revents, 0);
    /* A file kind without poll is always ready (Linux's DEFAULT_POLLMASK). */
    int plain = fake_open(&fakes[1], &fake_plain_ops, 0);
    p[0] = pfd(plain, IN | OUT | LINUX_POLLPRI);
    CHECK_EQ(SC(LINUX_NR_poll, p, 1, 0), 1);
    CHECK_EQ(p[0].revents, IN | OUT);
}

TEST(a_zero_timeout_runs_one_pass_of_the_loop_and_returns_at_once)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_quiet_ops, 0);
    struct linux_pollfd p = pfd(fd, IN);
    host_now_ns = 1000;
    /* Work that was due runs before the look: here it makes the file ready. */
    fake_at(&changes[0], 500, &fakes[0], IN);
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 0), 1);
    CHECK_EQ(p.revents, IN);
    fake_set(&fakes[0], 0);
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 0), 0);
    CHECK_EQ(p.revents, 0);
    CHECK_EQ(host_now_ns, 1000u);
    CHECK_EQ(host_idles, 0u);
}

TEST(a_timeout_ends_the_wait_at_its_deadline_exactly)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    struct linux_pollfd p = pfd(fd, IN);
    host_now_ns = 100;
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 7), 0);
    CHECK_EQ(host_now_ns, 100 + 7 * MS);
    CHECK(host_idles >= 1); /* it halted, it did not spin */
    CHECK_EQ(p.revents, 0);
    /* No descriptors: a sleep. */
    CHECK_EQ(SC(LINUX_NR_poll, NULL, 0, 1500), 0);
    CHECK_EQ(host_now_ns, 100 + 1507 * MS);
}

TEST(a_file_that_becomes_ready_while_poll_waits_ends_the_wait_then)
{
    fresh();
    int a = fake_open(&fakes[0], &fake_notifying_ops, 0);
    int b = fake_open(&fakes[1], &fake_quiet_ops, 0);
    struct linux_pollfd p[2] = {pfd(a, IN), pfd(b, OUT)};
    fake_at(&changes[0], 5 * MS, &fakes[0], IN);
    CHECK_EQ(SC(LINUX_NR_poll, p, 2, -1), 1);
    CHECK_EQ(host_now_ns, 5 * MS);
    CHECK_EQ(p[0].revents, IN); /* asked IN only: no RDNORM */
    CHECK_EQ(p[1].revents, 0);
    /* A quiet file is found by looking, at the next pass after it changed. */
    fake_set(&fakes[0], 0);
    fake_at(&changes[1], 30 * 1000 * MS, &fakes[1], OUT);
    CHECK_EQ(SC(LINUX_NR_poll, p, 2, -1), 1);
    CHECK_EQ(host_now_ns, 30 * 1000 * MS);
    CHECK_EQ(p[0].revents, 0);
    CHECK_EQ(p[1].revents, OUT);
}

TEST(files_that_notify_are_looked_at_only_after_something_moved)
{
    fresh();
    poller_runs = 0;
    poller_add(&ticker);
    int a = fake_open(&fakes[0], &fake_notifying_ops, 0);
    int b = fake_open(&fakes[1], &fake_notifying_ops, 0);
    struct linux_pollfd p[2] = {pfd(a, IN), pfd(b, IN)};
    fake_at(&changes[0], 50 * MS, &fakes[1], IN);
    CHECK_EQ(SC(LINUX_NR_poll, p, 2, -1), 1);
    CHECK_EQ(host_now_ns, 50 * MS);
    CHECK(poller_runs >= 40);
    CHECK_EQ(fakes[0].polls, 2u); /* the first look and the one after the notification */
    CHECK_EQ(fakes[1].polls, 2u);
    /* A quiet file among them: every pass looks at all of them. */
    fake_set(&fakes[1], 0);
    int c = fake_open(&fakes[2], &fake_quiet_ops, 0);
    struct linux_pollfd q[2] = {pfd(a, IN), pfd(c, IN)};
    unsigned before = fakes[0].polls;
    poller_runs = 0;
    CHECK_EQ(SC(LINUX_NR_poll, q, 2, 20), 0);
    CHECK(fakes[0].polls - before >= poller_runs);
    CHECK(fakes[2].polls >= poller_runs);
    poller_remove(&ticker);
}

static void close_3(struct timer *t)
{
    (void)t;
    SC(LINUX_NR_close, 3);
}

TEST(a_descriptor_closed_while_poll_waits_becomes_pollnval)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    CHECK_EQ(fd, 3);
    struct linux_pollfd p = pfd(fd, IN);
    /* A timer callback closes it (the application's own code may). */
    timer_arm(&closer, 2 * MS);
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 100), 1);
    CHECK_EQ(p.revents, LINUX_POLLNVAL);
    CHECK_EQ(host_now_ns, 2 * MS);
    CHECK_EQ(fakes[0].releases, 1u);
}

TEST(bad_arrays_and_counts_are_refused)
{
    fresh();
    struct linux_pollfd p[2] = {pfd(0, IN), pfd(1, OUT)};
    CHECK_EQ(SC(LINUX_NR_poll, NULL, 1, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_poll, 0x1000 - 8, 1, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_poll, 1ull << 47, 1, 0), -LINUX_EFAULT); /* beyond the user half */
    CHECK_EQ(SC(LINUX_NR_poll, p, SYS_FD_MAX + 1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_poll, p, UINT32_MAX, 0), -LINUX_EINVAL);
    /* nfds is an unsigned int: the register's high half is not looked at. */
    CHECK_EQ(SC(LINUX_NR_poll, p, (1ull << 32) | 2, 0), 2);
    /* The limit is RLIMIT_NOFILE's soft value. */
    struct linux_rlimit lim = {1, 1};
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_NOFILE, &lim), 0);
    CHECK_EQ(SC(LINUX_NR_poll, p, 2, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_poll, p, 1, 0), 1);
    CHECK_EQ(host_now_ns, 0u);
}

TEST(ppoll_takes_a_timespec_and_writes_back_the_time_left)
{
    fresh();
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    struct linux_pollfd p = pfd(fd, IN);
    struct linux_timespec ts = {2, 0};
    fake_at(&changes[0], 500 * MS, &fakes[0], IN);
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ts, NULL, 8), 1);
    CHECK_EQ(ts.tv_sec, 1);
    CHECK_EQ(ts.tv_nsec, 500 * (int64_t)MS);
    /* Timed out: nothing left. */
    fake_set(&fakes[0], 0);
    ts = (struct linux_timespec){0, 3 * MS};
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ts, NULL, 8), 0);
    CHECK_EQ(host_now_ns, 503 * MS);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    /* A zero timeout is not written (Linux: "no update for zero timeout"). */
    ts = (struct linux_timespec){0, 0};
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ts, NULL, 8), 0);
    /* NULL waits until something is ready. */
    fake_at(&changes[0], 40 * 1000 * MS, &fakes[0], IN);
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, NULL, NULL, 0), 1);
    CHECK_EQ(host_now_ns, 40 * 1000 * MS);
}

TEST(ppoll_refuses_bad_timeouts_and_masks_before_looking)
{
    fresh();
    struct linux_pollfd p = pfd(1, OUT);
    struct linux_timespec bad[] = {{0, -1}, {0, 1000000000}, {-1, 0}}, ok = {1, 0};
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &bad[i], NULL, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, 8, NULL, 8), -LINUX_EFAULT);
    uint64_t mask = 0;
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ok, &mask, 4), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ok, &mask, 16), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ok, 0x10, 8), -LINUX_EFAULT);
    CHECK_EQ(p.revents, 0x5a5a); /* never looked at */
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ok, &mask, 8), 1);
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ok, NULL, 99), 1); /* no mask: its size is not read */
}

static unsigned usr1_runs;
static uint64_t mask_in_handler;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
    SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, NULL, &mask_in_handler, 8);
}

#define BIT(sig) (1ull << ((sig)-1))

TEST(ppolls_mask_lets_a_pending_signal_interrupt_unless_a_file_is_ready)
{
    fresh();
    struct linux_k_sigaction act = {(uint64_t)(uintptr_t)on_usr1, 0, 0, 0};
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, NULL, 8), 0);
    uint64_t usr1 = BIT(LINUX_SIGUSR1), none = 0, now;
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &usr1, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR1), 0); /* pending, blocked */
    usr1_runs = 0;
    int fd = fake_open(&fakes[0], &fake_notifying_ops, 0);
    struct linux_pollfd p = pfd(fd, IN);
    /* A ready file wins: the signal stays pending under the old mask. */
    fakes[0].ready = IN;
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, NULL, &none, 8), 1);
    CHECK_EQ(usr1_runs, 0u);
    uint64_t pend = 0;
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pend, 8), 0);
    CHECK_EQ(pend, usr1);
    /* Nothing ready: EINTR at once, the handler runs under ppoll's mask, and
     * the old mask is back afterwards. */
    fakes[0].ready = 0;
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, NULL, &none, 8), -LINUX_EINTR);
    CHECK_EQ(usr1_runs, 1u);
    CHECK_EQ(mask_in_handler, usr1); /* none, plus the signal being handled */
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, NULL, &now, 8), 0);
    CHECK_EQ(now, usr1);
    CHECK_EQ(host_idles, 0u);
    /* A pending signal that is ignored interrupts nothing. */
    uint64_t usr2 = BIT(LINUX_SIGUSR2);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &usr2, NULL, 8), 0);
    act.handler = LINUX_SIG_IGN;
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR2, &act, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR2), 0);
    CHECK_EQ(SC(LINUX_NR_rt_sigpending, &pend, 8), 0);
    CHECK_EQ(pend, usr2);
    struct linux_timespec ts = {0, 2 * MS};
    CHECK_EQ(SC(LINUX_NR_ppoll, &p, 1, &ts, &none, 8), 0);
    CHECK_EQ(host_now_ns, 2 * MS);
}

UNIT_MAIN();
