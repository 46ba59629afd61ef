/* SOCK_DGRAM on lwIP's UDP raw API (lwIP 2.1.3, include/lwip/udp.h;
 * net/socket/sock.h), with Linux's behaviour (udp(7)).
 *
 * Received datagrams wait in a queue bounded by SO_RCVBUF: each is charged
 * its payload plus DGRAM_COST (the queue entry and the pbuf's own header,
 * as Linux charges an skb's truesize), so a flood of empty datagrams is
 * bounded too; what does not fit is dropped and counted. */
#include <stdlib.h>

#include "lwip/netif.h"
#include "lwip/udp.h"
#include "net/socket/sock.h"
#include "net/socket/sock_addr.h"
#include "net/socket/sock_iter.h"
#include "sys/linux_abi.h"

#define DGRAM_COST 256

/* The largest payload one datagram carries: 65535 bytes of IPv4 packet
 * less its headers (20 + 8), or of IPv6 payload less the UDP header. */
#define MAX_PAYLOAD_V4 65507
#define MAX_PAYLOAD_V6 65527

struct sock_dgram {
    struct sock_dgram *next;
    struct pbuf *p; /* one datagram: a chain whose tot_len is its size */
    ip_addr_t from;
    uint16_t port;
};

static struct sock_udp *U(struct sock *s)
{
    return &s->u.udp;
}

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                    u16_t port)
{
    struct sock *s = arg;
    struct sock_udp *u = U(s);
    (void)pcb;
    size_t cost = (size_t)p->tot_len + DGRAM_COST;
    struct sock_dgram *d = NULL;
    if (u->queued + cost <= s->opt.rcvbuf && !u->rd_shut)
        d = malloc(sizeof *d);
    if (d == NULL) {
        u->drops++;
        pbuf_free(p);
        return;
    }
    *d = (struct sock_dgram){.p = p, .from = *addr, .port = port};
    if (u->tail != NULL)
        u->tail->next = d;
    else
        u->head = d;
    u->tail = d;
    u->queued += cost;
    sock_changed(s);
}

static long udp_open(struct sock *s)
{
    u8_t type = s->domain == LINUX_AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_ANY;
    struct udp_pcb *pcb = udp_new_ip_type(type);
    if (pcb == NULL)
        return -LINUX_ENOMEM;
    U(s)->pcb = pcb;
    udp_recv(pcb, on_recv, s);
    return 0;
}

static bool udp_bound(struct sock *s)
{
    return U(s)->pcb->local_port != 0;
}

/* SO_REUSEADDR lives in the pcb; IPV6_V6ONLY on an unbound dual-stack pcb
 * is the type of its (unspecified) local address, which decides whether
 * IPv4 datagrams reach it. */
static void apply_options(struct sock *s)
{
    struct udp_pcb *pcb = U(s)->pcb;
    if (s->opt.reuseaddr)
        ip_set_option(pcb, SOF_REUSEADDR);
    else
        ip_reset_option(pcb, SOF_REUSEADDR);
    if (s->domain == LINUX_AF_INET6 && pcb->local_port == 0 && ip_addr_isany(&pcb->local_ip))
        IP_SET_TYPE_VAL(pcb->local_ip, s->opt.v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY);
}

static long udp_bind_call(struct sock *s, const ip_addr_t *addr, uint16_t port)
{
    if (U(s)->pcb->local_port != 0)
        return -LINUX_EINVAL;
    if (!sock_addr_is_local(addr))
        return -LINUX_EADDRNOTAVAIL;
    err_t e = udp_bind(U(s)->pcb, addr, port);
    return e == ERR_OK ? 0 : -sock_errno(e);
}

static long udp_connect_call(struct sock *s, const ip_addr_t *addr, uint16_t port)
{
    err_t e = udp_connect(U(s)->pcb, addr, port); /* binds a free port first if need be */
    if (e != ERR_OK)
        return -sock_errno(e);
    U(s)->connected = true;
    return 0;
}

static long udp_disconnect_call(struct sock *s)
{
    udp_disconnect(U(s)->pcb);
    U(s)->connected = false;
    return 0;
}

/* A limited or directed broadcast: IPv4 only (IPv6 has none). */
static bool is_broadcast(const ip_addr_t *ip)
{
    if (!IP_IS_V4(ip))
        return false;
    if (ip4_addr_get_u32(ip_2_ip4(ip)) == IPADDR_BROADCAST)
        return true;
    struct netif *netif;
    NETIF_FOREACH(netif)
    {
        if (ip4_addr_isbroadcast(ip_2_ip4(ip), netif))
            return true;
    }
    return false;
}

static long udp_send_call(struct sock *s, struct sock_msg *m)
{
    struct sock_udp *u = U(s);
    if (m->flags & LINUX_MSG_OOB)
        return -LINUX_EOPNOTSUPP;
    if (u->wr_shut)
        return -LINUX_EPIPE;
    if (!m->has_addr && !u->connected)
        return -LINUX_EDESTADDRREQ;
    const ip_addr_t *to = m->has_addr ? &m->addr : &u->pcb->remote_ip;
    size_t len = m->data->left;
    if (len > (IP_IS_V4(to) ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6))
        return -LINUX_EMSGSIZE;
    if (m->has_addr && is_broadcast(to) && !s->opt.broadcast)
        return -LINUX_EACCES; /* udp_sendmsg: broadcast wants SO_BROADCAST */
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (p == NULL)
        return -LINUX_ENOMEM;
    if (sock_iter_from_app(m->data, p->payload, len) != len) {
        pbuf_free(p);
        return -LINUX_EFAULT; /* an iovec entry changed under the call */
    }
    err_t e = m->has_addr ? udp_sendto(u->pcb, p, to, m->port) : udp_send(u->pcb, p);
    pbuf_free(p);
    sock_lwip_done();
    if (e == ERR_MEM || e == ERR_IF)
        return -LINUX_ENOBUFS; /* the interface's queue is full: Linux's ENOBUFS */
    if (e != ERR_OK)
        return -sock_errno(e);
    return (long)len;
}

static bool readable(struct sock *s)
{
    return U(s)->head != NULL || U(s)->rd_shut || s->error != 0;
}

static long udp_recv_call(struct sock *s, struct sock_msg *m)
{
    struct sock_udp *u = U(s);
    if (m->flags & LINUX_MSG_OOB)
        return -LINUX_EOPNOTSUPP;
    if (u->head == NULL) {
        if (s->error != 0)
            return -sock_take_error(s);
        if (u->rd_shut)
            return 0;
        if (sock_nonblocking(s, m->flags))
            return -LINUX_EAGAIN;
        if (!sock_wait(s, readable, sock_deadline(s->opt.rcvtimeo_ns)))
            return -LINUX_EAGAIN;
        if (u->head == NULL)
            return s->error != 0 ? -sock_take_error(s) : 0;
    }
    struct sock_dgram *d = u->head;
    size_t size = d->p->tot_len, copied = 0;
    uint8_t *piece;
    size_t n;
    while (copied < size && (n = sock_iter_piece(m->data, &piece)) != 0) {
        if (n > size - copied)
            n = size - copied;
        pbuf_copy_partial(d->p, piece, (u16_t)n, (u16_t)copied);
        sock_iter_advance(m->data, n);
        copied += n;
    }
    if (copied < size)
        m->out_flags |= LINUX_MSG_TRUNC; /* the rest of the datagram is lost */
    m->has_addr = true;
    m->addr = d->from;
    m->port = d->port;
    if (!(m->flags & LINUX_MSG_PEEK)) {
        u->head = d->next;
        if (u->head == NULL)
            u->tail = NULL;
        u->queued -= size + DGRAM_COST;
        pbuf_free(d->p);
        free(d);
    }
    /* MSG_TRUNC asks for the datagram's real size (udp(7)). */
    return (long)((m->flags & LINUX_MSG_TRUNC) ? size : copied);
}

static long udp_shutdown_call(struct sock *s, int how)
{
    /* Linux records the shutdown even unconnected, then says ENOTCONN
     * (net/ipv4/af_inet.c inet_shutdown). */
    if (how != LINUX_SHUT_WR)
        U(s)->rd_shut = true;
    if (how != LINUX_SHUT_RD)
        U(s)->wr_shut = true;
    sock_changed(s);
    return U(s)->connected ? 0 : -LINUX_ENOTCONN;
}

static long udp_name(struct sock *s, bool peer, ip_addr_t *addr, uint16_t *port)
{
    struct udp_pcb *pcb = U(s)->pcb;
    if (peer) {
        if (!U(s)->connected)
            return -LINUX_ENOTCONN;
        *addr = pcb->remote_ip;
        *port = pcb->remote_port;
        return 0;
    }
    *addr = pcb->local_ip;
    *port = pcb->local_port;
    return 0;
}

/* Readiness as Linux's udp_poll (datagram_poll) reports it: always
 * writable (a datagram is sent or dropped, never waits). */
static unsigned udp_poll_call(struct sock *s)
{
    struct sock_udp *u = U(s);
    unsigned ev = LINUX_POLLOUT | LINUX_POLLWRNORM;
    if (s->error != 0)
        ev |= LINUX_POLLERR;
    if (u->head != NULL)
        ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
    if (u->rd_shut)
        ev |= LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP;
    if (u->rd_shut && u->wr_shut)
        ev |= LINUX_POLLHUP;
    return ev;
}

static long udp_nread(struct sock *s)
{
    return U(s)->head != NULL ? U(s)->head->p->tot_len : 0;
}

static void udp_close_call(struct sock *s)
{
    struct sock_udp *u = U(s);
    udp_remove(u->pcb);
    while (u->head != NULL) {
        struct sock_dgram *d = u->head;
        u->head = d->next;
        pbuf_free(d->p);
        free(d);
    }
    u->tail = NULL;
    u->queued = 0;
}

const struct sock_proto sock_udp_proto = {
    .open = udp_open,
    .bind = udp_bind_call,
    .connect = udp_connect_call,
    .disconnect = udp_disconnect_call,
    .send = udp_send_call,
    .recv = udp_recv_call,
    .shutdown = udp_shutdown_call,
    .name = udp_name,
    .bound = udp_bound,
    .poll = udp_poll_call,
    .nread = udp_nread,
    .apply_options = apply_options,
    .close = udp_close_call,
};
