/* What sock_tcp.c (the connection's life) and sock_tcp_io.c (its data)
 * share; nothing else includes this. */
#ifndef NET_SOCKET_SOCK_TCP_H
#define NET_SOCKET_SOCK_TCP_H

#include <stdbool.h>

#include "net/socket/sock.h"

struct tcp_pcb;

static inline struct sock_tcp *tcp_of(struct sock *s)
{
    return &s->u.tcp;
}

/* The connect is over, one way or the other. */
bool sock_tcp_connect_done(struct sock *s);
/* POLLOUT: a good part of the send buffer is free. */
bool sock_tcp_writable(const struct tcp_pcb *pcb);
/* Sends an ACK lwIP owes and holds back behind data Nagle delays. */
void sock_tcp_ack_if_held(struct tcp_pcb *pcb);
/* sock_proto.recv and .send. */
long sock_tcp_recv(struct sock *s, struct sock_msg *m);
long sock_tcp_send(struct sock *s, struct sock_msg *m);

#endif
