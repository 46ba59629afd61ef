/* Sockets (docs/architecture.md, "Sockets"): the file kind behind socket(2)'s
 * descriptors, on lwIP's raw API in the kernel's one event loop. Inside
 * net/socket/ only:
 *
 *   sock_file.c   the file kind (read, write, poll, close ...), allocation,
 *                 the live count, waiting
 *   sock_calls.c  the system calls that take a socket (socket, bind, ...)
 *   sock_opts.c   setsockopt and getsockopt
 *   sock_tcp.c    SOCK_STREAM on lwIP's TCP: the connection's life
 *   sock_tcp_io.c SOCK_STREAM's data
 *   sock_udp.c    SOCK_DGRAM on lwIP's UDP
 *   sock_addr.c   struct sockaddr_in/_in6 to and from lwIP's addresses
 *   sock_iter.c   walking the application's buffers (one, or an iovec)
 *   sock_errno.c  lwIP's err_t as Linux's errno
 *
 * lwIP's callbacks (data, acknowledgements, errors, new connections) run
 * from the event loop, or inside lwIP calls the socket code makes; they
 * only change a socket's state (queue, flags, pending error) and call
 * sock_changed. The calls read that state and, when they must block, wait
 * for it with wait_until (sock_wait). */
#ifndef NET_SOCKET_SOCK_H
#define NET_SOCKET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/ip_addr.h"
#include "sys/fd.h"

struct sock;
struct sock_iter;
struct pbuf;
struct tcp_pcb;
struct udp_pcb;

/* One send or receive: the application's bytes, MSG_* flags, and an
 * address (the destination given to sendto, or the source recvfrom
 * returns). */
struct sock_msg {
    struct sock_iter *data;
    uint32_t flags; /* MSG_* as the call gave them */
    bool has_addr;  /* send: addr/port name the destination; recv: set when filled */
    ip_addr_t addr;
    uint16_t port;      /* host order */
    uint32_t out_flags; /* recvmsg's msg_flags: MSG_TRUNC */
};

/* What SOCK_STREAM and SOCK_DGRAM do differently. Each returns >= 0 or
 * -errno; a NULL entry is EOPNOTSUPP. */
struct sock_proto {
    /* The lwIP side of socket(2): -ENOMEM when it cannot be had. */
    long (*open)(struct sock *s);
    long (*bind)(struct sock *s, const ip_addr_t *addr, uint16_t port);
    long (*listen)(struct sock *s, int backlog);
    /* Takes the oldest completed connection off the queue (waiting for one
     * unless non-blocking); requeue puts it back in front. */
    long (*accept)(struct sock *s, struct sock **child);
    void (*requeue)(struct sock *s, struct sock *child);
    long (*connect)(struct sock *s, const ip_addr_t *addr, uint16_t port);
    long (*disconnect)(struct sock *s); /* connect with AF_UNSPEC */
    long (*send)(struct sock *s, struct sock_msg *m);
    long (*recv)(struct sock *s, struct sock_msg *m);
    long (*shutdown)(struct sock *s, int how);
    /* The local or the peer's address: -ENOTCONN when there is no peer. */
    long (*name)(struct sock *s, bool peer, ip_addr_t *addr, uint16_t *port);
    /* True once bound, listening or connected (IPV6_V6ONLY is fixed then). */
    bool (*bound)(struct sock *s);
    unsigned (*poll)(struct sock *s);
    long (*nread)(struct sock *s); /* FIONREAD */
    /* s->opt changed: apply what lwIP keeps in its control block. */
    void (*apply_options)(struct sock *s);
    /* The last descriptor is gone: let lwIP go on alone (or abort), free
     * what the socket holds; sock_file.c then frees s. */
    void (*close)(struct sock *s);
};

/* The options (sock_opts.c), as getsockopt reports them. */
#define SOCK_TIMEO_NONE UINT64_MAX /* SO_RCVTIMEO/SO_SNDTIMEO {0, 0}: wait for ever */
struct sock_opts {
    bool reuseaddr, keepalive, broadcast, nodelay, v6only, linger_on;
    int32_t linger_s;
    uint32_t rcvbuf, sndbuf;           /* bytes */
    uint64_t rcvtimeo_ns, sndtimeo_ns; /* SOCK_TIMEO_NONE, or how long a call waits */
    uint32_t keepidle_s, keepintvl_s, keepcnt;
};

/* SOCK_STREAM's state (sock_tcp.c). */
enum sock_tcp_state {
    SOCK_TCP_NEW,        /* socket(), perhaps bound */
    SOCK_TCP_LISTEN,     /* pcb is a listening pcb */
    SOCK_TCP_CONNECTING, /* SYN sent */
    SOCK_TCP_CONNECTED,  /* established, perhaps half closed */
    SOCK_TCP_CLOSED,     /* lwIP let go: failed, reset, or closed both ways */
};
struct sock_tcp {
    struct tcp_pcb *pcb; /* NULL once lwIP has let go of it (or it of us) */
    enum sock_tcp_state state;
    bool was_connected;   /* reached CONNECTED once (a read at the end is 0, not ENOTCONN) */
    bool connect_pending; /* a non-blocking connect whose outcome no connect reported yet */
    bool rx_fin;          /* the peer's FIN arrived */
    bool rd_shut, wr_shut;
    /* Received bytes not yet read: a list of pbufs linked through next, each
     * one standing alone (not a chain: 16-bit tot_len cannot count 256 KiB). */
    struct pbuf *rx_head, *rx_tail;
    uint16_t rx_off; /* bytes of rx_head already read */
    size_t rx_len;
    size_t rx_credit;         /* window opened ahead of the reads (sock_tcp.c on_recv) */
    unsigned long acked;      /* counts lwIP's sent callbacks: a full send buffer waits for one */
    unsigned long acked_seen; /* acked when the send began to wait */
    /* Listening: connections lwIP completed, not yet accepted. */
    struct sock *queue_head, *queue_tail;
    unsigned queued;
    struct sock *queue_next; /* a connection's link in its listener's queue */
    /* The addresses, kept for getsockname and getpeername once the pcb is gone. */
    ip_addr_t local_ip, remote_ip;
    uint16_t local_port, remote_port;
};

/* SOCK_DGRAM's state (sock_udp.c). */
struct sock_dgram;
struct sock_udp {
    struct udp_pcb *pcb;
    bool connected;
    bool rd_shut, wr_shut;
    struct sock_dgram *head, *tail; /* received datagrams, oldest first */
    size_t queued;                  /* bytes charged against SO_RCVBUF */
    unsigned long drops;            /* datagrams refused: SO_RCVBUF full, or no memory */
};

struct sock {
    struct sys_file file; /* first: the descriptor table holds &s->file */
    const struct sock_proto *proto;
    uint16_t domain;   /* LINUX_AF_INET or LINUX_AF_INET6 */
    uint16_t type;     /* LINUX_SOCK_STREAM or LINUX_SOCK_DGRAM */
    uint16_t protocol; /* LINUX_IPPROTO_TCP or LINUX_IPPROTO_UDP */
    int error;         /* the pending error SO_ERROR reports (an errno), or 0 */
    struct sock_opts opt;
    union {
        struct sock_tcp tcp;
        struct sock_udp udp;
    } u;
};

extern const struct sock_proto sock_tcp_proto, sock_udp_proto;

/* sock_file.c */
/* A socket of the given kind with default options, not yet on a
 * descriptor (refs 0), or NULL when memory is short. proto->open has not
 * run. */
struct sock *sock_alloc(uint16_t domain, uint16_t type, uint16_t protocol);
/* Frees s (its proto->close has run, or proto->open never did). */
void sock_free(struct sock *s);
/* s on the lowest free descriptor: the descriptor or -EMFILE. */
long sock_install(struct sock *s, bool cloexec);
/* The socket on descriptor fd, held until sock_put (so a close from a
 * callback while the call waits frees nothing under it); -EBADF when fd is
 * not open, -ENOTSOCK when it is not a socket. */
long sock_get(unsigned fd, struct sock **out);
void sock_put(struct sock *s);
/* The readiness of s may have changed (data, space, a connection, the
 * peer's close, an error): the one place poll and epoll hear of it. */
void sock_changed(struct sock *s);
/* Whether a call on s returns -EAGAIN rather than wait: O_NONBLOCK on the
 * file, or MSG_DONTWAIT in the call's flags. */
bool sock_nonblocking(const struct sock *s, uint32_t msg_flags);
/* The deadline a call that starts now waits until: SO_RCVTIMEO or
 * SO_SNDTIMEO (timeo_ns), or for ever. */
uint64_t sock_deadline(uint64_t timeo_ns);
/* Waits (wait_until, running the event loop: frames, timers, lwIP) until
 * cond(s) or the deadline; true when cond held. */
bool sock_wait(struct sock *s, bool (*cond)(struct sock *s), uint64_t deadline_ns);
/* Takes and clears the pending error (0 when none). */
int sock_take_error(struct sock *s);
/* Sockets allocated and not yet freed, for tests and leak checks. */
unsigned long sock_live_count(void);
/* After lwIP calls that may send or add a timeout (net/stack/timers.h). */
void sock_lwip_done(void);

/* sock_errno.c: lwIP's err_t as a positive Linux errno (ERR_OK is 0). */
int sock_errno(int8_t err);

#endif
