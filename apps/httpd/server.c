/* The event loop (server.h): one thread, non-blocking sockets, epoll in its
 * level-triggered mode (epoll(7)): an event says "ready now", so a
 * connection that did part of its work is simply reported again.
 *
 * Each pass reads CLOCK_MONOTONIC once, handles the events, then closes
 * connections whose deadline passed. Every connection has the same idle
 * timeout and is "touched" only when it is accepted or its output moves, so
 * a list kept in touch order (touched: moved to the end) has the next
 * deadline at its head: no timer per connection, no scan. A request that
 * trickles in does not touch: it must be complete within the timeout. */
#define _GNU_SOURCE
#include "server.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "files.h"
#include "listen.h"
#include "stats.h"

#define MAX_EVENTS 256
#define ACCEPT_BATCH 64 /* connections taken per listener event */
/* Descriptors kept for the console, epoll, the listeners and files being
 * sent: a connection limit taken from RLIMIT_NOFILE leaves these free. */
#define RESERVED_FDS 16
#define NOFILE_WANTED 4096         /* the soft limit is raised this far when the hard one allows */
#define SCRATCH_BYTES (256 * 1024) /* the largest file slice one write offers */
#define ACCEPT_RETRY_MS 100        /* after accept ran out of descriptors or memory */
#define LIMIT_LOG_EVERY_MS 10000

struct server {
    const struct httpd_config *cfg;
    int epfd;
    struct listener listeners[LISTEN_MAX];
    int nlisteners;
    bool accept_paused;
    bool accept_failing; /* said once until an accept succeeds again */
    uint64_t accept_resume_ms;
    struct conn *head, *tail; /* oldest touch first */
    uint64_t nconns, max_conns;
    uint64_t limit_logged_ms;
    bool limit_logged;
    uint64_t next_date_ms, next_stats_ms, exit_ms;
    struct httpd_stats stats;
    struct httpd_files files;
    struct conn_env env;
};

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The Date field follows CLOCK_REALTIME, read once a second, at the
 * second's boundary as seen then. */
static void refresh_date(struct server *s)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        ts.tv_sec = 0; /* no clock: no Date (http_date_update) */
        ts.tv_nsec = 0;
    }
    http_date_update(&s->env.date, (int64_t)ts.tv_sec);
    s->next_date_ms = s->env.now_ms + 1000u - (uint64_t)ts.tv_nsec / 1000000u;
}

static void list_append(struct server *s, struct conn *c)
{
    c->next = NULL;
    c->prev = s->tail;
    if (s->tail != NULL)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
}

static void list_remove(struct server *s, struct conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    else
        s->tail = c->prev;
    c->prev = c->next = NULL;
}

static void set_listening(struct server *s, bool on)
{
    for (int i = 0; i < s->nlisteners; i++) {
        struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.ptr = &s->listeners[i]};
        if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listeners[i].fd, &ev) != 0)
            fprintf(stderr, "httpd: epoll_ctl(MOD) on a listener: %s\n", strerror(errno));
    }
    s->accept_paused = !on;
}

static void close_conn(struct server *s, struct conn *c)
{
    /* Closing the socket would remove it from the epoll set on Linux
     * (epoll(7), Q6); saying so costs one call and holds on any stack. */
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    list_remove(s, c);
    conn_free(c);
    s->nconns--;
    if (s->accept_paused)
        set_listening(s, true); /* a descriptor is free again */
}

/* Full: say so now and then, not once per refused connection. */
static void log_limit(struct server *s)
{
    uint64_t now = s->env.now_ms;
    if (s->limit_logged && now - s->limit_logged_ms < LIMIT_LOG_EVERY_MS)
        return;
    s->limit_logged = true;
    s->limit_logged_ms = now;
    fprintf(stderr, "httpd: %llu connections open, the limit: refusing new ones (%llu so far)\n",
            (unsigned long long)s->nconns, (unsigned long long)s->stats.refused);
}

static void accept_ready(struct server *s, struct listener *l)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            if (err == EAGAIN || err == EWOULDBLOCK)
                return;
            if (err == EINTR || err == ECONNABORTED || err == EPROTO)
                continue; /* that connection is gone; others may wait */
            /* Out of descriptors or memory, or worse: the listener stays
             * readable, so stop listening for a while instead of spinning
             * (until a connection closes, or ACCEPT_RETRY_MS). */
            if (!s->accept_failing)
                fprintf(stderr,
                        "httpd: accept: %s: trying again when a connection closes or in %d ms\n",
                        strerror(err), ACCEPT_RETRY_MS);
            s->accept_failing = true;
            set_listening(s, false);
            s->accept_resume_ms = s->env.now_ms + ACCEPT_RETRY_MS;
            return;
        }
        s->accept_failing = false;
        if (s->nconns >= s->max_conns) {
            close(fd);
            s->stats.refused++;
            log_limit(s);
            continue;
        }
        struct conn *c = conn_new(fd, s->cfg->max_header_bytes, s->env.now_ms);
        if (c == NULL) {
            fprintf(stderr, "httpd: no memory for a connection: refused\n");
            close(fd);
            s->stats.refused++;
            continue;
        }
        /* Responses leave in one write each; Nagle's algorithm (tcp(7))
         * would hold back the next small one until an ACK. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            fprintf(stderr, "httpd: epoll_ctl(ADD) on a connection: %s: refused\n",
                    strerror(errno));
            conn_free(c);
            s->stats.refused++;
            continue;
        }
        c->interest = ev.events;
        list_append(s, c);
        s->nconns++;
        s->stats.accepted++;
    }
}

/* Makes the registered events match what the connection wants. */
static bool set_interest(struct server *s, struct conn *c, enum conn_next next)
{
    uint32_t want = next == CONN_WANT_WRITE ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
    if (c->interest == want)
        return true;
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        fprintf(stderr, "httpd: epoll_ctl(MOD) on a connection: %s: closing it\n", strerror(errno));
        return false;
    }
    c->interest = want;
    return true;
}

static void conn_event(struct server *s, struct conn *c, uint32_t events)
{
    uint64_t touched = c->touched_ms;
    enum conn_next next = conn_handle(c, events, &s->env);
    if (next == CONN_WANT_CLOSE || !set_interest(s, c, next)) {
        close_conn(s, c);
        return;
    }
    if (c->touched_ms != touched && c != s->tail) {
        list_remove(s, c);
        list_append(s, c);
    }
}

static void expire(struct server *s)
{
    uint64_t idle = s->cfg->idle_timeout_ms;
    while (s->head != NULL && s->head->touched_ms + idle <= s->env.now_ms) {
        struct conn *c = s->head;
        conn_timeout(c, &s->env);
        s->stats.timed_out++;
        close_conn(s, c);
    }
}

/* How long epoll_wait may sleep: until the next deadline, or for ever. */
static int wait_ms(const struct server *s)
{
    uint64_t next = UINT64_MAX;
    if (s->head != NULL)
        next = s->head->touched_ms + s->cfg->idle_timeout_ms;
    if (s->cfg->stats_interval_s != 0 && s->next_stats_ms < next)
        next = s->next_stats_ms;
    if (s->cfg->exit_after_s != 0 && s->exit_ms < next)
        next = s->exit_ms;
    if (s->accept_paused && s->accept_resume_ms < next)
        next = s->accept_resume_ms;
    if (next == UINT64_MAX)
        return -1;
    if (next <= s->env.now_ms)
        return 0;
    uint64_t d = next - s->env.now_ms;
    return d > INT_MAX ? INT_MAX : (int)d;
}

/* The connection limit: --max-connections, or what RLIMIT_NOFILE leaves
 * after RESERVED_FDS. The soft limit is raised (setrlimit) when the hard
 * one allows, so a host's usual 1024 does not cap the server. */
static uint64_t connection_limit(const struct httpd_config *cfg)
{
    struct rlimit rl;
    uint64_t nofile = 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "httpd: getrlimit(RLIMIT_NOFILE): %s: assuming %llu descriptors\n",
                strerror(errno), (unsigned long long)nofile);
    } else {
        uint64_t want = cfg->max_connections != 0 ? (uint64_t)cfg->max_connections + RESERVED_FDS
                                                  : NOFILE_WANTED;
        nofile = rl.rlim_cur == RLIM_INFINITY ? want : (uint64_t)rl.rlim_cur;
        if (nofile < want && (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur)) {
            struct rlimit raised = rl;
            raised.rlim_cur =
                rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
                nofile = raised.rlim_cur;
        }
    }
    uint64_t room = nofile > RESERVED_FDS + 1 ? nofile - RESERVED_FDS : 1;
    if (cfg->max_connections == 0)
        return room;
    if (cfg->max_connections > room) {
        fprintf(stderr,
                "httpd: --max-connections %u is more than %llu descriptors allow: using %llu\n",
                cfg->max_connections, (unsigned long long)nofile, (unsigned long long)room);
        return room;
    }
    return cfg->max_connections;
}

static bool setup(struct server *s, const struct httpd_config *cfg, unsigned *port)
{
    s->cfg = cfg;
    s->epfd = -1;
    if (!files_init(&s->files, cfg->root, cfg->max_header_bytes))
        return false;
    s->nlisteners = listen_open(cfg, s->listeners, port);
    if (s->nlisteners < 0) {
        s->nlisteners = 0;
        return false;
    }
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        fprintf(stderr, "httpd: epoll_create1: %s\n", strerror(errno));
        return false;
    }
    for (int i = 0; i < s->nlisteners; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->listeners[i]};
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listeners[i].fd, &ev) != 0) {
            fprintf(stderr, "httpd: epoll_ctl(ADD) on a listener: %s\n", strerror(errno));
            return false;
        }
    }
    s->max_conns = connection_limit(cfg);
    struct conn_env *e = &s->env;
    e->cfg = cfg;
    e->stats = &s->stats;
    e->files = &s->files;
    e->scratch_cap = SCRATCH_BYTES;
    e->scratch = malloc(e->scratch_cap);
    e->path_cap = cfg->max_header_bytes + 2;
    e->path = malloc(e->path_cap);
    if (e->scratch == NULL || e->path == NULL) {
        fprintf(stderr, "httpd: out of memory for the server's buffers\n");
        return false;
    }
    return true;
}

static void teardown(struct server *s)
{
    while (s->head != NULL)
        close_conn(s, s->head);
    listen_close(s->listeners, s->nlisteners);
    if (s->epfd >= 0)
        close(s->epfd);
    free(s->env.scratch);
    free(s->env.path);
    files_fini(&s->files);
}

static bool is_listener(struct server *s, void *p, struct listener **l)
{
    for (int i = 0; i < s->nlisteners; i++)
        if (p == &s->listeners[i]) {
            *l = &s->listeners[i];
            return true;
        }
    return false;
}

static volatile sig_atomic_t term_asked;

void server_on_sigterm(int sig)
{
    (void)sig;
    term_asked = 1;
}

static int loop(struct server *s)
{
    const struct httpd_config *cfg = s->cfg;
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        if (term_asked) {
            printf("httpd: SIGTERM: stopping with %llu connection%s open\n",
                   (unsigned long long)s->nconns, s->nconns == 1 ? "" : "s");
            return 0;
        }
        if (cfg->exit_after_s != 0 && s->env.now_ms >= s->exit_ms)
            return 0;
        if (cfg->stats_interval_s != 0 && s->env.now_ms >= s->next_stats_ms) {
            stats_print(stdout, &s->stats, s->nconns);
            s->next_stats_ms = s->env.now_ms + cfg->stats_interval_s * 1000ull;
        }
        if (s->accept_paused && s->env.now_ms >= s->accept_resume_ms)
            set_listening(s, true);
        int n = epoll_wait(s->epfd, events, MAX_EVENTS, wait_ms(s));
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "httpd: epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        s->env.now_ms = monotonic_ms();
        if (s->env.now_ms >= s->next_date_ms)
            refresh_date(s);
        for (int i = 0; i < n; i++) {
            struct listener *l;
            if (is_listener(s, events[i].data.ptr, &l))
                accept_ready(s, l);
            else
                conn_event(s, events[i].data.ptr, events[i].events);
        }
        expire(s);
    }
}

int server_run(const struct httpd_config *cfg)
{
    struct server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "httpd: out of memory\n");
        return 1;
    }
    unsigned port = 0;
    int status = 1;
    if (setup(s, cfg, &port)) {
        s->env.now_ms = monotonic_ms();
        refresh_date(s);
        s->next_stats_ms = s->env.now_ms + cfg->stats_interval_s * 1000ull;
        s->exit_ms = s->env.now_ms + cfg->exit_after_s * 1000ull;
        printf("httpd: listening on port %u (root %s)\n", port, cfg->root);
        status = loop(s);
        if (cfg->stats_interval_s != 0 || cfg->exit_after_s != 0)
            stats_print(stdout, &s->stats, s->nconns);
        if (status == 0 && !term_asked)
            printf("httpd: stopped after %u s\n", cfg->exit_after_s);
    }
    teardown(s);
    free(s);
    return status;
}
