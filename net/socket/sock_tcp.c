/* SOCK_STREAM on lwIP's TCP raw API (lwIP 2.1.3, include/lwip/tcp.h;
 * net/socket/sock.h). The behaviour an application sees is Linux's
 * (tcp(7), and net/ipv4/tcp.c, af_inet.c for the corners), checked against
 * a Linux host where the manual is silent.
 *
 * Here the connection's life: lwIP's callbacks, bind, listen, accept,
 * connect, shutdown, names, readiness and close; the data moves in
 * sock_tcp_io.c.
 *
 * lwIP lets go of a pcb in three ways, and the socket must then never
 * touch it again: the err callback (reset, timeout, out of memory, or the
 * final ACK of a close the peer began, ERR_CLSD); a pcb freed without a
 * word after TIME_WAIT, which only happens after both FINs, so the socket
 * detaches itself once it has sent its FIN and seen the peer's; and a
 * close or abort the socket makes itself. Detaching clears the callbacks,
 * so a pcb that lives on (FIN_WAIT, TIME_WAIT) never calls into a freed
 * socket. */
#include "lwip/tcp.h"

#include "lwip/priv/tcp_priv.h"
#include "net/socket/sock.h"
#include "net/socket/sock_addr.h"
#include "net/socket/sock_tcp.h"
#include "sys/linux_abi.h"

/* A listen backlog as Linux counts it (a queue of backlog + 1; a negative
 * or huge one is SOMAXCONN) in lwIP's 8 bits; lwIP counts connections
 * being set up and the ones waiting for accept alike (tcp_backlog_delayed). */
#define BACKLOG_MAX 255

static void keep_names(struct sock *s)
{
    struct tcp_pcb *pcb = tcp_of(s)->pcb;
    tcp_of(s)->local_ip = pcb->local_ip;
    tcp_of(s)->local_port = pcb->local_port;
    tcp_of(s)->remote_ip = pcb->remote_ip;
    tcp_of(s)->remote_port = pcb->remote_port;
}

/* Stops lwIP calling into s and forgets the pcb (which lives on, or is
 * closed or aborted by the caller next). */
static struct tcp_pcb *detach(struct sock *s)
{
    struct tcp_pcb *pcb = tcp_of(s)->pcb;
    if (pcb == NULL)
        return NULL;
    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
    } else {
        tcp_recv(pcb, NULL);
        tcp_sent(pcb, NULL);
        tcp_err(pcb, NULL);
    }
    tcp_of(s)->pcb = NULL;
    return pcb;
}

/* Both directions are finished (our FIN sent, the peer's seen): the pcb
 * goes on to TIME_WAIT or LAST_ACK alone, and may be freed there without
 * a callback. */
static void finish_if_done(struct sock *s)
{
    if (tcp_of(s)->rx_fin && tcp_of(s)->wr_shut && tcp_of(s)->pcb != NULL) {
        keep_names(s);
        detach(s);
        tcp_of(s)->state = SOCK_TCP_CLOSED;
    }
}

static void free_rx(struct sock *s)
{
    struct pbuf *p = tcp_of(s)->rx_head;
    while (p != NULL) {
        struct pbuf *next = p->next;
        p->next = NULL;
        pbuf_free(p);
        p = next;
    }
    tcp_of(s)->rx_head = tcp_of(s)->rx_tail = NULL;
    tcp_of(s)->rx_off = 0;
    tcp_of(s)->rx_len = 0;
}

/* ---- lwIP's callbacks: they only record ---- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *s = arg;
    (void)err; /* always ERR_OK in lwIP 2.1.3 (tcp_in.c, TCP_EVENT_RECV) */
    sock_tcp_ack_if_held(pcb);
    if (p == NULL) {
        tcp_of(s)->rx_fin = true;
        finish_if_done(s);
    } else {
        /* lwIP 2.1.3 acknowledges every segment that falls outside a zero
         * receive window, pure ACKs included (tcp_in.c tcp_receive): two
         * lwIP ends with full windows, as a client and a server in one app
         * that both stopped reading, would trade ACKs for ever inside one
         * netif_poll. One byte of window credited ahead keeps the window
         * open inside lwIP (the one announced, scaled, is still 0); take()
         * counts it off what the application then reads. */
        if (pcb->rcv_wnd == 0 && tcp_of(s)->rx_credit == 0) {
            tcp_recved(pcb, 1);
            tcp_of(s)->rx_credit = 1;
        }
        tcp_of(s)->rx_len += p->tot_len;
        if (tcp_of(s)->rx_tail != NULL)
            tcp_of(s)->rx_tail->next = p;
        else
            tcp_of(s)->rx_head = p;
        while (p->next != NULL) /* each pbuf of the chain stands alone from here */
            p = p->next;
        tcp_of(s)->rx_tail = p;
    }
    sock_changed(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct sock *s = arg;
    (void)pcb;
    (void)len;
    tcp_of(s)->acked++;
    sock_changed(s);
    return ERR_OK;
}

/* The pcb is gone (lwIP 2.1.3, tcp.h: tcp_err_fn). */
static void on_err(void *arg, err_t err)
{
    struct sock *s = arg;
    struct sock_tcp *t = tcp_of(s);
    t->pcb = NULL;
    if (err == ERR_CLSD) {
        t->rx_fin = true; /* an orderly end both ways (LAST_ACK acknowledged) */
    } else if (t->state == SOCK_TCP_CONNECTING) {
        /* A reset answering the SYN is a refusal; lwIP gives up on
         * unanswered SYNs with ERR_ABRT (tcp_slowtmr). */
        s->error = err == ERR_RST    ? LINUX_ECONNREFUSED
                   : err == ERR_ABRT ? LINUX_ETIMEDOUT
                                     : sock_errno(err);
    } else {
        /* Retransmissions or keepalives unanswered (tcp_slowtmr) also come
         * as ERR_ABRT: Linux says ETIMEDOUT then. */
        s->error = err == ERR_ABRT ? LINUX_ETIMEDOUT : sock_errno(err);
    }
    t->state = SOCK_TCP_CLOSED;
    sock_changed(s);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *s = arg;
    (void)pcb;
    (void)err; /* always ERR_OK in lwIP 2.1.3 (tcp_in.c, TCP_EVENT_CONNECTED) */
    tcp_of(s)->state = SOCK_TCP_CONNECTED;
    tcp_of(s)->was_connected = true;
    keep_names(s);
    sock_changed(s);
    return ERR_OK;
}

static void attach(struct sock *s, struct tcp_pcb *pcb)
{
    tcp_of(s)->pcb = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

static void apply_options(struct sock *s)
{
    struct tcp_pcb *pcb = tcp_of(s)->pcb;
    if (pcb == NULL)
        return;
    if (s->opt.reuseaddr)
        ip_set_option(pcb, SOF_REUSEADDR);
    else
        ip_reset_option(pcb, SOF_REUSEADDR);
    if (s->opt.keepalive)
        ip_set_option(pcb, SOF_KEEPALIVE);
    else
        ip_reset_option(pcb, SOF_KEEPALIVE);
    if (pcb->state == LISTEN)
        return; /* a listening pcb has no more; its connections get s->opt */
    if (s->opt.nodelay)
        tcp_nagle_disable(pcb);
    else
        tcp_nagle_enable(pcb);
    pcb->keep_idle = s->opt.keepidle_s * 1000u;
    pcb->keep_intvl = s->opt.keepintvl_s * 1000u;
    pcb->keep_cnt = s->opt.keepcnt;
}

/* A connection lwIP completed on a listening socket: it waits in the
 * listener's queue as a socket of its own (data and a FIN may arrive
 * before accept), and counts against the backlog until accepted. */
static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct sock *l = arg;
    if (err != ERR_OK || newpcb == NULL)
        return ERR_VAL; /* lwIP could not make the pcb: nothing to take */
    struct sock *c = sock_alloc(l->domain, l->type, l->protocol);
    if (c == NULL)
        return ERR_MEM; /* lwIP aborts the connection */
    c->opt = l->opt;    /* Linux's accepted sockets inherit the listener's options */
    attach(c, newpcb);
    c->u.tcp.state = SOCK_TCP_CONNECTED;
    c->u.tcp.was_connected = true;
    keep_names(c);
    apply_options(c);
    tcp_backlog_delayed(newpcb);
    if (tcp_of(l)->queue_tail != NULL)
        tcp_of(tcp_of(l)->queue_tail)->queue_next = c;
    else
        tcp_of(l)->queue_head = c;
    tcp_of(l)->queue_tail = c;
    tcp_of(l)->queued++;
    sock_changed(l);
    return ERR_OK;
}

/* ---- the calls ---- */

static long tcp_open(struct sock *s)
{
    u8_t type = s->domain == LINUX_AF_INET ? IPADDR_TYPE_V4 : IPADDR_TYPE_ANY;
    struct tcp_pcb *pcb = tcp_new_ip_type(type);
    if (pcb == NULL)
        return -LINUX_ENOMEM;
    attach(s, pcb);
    apply_options(s);
    return 0;
}

static bool tcp_bound(struct sock *s)
{
    return tcp_of(s)->state != SOCK_TCP_NEW ||
           (tcp_of(s)->pcb != NULL && tcp_of(s)->pcb->local_port != 0);
}

static long tcp_bind_call(struct sock *s, const ip_addr_t *addr, uint16_t port)
{
    if (tcp_of(s)->state != SOCK_TCP_NEW || tcp_of(s)->pcb == NULL ||
        tcp_of(s)->pcb->local_port != 0)
        return -LINUX_EINVAL; /* bound already (inet_bind) */
    if (!sock_addr_is_local(addr))
        return -LINUX_EADDRNOTAVAIL;
    /* "::" came as both families, or as IPv6 alone under IPV6_V6ONLY
     * (sock_addr_in); lwIP's tcp_bind takes either. */
    err_t e = tcp_bind(tcp_of(s)->pcb, addr, port);
    if (e == ERR_BUF)
        return -LINUX_EADDRINUSE; /* no free port */
    if (e != ERR_OK)
        return -sock_errno(e);
    tcp_of(s)->local_ip = tcp_of(s)->pcb->local_ip;
    tcp_of(s)->local_port = tcp_of(s)->pcb->local_port;
    return 0;
}

static long tcp_listen_call(struct sock *s, int backlog)
{
    struct sock_tcp *t = tcp_of(s);
    /* Linux's backlog allows backlog + 1 connections in the queue. */
    unsigned b = backlog < 0 || backlog >= BACKLOG_MAX ? BACKLOG_MAX : (unsigned)backlog + 1;
    if (t->state == SOCK_TCP_LISTEN) {
        tcp_backlog_set(t->pcb, (u8_t)b); /* listen again: a new backlog (inet_listen) */
        return 0;
    }
    if (t->state != SOCK_TCP_NEW || t->pcb == NULL)
        return -LINUX_EINVAL;
    if (t->pcb->local_port == 0) { /* Linux binds to a free port (inet_autobind) */
        const ip_addr_t *any = s->domain == LINUX_AF_INET ? IP4_ADDR_ANY
                               : s->opt.v6only            ? IP6_ADDR_ANY
                                                          : IP_ANY_TYPE;
        err_t e = tcp_bind(t->pcb, any, 0);
        if (e != ERR_OK)
            return e == ERR_BUF ? -LINUX_EADDRINUSE : -sock_errno(e);
    }
    err_t e = ERR_OK;
    struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(t->pcb, (u8_t)b, &e);
    if (lpcb == NULL) /* the pcb is unchanged */
        return -sock_errno(e);
    t->pcb = lpcb; /* lwIP freed the pcb it was */
    t->state = SOCK_TCP_LISTEN;
    tcp_arg(lpcb, s);
    tcp_accept(lpcb, on_accept);
    return 0;
}

static bool queue_ready(struct sock *s)
{
    return tcp_of(s)->queue_head != NULL || tcp_of(s)->state != SOCK_TCP_LISTEN;
}

static long tcp_accept_call(struct sock *s, struct sock **child)
{
    struct sock_tcp *t = tcp_of(s);
    if (t->state != SOCK_TCP_LISTEN)
        return -LINUX_EINVAL;
    if (t->queue_head == NULL) {
        if (sock_nonblocking(s, 0))
            return -LINUX_EAGAIN;
        if (!sock_wait(s, queue_ready, sock_deadline(s->opt.rcvtimeo_ns)))
            return -LINUX_EAGAIN;
        if (t->state != SOCK_TCP_LISTEN) /* shut down while it waited */
            return -LINUX_EINVAL;
    }
    struct sock *c = t->queue_head;
    t->queue_head = tcp_of(c)->queue_next;
    if (t->queue_head == NULL)
        t->queue_tail = NULL;
    t->queued--;
    tcp_of(c)->queue_next = NULL;
    if (tcp_of(c)->pcb != NULL)
        tcp_backlog_accepted(tcp_of(c)->pcb);
    *child = c;
    return 0;
}

/* The connection goes back to the head of its listener's queue (accept
 * found no descriptor for it, or could not write its address). */
static void tcp_requeue(struct sock *s, struct sock *c)
{
    tcp_of(c)->queue_next = tcp_of(s)->queue_head;
    tcp_of(s)->queue_head = c;
    if (tcp_of(s)->queue_tail == NULL)
        tcp_of(s)->queue_tail = c;
    tcp_of(s)->queued++;
    if (tcp_of(c)->pcb != NULL)
        tcp_backlog_delayed(tcp_of(c)->pcb);
}

bool sock_tcp_connect_done(struct sock *s)
{
    return tcp_of(s)->state != SOCK_TCP_CONNECTING;
}

/* The outcome of a connect, once it is known (the second connect after
 * EINPROGRESS reports it too: net/ipv4/af_inet.c __inet_stream_connect). */
static long connect_outcome(struct sock *s)
{
    tcp_of(s)->connect_pending = false;
    if (tcp_of(s)->state == SOCK_TCP_CONNECTED)
        return 0;
    int e = sock_take_error(s);
    return -(e != 0 ? e : LINUX_ECONNABORTED);
}

static long tcp_connect_call(struct sock *s, const ip_addr_t *addr, uint16_t port)
{
    struct sock_tcp *t = tcp_of(s);
    switch (t->state) {
    case SOCK_TCP_LISTEN:
        return -LINUX_EISCONN;
    case SOCK_TCP_CONNECTED:
        if (t->connect_pending)
            return connect_outcome(s);
        return -LINUX_EISCONN;
    case SOCK_TCP_CLOSED:
        if (t->was_connected)
            return -LINUX_EISCONN;
        if (t->connect_pending)
            return connect_outcome(s);
        /* A connect that failed: the socket may try again, on a new pcb. */
        s->error = 0;
        t->state = SOCK_TCP_NEW;
        if (tcp_open(s) < 0) {
            t->state = SOCK_TCP_CLOSED;
            return -LINUX_ENOMEM;
        }
        break;
    case SOCK_TCP_CONNECTING:
        if (sock_nonblocking(s, 0))
            return -LINUX_EALREADY;
        break;
    case SOCK_TCP_NEW:
        break;
    }
    if (t->state == SOCK_TCP_NEW) {
        err_t e = tcp_connect(t->pcb, addr, port, on_connected);
        sock_lwip_done();
        if (e == ERR_BUF)
            return -LINUX_EADDRNOTAVAIL; /* no free local port */
        if (e != ERR_OK)
            return -sock_errno(e);
        t->state = SOCK_TCP_CONNECTING;
        keep_names(s);
        if (sock_nonblocking(s, 0)) {
            t->connect_pending = true;
            return -LINUX_EINPROGRESS;
        }
    }
    if (!sock_wait(s, sock_tcp_connect_done, sock_deadline(s->opt.sndtimeo_ns))) {
        t->connect_pending = true; /* SO_SNDTIMEO passed: it goes on */
        return -LINUX_EINPROGRESS;
    }
    return connect_outcome(s);
}

/* ---- shutdown, names, readiness ---- */

/* Stops listening: queued connections are reset, as Linux resets the
 * connections a closed listener never accepted (inet_csk_listen_stop). */
static void stop_listening(struct sock *s)
{
    struct sock_tcp *t = tcp_of(s);
    for (struct sock *c = t->queue_head, *next; c != NULL; c = next) {
        next = tcp_of(c)->queue_next;
        struct tcp_pcb *pcb = detach(c);
        if (pcb != NULL)
            tcp_abort(pcb);
        free_rx(c);
        sock_free(c);
    }
    t->queue_head = t->queue_tail = NULL;
    t->queued = 0;
    struct tcp_pcb *lpcb = detach(s);
    if (lpcb != NULL)
        tcp_close(lpcb); /* a listening pcb is freed at once */
    t->state = SOCK_TCP_CLOSED;
}

static long tcp_shutdown_call(struct sock *s, int how)
{
    struct sock_tcp *t = tcp_of(s);
    switch (t->state) {
    case SOCK_TCP_LISTEN:
        if (how != LINUX_SHUT_WR) {
            stop_listening(s);
            sock_changed(s);
        }
        return 0;
    case SOCK_TCP_CONNECTING: { /* the attempt is abandoned (tcp_disconnect) */
        struct tcp_pcb *pcb = detach(s);
        if (pcb != NULL)
            tcp_abort(pcb);
        t->state = SOCK_TCP_CLOSED;
        t->connect_pending = false;
        sock_changed(s);
        return 0;
    }
    case SOCK_TCP_CONNECTED:
        break;
    default:
        return -LINUX_ENOTCONN;
    }
    if (how != LINUX_SHUT_WR)
        t->rd_shut = true;
    if (how != LINUX_SHUT_RD && !t->wr_shut) {
        t->wr_shut = true;
        if (t->pcb != NULL) {
            err_t e = tcp_shutdown(t->pcb, 0, 1); /* queues our FIN after the data */
            sock_lwip_done();
            if (e != ERR_OK) {
                struct tcp_pcb *pcb = detach(s);
                tcp_abort(pcb);
                s->error = sock_errno(e);
                t->state = SOCK_TCP_CLOSED;
            }
        }
        finish_if_done(s);
    }
    sock_changed(s);
    return 0;
}

static long tcp_name(struct sock *s, bool peer, ip_addr_t *addr, uint16_t *port)
{
    struct sock_tcp *t = tcp_of(s);
    if (t->pcb != NULL && t->state != SOCK_TCP_LISTEN)
        keep_names(s);
    else if (t->pcb != NULL) {
        t->local_ip = t->pcb->local_ip;
        t->local_port = t->pcb->local_port;
    }
    if (peer) {
        /* net/ipv4/af_inet.c inet_getname: only while connected. */
        if (t->state != SOCK_TCP_CONNECTED)
            return -LINUX_ENOTCONN;
        *addr = t->remote_ip;
        *port = t->remote_port;
        return 0;
    }
    *addr = t->local_ip;
    *port = t->local_port;
    return 0;
}

/* Readiness as Linux's tcp_poll reports it. */
static unsigned tcp_poll_call(struct sock *s)
{
    struct sock_tcp *t = tcp_of(s);
    unsigned ev = 0;
    if (s->error != 0)
        ev |= LINUX_POLLERR;
    switch (t->state) {
    case SOCK_TCP_LISTEN:
        return t->queue_head != NULL ? LINUX_POLLIN | LINUX_POLLRDNORM : 0;
    case SOCK_TCP_NEW: /* closed and never connected: hung up, writable (Linux says so) */
        return ev | LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLHUP;
    case SOCK_TCP_CONNECTING:
        return ev;
    case SOCK_TCP_CLOSED:
        ev |= LINUX_POLLHUP | LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP | LINUX_POLLOUT |
              LINUX_POLLWRNORM;
        return ev;
    case SOCK_TCP_CONNECTED:
        break;
    }
    if (t->rx_len != 0)
        ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
    if (t->rx_fin || t->rd_shut)
        ev |= LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP;
    if (t->rx_fin && t->wr_shut)
        ev |= LINUX_POLLHUP;
    if (t->wr_shut || t->pcb == NULL || sock_tcp_writable(t->pcb))
        ev |= LINUX_POLLOUT | LINUX_POLLWRNORM;
    return ev;
}

static long tcp_nread(struct sock *s)
{
    if (tcp_of(s)->state == SOCK_TCP_LISTEN)
        return -LINUX_EINVAL; /* tcp_ioctl */
    return (long)tcp_of(s)->rx_len;
}

/* The last descriptor is gone. Data the application never read makes it
 * a reset, as on Linux (tcp_close: "data was lost"); so does SO_LINGER
 * with a zero time. Otherwise the FIN follows what is queued and lwIP
 * finishes the close alone (FIN_WAIT, TIME_WAIT). SO_LINGER with a time
 * waits that long for the queue to drain first. */
static bool drained(struct sock *s)
{
    struct tcp_pcb *pcb = tcp_of(s)->pcb;
    return pcb == NULL || (pcb->unsent == NULL && pcb->unacked == NULL);
}

static void tcp_close_call(struct sock *s)
{
    struct sock_tcp *t = tcp_of(s);
    if (t->state == SOCK_TCP_LISTEN) {
        stop_listening(s);
    } else if (t->pcb != NULL) {
        bool reset = t->rx_len != 0 || (s->opt.linger_on && s->opt.linger_s == 0);
        if (!reset && s->opt.linger_on && t->state == SOCK_TCP_CONNECTED) {
            uint64_t ns = (uint64_t)(uint32_t)s->opt.linger_s * 1000000000ull;
            tcp_output(t->pcb);
            sock_lwip_done();
            sock_wait(s, drained, sock_deadline(ns));
        }
        struct tcp_pcb *pcb = detach(s);
        if (pcb != NULL) {
            if (reset || tcp_close(pcb) != ERR_OK)
                tcp_abort(pcb);
            sock_lwip_done();
        }
    }
    free_rx(s);
}

const struct sock_proto sock_tcp_proto = {
    .open = tcp_open,
    .bind = tcp_bind_call,
    .listen = tcp_listen_call,
    .accept = tcp_accept_call,
    .requeue = tcp_requeue,
    .connect = tcp_connect_call,
    .send = sock_tcp_send,
    .recv = sock_tcp_recv,
    .shutdown = tcp_shutdown_call,
    .name = tcp_name,
    .bound = tcp_bound,
    .poll = tcp_poll_call,
    .nread = tcp_nread,
    .apply_options = apply_options,
    .close = tcp_close_call,
};
