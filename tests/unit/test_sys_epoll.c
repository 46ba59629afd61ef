/* sys/poll/epoll.c and epoll_wait.c through __anyvm_syscall on the fake
 * CPU, over the console and fake files (tests/unit/fake_file.h) whose
 * readiness timer callbacks change while epoll_wait waits: creation, every
 * epoll_ctl operation and refusal, level- and edge-triggered and one-shot
 * reports for files that notify and files that do not, nested sets and
 * loops, registrations leaving with the file's last close, a thousand
 * registrations of which a few are ready (and what a wait then costs in
 * poll calls), timeouts, and the signal masks of epoll_pwait and
 * epoll_pwait2. AddressSanitizer checks that nothing freed is touched and
 * nothing is left allocated. */
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
#define ADD LINUX_EPOLL_CTL_ADD
#define MOD LINUX_EPOLL_CTL_MOD
#define DEL LINUX_EPOLL_CTL_DEL
#define ET LINUX_EPOLLET
#define ONESHOT LINUX_EPOLLONESHOT
#define MANY 1000

static struct fake fakes[MANY];
static struct fake_change changes[4];

/* A poller makes the loop pass every EVENT_POLL_INTERVAL_NS (1 ms). */
static unsigned passes;
static void count_pass(struct poller *p)
{
    (void)p;
    passes++;
}
static struct poller ticker = {.fn = count_pass};

static void close_set(struct timer *t);
static void close_file(struct timer *t);
static struct timer t1 = {.fn = close_file}, t2 = {.fn = close_set};

/* What a test left behind when a check failed half-way goes first. */
static void fresh(void)
{
    for (unsigned i = 0; i < sizeof changes / sizeof changes[0]; i++)
        timer_cancel(&changes[i].t);
    timer_cancel(&t1);
    timer_cancel(&t2);
    poller_remove(&ticker);
    host_sys_reset(0);
    event_run_pending();
}

static long ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
    struct linux_epoll_event e = {events, data};
    return SC(LINUX_NR_epoll_ctl, ep, op, fd, &e);
}

static struct linux_epoll_event got[16];

static long wait_ms(int ep, int max, int ms)
{
    memset(got, 0xee, sizeof got);
    return SC(LINUX_NR_epoll_wait, ep, got, max, ms);
}

TEST(epoll_create_and_create1)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_epoll_create, 1), 3);
    CHECK_EQ(SC(LINUX_NR_epoll_create, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_create, -1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_create, (1ull << 32) | 1), 4); /* size is an int */
    CHECK_EQ(SC(LINUX_NR_epoll_create1, 0), 5);
    CHECK_EQ(SC(LINUX_NR_fcntl, 5, LINUX_F_GETFD), 0);
    CHECK_EQ(SC(LINUX_NR_epoll_create1, LINUX_EPOLL_CLOEXEC), 6);
    CHECK_EQ(SC(LINUX_NR_fcntl, 6, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_fcntl, 6, LINUX_F_GETFL), LINUX_O_RDWR);
    CHECK_EQ(SC(LINUX_NR_epoll_create1, 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_create1, LINUX_O_NONBLOCK), -LINUX_EINVAL);
    /* Neither read nor written. */
    char c;
    CHECK_EQ(SC(LINUX_NR_read, 3, &c, 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_write, 3, "x", 1), -LINUX_EINVAL);
    /* A full table: EMFILE, nothing leaks. */
    struct linux_rlimit lim = {7, 7};
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_NOFILE, &lim), 0);
    CHECK_EQ(SC(LINUX_NR_epoll_create1, 0), -LINUX_EMFILE);
    CHECK_EQ(SC(LINUX_NR_close, 3), 0);
    CHECK_EQ(SC(LINUX_NR_epoll_create1, 0), 3);
}

TEST(epoll_ctl_refuses_in_linuxs_order)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int other = (int)SC(LINUX_NR_epoll_create1, 0);
    int plain = fake_open(&fakes[0], &fake_plain_ops, 0);
    int f = fake_open(&fakes[1], &fake_notifying_ops, 0);
    struct linux_epoll_event e = {IN, 1};
    /* The event is read first (for every operation but DEL). */
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, 99, ADD, 99, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, MOD, f, 0x18), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, 7, f, NULL), -LINUX_EFAULT);
    /* Then the descriptors, then whether the target can be polled. */
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, 99, ADD, f, &e), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, ADD, 99, &e), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, -1, DEL, f, NULL), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, ADD, plain, &e), -LINUX_EPERM);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, 1, ADD, plain, &e), -LINUX_EPERM);
    /* Then the set itself. */
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, 1, ADD, f, &e), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, ADD, ep, &e), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, 0, f, &e), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, 4, f, &e), -LINUX_EINVAL);
    /* What is and is not registered. */
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, MOD, f, &e), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, DEL, f, NULL), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, ADD, f, &e), 0);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, ADD, f, &e), -LINUX_EEXIST);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, other, DEL, f, NULL), -LINUX_ENOENT);
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, DEL, f, NULL), 0); /* DEL needs no event */
    CHECK_EQ(SC(LINUX_NR_epoll_ctl, ep, DEL, f, NULL), -LINUX_ENOENT);
    /* EPOLLEXCLUSIVE: on ADD only, with in, out, err, hup, wakeup, et. */
    CHECK_EQ(ctl(ep, ADD, f, IN | LINUX_EPOLLEXCLUSIVE | LINUX_POLLPRI, 0), -LINUX_EINVAL);
    CHECK_EQ(ctl(ep, ADD, other, IN | LINUX_EPOLLEXCLUSIVE, 0), -LINUX_EINVAL);
    CHECK_EQ(ctl(ep, ADD, f, IN | ET | LINUX_EPOLLEXCLUSIVE, 0), 0);
    CHECK_EQ(ctl(ep, MOD, f, IN, 0), -LINUX_EINVAL); /* an exclusive one is never modified */
    CHECK_EQ(ctl(ep, MOD, f, IN | LINUX_EPOLLEXCLUSIVE, 0), -LINUX_EINVAL);
    CHECK_EQ(ctl(ep, DEL, f, 0, 0), 0);
}

TEST(epoll_wait_refuses_in_linuxs_order)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, 99, NULL, 0, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, 99, NULL, -1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, ep, got, 178956971, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, 99, NULL, 1, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, ep, 0x1000 - 12, 1, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, ep, 1ull << 47, 1, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, 99, got, 1, 0), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_epoll_wait, 1, got, 1, 0), -LINUX_EINVAL); /* not a set */
    /* maxevents is an int. */
    CHECK_EQ(SC(LINUX_NR_epoll_wait, ep, got, (1ull << 32) | 1, 0), 0);
    CHECK_EQ(host_now_ns, 0u);
}

TEST(level_triggered_reports_while_ready_with_the_applications_data)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    CHECK_EQ(ctl(ep, ADD, f, IN, 0x1122334455667788ull), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fake_set(&fakes[0], IN | OUT);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(wait_ms(ep, 4, 0), 1);
        CHECK_EQ(got[0].events, IN); /* asked IN: not OUT, not RDNORM */
        CHECK_EQ(got[0].data, 0x1122334455667788ull);
        CHECK_EQ(got[1].events, 0xeeeeeeeeu); /* one event written, no more */
    }
    /* Errors and hangups are always watched. */
    fake_set(&fakes[0], LINUX_POLLHUP | LINUX_POLLERR);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(got[0].events, LINUX_POLLHUP | LINUX_POLLERR);
    fake_set(&fakes[0], OUT);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    CHECK_EQ(host_now_ns, 0u);
    /* The console: always ready, never notifies. */
    CHECK_EQ(ctl(ep, ADD, 1, OUT, 7), 0);
    CHECK_EQ(wait_ms(ep, 4, -1), 1);
    CHECK(got[0].events == OUT && got[0].data == 7);
}

TEST(a_wait_ends_when_a_file_becomes_ready_or_at_its_timeout_exactly)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int a = fake_open(&fakes[0], &fake_notifying_ops, 0);
    int b = fake_open(&fakes[1], &fake_quiet_ops, 0);
    CHECK_EQ(ctl(ep, ADD, a, IN, 1), 0);
    CHECK_EQ(ctl(ep, ADD, b, OUT, 2), 0);
    host_now_ns = 10;
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    CHECK_EQ(host_now_ns, 10u);
    CHECK_EQ(host_idles, 0u);
    CHECK_EQ(wait_ms(ep, 4, 25), 0);
    CHECK_EQ(host_now_ns, 10 + 25 * MS);
    CHECK(host_idles >= 1);
    fake_at(&changes[0], 30 * MS, &fakes[0], IN);
    CHECK_EQ(wait_ms(ep, 4, -1), 1);
    CHECK_EQ(host_now_ns, 30 * MS);
    CHECK_EQ(got[0].data, 1u);
    fake_set(&fakes[0], 0);
    /* A quiet file is found at the pass after it changed. */
    fake_at(&changes[1], 3600 * 1000 * MS, &fakes[1], OUT);
    CHECK_EQ(wait_ms(ep, 4, -1), 1);
    CHECK_EQ(host_now_ns, 3600 * 1000 * MS);
    CHECK_EQ(got[0].data, 2u);
}

TEST(edge_triggered_reports_once_per_notification)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    fakes[0].ready = IN;
    CHECK_EQ(ctl(ep, ADD, f, IN | ET, 5), 0); /* ready when added: reported */
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(got[0].events, IN);
    CHECK_EQ(wait_ms(ep, 4, 0), 0); /* still ready, no new edge */
    fake_set(&fakes[0], IN);        /* more data: a new edge, as Linux */
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fake_at(&changes[0], 4 * MS, &fakes[0], IN | OUT);
    CHECK_EQ(wait_ms(ep, 4, 10), 1);
    CHECK_EQ(host_now_ns, 4 * MS);
    /* A notification of what it does not watch reports nothing. */
    fake_set(&fakes[0], OUT);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
}

TEST(edge_triggered_on_a_quiet_file_reports_each_rise)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_quiet_ops, 0);
    CHECK_EQ(ctl(ep, ADD, f, IN | OUT | ET, 9), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fakes[0].ready = IN;
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(got[0].events, IN);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fakes[0].ready = IN | OUT; /* OUT rose: both reported */
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(got[0].events, IN | OUT);
    fakes[0].ready = 0;
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fake_at(&changes[0], 3 * MS, &fakes[0], IN);
    CHECK_EQ(wait_ms(ep, 4, -1), 1);
    CHECK_EQ(host_now_ns, 3 * MS);
    /* The console under EPOLLET: once. */
    CHECK_EQ(ctl(ep, ADD, 0, IN | ET, 0), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    /* MOD arms it again. */
    CHECK_EQ(ctl(ep, MOD, 0, IN | ET, 0), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
}

TEST(oneshot_reports_once_until_modified)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    int q = fake_open(&fakes[1], &fake_quiet_ops, 0);
    CHECK_EQ(ctl(ep, ADD, f, IN | ONESHOT, 1), 0);
    CHECK_EQ(ctl(ep, ADD, q, IN | ONESHOT, 2), 0);
    fake_set(&fakes[0], IN);
    fakes[1].ready = IN;
    CHECK_EQ(wait_ms(ep, 4, 0), 2);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fake_set(&fakes[0], IN | LINUX_POLLHUP); /* even a hangup: disarmed */
    CHECK_EQ(wait_ms(ep, 4, 5), 0);
    CHECK_EQ(ctl(ep, MOD, f, IN | ONESHOT, 3), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(got[0].data, 3u);
    CHECK_EQ(got[0].events, IN | LINUX_POLLHUP);
    CHECK_EQ(ctl(ep, MOD, q, OUT, 4), 0); /* back to level-triggered, for OUT */
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    fakes[1].ready = OUT;
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK_EQ(got[0].data, 4u);
}

TEST(mod_and_del_change_what_is_reported)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    fake_set(&fakes[0], IN | OUT);
    CHECK_EQ(ctl(ep, ADD, f, IN, 1), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK(got[0].events == IN && got[0].data == 1);
    CHECK_EQ(ctl(ep, MOD, f, OUT, 2), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 1);
    CHECK(got[0].events == OUT && got[0].data == 2);
    CHECK_EQ(ctl(ep, MOD, f, LINUX_POLLPRI, 3), 0);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    CHECK_EQ(ctl(ep, DEL, f, 0, 0), 0);
    fake_set(&fakes[0], LINUX_POLLPRI | LINUX_POLLERR);
    CHECK_EQ(wait_ms(ep, 4, 0), 0);
    CHECK(fakes[0].f.watchers == NULL);
}

TEST(the_last_close_of_a_file_removes_it_from_every_set)
{
    fresh();
    int ep1 = (int)SC(LINUX_NR_epoll_create1, 0);
    int ep2 = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    int dup = (int)SC(LINUX_NR_dup, f);
    fake_set(&fakes[0], IN);
    CHECK_EQ(ctl(ep1, ADD, f, IN, 1), 0);
    CHECK_EQ(ctl(ep2, ADD, f, IN, 2), 0);
    /* The dup is another key: a second registration in the same set. */
    CHECK_EQ(ctl(ep1, ADD, dup, IN, 3), 0);
    CHECK_EQ(wait_ms(ep1, 4, 0), 2);
    /* Closing one descriptor leaves the file, and its registrations, there:
     * still reported (with the closed descriptor's data), as in Linux. */
    CHECK_EQ(SC(LINUX_NR_close, f), 0);
    CHECK_EQ(wait_ms(ep1, 4, 0), 2);
    CHECK_EQ(wait_ms(ep2, 4, 0), 1);
    CHECK_EQ(got[0].data, 2u);
    /* ... but the closed number can no longer name it. */
    CHECK_EQ(ctl(ep1, DEL, f, 0, 0), -LINUX_EBADF);
    /* The last close: gone from both sets, freed (ASan). */
    CHECK_EQ(SC(LINUX_NR_close, dup), 0);
    CHECK_EQ(fakes[0].releases, 1u);
    CHECK(fakes[0].f.watchers == NULL);
    CHECK_EQ(wait_ms(ep1, 4, 0), 0);
    CHECK_EQ(wait_ms(ep2, 4, 0), 0);
    /* A new file at the old number is a stranger to the sets. */
    int g = fake_open(&fakes[1], &fake_notifying_ops, 0);
    CHECK_EQ(g, f);
    CHECK_EQ(ctl(ep1, DEL, g, 0, 0), -LINUX_ENOENT);
    CHECK_EQ(ctl(ep1, ADD, g, IN, 4), 0);
    /* Closing the set lets go of its registrations. */
    CHECK_EQ(SC(LINUX_NR_close, ep1), 0);
    CHECK(fakes[1].f.watchers == NULL);
    fake_set(&fakes[1], IN);
}

TEST(sets_nest_and_loops_are_refused)
{
    fresh();
    int inner = (int)SC(LINUX_NR_epoll_create1, 0);
    int outer = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    CHECK_EQ(ctl(inner, ADD, f, IN, 1), 0);
    CHECK_EQ(ctl(outer, ADD, inner, IN, 2), 0);
    CHECK_EQ(wait_ms(outer, 4, 0), 0);
    struct linux_pollfd p = {inner, IN, 0};
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 0), 0);
    fake_at(&changes[0], 2 * MS, &fakes[0], IN);
    CHECK_EQ(wait_ms(outer, 4, -1), 1);
    CHECK_EQ(host_now_ns, 2 * MS);
    CHECK(got[0].events == IN && got[0].data == 2);
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 0), 1);
    CHECK_EQ(p.revents, IN);
    /* The inner set still holds its event. */
    CHECK_EQ(wait_ms(inner, 4, 0), 1);
    CHECK_EQ(got[0].data, 1u);
    /* A loop through one or more sets. */
    CHECK_EQ(ctl(inner, ADD, outer, IN, 0), -LINUX_ELOOP);
    int top = (int)SC(LINUX_NR_epoll_create1, 0);
    CHECK_EQ(ctl(top, ADD, outer, IN, 0), 0);
    CHECK_EQ(ctl(inner, ADD, top, IN, 0), -LINUX_ELOOP);
    /* A set watched by another set is not a loop. */
    CHECK_EQ(ctl(top, ADD, inner, IN, 0), 0);
}

TEST(chains_of_sets_stop_at_five_whichever_end_they_grow_from)
{
    fresh();
    int e[7];
    for (int i = 0; i < 7; i++)
        e[i] = (int)SC(LINUX_NR_epoll_create1, 0);
    /* Downwards: e[i+1] holds e[i]. */
    for (int i = 0; i < 4; i++)
        CHECK_EQ(ctl(e[i + 1], ADD, e[i], IN, 0), 0);
    CHECK_EQ(ctl(e[5], ADD, e[4], IN, 0), -LINUX_ELOOP);
    /* Upwards, on other sets: each new set goes inside the chain's bottom. */
    int u[6];
    for (int i = 0; i < 6; i++)
        u[i] = (int)SC(LINUX_NR_epoll_create1, 0);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(ctl(u[i], ADD, u[i + 1], IN, 0), 0);
    CHECK_EQ(ctl(u[4], ADD, u[5], IN, 0), -LINUX_ELOOP);
    /* Joining two short chains in the middle counts both. */
    CHECK_EQ(ctl(e[6], ADD, e[0], IN, 0), 0); /* e[6] above a chain of one: fine */
    int a = (int)SC(LINUX_NR_epoll_create1, 0), b = (int)SC(LINUX_NR_epoll_create1, 0);
    CHECK_EQ(ctl(a, ADD, b, IN, 0), 0);
    CHECK_EQ(ctl(b, ADD, e[3], IN, 0), -LINUX_ELOOP); /* a > b > e3 > e2 > e1 > e0: 6 */
    CHECK_EQ(ctl(b, ADD, e[2], IN, 0), 0);            /* a > b > e2 > e1 > e0: 5 */
    /* A readiness deep down still reaches the top. */
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    CHECK_EQ(ctl(e[0], ADD, f, IN, 0), 0);
    CHECK_EQ(wait_ms(e[4], 1, 0), 0);
    fake_set(&fakes[0], IN);
    CHECK_EQ(wait_ms(e[4], 1, 0), 1);
}

TEST(a_full_array_leaves_the_rest_for_the_next_wait_first)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int fd[3];
    for (int i = 0; i < 3; i++) {
        fd[i] = fake_open(&fakes[i], &fake_notifying_ops, 0);
        CHECK_EQ(ctl(ep, ADD, fd[i], IN, (uint64_t)i), 0);
    }
    for (int i = 0; i < 3; i++)
        fake_set(&fakes[i], IN);
    CHECK_EQ(wait_ms(ep, 2, 0), 2);
    CHECK(got[0].data == 0 && got[1].data == 1);
    CHECK_EQ(wait_ms(ep, 2, 0), 2);
    CHECK(got[0].data == 2 && got[1].data == 0);
    CHECK_EQ(wait_ms(ep, 16, 0), 3);
}

static unsigned total_polls(void)
{
    unsigned n = 0;
    for (int i = 0; i < MANY; i++)
        n += fakes[i].polls;
    return n;
}

TEST(a_thousand_registrations_cost_only_those_that_moved)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    static int fd[MANY];
    for (int i = 0; i < MANY; i++) {
        fd[i] = fake_open(&fakes[i], &fake_notifying_ops, 0);
        CHECK(fd[i] >= 0);
        CHECK_EQ(ctl(ep, ADD, fd[i], IN | OUT, (uint64_t)fd[i]), 0);
    }
    CHECK_EQ(total_polls(), (unsigned)MANY); /* one look each, when added */
    /* Nothing ready: a wait of 100 ms through a hundred passes polls none. */
    passes = 0;
    poller_add(&ticker);
    CHECK_EQ(wait_ms(ep, 16, 100), 0);
    CHECK_EQ(host_now_ns, 100 * MS);
    CHECK(passes >= 100);
    CHECK_EQ(total_polls(), (unsigned)MANY);
    /* Three become ready while it waits: they alone are looked at. */
    fake_at(&changes[0], 150 * MS, &fakes[10], IN);
    fake_at(&changes[1], 150 * MS, &fakes[500], OUT);
    fake_at(&changes[2], 150 * MS, &fakes[999], IN);
    CHECK_EQ(wait_ms(ep, 16, -1), 3);
    CHECK_EQ(host_now_ns, 150 * MS);
    CHECK_EQ(got[0].data + got[1].data + got[2].data, (uint64_t)(fd[10] + fd[500] + fd[999]));
    CHECK_EQ(total_polls(), (unsigned)MANY + 3);
    /* Level-triggered: the three are looked at again, and only they. */
    CHECK_EQ(wait_ms(ep, 16, 0), 3);
    fake_set(&fakes[500], 0);
    CHECK_EQ(wait_ms(ep, 16, 0), 2);
    CHECK_EQ(wait_ms(ep, 16, 0), 2);
    CHECK_EQ(total_polls(), (unsigned)MANY + 3 + 3 + 3 + 2);
    poller_remove(&ticker);
}

static void close_set(struct timer *t)
{
    (void)t;
    SC(LINUX_NR_close, 3);
}

static void close_file(struct timer *t)
{
    (void)t;
    SC(LINUX_NR_close, 4);
}

TEST(work_may_close_the_set_or_a_file_while_epoll_wait_waits)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_epoll_create1, 0), 3);
    CHECK_EQ(fake_open(&fakes[0], &fake_notifying_ops, 0), 4);
    CHECK_EQ(fake_open(&fakes[1], &fake_notifying_ops, 0), 5);
    CHECK_EQ(ctl(3, ADD, 4, IN, 4), 0);
    CHECK_EQ(ctl(3, ADD, 5, IN, 5), 0);
    /* The file goes first: nothing reported for it, no stale pointer. */
    timer_arm(&t1, 1 * MS);
    fake_at(&changes[0], 2 * MS, &fakes[0], IN); /* closed: nobody watches */
    CHECK_EQ(wait_ms(3, 4, 3), 0);
    CHECK_EQ(fakes[0].releases, 1u);
    /* Then the set itself: the wait holds it until it returns. */
    timer_arm(&t2, 4 * MS);
    fake_at(&changes[1], 5 * MS, &fakes[1], IN);
    CHECK_EQ(wait_ms(3, 4, -1), 1);
    CHECK_EQ(got[0].data, 5u);
    CHECK_EQ(SC(LINUX_NR_fcntl, 3, LINUX_F_GETFD), -LINUX_EBADF);
    CHECK(fakes[1].f.watchers == NULL);
}

static unsigned usr1_runs;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
}

TEST(epoll_pwait_and_pwait2_wait_with_the_applications_mask)
{
    fresh();
    int ep = (int)SC(LINUX_NR_epoll_create1, 0);
    int f = fake_open(&fakes[0], &fake_notifying_ops, 0);
    CHECK_EQ(ctl(ep, ADD, f, IN, 1), 0);
    uint64_t none = 0, usr1 = 1ull << (LINUX_SIGUSR1 - 1), now;
    /* The mask is checked first. */
    CHECK_EQ(SC(LINUX_NR_epoll_pwait, ep, got, 0, 0, &none, 4), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait, 99, got, 1, 0, 8, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait, ep, got, 1, 5, &none, 8), 0);
    CHECK_EQ(host_now_ns, 5 * MS);
    /* pwait2's timeout is a timespec, read before the mask. */
    struct linux_timespec ts = {0, 7 * MS}, bad = {0, 1000000000};
    CHECK_EQ(SC(LINUX_NR_epoll_pwait2, ep, got, 1, &bad, &none, 4), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait2, ep, got, 1, 8, &none, 8), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait2, ep, got, 1, &ts, NULL, 0), 0);
    CHECK_EQ(host_now_ns, 12 * MS);
    CHECK_EQ(ts.tv_nsec, 7 * (int64_t)MS); /* not written back */
    fake_at(&changes[0], 20 * MS, &fakes[0], IN);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait2, ep, got, 1, NULL, NULL, 0), 1);
    CHECK_EQ(host_now_ns, 20 * MS);
    fake_set(&fakes[0], 0);
    /* A pending signal the mask unblocks: EINTR, but never with a zero
     * timeout (0 then), and never over a ready file. */
    struct linux_k_sigaction act = {(uint64_t)(uintptr_t)on_usr1, 0, 0, 0};
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, &usr1, NULL, 8), 0);
    CHECK_EQ(SC(LINUX_NR_kill, 1, LINUX_SIGUSR1), 0);
    usr1_runs = 0;
    CHECK_EQ(SC(LINUX_NR_epoll_pwait, ep, got, 1, 0, &none, 8), 0);
    struct linux_timespec zero = {0, 0};
    CHECK_EQ(SC(LINUX_NR_epoll_pwait2, ep, got, 1, &zero, &none, 8), 0);
    fake_set(&fakes[0], IN);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait, ep, got, 1, -1, &none, 8), 1);
    CHECK_EQ(usr1_runs, 0u);
    fake_set(&fakes[0], 0);
    CHECK_EQ(SC(LINUX_NR_epoll_pwait, ep, got, 1, -1, &none, 8), -LINUX_EINTR);
    CHECK_EQ(usr1_runs, 1u);
    CHECK_EQ(SC(LINUX_NR_rt_sigprocmask, LINUX_SIG_BLOCK, NULL, &now, 8), 0);
    CHECK_EQ(now, usr1);
    CHECK_EQ(host_now_ns, 20 * MS);
}

UNIT_MAIN();
