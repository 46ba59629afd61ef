/* The runner's supervision of one VMM process (supervise.h). One thread:
 * poll() on the VMM's two pipes and a self-pipe the signal handlers write
 * to, so a signal, the VMM's end and the timeout are all seen in one
 * loop. */
#define _GNU_SOURCE
#include "tools/launcher/supervise.h"

#include "tools/launcher/outcome.h"
#include "tools/launcher/rmtree.h"
#include "tools/launcher/serial_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 4096
/* After the VMM has ended, its pipes are read until they close, or at most
 * this long (a child of the VMM may hold them open). */
#define DRAIN_SECONDS 5.0
/* The transcript kept for the symbolizer: its start (where a relocated
 * .efi's kernel says where it runs, tools/anyvm_lib/symbolize.py) and its
 * end (where the exception report is). */
#define TRANSCRIPT_MAX (1u << 20)
#define TRANSCRIPT_HEAD (64u << 10)

/* The signal handlers write the signal's number here; the loop polls it. */
static int sig_pipe[2] = {-1, -1};

/* Set by the handlers as well: a write to a stdout nobody reads may block,
 * and then only these say, when the signal interrupts it, that the run is
 * to end (SIGALRM: the timeout passed). */
static volatile sig_atomic_t stopping, alarmed;

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (sig == SIGALRM)
        alarmed = 1;
    else if (sig != SIGCHLD)
        stopping = 1;
    if (write(sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a signal of that kind is already pending */
    }
    errno = saved;
}

/* The pause that gathers the serial's bytes (the read loop below). */
#define GATHER_SECONDS 0.002

/* Waits that long, or less when a signal comes (the VMM's end among them:
 * its last bytes are then read at once, not a pause later). */
static void nap(double seconds)
{
    struct pollfd p = {sig_pipe[0], POLLIN, 0};
    poll(&p, 1, (int)(seconds * 1000));
}

/* SIGALRM after that long. The loop keeps the time itself; the alarm is for
 * a write to stdout that waits meanwhile (put_out). */
static void alarm_in(double seconds)
{
    struct itimerval it;
    memset(&it, 0, sizeof(it));
    it.it_value.tv_sec = (time_t)seconds;
    it.it_value.tv_usec = (suseconds_t)((seconds - (double)it.it_value.tv_sec) * 1e6);
    if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
        it.it_value.tv_usec = 1; /* 0 would disarm it */
    setitimer(ITIMER_REAL, &it, NULL);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Writes all of p to fd; false when the reader has gone (`| head`). */
static bool put(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* The signals the runner handles. */
static const int HANDLED[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM};

/* put for the guest's output on stdout, whose reader may not read (`| less`,
 * paused) while a signal or the timeout must still end the run: each write
 * waits for room first (ppoll, which lets the signals in only while it
 * waits, so none is missed between the check and the wait) and writes at
 * most PIPE_BUF bytes, which room in a pipe takes without blocking. False
 * when the reader has gone, or when the run is to end. */
static bool put_out(int fd, const void *p, size_t n)
{
    sigset_t ours, old;
    sigemptyset(&ours);
    for (size_t i = 0; i < sizeof(HANDLED) / sizeof(HANDLED[0]); i++)
        sigaddset(&ours, HANDLED[i]);
    sigprocmask(SIG_BLOCK, &ours, &old);
    const char *c = p;
    bool ok = true;
    while (n && ok) {
        if (stopping || alarmed) {
            ok = false;
            break;
        }
        struct pollfd pf = {fd, POLLOUT, 0};
        int k = ppoll(&pf, 1, NULL, &old);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 || (pf.revents & (POLLERR | POLLNVAL))) {
            ok = false;
            break;
        }
        ssize_t w = write(fd, c, n < PIPE_BUF ? n : PIPE_BUF);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            ok = false;
        else {
            c += w;
            n -= (size_t)w;
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ok;
}

static void say(const char *fmt, const char *a, const char *b)
{
    char line[4096];
    int n = snprintf(line, sizeof(line), fmt, a, b);
    if (n > 0)
        put(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

struct run {
    const struct plan *plan;
    pid_t pid;
    int out, err; /* the VMM's stdout and stderr, -1 once closed */
    bool out_ok, err_ok;
    struct serial_filter filter;
    struct serial_scan scan;
    struct vmm_end end;
    unsigned char *transcript;
    size_t tlen;
    bool exited;
};

/* Appends n bytes (at most one read, 64 KiB) to the transcript; when it is
 * full, the middle goes: the head stays, a line end after it, then the
 * newest bytes. */
static void keep(struct run *r, const unsigned char *p, size_t n)
{
    if (!r->transcript || n > TRANSCRIPT_MAX / 4)
        return;
    if (r->tlen + n > TRANSCRIPT_MAX) {
        size_t head = TRANSCRIPT_HEAD, from = r->tlen - TRANSCRIPT_MAX / 2;
        r->transcript[head] = '\n';
        memmove(r->transcript + head + 1, r->transcript + from, r->tlen - from);
        r->tlen = head + 1 + (r->tlen - from);
    }
    memcpy(r->transcript + r->tlen, p, n);
    r->tlen += n;
}

/* One read from a pipe: false at its end. */
static bool pump(struct run *r, int *fd)
{
    unsigned char in[65536], out[65536 + 1];
    ssize_t n = read(*fd, in, sizeof(in));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return false;
    }
    if (fd == &r->out) {
        serial_scan_feed(&r->scan, in, (size_t)n);
        keep(r, in, (size_t)n);
        size_t o = serial_filter_feed(&r->filter, in, (size_t)n, out);
        if (r->out_ok && o)
            r->out_ok = put_out(1, out, o);
    } else {
        for (ssize_t i = 0; i < n; i++)
            if (!(in[i] == ' ' || (in[i] >= '\t' && in[i] <= '\r')))
                r->end.stderr_nonblank = true;
        if (r->err_ok)
            r->err_ok = put(2, in, (size_t)n);
    }
    return true;
}

static void reap(struct run *r, int options)
{
    int st;
    pid_t w;
    do
        w = waitpid(r->pid, &st, options);
    while (w < 0 && errno == EINTR);
    if (w == r->pid) {
        r->exited = true;
        r->end.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
    }
}

static void kill_vmm(struct run *r)
{
    if (!r->exited) {
        kill(-r->pid, SIGKILL);
        reap(r, 0);
    }
}

/* The VMM's process: a session of its own (the terminal's Ctrl-C reaches
 * anyvm, which stops it), stdin /dev/null, signals as a fresh program has
 * them. posix_spawn (glibc: a vfork-like clone) rather than fork: no copy of
 * this process's page tables, which costs most under a paravirtualised
 * host's shadow paging; and glibc reports an exec failure as its result. */
static int start(struct run *r, char **argv)
{
    int o[2], e[2];
    if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
        say("anyvm: cannot start %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, o[1], 1);
    posix_spawn_file_actions_adddup2(&fa, e[1], 2);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setsigmask(&at, &none);
    int err = posix_spawnp(&r->pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(o[1]);
    close(e[1]);
    if (err) {
        close(o[0]);
        close(e[0]);
        say("anyvm: cannot start %s: %s\n", argv[0], strerror(err));
        return -1;
    }
    r->out = o[0];
    r->err = e[0];
    return 0;
}

/* SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGALRM (the timeout) to the
 * self-pipe; SIGINT stays
 * ignored when anyvm was started with it ignored (a background job), as
 * Python leaves it. SIGPIPE is ignored: a closed stdout is seen as EPIPE. */
static int handlers(void)
{
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
        return -1;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(HANDLED) / sizeof(HANDLED[0]); i++) {
        if (HANDLED[i] == SIGINT && sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(HANDLED[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    /* tools/anyvm blocks these before it hands over (no window without a
     * handler); now they may come */
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof(HANDLED) / sizeof(HANDLED[0]); i++)
        sigaddset(&set, HANDLED[i]);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    return 0;
}

static void cleanup(const struct plan *p)
{
    if (p->scratch)
        rmtree(p->scratch);
}

static int stopped(struct run *r, int sig)
{
    signal(SIGINT, SIG_IGN); /* a second signal must not cut the clean-up short */
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    kill_vmm(r);
    /* (a CR the filter holds back is not written: stdout may be the reason
     * the user stops the run, a reader that does not read) */
    cleanup(r->plan);
    if (sig == SIGINT)
        say("anyvm: interrupted; the VM was stopped\n%s%s", "", "");
    else
        say("anyvm: stopped by %s; the VM was stopped\n", sig == SIGTERM ? "SIGTERM" : "SIGHUP",
            "");
    return 128 + sig;
}

/* The symbolizer (tools/anyvm --symbolize-report IMAGE) reads the
 * transcript on stdin and names the exception's addresses on stderr. */
static void symbolize(struct run *r)
{
    char *argv[MAX_WORDS + 1];
    if (!plan_words(r->plan, PLAN_SYMBOLIZE, argv, MAX_WORDS) || !r->transcript)
        return;
    int in[2];
    if (pipe2(in, O_CLOEXEC))
        return;
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        if (dup2(in[0], 0) == 0)
            execvp(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    if (pid > 0)
        put(in[1], r->transcript, r->tlen);
    close(in[1]);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
}

int supervise(const struct plan *p)
{
    static char *argv[MAX_WORDS + 1];
    struct run r = {.plan = p, .out = -1, .err = -1, .out_ok = true, .err_ok = true};
    serial_filter_init(&r.filter);
    serial_scan_init(&r.scan);
    r.end.exit_device = p->exit_device;
    r.end.timeout = p->timeout;
    if (plan_words(p, PLAN_VMM, argv, MAX_WORDS) == MAX_WORDS) {
        say("anyvm: the run plan's VMM command has more than %s words%s\n", "4096", "");
        cleanup(p);
        return OUTCOME_NOT_STARTED;
    }
    if (handlers()) {
        say("anyvm: cannot set up the signal handling: %s%s\n", strerror(errno), "");
        cleanup(p);
        return OUTCOME_NOT_STARTED;
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->rec[i].kind == PLAN_NOTE) {
            put(2, p->rec[i].value, p->rec[i].len);
            put(2, "\n", 1);
        }
    if (plan_words(p, PLAN_SYMBOLIZE, (char *[2]){0}, 1))
        r.transcript = malloc(TRANSCRIPT_MAX);
    if (start(&r, argv)) {
        cleanup(p);
        return OUTCOME_NOT_STARTED;
    }
    double t0 = now(), drain_end = 0;
    if (p->has_kill_after)
        alarm_in(p->kill_after);
    for (;;) {
        if (r.out < 0 && r.err < 0 && r.exited)
            break;
        double t = now(), wake = -1;
        if (p->has_kill_after && !r.exited)
            wake = t0 + p->kill_after;
        if (r.exited)
            wake = drain_end;
        int ms = -1;
        if (wake >= 0)
            ms = wake <= t ? 0 : (int)((wake - t) * 1000) + 1;
        if (r.exited && wake <= t)
            break; /* the pipes stayed open after the VMM ended */
        if (!r.exited && p->has_kill_after && wake <= t) {
            r.end.timed_out = true;
            kill_vmm(&r);
            drain_end = now() + DRAIN_SECONDS;
            /* what the VMM wrote before it was killed is still shown, for
             * as long as the drain lasts */
            alarmed = 0;
            alarm_in(DRAIN_SECONDS);
            continue;
        }
        struct pollfd fds[3] = {{sig_pipe[0], POLLIN, 0}, {r.out, POLLIN, 0}, {r.err, POLLIN, 0}};
        int n = poll(fds, 3, ms);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        if (fds[0].revents & POLLIN) {
            unsigned char sigs[64];
            ssize_t k = read(sig_pipe[0], sigs, sizeof(sigs));
            for (ssize_t i = 0; i < k; i++)
                if (sigs[i] != SIGCHLD && sigs[i] != SIGALRM) /* SIGALRM: see below */
                    return stopped(&r, sigs[i]);
            if (!r.exited) {
                reap(&r, WNOHANG);
                if (r.exited)
                    drain_end = now() + DRAIN_SECONDS;
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            pump(&r, &r.out);
            /* The guest's serial comes a byte per VMM write: woken for each
             * one, this process and the VMM take turns on the CPUs
             * hundreds of times per boot (about 10 ms of hello's 36 on
             * QEMU TCG here; docs/bench.md). A pause after each read lets
             * the bytes gather in the pipe, whose writer then wakes no
             * one; the output is late by at most that pause. */
            if (r.out >= 0 && !r.exited)
                nap(GATHER_SECONDS);
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
            pump(&r, &r.err);
    }
    if (r.out >= 0)
        close(r.out);
    if (r.err >= 0)
        close(r.err);
    unsigned char cr[1];
    if (r.out_ok && serial_filter_finish(&r.filter, cr))
        r.out_ok = put(1, cr, 1);
    if (r.out_ok && r.scan.any && r.scan.last != '\n')
        put(1, "\n", 1);
    serial_scan_finish(&r.scan);
    if (p->has_timeout_rc && r.end.rc == p->timeout_rc)
        r.end.timed_out = true; /* hostsim gave up at its own --timeout */
    cleanup(p);
    char buf[512];
    const char *message;
    int code = outcome(&r.scan, &r.end, buf, sizeof(buf), &message);
    if (message)
        say("%s\n%s", message, "");
    if (r.scan.exception)
        symbolize(&r);
    free(r.transcript);
    return code;
}
