/* waits: the waiting calls through the C library, on the console (always
 * ready to read, which sees end of file, and to write): poll, ppoll,
 * select, pselect, epoll_create1/ctl/wait/pwait with level-triggered,
 * edge-triggered and one-shot registrations, a set inside a set, and
 * O_NONBLOCK through fcntl and FIONBIO. Each check prints one line,
 * `waits: NAME: ok` or `waits: NAME: FAILED (...)`; the exit status is the
 * number that failed. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void report(const char *name, int ok, const char *why)
{
    if (ok) {
        printf("waits: %s: ok\n", name);
    } else {
        printf("waits: %s: FAILED (%s)\n", name, why);
        failures++;
    }
}

#define CHECK(name, cond) report(name, (cond), #cond)

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static volatile int usr1_runs;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
}

static void poll_checks(void)
{
    struct pollfd p[4] = {{0, POLLIN, 0}, {1, POLLOUT, 0}, {99, POLLIN, 0}, {-1, POLLIN, 0}};
    int n = poll(p, 4, 0);
    CHECK("poll-console", n == 3 && p[0].revents == POLLIN && p[1].revents == POLLOUT &&
                              p[2].revents == POLLNVAL && p[3].revents == 0);

    uint64_t start = now_ms();
    n = poll(NULL, 0, 20);
    CHECK("poll-timeout", n == 0 && now_ms() - start >= 20);

    /* A blocked signal is pending; ppoll's mask unblocks it: EINTR. */
    sigset_t block, none;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    signal(SIGUSR1, on_usr1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    struct pollfd pri = {0, POLLPRI, 0};
    struct timespec second = {1, 0};
    errno = 0;
    n = ppoll(&pri, 1, &second, &none);
    CHECK("ppoll-mask", n == -1 && errno == EINTR && usr1_runs == 1);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static void select_checks(void)
{
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(0, &r);
    FD_SET(1, &w);
    FD_SET(2, &e);
    struct timeval zero = {0, 0};
    int n = select(3, &r, &w, &e, &zero);
    CHECK("select-console", n == 2 && FD_ISSET(0, &r) && FD_ISSET(1, &w) && !FD_ISSET(2, &e));

    FD_ZERO(&r);
    FD_SET(77, &r);
    errno = 0;
    n = select(78, &r, NULL, NULL, &zero);
    CHECK("select-ebadf", n == -1 && errno == EBADF);

    uint64_t start = now_ms();
    struct timeval tv = {0, 15000};
    n = select(0, NULL, NULL, NULL, &tv);
    CHECK("select-timeout", n == 0 && now_ms() - start >= 15);

    struct timespec ts = {0, 10000000};
    sigset_t none;
    sigemptyset(&none);
    FD_ZERO(&w);
    FD_SET(2, &w);
    n = pselect(3, NULL, &w, NULL, &ts, &none);
    CHECK("pselect-console", n == 1 && FD_ISSET(2, &w));
}

static int wait_now(int ep, struct epoll_event *ev, int max)
{
    return epoll_wait(ep, ev, max, 0);
}

static void epoll_checks(void)
{
    struct epoll_event ev[4], e;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK("epoll-create1", ep >= 3 && fcntl(ep, F_GETFD) == FD_CLOEXEC);

    e = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 0xfeedbeef};
    int r = epoll_ctl(ep, EPOLL_CTL_ADD, 1, &e);
    int n1 = wait_now(ep, ev, 4), n2 = wait_now(ep, ev, 4);
    CHECK("epoll-level",
          r == 0 && n1 == 1 && n2 == 1 && ev[0].events == EPOLLOUT && ev[0].data.u64 == 0xfeedbeef);

    e = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 7};
    r = epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e);
    n1 = wait_now(ep, ev, 4);
    n2 = wait_now(ep, ev, 4);
    CHECK("epoll-edge", r == 0 && n1 == 2 && n2 == 1 && ev[0].data.u64 == 0xfeedbeef);

    e = (struct epoll_event){.events = EPOLLOUT | EPOLLONESHOT, .data.u64 = 8};
    r = epoll_ctl(ep, EPOLL_CTL_MOD, 1, &e);
    n1 = wait_now(ep, ev, 4);
    n2 = wait_now(ep, ev, 4);
    int r2 = epoll_ctl(ep, EPOLL_CTL_MOD, 1, &e);
    int n3 = wait_now(ep, ev, 4);
    CHECK("epoll-oneshot",
          r == 0 && n1 == 1 && ev[0].data.u64 == 8 && n2 == 0 && r2 == 0 && n3 == 1);

    int eexist = epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e) == -1 && errno == EEXIST;
    int ebadf = epoll_ctl(ep, EPOLL_CTL_DEL, 55, NULL) == -1 && errno == EBADF;
    int self = epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e) == -1 && errno == EINVAL;
    int max0 = epoll_wait(ep, ev, 0, 0) == -1 && errno == EINVAL;
    CHECK("epoll-errors", eexist && ebadf && self && max0);

    /* A set in a set: ready while the inner one has something to report
     * (nothing while its registrations are disarmed or edge-triggered and
     * reported). */
    int outer = epoll_create(1);
    e = (struct epoll_event){.events = EPOLLIN, .data.u64 = 9};
    r = epoll_ctl(outer, EPOLL_CTL_ADD, ep, &e);
    n1 = wait_now(outer, ev, 4);
    e = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 8};
    r2 = epoll_ctl(ep, EPOLL_CTL_MOD, 1, &e);
    n2 = wait_now(outer, ev, 4);
    int loop = epoll_ctl(ep, EPOLL_CTL_ADD, outer, &e) == -1 && errno == ELOOP;
    CHECK("epoll-nested", r == 0 && n1 == 0 && r2 == 0 && n2 == 1 && ev[0].events == EPOLLIN &&
                              ev[0].data.u64 == 9 && loop);

    int quiet = epoll_create1(0);
    e = (struct epoll_event){.events = EPOLLPRI, .data.u64 = 10};
    epoll_ctl(quiet, EPOLL_CTL_ADD, 0, &e);
    uint64_t start = now_ms();
    n1 = epoll_wait(quiet, ev, 1, 12);
    CHECK("epoll-timeout", n1 == 0 && now_ms() - start >= 12);

    /* A registration belongs to the open file: closing a duplicate of the
     * console leaves it, still reported (epoll(7), "Questions and answers"). */
    int d = dup(1);
    e = (struct epoll_event){.events = EPOLLOUT, .data.u64 = 11};
    r = epoll_ctl(quiet, EPOLL_CTL_ADD, d, &e);
    close(d);
    sigset_t none;
    sigemptyset(&none);
    n1 = epoll_pwait(quiet, ev, 4, -1, &none);
    CHECK("epoll-dup-closed", r == 0 && n1 == 1 && ev[0].data.u64 == 11);
    close(quiet);
    close(outer);
    close(ep);
}

static void nonblock_checks(void)
{
    int fl = fcntl(1, F_GETFL);
    int set = fcntl(1, F_SETFL, fl | O_NONBLOCK) == 0 && (fcntl(2, F_GETFL) & O_NONBLOCK);
    int off = 0;
    int cleared = ioctl(1, FIONBIO, &off) == 0 && !(fcntl(1, F_GETFL) & O_NONBLOCK);
    CHECK("nonblock", set && cleared);
}

int main(void)
{
    poll_checks();
    select_checks();
    epoll_checks();
    nonblock_checks();
    printf("waits: %d failed\n", failures);
    return failures;
}
