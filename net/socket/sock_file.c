/* The socket as a file (net/socket/sock.h, sys/fd.h): read and write are
 * recv and send without flags, readv and writev move the whole iovec at
 * once, poll asks the protocol, fstat says S_IFSOCK, and the last close
 * lets lwIP go on alone. Also what every call shares: allocation and the
 * live count, holding a socket across a call, waiting, deadlines. */
#include <stdlib.h>

#include "core/event.h"
#include "core/time.h"
#include "net/socket/sock.h"
#include "net/socket/sock_iter.h"
#include "net/stack/timers.h"
#include "sys/linux_abi.h"
#include "sys/uaccess.h"

/* Defaults: SO_RCVBUF and SO_SNDBUF as lwIP's TCP window and send buffer
 * (net/lwip/include/lwipopts.h), which bound what a TCP socket holds; a
 * UDP socket queues up to SO_RCVBUF. Keepalive as Linux's tcp_keepalive_*
 * sysctls (and lwIP's TCP_KEEP*_DEFAULT). */
#define DEFAULT_BUF (256u * 1024u)
#define DEFAULT_KEEPIDLE_S 7200
#define DEFAULT_KEEPINTVL_S 75
#define DEFAULT_KEEPCNT 9

static unsigned long live;

unsigned long sock_live_count(void)
{
    return live;
}

static const struct sys_file_ops sock_file_ops;

struct sock *sock_alloc(uint16_t domain, uint16_t type, uint16_t protocol)
{
    struct sock *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->file.ops = &sock_file_ops;
    s->file.flags = LINUX_O_RDWR;
    s->proto = type == LINUX_SOCK_STREAM ? &sock_tcp_proto : &sock_udp_proto;
    s->domain = domain;
    s->type = type;
    s->protocol = protocol;
    s->opt = (struct sock_opts){
        .rcvbuf = DEFAULT_BUF,
        .sndbuf = DEFAULT_BUF,
        .rcvtimeo_ns = SOCK_TIMEO_NONE,
        .sndtimeo_ns = SOCK_TIMEO_NONE,
        .keepidle_s = DEFAULT_KEEPIDLE_S,
        .keepintvl_s = DEFAULT_KEEPINTVL_S,
        .keepcnt = DEFAULT_KEEPCNT,
    };
    live++;
    return s;
}

void sock_free(struct sock *s)
{
    live--;
    free(s);
}

long sock_install(struct sock *s, bool cloexec)
{
    return sys_fd_install(&s->file, 0, cloexec);
}

long sock_get(unsigned fd, struct sock **out)
{
    struct sys_file *f = sys_fd_file(fd);
    if (f == NULL)
        return -LINUX_EBADF;
    if (f->ops != &sock_file_ops)
        return -LINUX_ENOTSOCK;
    f->refs++;
    *out = (struct sock *)f;
    return 0;
}

static void release(struct sys_file *f)
{
    struct sock *s = (struct sock *)f;
    s->proto->close(s);
    sock_free(s);
}

void sock_put(struct sock *s)
{
    sys_file_put(&s->file); /* the last reference leaves every epoll set, then releases */
}

void sock_changed(struct sock *s)
{
    sys_file_notify(&s->file); /* sys/fd.h: the waiting calls look again */
}

bool sock_nonblocking(const struct sock *s, uint32_t msg_flags)
{
    return (s->file.flags & LINUX_O_NONBLOCK) || (msg_flags & LINUX_MSG_DONTWAIT);
}

uint64_t sock_deadline(uint64_t timeo_ns)
{
    if (timeo_ns == SOCK_TIMEO_NONE)
        return WAIT_FOREVER;
    uint64_t now = time_now_ns();
    return timeo_ns < WAIT_FOREVER - now ? now + timeo_ns : WAIT_FOREVER - 1;
}

struct wait_ctx {
    struct sock *s;
    bool (*cond)(struct sock *s);
};

static bool wait_cond(void *ctx)
{
    struct wait_ctx *w = ctx;
    return w->cond(w->s);
}

bool sock_wait(struct sock *s, bool (*cond)(struct sock *s), uint64_t deadline_ns)
{
    struct wait_ctx w = {s, cond};
    return wait_until(wait_cond, &w, deadline_ns);
}

int sock_take_error(struct sock *s)
{
    int e = s->error;
    s->error = 0;
    return e;
}

void sock_lwip_done(void)
{
    stack_timers_update();
}

/* ---- the file operations: the socket is held across each (sock_get's
 * reference), as a close from a callback may come while it waits ---- */

static long transfer(struct sys_file *f, struct sock_iter *it, bool out)
{
    struct sock *s = (struct sock *)f;
    struct sock_msg m = {.data = it};
    s->file.refs++;
    long r = out ? s->proto->send(s, &m) : s->proto->recv(s, &m);
    sock_put(s);
    return r;
}

static long sock_read(struct sys_file *f, void *buf, size_t n)
{
    struct sock_iter it;
    sock_iter_buf(&it, buf, n);
    return transfer(f, &it, false);
}

static long sock_write(struct sys_file *f, const void *buf, size_t n)
{
    struct sock_iter it;
    sock_iter_buf(&it, (void *)buf, n);
    return transfer(f, &it, true);
}

static long sock_readv(struct sys_file *f, uint64_t iov, uint64_t cnt, uint64_t total)
{
    struct sock_iter it;
    sock_iter_checked(&it, iov, cnt, total);
    return transfer(f, &it, false);
}

static long sock_writev(struct sys_file *f, uint64_t iov, uint64_t cnt, uint64_t total)
{
    struct sock_iter it;
    sock_iter_checked(&it, iov, cnt, total);
    return transfer(f, &it, true);
}

static unsigned sock_poll(struct sys_file *f)
{
    struct sock *s = (struct sock *)f;
    return s->proto->poll(s);
}

/* FIONREAD (SIOCINQ): bytes a read would return now (TCP), or the size of
 * the next datagram (UDP), as Linux's tcp_ioctl and udp_ioctl answer. */
static long sock_ioctl(struct sys_file *f, unsigned cmd, long arg)
{
    struct sock *s = (struct sock *)f;
    if (cmd != LINUX_FIONREAD)
        return -LINUX_ENOTTY;
    long n = s->proto->nread(s);
    if (n < 0)
        return n;
    int32_t v = n > INT32_MAX ? INT32_MAX : (int32_t)n;
    return user_write(arg, &v, sizeof v) ? 0 : -LINUX_EFAULT;
}

/* A socket's inode as Linux's sock_alloc makes it: S_IFSOCK with every
 * permission, and the page size as the block size. */
static void sock_fstat(struct sys_file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = LINUX_S_IFSOCK | 0777;
    st->st_blksize = 4096;
}

static const struct sys_file_ops sock_file_ops = {
    .kind = "socket",
    .mode = LINUX_S_IFSOCK,
    .read = sock_read,
    .write = sock_write,
    .readv = sock_readv,
    .writev = sock_writev,
    .ioctl = sock_ioctl,
    .fstat = sock_fstat,
    .poll = sock_poll,
    .release = release,
    .notifies = true,
};
