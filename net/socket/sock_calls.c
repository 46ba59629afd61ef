/* The system calls that make or take a socket (net/socket/sock.h; their
 * entries in sys/syscall.c). Arguments are checked in the order Linux 6.1's
 * net/socket.c checks them, so the same bad call fails with the same error:
 * flags, then the descriptor (EBADF, ENOTSOCK), then addresses and
 * buffers, then what the protocol says. */
#include "net/socket/sock.h"
#include "net/socket/sock_addr.h"
#include "net/socket/sock_iter.h"
#include "sys/calls.h"
#include "sys/uaccess.h"

/* ---- socket, socketpair ---- */

/* Which kind of socket (domain, type, protocol) asks for, as
 * __sock_create and inet_create/inet6_create decide: 0 with *type_out and
 * *proto_out, or -errno. */
static long kind(long domain, long type, long protocol, uint16_t *type_out, uint16_t *proto_out)
{
    if ((uint32_t)type &
        ~(uint32_t)(LINUX_SOCK_TYPE_MASK | LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
        return -LINUX_EINVAL;
    int32_t fam = (int32_t)domain, proto = (int32_t)protocol;
    uint32_t t = (uint32_t)type & LINUX_SOCK_TYPE_MASK;
    if (fam < 0 || fam >= LINUX_AF_MAX)
        return -LINUX_EAFNOSUPPORT;
    if (t >= LINUX_SOCK_MAX)
        return -LINUX_EINVAL;
    if (fam != LINUX_AF_INET && fam != LINUX_AF_INET6)
        return -LINUX_EAFNOSUPPORT; /* no AF_UNIX, AF_PACKET, AF_NETLINK ... here */
    if (proto < 0 || proto >= LINUX_IPPROTO_MAX)
        return -LINUX_EINVAL;
    if (t == LINUX_SOCK_STREAM && (proto == 0 || proto == LINUX_IPPROTO_TCP)) {
        *proto_out = LINUX_IPPROTO_TCP;
    } else if (t == LINUX_SOCK_DGRAM && (proto == 0 || proto == LINUX_IPPROTO_UDP)) {
        *proto_out = LINUX_IPPROTO_UDP;
    } else if (t == LINUX_SOCK_STREAM || t == LINUX_SOCK_DGRAM || t == LINUX_SOCK_RAW) {
        return -LINUX_EPROTONOSUPPORT; /* another protocol, or a raw socket: none here */
    } else {
        return -LINUX_ESOCKTNOSUPPORT; /* SOCK_SEQPACKET, SOCK_RDM, ... */
    }
    *type_out = (uint16_t)t;
    return 0;
}

long sys_socket(const long *a)
{
    uint16_t type, proto;
    long r = kind(a[0], a[1], a[2], &type, &proto);
    if (r < 0)
        return r;
    struct sock *s = sock_alloc((uint16_t)a[0], type, proto);
    if (s == NULL)
        return -LINUX_ENOMEM;
    r = s->proto->open(s);
    if (r < 0) {
        sock_free(s);
        return r;
    }
    if ((uint32_t)a[1] & LINUX_SOCK_NONBLOCK)
        s->file.flags |= LINUX_O_NONBLOCK;
    r = sock_install(s, (uint32_t)a[1] & LINUX_SOCK_CLOEXEC);
    if (r < 0) {
        s->proto->close(s);
        sock_free(s);
    }
    return r;
}

/* Internet sockets come in no pairs (Linux's inet sockets answer
 * sock_no_socketpair); the other families are not here at all. */
long sys_socketpair(const long *a)
{
    uint16_t type, proto;
    long r = kind(a[0], a[1], a[2], &type, &proto);
    return r < 0 ? r : -LINUX_EOPNOTSUPP;
}

/* ---- bind, listen, connect, accept ---- */

long sys_bind(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    ip_addr_t ip;
    uint16_t port;
    r = sock_addr_in(s, a[1], (int32_t)a[2], SOCK_ADDR_BIND, &ip, &port);
    if (r == 0)
        r = s->proto->bind(s, &ip, port);
    sock_put(s);
    return r;
}

long sys_listen(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    r = s->proto->listen != NULL ? s->proto->listen(s, (int32_t)a[1]) : -LINUX_EOPNOTSUPP;
    sock_put(s);
    return r;
}

long sys_connect(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    ip_addr_t ip;
    uint16_t port;
    r = sock_addr_in(s, a[1], (int32_t)a[2], SOCK_ADDR_CONNECT, &ip, &port);
    if (r == 1) /* AF_UNSPEC */
        r = s->proto->disconnect != NULL ? s->proto->disconnect(s) : -LINUX_EOPNOTSUPP;
    else if (r == 0)
        r = s->proto->connect(s, &ip, port);
    sock_put(s);
    return r;
}

static long accept_call(const long *a, uint32_t flags)
{
    if (flags & ~(uint32_t)(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
        return -LINUX_EINVAL;
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    long uaddr = a[1], ulenp = a[2];
    if (s->proto->accept == NULL)
        r = -LINUX_EOPNOTSUPP;
    else if (uaddr != 0)
        r = sock_addr_room_ok(ulenp); /* before a connection is taken */
    struct sock *c = NULL;
    if (r == 0)
        r = s->proto->accept(s, &c);
    if (r == 0 && uaddr != 0) {
        ip_addr_t ip;
        uint16_t port;
        r = c->proto->name(c, true, &ip, &port);
        if (r == -LINUX_ENOTCONN) { /* reset while queued: its address is kept */
            ip = c->u.tcp.remote_ip;
            port = c->u.tcp.remote_port;
            r = 0;
        }
        if (r == 0)
            r = sock_addr_out(c, &ip, port, uaddr, ulenp);
    }
    if (r == 0) {
        if (flags & LINUX_SOCK_NONBLOCK)
            c->file.flags |= LINUX_O_NONBLOCK;
        r = sock_install(c, flags & LINUX_SOCK_CLOEXEC);
    }
    if (r < 0 && c != NULL)
        s->proto->requeue(s, c); /* the connection waits for a better call */
    sock_put(s);
    return r;
}

long sys_accept(const long *a)
{
    return accept_call(a, 0);
}

long sys_accept4(const long *a)
{
    return accept_call(a, (uint32_t)a[3]);
}

/* ---- names ---- */

static long name_call(const long *a, bool peer)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    ip_addr_t ip;
    uint16_t port;
    r = s->proto->name(s, peer, &ip, &port);
    if (r == 0)
        r = sock_addr_out(s, &ip, port, a[1], a[2]);
    sock_put(s);
    return r;
}

long sys_getsockname(const long *a)
{
    return name_call(a, false);
}

long sys_getpeername(const long *a)
{
    return name_call(a, true);
}

/* ---- sending and receiving ---- */

/* One send: m's data is set; uaddr/ulen are the destination (0: none). */
static long send_on(struct sock *s, struct sock_msg *m, long uaddr, long ulen)
{
    if (uaddr != 0) {
        long r = sock_addr_in(s, uaddr, ulen, SOCK_ADDR_SEND, &m->addr, &m->port);
        if (r < 0)
            return r;
        /* A stream socket ignores the destination (tcp_sendmsg). */
        m->has_addr = s->type == LINUX_SOCK_DGRAM;
    }
    return s->proto->send(s, m);
}

long sys_sendto(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    struct sock_iter it;
    struct sock_msg m = {.data = &it, .flags = (uint32_t)a[3]};
    r = sock_iter_user(&it, (uint64_t)a[1], (uint64_t)a[2]);
    if (r == 0)
        r = send_on(s, &m, a[4], (int32_t)a[5]);
    sock_put(s);
    return r;
}

/* The source of what was received, where the application asked for it. */
static long give_source(struct sock *s, const struct sock_msg *m, long uaddr, long ulenp)
{
    return sock_addr_out(s, m->has_addr ? &m->addr : NULL, m->port, uaddr, ulenp);
}

long sys_recvfrom(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    struct sock_iter it;
    struct sock_msg m = {.data = &it, .flags = (uint32_t)a[3]};
    r = sock_iter_user(&it, (uint64_t)a[1], (uint64_t)a[2]);
    if (r == 0)
        r = s->proto->recv(s, &m);
    if (r >= 0 && a[4] != 0) { /* net/socket.c __sys_recvfrom: the data stays taken */
        long e = give_source(s, &m, a[4], a[5]);
        if (e < 0)
            r = e;
    }
    sock_put(s);
    return r;
}

/* The message header and its iovec, as ___sys_sendmsg/___sys_recvmsg read
 * them (net/socket.c __copy_msghdr). */
static long read_msghdr(long umsg, struct linux_msghdr *h, struct sock_iter *it)
{
    if (!user_read(h, umsg, sizeof *h))
        return -LINUX_EFAULT;
    if (h->msg_namelen < 0)
        return -LINUX_EINVAL;
    if (h->msg_iovlen > LINUX_UIO_MAXIOV)
        return -LINUX_EMSGSIZE;
    return sock_iter_iovec(it, h->msg_iov, h->msg_iovlen);
}

long sys_sendmsg(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    struct linux_msghdr h;
    struct sock_iter it;
    struct sock_msg m = {.data = &it, .flags = (uint32_t)a[2]};
    r = read_msghdr(a[1], &h, &it);
    /* No ancillary data is understood here (no SCM_RIGHTS, no IP_PKTINFO). */
    if (r == 0 && h.msg_controllen != 0)
        r = -LINUX_EINVAL;
    if (r == 0) {
        /* A name with no length is no name; a longer one than any address is cut. */
        int32_t namelen =
            h.msg_namelen > LINUX_SOCKADDR_STORAGE ? LINUX_SOCKADDR_STORAGE : h.msg_namelen;
        r = send_on(s, &m, namelen != 0 ? (long)h.msg_name : 0, namelen);
    }
    sock_put(s);
    return r;
}

long sys_recvmsg(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    struct linux_msghdr h;
    struct sock_iter it;
    struct sock_msg m = {.data = &it, .flags = (uint32_t)a[2]};
    r = read_msghdr(a[1], &h, &it);
    if (r == 0)
        r = s->proto->recv(s, &m);
    if (r >= 0) {
        long umsg = a[1];
        long e = 0;
        if (h.msg_name != 0)
            e = give_source(s, &m, (long)h.msg_name,
                            umsg + (long)offsetof(struct linux_msghdr, msg_namelen));
        uint64_t controllen = 0;
        if (e == 0 && (!user_write(umsg + (long)offsetof(struct linux_msghdr, msg_controllen),
                                   &controllen, sizeof controllen) ||
                       !user_write(umsg + (long)offsetof(struct linux_msghdr, msg_flags),
                                   &m.out_flags, sizeof m.out_flags)))
            e = -LINUX_EFAULT;
        if (e < 0)
            r = e;
    }
    sock_put(s);
    return r;
}

/* ---- shutdown ---- */

long sys_shutdown(const long *a)
{
    struct sock *s;
    long r = sock_get((unsigned)a[0], &s);
    if (r < 0)
        return r;
    int32_t how = (int32_t)a[1];
    if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
        r = -LINUX_EINVAL;
    else
        r = s->proto->shutdown(s, how);
    sock_put(s);
    return r;
}

/* ---- the entry sys/syscall.c reaches every socket call through ---- */

long sys_socket_call(long n, const long *a)
{
    switch (n) {
    case LINUX_NR_socket:
        return sys_socket(a);
    case LINUX_NR_socketpair:
        return sys_socketpair(a);
    case LINUX_NR_bind:
        return sys_bind(a);
    case LINUX_NR_listen:
        return sys_listen(a);
    case LINUX_NR_accept:
        return sys_accept(a);
    case LINUX_NR_accept4:
        return sys_accept4(a);
    case LINUX_NR_connect:
        return sys_connect(a);
    case LINUX_NR_getsockname:
        return sys_getsockname(a);
    case LINUX_NR_getpeername:
        return sys_getpeername(a);
    case LINUX_NR_sendto:
        return sys_sendto(a);
    case LINUX_NR_recvfrom:
        return sys_recvfrom(a);
    case LINUX_NR_sendmsg:
        return sys_sendmsg(a);
    case LINUX_NR_recvmsg:
        return sys_recvmsg(a);
    case LINUX_NR_shutdown:
        return sys_shutdown(a);
    case LINUX_NR_setsockopt:
        return sys_setsockopt(a);
    case LINUX_NR_getsockopt:
        return sys_getsockopt(a);
    default:
        return -LINUX_ENOSYS; /* sys/syscall.c sends no other number here */
    }
}
