/* SOCK_STREAM's data (net/socket/sock.h, sock_tcp.c): receiving and
 * sending.
 *
 * Received data waits in the socket as lwIP handed it over and the window
 * opens (tcp_recved) only as the application reads, so a slow reader
 * throttles its peer and the queue never outgrows lwIP's TCP_WND. A send
 * copies into lwIP (TCP_WRITE_FLAG_COPY) as far as its send buffer goes
 * and pushes once per call (tcp_output), or before it waits for room. */
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "net/socket/sock.h"
#include "net/socket/sock_iter.h"
#include "net/socket/sock_tcp.h"
#include "sys/linux_abi.h"

/* lwIP 2.1.3's tcp_output sends an ACK it owes alone only when it has no
 * data to send or the data does not fit the window (core/tcp_out.c): data
 * that Nagle holds back (small, behind unacknowledged data) holds the ACK
 * too, and tcp_fasttmr then drops a delayed one (core/tcp.c). Two ends
 * that both have such data would wait for each other until a
 * retransmission timeout (seconds). So wherever the socket leaves data to
 * Nagle while an ACK is owed (data arrived, the window opened, a small
 * write), the ACK goes out alone, as it would from an idle connection. */
void sock_tcp_ack_if_held(struct tcp_pcb *pcb)
{
    if ((pcb->flags & (TF_ACK_DELAY | TF_ACK_NOW)) && pcb->unsent != NULL &&
        !tcp_do_output_nagle(pcb))
        tcp_send_empty_ack(pcb);
}

/* ---- receiving ---- */

static bool readable(struct sock *s)
{
    struct sock_tcp *t = tcp_of(s);
    return t->rx_len != 0 || t->rx_fin || t->rd_shut || s->error != 0 ||
           t->state == SOCK_TCP_CLOSED;
}

/* Copies queued bytes to the application, consuming them (and opening the
 * window by as much) unless peek. */
static size_t take(struct sock *s, struct sock_iter *it, bool peek)
{
    struct sock_tcp *t = tcp_of(s);
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
        sock_tcp_ack_if_held(t->pcb);
        sock_lwip_done();
    }
    return moved;
}

long sock_tcp_recv(struct sock *s, struct sock_msg *m)
{
    struct sock_tcp *t = tcp_of(s);
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
bool sock_tcp_writable(const struct tcp_pcb *pcb)
{
    return pcb->snd_buf > TCP_SNDLOWAT && pcb->snd_queuelen < TCP_SNDQUEUELOWAT;
}

/* A send waiting for room: an acknowledgement (lwIP's sent callback)
 * since it began, or the end of the connection. */
static bool acked_since(struct sock *s)
{
    struct sock_tcp *t = tcp_of(s);
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

long sock_tcp_send(struct sock *s, struct sock_msg *m)
{
    struct sock_tcp *t = tcp_of(s);
    if (m->flags & LINUX_MSG_OOB)
        return -LINUX_EOPNOTSUPP;
    bool nonblocking = sock_nonblocking(s, m->flags);
    uint64_t deadline = sock_deadline(s->opt.sndtimeo_ns);
    if (t->state == SOCK_TCP_CONNECTING) { /* tcp_sendmsg waits for the connection */
        if (nonblocking)
            return -LINUX_EAGAIN;
        if (!sock_wait(s, sock_tcp_connect_done, deadline))
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
        sock_tcp_ack_if_held(t->pcb);
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
    sock_tcp_ack_if_held(t->pcb);
    sock_lwip_done();
    return (long)sent;
}
