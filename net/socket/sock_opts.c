/* setsockopt and getsockopt (socket(7), tcp(7), ipv6(7)), with the checks
 * Linux 6.1 makes in net/core/sock.c sock_setsockopt/sock_getsockopt,
 * net/ipv4/tcp.c and net/ipv6/ipv6_sockglue.c: a length too short for the
 * option's value is EINVAL, an unreachable value EFAULT, an option this
 * layer does not have ENOPROTOOPT. What lwIP keeps in its control block
 * (SO_REUSEADDR, SO_KEEPALIVE, TCP_NODELAY, the keepalive timing) is
 * applied there at once (sock_proto.apply_options); the rest is the
 * socket's own (net/socket/sock.h, struct sock_opts). */
#include "net/socket/sock.h"
#include "sys/calls.h"
#include "sys/uaccess.h"

/* SO_RCVBUF and SO_SNDBUF: Linux doubles the value asked (room for its
 * bookkeeping) and reports the doubled one, within sysctl limits
 * (net.core.rmem_max and wmem_max; SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF). A
 * UDP socket queues that much; TCP's window and send buffer stay as lwIP's
 * options fix them. */
#define BUF_MAX (4u << 20)
#define MIN_RCVBUF 2304
#define MIN_SNDBUF 4608

/* tcp(7): the keepalive limits (MAX_TCP_KEEPIDLE, _KEEPINTVL, _KEEPCNT). */
#define MAX_KEEPIDLE 32767
#define MAX_KEEPINTVL 32767
#define MAX_KEEPCNT 127

static uint32_t buf_size(int32_t v, uint32_t min)
{
    uint32_t n = (uint32_t)v > BUF_MAX ? BUF_MAX : (uint32_t)v; /* negative: the maximum */
    n *= 2;
    return n < min ? min : n;
}

/* SO_RCVTIMEO, SO_SNDTIMEO (net/core/sock.c sock_set_timeout): usec out
 * of range is EDOM, {0, 0} is no timeout, a negative time is a zero one
 * (the call returns at once). */
static long set_timeout(uint64_t *ns, long uval, int32_t len)
{
    struct linux_timeval tv;
    if (len < (int32_t)sizeof tv)
        return -LINUX_EINVAL;
    if (!user_read(&tv, uval, sizeof tv))
        return -LINUX_EFAULT;
    if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
        return -LINUX_EDOM;
    if (tv.tv_sec < 0)
        *ns = 0;
    else if (tv.tv_sec == 0 && tv.tv_usec == 0)
        *ns = SOCK_TIMEO_NONE;
    else if ((uint64_t)tv.tv_sec >= (SOCK_TIMEO_NONE - 1) / 1000000000ull - 1)
        *ns = SOCK_TIMEO_NONE - 1; /* longer than anyone will wait */
    else
        *ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000u;
    return 0;
}

static long set_socket_level(struct sock *s, int32_t name, long uval, int32_t len)
{
    int32_t v;
    /* sock_setsockopt reads an int first, whatever the option. */
    if (len < (int32_t)sizeof v)
        return -LINUX_EINVAL;
    if (!user_read(&v, uval, sizeof v))
        return -LINUX_EFAULT;
    switch (name) {
    case LINUX_SO_REUSEADDR:
        s->opt.reuseaddr = v != 0;
        return 0;
    case LINUX_SO_KEEPALIVE:
        s->opt.keepalive = v != 0;
        return 0;
    case LINUX_SO_BROADCAST:
        s->opt.broadcast = v != 0;
        return 0;
    case LINUX_SO_RCVBUF:
        s->opt.rcvbuf = buf_size(v, MIN_RCVBUF);
        return 0;
    case LINUX_SO_SNDBUF:
        s->opt.sndbuf = buf_size(v, MIN_SNDBUF);
        return 0;
    case LINUX_SO_LINGER: {
        struct linux_linger l;
        if (len < (int32_t)sizeof l)
            return -LINUX_EINVAL;
        if (!user_read(&l, uval, sizeof l))
            return -LINUX_EFAULT;
        s->opt.linger_on = l.l_onoff != 0;
        if (l.l_onoff != 0) /* the time is kept only with l_onoff, as Linux keeps it */
            s->opt.linger_s = l.l_linger;
        return 0;
    }
    case LINUX_SO_RCVTIMEO_OLD:
    case LINUX_SO_RCVTIMEO_NEW:
        return set_timeout(&s->opt.rcvtimeo_ns, uval, len);
    case LINUX_SO_SNDTIMEO_OLD:
    case LINUX_SO_SNDTIMEO_NEW:
        return set_timeout(&s->opt.sndtimeo_ns, uval, len);
    default: /* SO_TYPE, SO_ERROR, SO_ACCEPTCONN, ... are read-only; others absent */
        return -LINUX_ENOPROTOOPT;
    }
}

static long set_tcp_level(struct sock *s, int32_t name, long uval, int32_t len)
{
    int32_t v;
    if (len < (int32_t)sizeof v)
        return -LINUX_EINVAL;
    if (!user_read(&v, uval, sizeof v))
        return -LINUX_EFAULT;
    switch (name) {
    case LINUX_TCP_NODELAY:
        s->opt.nodelay = v != 0;
        return 0;
    case LINUX_TCP_KEEPIDLE:
        if (v < 1 || v > MAX_KEEPIDLE)
            return -LINUX_EINVAL;
        s->opt.keepidle_s = (uint32_t)v;
        return 0;
    case LINUX_TCP_KEEPINTVL:
        if (v < 1 || v > MAX_KEEPINTVL)
            return -LINUX_EINVAL;
        s->opt.keepintvl_s = (uint32_t)v;
        return 0;
    case LINUX_TCP_KEEPCNT:
        if (v < 1 || v > MAX_KEEPCNT)
            return -LINUX_EINVAL;
        s->opt.keepcnt = (uint32_t)v;
        return 0;
    default:
        return -LINUX_ENOPROTOOPT;
    }
}

static long set_ipv6_level(struct sock *s, int32_t name, long uval, int32_t len)
{
    if (name != LINUX_IPV6_V6ONLY)
        return -LINUX_ENOPROTOOPT;
    int32_t v;
    if (len < (int32_t)sizeof v)
        return -LINUX_EINVAL;
    if (!user_read(&v, uval, sizeof v))
        return -LINUX_EFAULT;
    if (s->proto->bound(s)) /* do_ipv6_setsockopt: not once the socket has a port */
        return -LINUX_EINVAL;
    s->opt.v6only = v != 0;
    return 0;
}

long sys_setsockopt(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    int32_t level = (int32_t)a[1], name = (int32_t)a[2], len = (int32_t)a[4];
    long uval = a[3];
    if (len < 0)
        r = -LINUX_EINVAL;
    else if (level == LINUX_SOL_SOCKET)
        r = set_socket_level(s, name, uval, len);
    else if (level == LINUX_IPPROTO_TCP && s->type == LINUX_SOCK_STREAM)
        r = set_tcp_level(s, name, uval, len);
    else if (level == LINUX_IPPROTO_IPV6 && s->domain == LINUX_AF_INET6)
        r = set_ipv6_level(s, name, uval, len);
    else
        r = -LINUX_ENOPROTOOPT;
    if (r == 0)
        s->proto->apply_options(s);
    sock_put(s);
    return r;
}

/* ---- getsockopt: the value is made whole, then as much of it as the
 * application has room for is copied, and that length written back ---- */

union opt_value {
    int32_t i;
    struct linux_linger linger;
    struct linux_timeval tv;
};

static size_t get_timeout(union opt_value *v, uint64_t ns)
{
    v->tv = (struct linux_timeval){0, 0};
    if (ns != SOCK_TIMEO_NONE) {
        v->tv.tv_sec = (int64_t)(ns / 1000000000ull);
        v->tv.tv_usec = (int64_t)(ns % 1000000000ull / 1000u);
    }
    return sizeof v->tv;
}

static long get_socket_level(struct sock *s, int32_t name, union opt_value *v)
{
    switch (name) {
    case LINUX_SO_REUSEADDR:
        v->i = s->opt.reuseaddr;
        break;
    case LINUX_SO_KEEPALIVE:
        v->i = s->opt.keepalive;
        break;
    case LINUX_SO_BROADCAST:
        v->i = s->opt.broadcast;
        break;
    case LINUX_SO_TYPE:
        v->i = s->type;
        break;
    case LINUX_SO_PROTOCOL:
        v->i = s->protocol;
        break;
    case LINUX_SO_DOMAIN:
        v->i = s->domain;
        break;
    case LINUX_SO_ERROR:
        v->i = sock_take_error(s);
        break;
    case LINUX_SO_RCVBUF:
        v->i = (int32_t)s->opt.rcvbuf;
        break;
    case LINUX_SO_SNDBUF:
        v->i = (int32_t)s->opt.sndbuf;
        break;
    case LINUX_SO_ACCEPTCONN:
        v->i = s->type == LINUX_SOCK_STREAM && s->u.tcp.state == SOCK_TCP_LISTEN;
        break;
    case LINUX_SO_LINGER:
        v->linger = (struct linux_linger){s->opt.linger_on, s->opt.linger_s};
        return sizeof v->linger;
    case LINUX_SO_RCVTIMEO_OLD:
    case LINUX_SO_RCVTIMEO_NEW:
        return (long)get_timeout(v, s->opt.rcvtimeo_ns);
    case LINUX_SO_SNDTIMEO_OLD:
    case LINUX_SO_SNDTIMEO_NEW:
        return (long)get_timeout(v, s->opt.sndtimeo_ns);
    default:
        return -LINUX_ENOPROTOOPT;
    }
    return sizeof v->i;
}

static long get_tcp_level(struct sock *s, int32_t name, union opt_value *v)
{
    switch (name) {
    case LINUX_TCP_NODELAY:
        v->i = s->opt.nodelay;
        break;
    case LINUX_TCP_KEEPIDLE:
        v->i = (int32_t)s->opt.keepidle_s;
        break;
    case LINUX_TCP_KEEPINTVL:
        v->i = (int32_t)s->opt.keepintvl_s;
        break;
    case LINUX_TCP_KEEPCNT:
        v->i = (int32_t)s->opt.keepcnt;
        break;
    default:
        return -LINUX_ENOPROTOOPT;
    }
    return sizeof v->i;
}

long sys_getsockopt(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    int32_t level = (int32_t)a[1], name = (int32_t)a[2], room;
    long uval = a[3], ulenp = a[4];
    union opt_value v;
    memset(&v, 0, sizeof v);
    if (!user_read(&room, ulenp, sizeof room))
        r = -LINUX_EFAULT;
    else if (room < 0)
        r = -LINUX_EINVAL;
    else if (level == LINUX_SOL_SOCKET)
        r = get_socket_level(s, name, &v);
    else if (level == LINUX_IPPROTO_TCP && s->type == LINUX_SOCK_STREAM)
        r = get_tcp_level(s, name, &v);
    else if (level == LINUX_IPPROTO_IPV6 && s->domain == LINUX_AF_INET6 &&
             name == LINUX_IPV6_V6ONLY)
        v.i = s->opt.v6only, r = sizeof v.i;
    else if (level == LINUX_IPPROTO_IPV6 && s->domain == LINUX_AF_INET6)
        r = -LINUX_ENOPROTOOPT;
    else if (level == LINUX_IPPROTO_IP ||
             (level == LINUX_IPPROTO_UDP && s->type == LINUX_SOCK_DGRAM))
        r = -LINUX_ENOPROTOOPT; /* none of IP's or UDP's own options here */
    else
        r = -LINUX_EOPNOTSUPP; /* Linux: a level the protocol does not know */
    if (r >= 0) {
        int32_t n = room < (int32_t)r ? room : (int32_t)r;
        if ((n > 0 && !user_write(uval, &v, (size_t)n)) || !user_write(ulenp, &n, sizeof n))
            r = -LINUX_EFAULT;
        else
            r = 0;
    }
    sock_put(s);
    return r;
}
