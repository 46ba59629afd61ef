/* SOCK_STREAM on lwIP's TCP raw API (lwIP 2.1.3, include/lwip/tcp.h;
 * net/socket/sock.h). The behaviour an application sees is Linux's
 * (tcp(7), and net/ipv4/tcp.c, af_inet.c for the corners), checked against
 * a Linux host where the manual is silent.
 *
 * Received data waits in the socket as lwIP handed it over and the window
 * opens (tcp_recved) only as the application reads, so a slow reader
 * throttles its peer and the queue never outgrows lwIP's TCP_WND. A send
 * copies into lwIP (TCP_WRITE_FLAG_COPY) as far as its send buffer goes
 * and pushes once per call (tcp_output), or before it waits for room.
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
#include "net/socket/sock_iter.h"
#include "sys/linux_abi.h"

/* A listen backlog as Linux counts it (a queue of backlog + 1; a negative
 * or huge one is SOMAXCONN) in lwIP's 8 bits; lwIP counts connections
 * being set up and the ones waiting for accept alike (tcp_backlog_delayed). */
#define BACKLOG_MAX 255

static struct sock_tcp *T(struct sock *s)
{
    return &s->u.tcp;
}

static void keep_names(struct sock *s)
{
    struct tcp_pcb *pcb = T(s)->pcb;
    T(s)->local_ip = pcb->local_ip;
    T(s)->local_port = pcb->local_port;
    T(s)->remote_ip = pcb->remote_ip;
    T(s)->remote_port = pcb->remote_port;
}

/* Stops lwIP calling into s and forgets the pcb (which lives on, or is
 * closed or aborted by the caller next). */
static struct tcp_pcb *detach(struct sock *s)
{
    struct tcp_pcb *pcb = T(s)->pcb;
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
    T(s)->pcb = NULL;
    return pcb;
}

/* Both directions are finished (our FIN sent, the peer's seen): the pcb
 * goes on to TIME_WAIT or LAST_ACK alone, and may be freed there without
 * a callback. */
static void finish_if_done(struct sock *s)
{
    if (T(s)->rx_fin && T(s)->wr_shut && T(s)->pcb != NULL) {
        keep_names(s);
        detach(s);
        T(s)->state = SOCK_TCP_CLOSED;
    }
}

static void free_rx(struct sock *s)
{
    struct pbuf *p = T(s)->rx_head;
    while (p != NULL) {
        struct pbuf *next = p->next;
        p->next = NULL;
        pbuf_free(p);
        p = next;
    }
    T(s)->rx_head = T(s)->rx_tail = NULL;
    T(s)->rx_off = 0;
    T(s)->rx_len = 0;
}

/* lwIP 2.1.3's tcp_output sends an ACK it owes alone only when it has no
 * data to send or the data does not fit the window (core/tcp_out.c): data
 * that Nagle holds back (small, behind unacknowledged data) holds the ACK
 * too, and tcp_fasttmr then drops a delayed one (core/tcp.c). Two ends
 * that both have such data would wait for each other until a
 * retransmission timeout (seconds). So wherever the socket leaves data to
 * Nagle while an ACK is owed (data arrived, the window opened, a small
 * write), the ACK goes out alone, as it would from an idle connection. */
static void ack_if_held(struct tcp_pcb *pcb)
{
    if ((pcb->flags & (TF_ACK_DELAY | TF_ACK_NOW)) && pcb->unsent != NULL &&
        !tcp_do_output_nagle(pcb))
        tcp_send_empty_ack(pcb);
}

/* ---- lwIP's callbacks: they only record ---- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *s = arg;
    (void)err; /* always ERR_OK in lwIP 2.1.3 (tcp_in.c, TCP_EVENT_RECV) */
    ack_if_held(pcb);
    if (p == NULL) {
        T(s)->rx_fin = true;
        finish_if_done(s);
    } else {
        /* lwIP 2.1.3 acknowledges every segment that falls outside a zero
         * receive window, pure ACKs included (tcp_in.c tcp_receive): two
         * lwIP ends with full windows, as a client and a server in one app
         * that both stopped reading, would trade ACKs for ever inside one
         * netif_poll. One byte of window credited ahead keeps the window
         * open inside lwIP (the one announced, scaled, is still 0); take()
         * counts it off what the application then reads. */
        if (pcb->rcv_wnd == 0 && T(s)->rx_credit == 0) {
            tcp_recved(pcb, 1);
            T(s)->rx_credit = 1;
        }
        T(s)->rx_len += p->tot_len;
        if (T(s)->rx_tail != NULL)
            T(s)->rx_tail->next = p;
        else
            T(s)->rx_head = p;
        while (p->next != NULL) /* each pbuf of the chain stands alone from here */
            p = p->next;
        T(s)->rx_tail = p;
    }
    sock_changed(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct sock *s = arg;
    (void)pcb;
    (void)len;
    T(s)->acked++;
    sock_changed(s);
    return ERR_OK;
}

/* The pcb is gone (lwIP 2.1.3, tcp.h: tcp_err_fn). */
static void on_err(void *arg, err_t err)
{
    struct sock *s = arg;
    struct sock_tcp *t = T(s);
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
    T(s)->state = SOCK_TCP_CONNECTED;
    T(s)->was_connected = true;
    keep_names(s);
    sock_changed(s);
    return ERR_OK;
}

static void attach(struct sock *s, struct tcp_pcb *pcb)
{
    T(s)->pcb = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

static void apply_options(struct sock *s)
{
    struct tcp_pcb *pcb = T(s)->pcb;
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
    if (T(l)->queue_tail != NULL)
        T(T(l)->queue_tail)->queue_next = c;
    else
        T(l)->queue_head = c;
    T(l)->queue_tail = c;
    T(l)->queued++;
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
    return T(s)->state != SOCK_TCP_NEW || (T(s)->pcb != NULL && T(s)->pcb->local_port != 0);
}

static long tcp_bind_call(struct sock *s, const ip_addr_t *addr, uint16_t port)
{
    if (T(s)->state != SOCK_TCP_NEW || T(s)->pcb == NULL || T(s)->pcb->local_port != 0)
        return -LINUX_EINVAL; /* bound already (inet_bind) */
    if (!sock_addr_is_local(addr))
        return -LINUX_EADDRNOTAVAIL;
    /* IPV6_V6ONLY: the unspecified address then means IPv6 only. */
    err_t e = tcp_bind(T(s)->pcb, addr, port);
    if (e == ERR_BUF)
        return -LINUX_EADDRINUSE; /* no free port */
    if (e != ERR_OK)
        return -sock_errno(e);
    T(s)->local_ip = T(s)->pcb->local_ip;
    T(s)->local_port = T(s)->pcb->local_port;
    return 0;
}

static long tcp_listen_call(struct sock *s, int backlog)
{
    struct sock_tcp *t = T(s);
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
    return T(s)->queue_head != NULL || T(s)->state != SOCK_TCP_LISTEN;
}

static long tcp_accept_call(struct sock *s, struct sock **child)
{
    struct sock_tcp *t = T(s);
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
    t->queue_head = T(c)->queue_next;
    if (t->queue_head == NULL)
        t->queue_tail = NULL;
    t->queued--;
    T(c)->queue_next = NULL;
    if (T(c)->pcb != NULL)
        tcp_backlog_accepted(T(c)->pcb);
    *child = c;
    return 0;
}

/* The connection goes back to the head of its listener's queue (accept
 * found no descriptor for it, or could not write its address). */
static void tcp_requeue(struct sock *s, struct sock *c)
{
    T(c)->queue_next = T(s)->queue_head;
    T(s)->queue_head = c;
    if (T(s)->queue_tail == NULL)
        T(s)->queue_tail = c;
    T(s)->queued++;
    if (T(c)->pcb != NULL)
        tcp_backlog_delayed(T(c)->pcb);
}

static bool connect_done(struct sock *s)
{
    return T(s)->state != SOCK_TCP_CONNECTING;
}

/* The outcome of a connect, once it is known (the second connect after
 * EINPROGRESS reports it too: net/ipv4/af_inet.c __inet_stream_connect). */
static long connect_outcome(struct sock *s)
{
    T(s)->connect_pending = false;
    if (T(s)->state == SOCK_TCP_CONNECTED)
        return 0;
    int e = sock_take_error(s);
    return -(e != 0 ? e : LINUX_ECONNABORTED);
}

static long tcp_connect_call(struct sock *s, const ip_addr_t *addr, uint16_t port)
{
    struct sock_tcp *t = T(s);
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
        if (!IP_IS_V4(addr) && s->domain == LINUX_AF_INET)
            return -LINUX_EAFNOSUPPORT;
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
    if (!sock_wait(s, connect_done, sock_deadline(s->opt.sndtimeo_ns))) {
        t->connect_pending = true; /* SO_SNDTIMEO passed: it goes on */
        return -LINUX_EINPROGRESS;
    }
    return connect_outcome(s);
}

/* ---- receiving ---- */

static bool readable(struct sock *s)
{
    struct sock_tcp *t = T(s);
    return t->rx_len != 0 || t->rx_fin || t->rd_shut || s->error != 0 ||
           t->state == SOCK_TCP_CLOSED;
}

/* Copies queued bytes to the application, consuming them (and opening the
 * window by as much) unless peek. */
static size_t take(struct sock *s, struct sock_iter *it, bool peek)
{
    struct sock_tcp *t = T(s);
    size_t moved = 0;
    struct pbuf *p = t->rx_head;
    uint16_t off = t->rx_off;
    while (p != NULL && it->left != 0) {
        size_t n = sock_iter_to_app(it, (const uint8_t *)p->payload + off, p->len - off);
        if (n == 0)
            break; /* the application's buffers ended (or went away) */
        moved += n;
        off = (uint16_t)(off + n);
        if (off < p->len)
            break;
        p = p->next;
        off = 0;
    }
    if (peek || moved == 0)
        return moved;
    while (t->rx_head != p) {
        struct pbuf *done = t->rx_head;
        t->rx_head = done->next;
        done->next = NULL;
        pbuf_free(done);
    }
    if (t->rx_head == NULL)
        t->rx_tail = NULL;
    t->rx_off = off;
    t->rx_len -= moved;
    if (t->pcb != NULL) {
        size_t credit = t->rx_credit < moved ? t->rx_credit : moved;
        t->rx_credit -= credit;
        for (size_t left = moved - credit; left != 0;) {
            u16_t n = left > 0xffff ? 0xffff : (u16_t)left;
            tcp_recved(t->pcb, n);
            left -= n;
        }
        ack_if_held(t->pcb);
        sock_lwip_done();
    }
    return moved;
}

static long tcp_recv_call(struct sock *s, struct sock_msg *m)
{
    struct sock_tcp *t = T(s);
    if (m->flags & LINUX_MSG_OOB)
        return -LINUX_EOPNOTSUPP; /* no urgent data here */
    if (t->state == SOCK_TCP_NEW || t->state == SOCK_TCP_LISTEN)
        return -LINUX_ENOTCONN;
    bool peek = m->flags & LINUX_MSG_PEEK;
    bool waitall = (m->flags & LINUX_MSG_WAITALL) && !peek;
    bool nonblocking = sock_nonblocking(s, m->flags);
    uint64_t deadline = sock_deadline(s->opt.rcvtimeo_ns);
    size_t copied = 0;
    if (m->data->left == 0)
        return 0;
    for (;;) {
        copied += take(s, m->data, peek);
        if (m->data->left == 0 || (copied != 0 && !waitall))
            return (long)copied;
        if (copied == 0 && s->error != 0)
            return -sock_take_error(s);
        if (t->rx_fin || t->rd_shut || t->state == SOCK_TCP_CLOSED) {
            if (copied == 0 && !t->was_connected)
                return -LINUX_ENOTCONN; /* a connect that failed */
            return (long)copied;
        }
        if (nonblocking)
            return copied ? (long)copied : -LINUX_EAGAIN;
        if (!sock_wait(s, readable, deadline))
            return copied ? (long)copied : -LINUX_EAGAIN;
    }
}

/* ---- sending ---- */

/* Room lwIP's send buffer has, in bytes and segments (tcp_write refuses a
 * write that would queue more than TCP_SND_QUEUELEN pbufs). */
static size_t room(const struct tcp_pcb *pcb)
{
    if (pcb->snd_queuelen >= TCP_SND_QUEUELEN - 1)
        return 0;
    return pcb->snd_buf;
}

/* POLLOUT: a good part of the send buffer is free (lwIP's own select
 * thresholds, TCP_SNDLOWAT and TCP_SNDQUEUELOWAT), so a writer that polls
 * is not woken for every acknowledged segment. */
static bool writable(const struct tcp_pcb *pcb)
{
    return pcb->snd_buf > TCP_SNDLOWAT && pcb->snd_queuelen < TCP_SNDQUEUELOWAT;
}

/* A send waiting for room: an acknowledgement (lwIP's sent callback)
 * since it began, or the end of the connection. */
static bool acked_since(struct sock *s)
{
    struct sock_tcp *t = T(s);
    return t->acked != t->acked_seen || t->pcb == NULL || s->error != 0 ||
           t->state != SOCK_TCP_CONNECTED || t->wr_shut;
}

/* What a send says when it cannot go on (net/core/stream.c
 * sk_stream_error: a pending error first, then EPIPE). */
static long send_error(struct sock *s)
{
    int e = sock_take_error(s);
    return -(e != 0 ? e : LINUX_EPIPE);
}

static long tcp_send_call(struct sock *s, struct sock_msg *m)
{
    struct sock_tcp *t = T(s);
    if (m->flags & LINUX_MSG_OOB)
        return -LINUX_EOPNOTSUPP;
    bool nonblocking = sock_nonblocking(s, m->flags);
    uint64_t deadline = sock_deadline(s->opt.sndtimeo_ns);
    if (t->state == SOCK_TCP_CONNECTING) { /* tcp_sendmsg waits for the connection */
        if (nonblocking)
            return -LINUX_EAGAIN;
        if (!sock_wait(s, connect_done, deadline))
            return -LINUX_EAGAIN;
    }
    if (s->error != 0 || t->state != SOCK_TCP_CONNECTED || t->wr_shut || t->pcb == NULL)
        return send_error(s);
    size_t sent = 0;
    for (;;) {
        uint8_t *p;
        size_t piece = sock_iter_piece(m->data, &p);
        if (piece == 0)
            break;
        size_t n = room(t->pcb);
        if (n > piece)
            n = piece;
        if (n > 0xffff)
            n = 0xffff;
        err_t e = ERR_MEM;
        if (n != 0) {
            bool more = n < m->data->left || (m->flags & LINUX_MSG_MORE);
            e = tcp_write(t->pcb, p, (u16_t)n,
                          TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
        }
        if (e == ERR_OK) {
            sock_iter_advance(m->data, n);
            sent += n;
            continue;
        }
        if (e != ERR_MEM) {
            tcp_output(t->pcb);
            sock_lwip_done();
            return sent ? (long)sent : -sock_errno(e);
        }
        /* Full: push what is queued, then wait for an acknowledgement. */
        tcp_output(t->pcb);
        ack_if_held(t->pcb);
        sock_lwip_done();
        if (t->pcb->unsent == NULL && t->pcb->unacked == NULL)
            return sent ? (long)sent : -LINUX_ENOMEM; /* nothing will free room */
        if (nonblocking)
            return sent ? (long)sent : -LINUX_EAGAIN;
        t->acked_seen = t->acked;
        if (!sock_wait(s, acked_since, deadline))
            return sent ? (long)sent : -LINUX_EAGAIN;
        if (t->pcb == NULL || s->error != 0 || t->wr_shut || t->state != SOCK_TCP_CONNECTED)
            return sent ? (long)sent : send_error(s);
    }
    if (!(m->flags & LINUX_MSG_MORE))
        tcp_output(t->pcb);
    ack_if_held(t->pcb);
    sock_lwip_done();
    return (long)sent;
}

/* ---- shutdown, names, readiness ---- */

/* Stops listening: queued connections are reset, as Linux resets the
 * connections a closed listener never accepted (inet_csk_listen_stop). */
static void stop_listening(struct sock *s)
{
    struct sock_tcp *t = T(s);
    for (struct sock *c = t->queue_head, *next; c != NULL; c = next) {
        next = T(c)->queue_next;
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
    struct sock_tcp *t = T(s);
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
    struct sock_tcp *t = T(s);
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
    struct sock_tcp *t = T(s);
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
    if (t->wr_shut || t->pcb == NULL || writable(t->pcb))
        ev |= LINUX_POLLOUT | LINUX_POLLWRNORM;
    return ev;
}

static long tcp_nread(struct sock *s)
{
    if (T(s)->state == SOCK_TCP_LISTEN)
        return -LINUX_EINVAL; /* tcp_ioctl */
    return (long)T(s)->rx_len;
}

/* The last descriptor is gone. Data the application never read makes it
 * a reset, as on Linux (tcp_close: "data was lost"); so does SO_LINGER
 * with a zero time. Otherwise the FIN follows what is queued and lwIP
 * finishes the close alone (FIN_WAIT, TIME_WAIT). SO_LINGER with a time
 * waits that long for the queue to drain first. */
static bool drained(struct sock *s)
{
    struct tcp_pcb *pcb = T(s)->pcb;
    return pcb == NULL || (pcb->unsent == NULL && pcb->unacked == NULL);
}

static void tcp_close_call(struct sock *s)
{
    struct sock_tcp *t = T(s);
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
    .send = tcp_send_call,
    .recv = tcp_recv_call,
    .shutdown = tcp_shutdown_call,
    .name = tcp_name,
    .bound = tcp_bound,
    .poll = tcp_poll_call,
    .nread = tcp_nread,
    .apply_options = apply_options,
    .close = tcp_close_call,
};
