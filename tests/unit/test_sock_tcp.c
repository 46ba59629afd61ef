/* net/socket/'s SOCK_STREAM through __anyvm_syscall, a client and a server
 * in one process over lwIP's loopback interface (tests/unit/host_sock.h):
 * connections, bulk data both ways, end of file, resets, refusals, the
 * backlog, blocking and non-blocking calls, timeouts, readiness, IPv6 and
 * dual-stack, and lwIP left with no control block at the end of each. */
#include "core/time.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "net/socket/sock.h"
#include "net/stack/drain.h"
#include "sys/fd.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define MIB (1u << 20)

static uint8_t pattern(uint32_t i, uint8_t seed)
{
    return (uint8_t)(i * 7u + (i >> 9) + seed);
}

static void set_nonblocking(int fd)
{
    long fl = SC(LINUX_NR_fcntl, fd, LINUX_F_GETFL);
    SC(LINUX_NR_fcntl, fd, LINUX_F_SETFL, fl | LINUX_O_NONBLOCK);
}

static struct sock *sock_of(int fd)
{
    return (struct sock *)sys_fd_file((unsigned)fd);
}

/* ---- an application callback that acts while a blocking call waits:
 * a timer of the kernel's (core/time.h), which runs from the event loop
 * inside the call's wait_until ---- */

static struct {
    struct timer timer;
    int fd;
    enum { ACT_READ, ACT_WRITE, ACT_CONNECT, ACT_CLOSE } what;
    size_t bytes; /* read or written so far */
    size_t limit; /* stop after */
    unsigned every_ms;
    uint8_t seed;
    bool bad; /* a byte read did not match the pattern */
    uint16_t port;
    int made_fd;
} act;

static void act_fire(struct timer *t)
{
    (void)t;
    uint8_t buf[8192];
    if (act.what == ACT_READ) {
        long n = SC(LINUX_NR_recvfrom, act.fd, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0);
        for (long i = 0; i < n; i++)
            if (buf[i] != pattern((uint32_t)(act.bytes + (size_t)i), act.seed))
                act.bad = true;
        if (n > 0)
            act.bytes += (size_t)n;
    } else if (act.what == ACT_WRITE) {
        size_t n = act.limit - act.bytes < sizeof buf ? act.limit - act.bytes : sizeof buf;
        if (n > 1000)
            n = 1000; /* in small pieces */
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern((uint32_t)(act.bytes + i), act.seed);
        long w = SC(LINUX_NR_sendto, act.fd, buf, n, LINUX_MSG_DONTWAIT, 0, 0);
        if (w > 0)
            act.bytes += (size_t)w;
    } else if (act.what == ACT_CONNECT) {
        act.made_fd = host_tcp_connect(LINUX_AF_INET, act.port, LINUX_SOCK_NONBLOCK);
        return;
    } else {
        SC(LINUX_NR_close, act.fd);
        return;
    }
    if (act.bytes < act.limit)
        timer_arm(&act.timer, time_now_ns() + act.every_ms * 1000000ull);
}

static void act_start(int fd, int what, size_t limit, unsigned every_ms, uint8_t seed)
{
    timer_cancel(&act.timer);
    act.timer.fn = act_fire;
    act.fd = fd;
    act.what = what;
    act.bytes = 0;
    act.limit = limit;
    act.every_ms = every_ms;
    act.seed = seed;
    act.bad = false;
    act.made_fd = -1;
    timer_arm(&act.timer, time_now_ns() + every_ms * 1000000ull);
}

/* ---- the tests ---- */

TEST(connect_accept_and_echo_over_ipv4_loopback)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    CHECK_EQ(SC(LINUX_NR_write, c, "hello", 5), 5);
    char buf[16];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(SC(LINUX_NR_write, s, "world!", 6), 6);
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), 6);
    CHECK(memcmp(buf, "world!", 6) == 0);
    /* The names each side sees are the other's. */
    struct linux_sockaddr_in cl, cp, sl, sp;
    int32_t len = sizeof cl;
    CHECK_EQ(SC(LINUX_NR_getsockname, c, &cl, &len), 0);
    CHECK_EQ(len, 16);
    CHECK_EQ(SC(LINUX_NR_getpeername, c, &cp, &len), 0);
    CHECK_EQ(SC(LINUX_NR_getsockname, s, &sl, &len), 0);
    CHECK_EQ(SC(LINUX_NR_getpeername, s, &sp, &len), 0);
    CHECK(memcmp(&cl, &sp, sizeof cl) == 0);
    CHECK(memcmp(&cp, &sl, sizeof cp) == 0);
    CHECK_EQ(cl.sin_family, LINUX_AF_INET);
    CHECK_EQ(cl.sin_addr, 0x0100007fu); /* 127.0.0.1 in network order */
    CHECK(cl.sin_port != 0);
    CHECK_EQ(SC(LINUX_NR_close, c), 0);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_close, s), 0);
    CHECK(host_sock_quiet());
}

/* Both sides non-blocking, each sending 1 MiB while reading the other's:
 * every byte arrives, in order, and the event loop is the only thing that
 * moves them. */
TEST(one_mebibyte_each_way)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    set_nonblocking(c);
    set_nonblocking(s);
    static uint8_t out[2][MIB], in[2][MIB];
    for (uint32_t i = 0; i < MIB; i++) {
        out[0][i] = pattern(i, 1);
        out[1][i] = pattern(i, 2);
    }
    int fds[2] = {c, s};
    size_t sent[2] = {0, 0}, got[2] = {0, 0};
    unsigned idle_rounds = 0;
    while ((got[0] < MIB || got[1] < MIB) && idle_rounds < 1000) {
        bool moved = false;
        for (int k = 0; k < 2; k++) {
            if (sent[k] < MIB) {
                size_t n = MIB - sent[k] < 100000 ? MIB - sent[k] : 100000;
                long w = SC(LINUX_NR_write, fds[k], out[k] + sent[k], n);
                CHECK(w > 0 || w == -LINUX_EAGAIN);
                if (w > 0)
                    sent[k] += (size_t)w, moved = true;
            }
            long r = SC(LINUX_NR_read, fds[k], in[1 - k] + got[1 - k], MIB - got[1 - k]);
            CHECK(r > 0 || r == -LINUX_EAGAIN || (r == 0 && got[1 - k] == MIB));
            if (r > 0)
                got[1 - k] += (size_t)r, moved = true;
        }
        if (!moved) {
            idle_rounds++;
            host_sock_run_ms(1);
        }
    }
    CHECK_EQ(lwip_stats.link.drop, 0u); /* the loopback queue held every frame */
    CHECK_EQ(got[0], MIB);
    CHECK_EQ(got[1], MIB);
    CHECK(memcmp(in[0], out[0], MIB) == 0);
    CHECK(memcmp(in[1], out[1], MIB) == 0);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* A reader that does not read stops its peer: what can be written is the
 * receive window plus the sender's buffer, and reading opens the window
 * again (tcp_recved as the application consumes). */
TEST(the_window_opens_as_the_application_reads)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    set_nonblocking(c);
    static uint8_t buf[64 * 1024];
    size_t sent = 0;
    for (int round = 0; round < 50; round++) {
        long w;
        while ((w = SC(LINUX_NR_write, c, buf, sizeof buf)) > 0)
            sent += (size_t)w;
        CHECK_EQ(w, -LINUX_EAGAIN);
        host_sock_run_ms(10);
    }
    CHECK(sent >= TCP_WND);
    CHECK(sent <= TCP_WND + TCP_SND_BUF);
    /* The window is held, less what a segment would not fit in. */
    CHECK(sock_of(s)->u.tcp.rx_len <= (size_t)TCP_WND + 1);
    CHECK(sock_of(s)->u.tcp.rx_len > (size_t)TCP_WND - TCP_MSS);
    CHECK((host_poll(c) & LINUX_POLLOUT) == 0);
    /* Read half: the window opens, the sender's queue drains into it. */
    size_t taken = 0;
    while (taken < TCP_WND / 2) {
        long r = SC(LINUX_NR_read, s, buf, sizeof buf);
        CHECK(r > 0);
        taken += (size_t)r;
    }
    host_sock_run_ms(10);
    long w = SC(LINUX_NR_write, c, buf, sizeof buf);
    CHECK(w > 0);
    CHECK(sock_of(s)->u.tcp.rx_len > TCP_WND / 2);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* A blocking send larger than every buffer waits for acknowledgements
 * while a callback (a kernel timer) reads the other end in pieces. */
TEST(a_blocking_send_waits_for_room)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    static uint8_t big[MIB];
    for (uint32_t i = 0; i < MIB; i++)
        big[i] = pattern(i, 9);
    act_start(s, ACT_READ, MIB, 2, 9);
    CHECK_EQ(SC(LINUX_NR_write, c, big, MIB), MIB);
    while (act.bytes < MIB)
        host_sock_run_ms(10);
    CHECK(!act.bad);
    CHECK_EQ(act.bytes, MIB);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* MSG_WAITALL waits until the whole buffer is filled; without it a read
 * returns what there is. */
TEST(a_blocking_read_waits_and_msg_waitall_fills)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    static uint8_t buf[20000];
    act_start(c, ACT_WRITE, sizeof buf, 5, 3);
    long r = SC(LINUX_NR_read, s, buf, sizeof buf);
    CHECK(r > 0 && r <= 1000); /* the first piece */
    for (long i = 0; i < r; i++)
        CHECK_EQ(buf[i], pattern((uint32_t)i, 3));
    long more = SC(LINUX_NR_recvfrom, s, buf + r, sizeof buf - (size_t)r, LINUX_MSG_WAITALL, 0, 0);
    CHECK_EQ(more, (long)sizeof buf - r);
    for (uint32_t i = 0; i < sizeof buf; i++)
        CHECK_EQ(buf[i], pattern(i, 3));
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

TEST(msg_peek_leaves_the_data_and_msg_dontwait_does_not_wait)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    char buf[16];
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0), -LINUX_EAGAIN);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "abcdef", 6, 0, 0, 0), 6);
    host_sock_run_ms(1);
    int32_t n = -1;
    CHECK_EQ(SC(LINUX_NR_ioctl, s, LINUX_FIONREAD, &n), 0);
    CHECK_EQ(n, 6);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, 4, LINUX_MSG_PEEK, 0, 0), 4);
    CHECK(memcmp(buf, "abcd", 4) == 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, 2, 0, 0, 0), 2);
    CHECK(memcmp(buf, "ab", 2) == 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, sizeof buf, LINUX_MSG_PEEK, 0, 0), 4);
    CHECK(memcmp(buf, "cdef", 4) == 0);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 4);
    CHECK(memcmp(buf, "cdef", 4) == 0);
    CHECK_EQ(SC(LINUX_NR_ioctl, s, LINUX_FIONREAD, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0), -LINUX_EAGAIN);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, 1, LINUX_MSG_OOB, 0, 0), -LINUX_EOPNOTSUPP);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* The peer's FIN: what was sent before it is read first, then end of file
 * (0) for ever; the other direction still works (a half close). */
TEST(end_of_file_after_the_peers_fin)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    CHECK_EQ(SC(LINUX_NR_write, c, "last", 4), 4);
    CHECK_EQ(SC(LINUX_NR_shutdown, c, LINUX_SHUT_WR), 0);
    CHECK_EQ(SC(LINUX_NR_write, c, "x", 1), -LINUX_EPIPE);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "x", 1, LINUX_MSG_NOSIGNAL, 0, 0), -LINUX_EPIPE);
    char buf[16];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 4);
    CHECK_EQ(host_poll(s),
             LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP | LINUX_POLLOUT | LINUX_POLLWRNORM);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_write, s, "reply", 5), 5);
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), 5);
    CHECK_EQ(SC(LINUX_NR_shutdown, s, LINUX_SHUT_WR), 0);
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), 0);
    /* Closed both ways: hung up, and no peer any more (Linux: ENOTCONN). */
    CHECK(host_poll(s) & LINUX_POLLHUP);
    CHECK(host_poll(c) & LINUX_POLLHUP);
    struct linux_sockaddr_in a;
    int32_t len = sizeof a;
    CHECK_EQ(SC(LINUX_NR_getpeername, s, &a, &len), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_shutdown, s, LINUX_SHUT_WR), -LINUX_ENOTCONN);
    /* The one who closed first holds the TIME_WAIT, lwIP's alone. */
    host_sock_run_ms(10);
    CHECK(tcp_tw_pcbs != NULL);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
    CHECK(tcp_tw_pcbs == NULL);
}

/* SO_LINGER {1, 0} closes with a reset: the peer reads ECONNRESET once,
 * then end of file; writes are EPIPE; POLLERR until SO_ERROR is read. */
TEST(a_reset_is_econnreset_then_end_of_file)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    struct linux_linger l = {1, 0};
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, sizeof l), 0);
    CHECK_EQ(SC(LINUX_NR_close, c), 0);
    host_sock_run_ms(1);
    unsigned all = LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP | LINUX_POLLOUT |
                   LINUX_POLLWRNORM | LINUX_POLLHUP;
    CHECK_EQ(host_poll(s), all | LINUX_POLLERR);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), -LINUX_ECONNRESET);
    CHECK_EQ(host_poll(s), all);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_write, s, "x", 1), -LINUX_EPIPE);
    struct linux_sockaddr_in a;
    int32_t len = sizeof a;
    CHECK_EQ(SC(LINUX_NR_getpeername, s, &a, &len), -LINUX_ENOTCONN);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

TEST(a_reset_is_reported_to_a_writer_and_by_so_error)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET6, &c, &s));
    struct linux_linger l = {1, 0};
    CHECK_EQ(SC(LINUX_NR_setsockopt, s, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, sizeof l), 0);
    SC(LINUX_NR_close, s);
    host_sock_run_ms(1);
    int32_t err = 0, len = sizeof err;
    CHECK_EQ(SC(LINUX_NR_getsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_ERROR, &err, &len), 0);
    CHECK_EQ(err, LINUX_ECONNRESET);
    CHECK_EQ(SC(LINUX_NR_getsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_ERROR, &err, &len), 0);
    CHECK_EQ(err, 0);
    CHECK_EQ(SC(LINUX_NR_write, c, "x", 1), -LINUX_EPIPE);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

/* Closing with data the application never read resets the connection,
 * as Linux does; the peer's next read says so. */
TEST(closing_with_unread_data_sends_a_reset)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    CHECK_EQ(SC(LINUX_NR_write, c, "unread", 6), 6);
    host_sock_run_ms(1);
    CHECK_EQ(sock_of(s)->u.tcp.rx_len, 6u);
    SC(LINUX_NR_close, s);
    host_sock_run_ms(1);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), -LINUX_ECONNRESET);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

TEST(a_close_sends_what_was_queued_then_the_fin)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    set_nonblocking(c);
    static uint8_t big[200000];
    for (uint32_t i = 0; i < sizeof big; i++)
        big[i] = pattern(i, 5);
    CHECK_EQ(SC(LINUX_NR_write, c, big, sizeof big), (long)sizeof big);
    CHECK_EQ(SC(LINUX_NR_close, c), 0); /* before anything was acknowledged */
    static uint8_t in[sizeof big];
    size_t got = 0;
    long r;
    while ((r = SC(LINUX_NR_read, s, in + got, sizeof in - got)) > 0)
        got += (size_t)r;
    CHECK_EQ(r, 0);
    CHECK_EQ(got, sizeof big);
    CHECK(memcmp(in, big, sizeof big) == 0);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* SO_LINGER with a time: close waits until the peer acknowledged the
 * data (here the peer reads only later, from a callback). */
TEST(so_linger_with_a_time_waits_for_the_data_to_be_acknowledged)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    static uint8_t big[TCP_WND + 100000];
    for (uint32_t i = 0; i < sizeof big; i++)
        big[i] = pattern(i, 4);
    act_start(s, ACT_READ, sizeof big, 50, 4);
    set_nonblocking(c);
    size_t sent = 0;
    for (int round = 0; round < 20 && sent < sizeof big; round++) {
        long w;
        while ((w = SC(LINUX_NR_write, c, big + sent, sizeof big - sent)) > 0)
            sent += (size_t)w;
        host_sock_run_ms(1);
    }
    CHECK(sent > TCP_WND);
    struct linux_linger l = {1, 60};
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, sizeof l), 0);
    uint64_t before = time_now_ns();
    CHECK_EQ(SC(LINUX_NR_close, c), 0);
    CHECK(time_now_ns() - before >= 50000000ull); /* it waited for the reader */
    CHECK(act.bytes >= sent - TCP_WND);
    while (act.bytes < sent)
        host_sock_run_ms(50);
    CHECK(!act.bad);
    timer_cancel(&act.timer);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

TEST(shut_rd_reads_what_is_queued_then_end_of_file)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    CHECK_EQ(SC(LINUX_NR_write, c, "abc", 3), 3);
    host_sock_run_ms(1);
    CHECK_EQ(SC(LINUX_NR_shutdown, s, LINUX_SHUT_RD), 0);
    CHECK(host_poll(s) & LINUX_POLLRDHUP);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 3);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0); /* no wait: blocking, yet at its end */
    CHECK_EQ(SC(LINUX_NR_write, s, "ok", 2), 2);        /* the other direction is open */
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), 2);
    CHECK_EQ(SC(LINUX_NR_shutdown, s, 3), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_shutdown, s, -1), -LINUX_EINVAL);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

TEST(accept_without_a_connection_is_eagain_when_non_blocking)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    CHECK(l >= 0);
    CHECK_EQ(host_poll(l), 0u);
    set_nonblocking(l);
    CHECK_EQ(SC(LINUX_NR_accept, l, 0, 0), -LINUX_EAGAIN);
    CHECK_EQ(SC(LINUX_NR_accept4, l, 0, 0, LINUX_SOCK_NONBLOCK), -LINUX_EAGAIN);
    int c = host_tcp_connect(LINUX_AF_INET, port, 0);
    CHECK(c >= 0);
    CHECK_EQ(host_poll(l), LINUX_POLLIN | LINUX_POLLRDNORM);
    struct linux_sockaddr_in a;
    int32_t len = sizeof a;
    long s = SC(LINUX_NR_accept4, l, &a, &len, LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC);
    CHECK(s >= 0);
    CHECK_EQ(len, 16);
    CHECK_EQ(a.sin_addr, 0x0100007fu);
    CHECK(SC(LINUX_NR_fcntl, s, LINUX_F_GETFL) & LINUX_O_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_fcntl, s, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    CHECK_EQ(SC(LINUX_NR_fcntl, c, LINUX_F_GETFD), 0);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), -LINUX_EAGAIN);
    CHECK_EQ(host_poll(l), 0u);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* A blocking accept waits while a callback connects. */
TEST(a_blocking_accept_waits_for_a_connection)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    act_start(-1, ACT_CONNECT, 0, 30, 0);
    act.port = port;
    uint64_t before = time_now_ns();
    long s = SC(LINUX_NR_accept, l, 0, 0);
    CHECK(s >= 0);
    CHECK(time_now_ns() - before >= 30000000ull);
    CHECK(act.made_fd >= 0);
    SC(LINUX_NR_close, act.made_fd);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

TEST(connecting_to_a_closed_port_is_refused)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 1, &port);
    SC(LINUX_NR_close, l); /* a port nobody listens on */
    CHECK_EQ(host_tcp_connect(LINUX_AF_INET, port, 0), -LINUX_ECONNREFUSED);
    CHECK_EQ(host_tcp_connect(LINUX_AF_INET6, port, 0), -LINUX_ECONNREFUSED);
    /* Non-blocking: EINPROGRESS, then POLLERR with SO_ERROR. */
    int c = host_tcp_connect(LINUX_AF_INET, port, LINUX_SOCK_NONBLOCK);
    CHECK(c >= 0);
    CHECK_EQ(host_poll(c), 0u);
    struct linux_sockaddr_in a = host_sin("127.0.0.1", port);
    CHECK_EQ(SC(LINUX_NR_connect, c, &a, sizeof a), -LINUX_EALREADY);
    host_sock_run_ms(1);
    CHECK(host_poll(c) & LINUX_POLLERR);
    CHECK(host_poll(c) & LINUX_POLLHUP);
    int32_t err = 0, len = sizeof err;
    CHECK_EQ(SC(LINUX_NR_getsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_ERROR, &err, &len), 0);
    CHECK_EQ(err, LINUX_ECONNREFUSED);
    CHECK_EQ(SC(LINUX_NR_connect, c, &a, sizeof a), -LINUX_ECONNABORTED); /* as Linux */
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_write, c, "x", 1), -LINUX_EPIPE);
    /* The second connect reports the outcome when it was not read. */
    int d = host_tcp_connect(LINUX_AF_INET, port, LINUX_SOCK_NONBLOCK);
    host_sock_run_ms(1);
    CHECK_EQ(SC(LINUX_NR_connect, d, &a, sizeof a), -LINUX_ECONNREFUSED);
    SC(LINUX_NR_close, d);
    /* A socket whose connect failed may try again, and succeed. */
    l = host_tcp_listener(LINUX_AF_INET, 1, &port);
    a = host_sin("127.0.0.1", port);
    CHECK_EQ(SC(LINUX_NR_connect, c, &a, sizeof a), -LINUX_EINPROGRESS);
    host_sock_run_ms(1);
    CHECK(host_poll(c) & LINUX_POLLOUT);
    CHECK_EQ(SC(LINUX_NR_connect, c, &a, sizeof a), 0);
    CHECK_EQ(SC(LINUX_NR_connect, c, &a, sizeof a), -LINUX_EISCONN);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* listen(1) holds two connections (Linux's backlog + 1): a third SYN is
 * ignored until an accept makes room, and its retransmission gets in. */
TEST(the_backlog_is_real)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 1, &port);
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = host_tcp_connect(LINUX_AF_INET, port, LINUX_SOCK_NONBLOCK);
    host_sock_run_ms(100);
    CHECK(host_poll(c[0]) & LINUX_POLLOUT);
    CHECK(host_poll(c[1]) & LINUX_POLLOUT);
    CHECK_EQ(host_poll(c[2]), 0u); /* still connecting: not refused */
    CHECK_EQ(sock_of(l)->u.tcp.queued, 2u);
    long s0 = SC(LINUX_NR_accept, l, 0, 0);
    CHECK(s0 >= 0);
    for (int i = 0; i < 100 && host_poll(c[2]) == 0; i++)
        host_sock_run_ms(100); /* lwIP retransmits the SYN after its RTO */
    CHECK(host_poll(c[2]) & LINUX_POLLOUT);
    CHECK_EQ(sock_of(l)->u.tcp.queued, 2u);
    long s1 = SC(LINUX_NR_accept, l, 0, 0), s2 = SC(LINUX_NR_accept, l, 0, 0);
    CHECK(s1 >= 0 && s2 >= 0);
    for (int i = 0; i < 3; i++)
        SC(LINUX_NR_close, c[i]);
    SC(LINUX_NR_close, s0);
    SC(LINUX_NR_close, s1);
    SC(LINUX_NR_close, s2);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* A listener closed with connections it never accepted resets them. */
TEST(closing_a_listener_resets_its_queue)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    int c = host_tcp_connect(LINUX_AF_INET, port, 0);
    CHECK_EQ(SC(LINUX_NR_write, c, "early", 5), 5); /* queued in the unaccepted socket */
    host_sock_run_ms(1);
    CHECK_EQ(sock_of(l)->u.tcp.queued, 1u);
    CHECK_EQ(sock_live_count(), 3u);
    SC(LINUX_NR_close, l);
    CHECK_EQ(sock_live_count(), 1u);
    host_sock_run_ms(1);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), -LINUX_ECONNRESET);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

/* Data and the FIN that arrive before accept wait in the queued socket. */
TEST(data_before_accept_waits_for_it)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    int c = host_tcp_connect(LINUX_AF_INET, port, 0);
    CHECK_EQ(SC(LINUX_NR_write, c, "early", 5), 5);
    CHECK_EQ(SC(LINUX_NR_shutdown, c, LINUX_SHUT_WR), 0);
    host_sock_run_ms(1);
    long s = SC(LINUX_NR_accept, l, 0, 0);
    CHECK(s >= 0);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 5);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* An AF_INET6 listener on :: takes IPv4 connections too, and names their
 * peers ::ffff:127.0.0.1; with IPV6_V6ONLY it takes only IPv6. */
TEST(dual_stack_and_v6only)
{
    host_sock_start();
    long l = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in6 any = host_sin6("::", 0);
    CHECK_EQ(SC(LINUX_NR_bind, l, &any, sizeof any), 0);
    CHECK_EQ(SC(LINUX_NR_listen, l, 8), 0);
    struct linux_sockaddr_in6 a;
    int32_t len = sizeof a;
    CHECK_EQ(SC(LINUX_NR_getsockname, l, &a, &len), 0);
    uint16_t port = (uint16_t)(a.sin6_port >> 8 | a.sin6_port << 8);
    int c4 = host_tcp_connect(LINUX_AF_INET, port, 0);
    int c6 = host_tcp_connect(LINUX_AF_INET6, port, 0);
    CHECK(c4 >= 0 && c6 >= 0);
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    len = sizeof a;
    long s4 = SC(LINUX_NR_accept, l, &a, &len);
    CHECK(s4 >= 0);
    CHECK_EQ(len, 28);
    CHECK_EQ(a.sin6_family, LINUX_AF_INET6);
    CHECK(memcmp(a.sin6_addr, mapped, 16) == 0);
    CHECK_EQ(SC(LINUX_NR_getsockname, s4, &a, &len), 0);
    CHECK(memcmp(a.sin6_addr, mapped, 16) == 0);
    long s6 = SC(LINUX_NR_accept, l, &a, &len);
    CHECK(memcmp(a.sin6_addr, loop6, 16) == 0);
    CHECK_EQ(SC(LINUX_NR_write, c4, "v4", 2), 2);
    CHECK_EQ(SC(LINUX_NR_write, c6, "v6", 2), 2);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, s4, buf, sizeof buf), 2);
    CHECK(memcmp(buf, "v4", 2) == 0);
    CHECK_EQ(SC(LINUX_NR_read, s6, buf, sizeof buf), 2);
    CHECK(memcmp(buf, "v6", 2) == 0);
    SC(LINUX_NR_close, c4);
    SC(LINUX_NR_close, c6);
    SC(LINUX_NR_close, s4);
    SC(LINUX_NR_close, s6);
    SC(LINUX_NR_close, l);
    /* IPV6_V6ONLY: the same port serves IPv4 apart; IPv4 clients are refused. */
    long l6 = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, l6, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_bind, l6, &any, sizeof any), 0);
    CHECK_EQ(SC(LINUX_NR_listen, l6, 8), 0);
    len = sizeof a;
    SC(LINUX_NR_getsockname, l6, &a, &len);
    port = (uint16_t)(a.sin6_port >> 8 | a.sin6_port << 8);
    CHECK_EQ(host_tcp_connect(LINUX_AF_INET, port, 0), -LINUX_ECONNREFUSED);
    long l4 = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in any4 = host_sin("0.0.0.0", port);
    CHECK_EQ(SC(LINUX_NR_bind, l4, &any4, sizeof any4), 0);
    SC(LINUX_NR_close, l4);
    /* A mapped address on a V6ONLY socket: no route (connect), EINVAL (bind). */
    struct linux_sockaddr_in6 m = host_sin6("::ffff:127.0.0.1", port);
    long v = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, v, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_connect, v, &m, sizeof m), -LINUX_ENETUNREACH);
    CHECK_EQ(SC(LINUX_NR_bind, v, &m, sizeof m), -LINUX_EINVAL);
    SC(LINUX_NR_close, v);
    SC(LINUX_NR_close, l6);
    CHECK(host_sock_quiet());
}

/* A dual-stack client connects to a mapped address over IPv4. */
TEST(a_dual_stack_client_connects_to_a_mapped_address)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    long c = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in6 m = host_sin6("::ffff:127.0.0.1", port);
    CHECK_EQ(SC(LINUX_NR_connect, c, &m, sizeof m), 0);
    struct linux_sockaddr_in6 a;
    int32_t len = sizeof a;
    CHECK_EQ(SC(LINUX_NR_getpeername, c, &a, &len), 0);
    CHECK(memcmp(a.sin6_addr, m.sin6_addr, 16) == 0);
    CHECK_EQ(a.sin6_port, m.sin6_port);
    long s = SC(LINUX_NR_accept, l, 0, 0);
    CHECK(s >= 0);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* SO_RCVTIMEO and SO_SNDTIMEO end a blocking call with EAGAIN. */
TEST(timeouts_end_blocking_calls_with_eagain)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    struct linux_timeval tv = {0, 250000};
    CHECK_EQ(SC(LINUX_NR_setsockopt, s, LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD, &tv, sizeof tv),
             0);
    char buf[4];
    uint64_t before = time_now_ns();
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), -LINUX_EAGAIN);
    uint64_t waited = time_now_ns() - before;
    CHECK(waited >= 250000000ull && waited < 1300000000ull);
    /* A full send buffer: the send returns what it queued, then EAGAIN. */
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_SNDTIMEO_NEW, &tv, sizeof tv),
             0);
    static uint8_t big[TCP_WND + TCP_SND_BUF + 100000];
    long w = SC(LINUX_NR_write, c, big, sizeof big);
    CHECK(w > 0 && w < (long)sizeof big);
    before = time_now_ns();
    w = SC(LINUX_NR_write, c, big, sizeof big);
    CHECK(time_now_ns() - before >= 250000000ull);
    /* Nothing, or what lwIP's zero-window probes let through meanwhile. */
    CHECK(w == -LINUX_EAGAIN || (w > 0 && w <= 2 * TCP_MSS));
    /* A negative time: the call does not wait at all (Linux's rule). */
    struct linux_timeval neg = {-1, 0};
    CHECK_EQ(SC(LINUX_NR_setsockopt, s, LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_NEW, &neg, sizeof neg),
             0);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* writev of a header and a body is one burst: one tcp_output, so with
 * TCP_NODELAY one segment, not one per piece. */
TEST(writev_and_sendmsg_send_one_segment_for_several_pieces)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, &one, 4), 0);
    struct linux_iovec iov[3] = {
        {(uintptr_t) "HTTP/1.1 200 OK\r\n\r\n", 19}, {(uintptr_t) "", 0}, {(uintptr_t) "body", 4}};
    u32_t before = lwip_stats.tcp.xmit;
    CHECK_EQ(SC(LINUX_NR_writev, c, iov, 3), 23);
    CHECK_EQ(lwip_stats.tcp.xmit - before, 1u);
    struct linux_msghdr h = {.msg_iov = (uintptr_t)iov, .msg_iovlen = 3};
    before = lwip_stats.tcp.xmit;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, LINUX_MSG_NOSIGNAL), 23);
    CHECK_EQ(lwip_stats.tcp.xmit - before, 1u);
    /* readv and recvmsg scatter it again. */
    char a[10], b[40];
    struct linux_iovec in[2] = {{(uintptr_t)a, sizeof a}, {(uintptr_t)b, sizeof b}};
    host_sock_run_ms(1);
    CHECK_EQ(SC(LINUX_NR_readv, s, in, 2), 46);
    CHECK(memcmp(a, "HTTP/1.1 2", 10) == 0);
    CHECK(memcmp(b, "00 OK\r\n\r\nbodyHTTP/1.1 200 OK\r\n\r\nbody", 36) == 0);
    CHECK_EQ(SC(LINUX_NR_write, c, "more", 4), 4);
    struct linux_msghdr r = {.msg_name = (uintptr_t)b,
                             .msg_namelen = 28,
                             .msg_iov = (uintptr_t)in,
                             .msg_iovlen = 2,
                             .msg_flags = 77};
    host_sock_run_ms(1);
    CHECK_EQ(SC(LINUX_NR_recvmsg, s, &r, 0), 4);
    CHECK_EQ(r.msg_namelen, 0); /* a stream socket names no source */
    CHECK_EQ(r.msg_flags, 0u);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* Readiness in each state, as Linux's tcp_poll reports it. */
TEST(readiness_in_each_state)
{
    host_sock_start();
    long fresh = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(host_poll((int)fresh), LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLHUP);
    SC(LINUX_NR_close, fresh);
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    int c = host_tcp_connect(LINUX_AF_INET, port, LINUX_SOCK_NONBLOCK);
    CHECK_EQ(host_poll(c), 0u); /* connecting: nothing yet */
    host_sock_run_ms(1);
    CHECK_EQ(host_poll(c), LINUX_POLLOUT | LINUX_POLLWRNORM);
    long s = SC(LINUX_NR_accept, l, 0, 0);
    CHECK_EQ(host_poll((int)s), LINUX_POLLOUT | LINUX_POLLWRNORM);
    CHECK_EQ(SC(LINUX_NR_write, c, "x", 1), 1);
    host_sock_run_ms(1);
    CHECK_EQ(host_poll((int)s), LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM);
    struct linux_stat st;
    CHECK_EQ(SC(LINUX_NR_fstat, s, &st), 0);
    CHECK_EQ(st.st_mode, LINUX_S_IFSOCK | 0777u);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* An accepted socket inherits the listener's options (Linux clones them). */
TEST(accepted_sockets_inherit_the_listeners_options)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    int32_t one = 1, idle = 30;
    CHECK_EQ(SC(LINUX_NR_setsockopt, l, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, l, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, l, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, &idle, 4), 0);
    int c = host_tcp_connect(LINUX_AF_INET, port, 0);
    long s = SC(LINUX_NR_accept, l, 0, 0);
    int32_t v = 0, len = 4;
    CHECK_EQ(SC(LINUX_NR_getsockopt, s, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, &v, &len), 0);
    CHECK_EQ(v, 1);
    struct tcp_pcb *pcb = sock_of((int)s)->u.tcp.pcb;
    CHECK(tcp_nagle_disabled(pcb));
    CHECK(ip_get_option(pcb, SOF_KEEPALIVE));
    CHECK_EQ(pcb->keep_idle, 30000u);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* Keepalive probes go out after TCP_KEEPIDLE on an idle connection. */
TEST(keepalive_probes_an_idle_connection)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    int32_t one = 1, idle = 5, intvl = 2, cnt = 3;
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, &idle, 4), 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL, &intvl, 4), 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT, &cnt, 4), 0);
    u32_t before = lwip_stats.tcp.xmit;
    host_sock_run_ms(4000);
    CHECK_EQ(lwip_stats.tcp.xmit, before); /* not idle long enough */
    host_sock_run_ms(2000);
    CHECK(lwip_stats.tcp.xmit > before); /* a probe (the peer answers it) */
    CHECK_EQ(host_poll(c), LINUX_POLLOUT | LINUX_POLLWRNORM);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* SO_REUSEADDR lets a listener bind the port a closed connection keeps in
 * TIME_WAIT; without it the port is in use. */
TEST(so_reuseaddr_binds_over_time_wait)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    int c = host_tcp_connect(LINUX_AF_INET, port, 0);
    long s = SC(LINUX_NR_accept, l, 0, 0);
    SC(LINUX_NR_close, l);
    SC(LINUX_NR_close, s); /* the server closes first: TIME_WAIT on its port */
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), 0);
    SC(LINUX_NR_close, c);
    host_sock_run_ms(10);
    CHECK(tcp_tw_pcbs != NULL);
    struct linux_sockaddr_in a = host_sin("127.0.0.1", port);
    long n = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(SC(LINUX_NR_bind, n, &a, sizeof a), -LINUX_EADDRINUSE);
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, n, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_bind, n, &a, sizeof a), 0);
    CHECK_EQ(SC(LINUX_NR_listen, n, 4), 0);
    /* Two listeners on one port: never, even both with SO_REUSEADDR. */
    long m = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, m, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_bind, m, &a, sizeof a), 0);
    CHECK_EQ(SC(LINUX_NR_listen, m, 4), -LINUX_EADDRINUSE);
    SC(LINUX_NR_close, m);
    SC(LINUX_NR_close, n);
    CHECK(host_sock_quiet());
}

TEST(bind_and_listen_rules)
{
    host_sock_start();
    long a = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in lo = host_sin("127.0.0.1", 0);
    CHECK_EQ(SC(LINUX_NR_bind, a, &lo, sizeof lo), 0);
    CHECK_EQ(SC(LINUX_NR_bind, a, &lo, sizeof lo), -LINUX_EINVAL); /* bound already */
    struct linux_sockaddr_in got;
    int32_t len = sizeof got;
    CHECK_EQ(SC(LINUX_NR_getsockname, a, &got, &len), 0);
    CHECK(got.sin_port != 0);
    long b = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(SC(LINUX_NR_bind, b, &got, sizeof got), -LINUX_EADDRINUSE);
    struct linux_sockaddr_in far = host_sin("10.1.2.3", 0);
    CHECK_EQ(SC(LINUX_NR_bind, b, &far, sizeof far), -LINUX_EADDRNOTAVAIL);
    /* listen binds a free port itself; listening again changes the backlog. */
    CHECK_EQ(SC(LINUX_NR_listen, b, 2), 0);
    CHECK_EQ(SC(LINUX_NR_getsockname, b, &got, &len), 0);
    CHECK(got.sin_port != 0);
    CHECK_EQ(got.sin_addr, 0u);
    CHECK_EQ(SC(LINUX_NR_listen, b, 7), 0);
    CHECK_EQ(((struct tcp_pcb_listen *)sock_of((int)b)->u.tcp.pcb)->backlog, 8);
    CHECK_EQ(SC(LINUX_NR_listen, b, -1), 0);
    CHECK_EQ(((struct tcp_pcb_listen *)sock_of((int)b)->u.tcp.pcb)->backlog, 255);
    CHECK_EQ(SC(LINUX_NR_bind, b, &lo, sizeof lo), -LINUX_EINVAL);
    /* Listening sockets neither connect, read, write nor name a peer. */
    CHECK_EQ(SC(LINUX_NR_connect, b, &lo, sizeof lo), -LINUX_EISCONN);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_write, b, "x", 1), -LINUX_EPIPE);
    CHECK_EQ(SC(LINUX_NR_getpeername, b, &got, &len), -LINUX_ENOTCONN);
    int32_t n;
    CHECK_EQ(SC(LINUX_NR_ioctl, b, LINUX_FIONREAD, &n), -LINUX_EINVAL);
    /* shutdown of a listener stops it: accept is then EINVAL. */
    CHECK_EQ(SC(LINUX_NR_shutdown, b, LINUX_SHUT_RDWR), 0);
    CHECK_EQ(SC(LINUX_NR_accept, b, 0, 0), -LINUX_EINVAL);
    /* An unconnected socket: no peer, nothing to read, EPIPE to write. */
    CHECK_EQ(SC(LINUX_NR_getpeername, a, &got, &len), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_read, a, buf, sizeof buf), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_write, a, "x", 1), -LINUX_EPIPE);
    CHECK_EQ(SC(LINUX_NR_shutdown, a, LINUX_SHUT_WR), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_accept, a, 0, 0), -LINUX_EINVAL);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

/* A descriptor closed by a callback while the call waits on it: the call
 * finishes on the socket it holds, then the socket is freed. */
TEST(a_close_from_a_callback_during_a_wait_frees_after_the_call)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    struct linux_timeval tv = {0, 200000};
    CHECK_EQ(SC(LINUX_NR_setsockopt, s, LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD, &tv, sizeof tv),
             0);
    act_start(s, ACT_CLOSE, 0, 50, 0);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), -LINUX_EAGAIN);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), -LINUX_EBADF);
    CHECK_EQ(sock_live_count(), 1u);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

/* Many connections at once, opened, used and dropped. */
TEST(a_hundred_connections)
{
    host_sock_start();
    long l = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in6 any = host_sin6("::", 0);
    CHECK_EQ(SC(LINUX_NR_bind, l, &any, sizeof any), 0);
    CHECK_EQ(SC(LINUX_NR_listen, l, 200), 0);
    int32_t len = sizeof any;
    CHECK_EQ(SC(LINUX_NR_getsockname, l, &any, &len), 0);
    uint16_t port = (uint16_t)(any.sin6_port >> 8 | any.sin6_port << 8);
    int c[100], s[100];
    for (int i = 0; i < 100; i++) {
        c[i] = host_tcp_connect(i % 2 ? LINUX_AF_INET : LINUX_AF_INET6, port, 0);
        CHECK(c[i] >= 0);
    }
    for (int i = 0; i < 100; i++) {
        s[i] = (int)SC(LINUX_NR_accept, l, 0, 0);
        CHECK(s[i] >= 0);
    }
    for (int i = 0; i < 100; i++)
        CHECK_EQ(SC(LINUX_NR_write, c[i], &i, sizeof i), (long)sizeof i);
    for (int i = 0; i < 100; i++) {
        int v = -1;
        CHECK_EQ(SC(LINUX_NR_read, s[i], &v, sizeof v), (long)sizeof v);
        CHECK_EQ(v, i);
    }
    for (int i = 0; i < 100; i++) {
        SC(LINUX_NR_close, c[i]);
        SC(LINUX_NR_close, s[i]);
    }
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* A segment the interface refused (here a full loopback queue) goes
 * again with the next pass of the timers, with nothing in flight whose
 * acknowledgement would prompt it (net/stack/timers.c). */
TEST(a_segment_the_interface_refused_is_sent_again)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, &one, 4), 0);
    long u = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    struct linux_sockaddr_in self = host_sin("127.0.0.1", 9);
    CHECK_EQ(SC(LINUX_NR_bind, u, &self, sizeof self), 0);
    long r;
    unsigned queued = 0;
    while ((r = SC(LINUX_NR_sendto, u, "x", 1, 0, &self, sizeof self)) == 1)
        queued++; /* the loop does not run: the loopback queue fills */
    CHECK_EQ(r, -LINUX_ENOBUFS);
    CHECK_EQ(queued, 1024u);
    CHECK_EQ(SC(LINUX_NR_write, c, "data", 4), 4);
    struct tcp_pcb *pcb = sock_of(c)->u.tcp.pcb;
    CHECK(pcb->unsent != NULL && pcb->unacked == NULL);
    char buf[8];
    uint64_t before = time_now_ns();
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 4);
    CHECK(time_now_ns() - before <= 300000000ull);
    SC(LINUX_NR_close, u);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

/* At exit the stack lets TCP deliver what closed connections still hold
 * (net/stack/drain.c), for a bounded time, and says when it could not. */
TEST(at_exit_tcp_delivers_what_it_holds_for_a_bounded_time)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    set_nonblocking(c);
    static uint8_t big[200000];
    for (uint32_t i = 0; i < sizeof big; i++)
        big[i] = pattern(i, 6);
    CHECK_EQ(SC(LINUX_NR_write, c, big, sizeof big), (long)sizeof big);
    SC(LINUX_NR_close, c); /* nothing has left yet: the loop has not run */
    CHECK(tcp_active_pcbs->unsent != NULL || tcp_active_pcbs->next->unsent != NULL);
    unit_log_clear();
    CHECK_EQ(stack_drain(3000000000ull), 0u);
    CHECK(!LOG_CONTAINS("still had data"));
    static uint8_t in[sizeof big];
    size_t got = 0;
    long r;
    while ((r = SC(LINUX_NR_recvfrom, s, in + got, sizeof in - got, LINUX_MSG_DONTWAIT, 0, 0)) > 0)
        got += (size_t)r;
    CHECK_EQ(r, 0); /* all of it, and the FIN, were already here */
    CHECK_EQ(got, sizeof big);
    CHECK(memcmp(in, big, sizeof big) == 0);
    SC(LINUX_NR_close, s);
    /* A peer that reads nothing: the data cannot all go; the wait ends. */
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    set_nonblocking(c);
    size_t sent = 0;
    for (int round = 0; round < 20; round++) {
        long w;
        while ((w = SC(LINUX_NR_write, c, big, sizeof big)) > 0)
            sent += (size_t)w;
        host_sock_run_ms(1);
    }
    SC(LINUX_NR_close, c);
    uint64_t before = time_now_ns();
    CHECK_EQ(stack_drain(3000000000ull), 1u);
    CHECK(time_now_ns() - before >= 3000000000ull);
    CHECK(LOG_CONTAINS("net: 1 TCP connection still had data to deliver at exit\n"));
    got = 0;
    while (got < sent) { /* the reader wakes up: everything still arrives */
        r = SC(LINUX_NR_read, s, big, sizeof big);
        CHECK(r > 0);
        got += (size_t)r;
    }
    CHECK_EQ(SC(LINUX_NR_read, s, big, sizeof big), 0);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
