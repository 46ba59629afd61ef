/* net/socket/'s SOCK_DGRAM through __anyvm_syscall over lwIP's loopback
 * interface (tests/unit/host_sock.h): echo, sources, truncation, peeking,
 * the bounded queue, connected sockets, broadcast, dual stack, readiness. */
#include "core/time.h"
#include "lwip/udp.h"
#include "net/socket/sock.h"
#include "sys/fd.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static struct sock *sock_of(int fd)
{
    return (struct sock *)sys_fd_file((unsigned)fd);
}

/* A UDP socket of family bound to its loopback address, *port its port. */
static int udp_bound(int family, uint16_t *port, int flags)
{
    long fd = SC(LINUX_NR_socket, family, LINUX_SOCK_DGRAM | flags, 0);
    if (fd < 0)
        return (int)fd;
    struct linux_sockaddr_in6 a6 = host_sin6("::1", 0), got;
    struct linux_sockaddr_in a4 = host_sin("127.0.0.1", 0);
    long r = family == LINUX_AF_INET ? SC(LINUX_NR_bind, fd, &a4, sizeof a4)
                                     : SC(LINUX_NR_bind, fd, &a6, sizeof a6);
    int32_t len = sizeof got;
    if (r == 0)
        r = SC(LINUX_NR_getsockname, fd, &got, &len);
    if (r != 0)
        return (int)r;
    *port = (uint16_t)(got.sin6_port >> 8 | got.sin6_port << 8);
    return (int)fd;
}

TEST(echo_over_ipv4_with_the_source_address)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    CHECK(a >= 0 && b >= 0 && pa != pb);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb), from;
    CHECK_EQ(SC(LINUX_NR_sendto, a, "ping", 4, 0, &to_b, sizeof to_b), 4);
    char buf[16];
    int32_t len = sizeof from;
    CHECK_EQ(SC(LINUX_NR_recvfrom, b, buf, sizeof buf, 0, &from, &len), 4); /* it waits */
    CHECK(memcmp(buf, "ping", 4) == 0);
    CHECK_EQ(len, 16);
    struct linux_sockaddr_in want = host_sin("127.0.0.1", pa);
    CHECK(memcmp(&from, &want, sizeof want) == 0);
    CHECK_EQ(SC(LINUX_NR_sendto, b, "pong", 4, 0, &from, len), 4);
    CHECK_EQ(SC(LINUX_NR_read, a, buf, sizeof buf), 4);
    CHECK(memcmp(buf, "pong", 4) == 0);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

TEST(a_thousand_datagrams_arrive_whole_and_in_order)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET6, &pa, 0), b = udp_bound(LINUX_AF_INET6, &pb, 0);
    struct linux_sockaddr_in6 to_b = host_sin6("::1", pb);
    int32_t room = 1 << 20; /* each datagram is charged 256 bytes more than it holds */
    CHECK_EQ(SC(LINUX_NR_setsockopt, b, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF, &room, 4), 0);
    for (uint32_t i = 0; i < 1000; i++) {
        uint32_t msg[25];
        for (int k = 0; k < 25; k++)
            msg[k] = i * 100 + (uint32_t)k;
        CHECK_EQ(SC(LINUX_NR_sendto, a, msg, 4 * (1 + i % 25), 0, &to_b, sizeof to_b),
                 (long)(4 * (1 + i % 25)));
        if (i % 100 == 99)
            host_sock_run_ms(1);
    }
    for (uint32_t i = 0; i < 1000; i++) {
        uint32_t msg[25];
        CHECK_EQ(SC(LINUX_NR_read, b, msg, sizeof msg), (long)(4 * (1 + i % 25)));
        for (uint32_t k = 0; k < 1 + i % 25; k++)
            CHECK_EQ(msg[k], i * 100 + k);
    }
    CHECK_EQ(sock_of(b)->u.udp.drops, 0u);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

/* A short buffer takes the start of a datagram and loses the rest;
 * MSG_TRUNC returns the datagram's real size; recvmsg flags MSG_TRUNC. */
TEST(truncation_and_msg_trunc)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(SC(LINUX_NR_sendto, a, "abcdef", 6, 0, &to_b, sizeof to_b), 6);
    host_sock_run_ms(1);
    char buf[8] = {0};
    CHECK_EQ(SC(LINUX_NR_recvfrom, b, buf, 3, 0, 0, 0), 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, b, buf, 2, LINUX_MSG_TRUNC, 0, 0), 6);
    CHECK(memcmp(buf, "ab", 2) == 0);
    struct linux_iovec iov = {(uintptr_t)buf, 4};
    struct linux_sockaddr_in from;
    struct linux_msghdr h = {.msg_name = (uintptr_t)&from,
                             .msg_namelen = sizeof from,
                             .msg_iov = (uintptr_t)&iov,
                             .msg_iovlen = 1,
                             .msg_controllen = 99};
    CHECK_EQ(SC(LINUX_NR_recvmsg, b, &h, 0), 4);
    CHECK_EQ(h.msg_flags, (uint32_t)LINUX_MSG_TRUNC);
    CHECK_EQ(h.msg_namelen, 16);
    CHECK_EQ(h.msg_controllen, 0u);
    CHECK_EQ(from.sin_port, host_sin("127.0.0.1", pa).sin_port);
    CHECK_EQ(SC(LINUX_NR_recvfrom, b, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0), -LINUX_EAGAIN);
    /* An empty datagram is a datagram. */
    CHECK_EQ(SC(LINUX_NR_sendto, a, "", 0, 0, &to_b, sizeof to_b), 0);
    host_sock_run_ms(1);
    CHECK(host_poll(b) & LINUX_POLLIN);
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 0);
    CHECK_EQ(host_poll(b) & LINUX_POLLIN, 0u);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

TEST(msg_peek_and_fionread_see_the_next_datagram)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "first", 5, 0, &to_b, sizeof to_b), 5);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "second!", 7, 0, &to_b, sizeof to_b), 7);
    host_sock_run_ms(1);
    int32_t n = 0;
    CHECK_EQ(SC(LINUX_NR_ioctl, b, LINUX_FIONREAD, &n), 0);
    CHECK_EQ(n, 5);
    char buf[16];
    CHECK_EQ(SC(LINUX_NR_recvfrom, b, buf, sizeof buf, LINUX_MSG_PEEK, 0, 0), 5);
    CHECK_EQ(SC(LINUX_NR_recvfrom, b, buf, sizeof buf, LINUX_MSG_PEEK, 0, 0), 5);
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "first", 5) == 0);
    CHECK_EQ(SC(LINUX_NR_ioctl, b, LINUX_FIONREAD, &n), 0);
    CHECK_EQ(n, 7);
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 7);
    CHECK_EQ(SC(LINUX_NR_ioctl, b, LINUX_FIONREAD, &n), 0);
    CHECK_EQ(n, 0);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

/* The queue holds SO_RCVBUF bytes (payload and a per-datagram charge);
 * the rest is dropped and counted. */
TEST(the_receive_queue_is_bounded_by_so_rcvbuf)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    int32_t size = 4096, got = 0, len = 4;
    CHECK_EQ(SC(LINUX_NR_setsockopt, b, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF, &size, 4), 0);
    CHECK_EQ(SC(LINUX_NR_getsockopt, b, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF, &got, &len), 0);
    CHECK_EQ(got, 8192); /* doubled, as Linux reports it */
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb);
    static char msg[1000];
    for (int i = 0; i < 20; i++)
        CHECK_EQ(SC(LINUX_NR_sendto, a, msg, sizeof msg, 0, &to_b, sizeof to_b), 1000);
    host_sock_run_ms(1);
    CHECK(sock_of(b)->u.udp.queued <= 8192);
    unsigned queued = 0;
    while (SC(LINUX_NR_recvfrom, b, msg, sizeof msg, LINUX_MSG_DONTWAIT, 0, 0) == 1000)
        queued++;
    CHECK_EQ(queued, 8192 / (1000 + 256));
    CHECK_EQ(sock_of(b)->u.udp.drops, 20u - queued);
    CHECK_EQ(sock_of(b)->u.udp.queued, 0u);
    /* The default (256 KiB) holds far more; empty datagrams are bounded too. */
    for (int i = 0; i < 2000; i++)
        SC(LINUX_NR_sendto, a, msg, 0, 0, &to_b, sizeof to_b);
    host_sock_run_ms(1);
    CHECK(sock_of(b)->u.udp.queued <= 8192);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

/* connect sets the default peer and filters what is received; AF_UNSPEC
 * undoes it. */
TEST(a_connected_socket_has_a_default_peer)
{
    host_sock_start();
    uint16_t pa, pb, pc;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0),
        c = udp_bound(LINUX_AF_INET, &pc, 0);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_write, a, "x", 1), -LINUX_EDESTADDRREQ);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb), peer;
    int32_t len = sizeof peer;
    CHECK_EQ(SC(LINUX_NR_getpeername, a, &peer, &len), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_connect, a, &to_b, sizeof to_b), 0);
    CHECK_EQ(SC(LINUX_NR_getpeername, a, &peer, &len), 0);
    CHECK(memcmp(&peer, &to_b, sizeof peer) == 0);
    CHECK_EQ(SC(LINUX_NR_write, a, "hi", 2), 2);
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 2);
    /* Only the peer is heard. */
    struct linux_sockaddr_in to_a = host_sin("127.0.0.1", pa);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "no", 2, 0, &to_a, sizeof to_a), 2);
    CHECK_EQ(SC(LINUX_NR_sendto, b, "ok", 2, 0, &to_a, sizeof to_a), 2);
    host_sock_run_ms(1);
    CHECK_EQ(SC(LINUX_NR_read, a, buf, sizeof buf), 2);
    CHECK(memcmp(buf, "ok", 2) == 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, a, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0), -LINUX_EAGAIN);
    /* sendto another address still works on a connected socket. */
    struct linux_sockaddr_in to_c = host_sin("127.0.0.1", pc);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "c", 1, 0, &to_c, sizeof to_c), 1);
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), 1);
    uint16_t unspec = LINUX_AF_UNSPEC;
    CHECK_EQ(SC(LINUX_NR_connect, a, &unspec, sizeof unspec), 0);
    CHECK_EQ(SC(LINUX_NR_getpeername, a, &peer, &len), -LINUX_ENOTCONN);
    CHECK_EQ(SC(LINUX_NR_write, a, "x", 1), -LINUX_EDESTADDRREQ);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

TEST(sizes_ports_broadcast_and_what_udp_does_not_do)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb);
    static char big[65508];
    CHECK_EQ(SC(LINUX_NR_sendto, a, big, 65508, 0, &to_b, sizeof to_b), -LINUX_EMSGSIZE);
    CHECK_EQ(SC(LINUX_NR_sendto, a, big, 65507, 0, &to_b, sizeof to_b), 65507);
    CHECK_EQ(SC(LINUX_NR_read, b, big, sizeof big), 65507);
    struct linux_sockaddr_in port0 = host_sin("127.0.0.1", 0);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "x", 1, 0, &port0, sizeof port0), -LINUX_EINVAL);
    /* Broadcast needs SO_BROADCAST (EACCES); with it, here, no interface
     * broadcasts (only the loopback one exists). */
    struct linux_sockaddr_in bcast = host_sin("255.255.255.255", 9);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "x", 1, 0, &bcast, sizeof bcast), -LINUX_EACCES);
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, a, LINUX_SOL_SOCKET, LINUX_SO_BROADCAST, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "x", 1, 0, &bcast, sizeof bcast), -LINUX_ENETUNREACH);
    struct linux_sockaddr_in far = host_sin("192.0.2.1", 9); /* no route */
    CHECK_EQ(SC(LINUX_NR_sendto, a, "x", 1, 0, &far, sizeof far), -LINUX_ENETUNREACH);
    /* No listening or accepting, no urgent data. */
    CHECK_EQ(SC(LINUX_NR_listen, a, 1), -LINUX_EOPNOTSUPP);
    CHECK_EQ(SC(LINUX_NR_accept, a, 0, 0), -LINUX_EOPNOTSUPP);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "x", 1, LINUX_MSG_OOB, &to_b, sizeof to_b), -LINUX_EOPNOTSUPP);
    CHECK_EQ(SC(LINUX_NR_recvfrom, a, big, 1, LINUX_MSG_OOB, 0, 0), -LINUX_EOPNOTSUPP);
    /* bind: once, to a port nobody holds, unless both ask SO_REUSEADDR. */
    CHECK_EQ(SC(LINUX_NR_bind, a, &to_b, sizeof to_b), -LINUX_EINVAL);
    long c = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    CHECK_EQ(SC(LINUX_NR_bind, c, &to_b, sizeof to_b), -LINUX_EADDRINUSE);
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_setsockopt, b, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4), 0);
    CHECK_EQ(SC(LINUX_NR_bind, c, &to_b, sizeof to_b), 0);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

/* An AF_INET6 socket on :: hears IPv4 senders as ::ffff:a.b.c.d and
 * answers them there; with IPV6_V6ONLY it hears only IPv6. */
TEST(dual_stack_datagrams)
{
    host_sock_start();
    long d = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_DGRAM, 0);
    struct linux_sockaddr_in6 any = host_sin6("::", 0), from;
    CHECK_EQ(SC(LINUX_NR_bind, d, &any, sizeof any), 0);
    int32_t len = sizeof any;
    CHECK_EQ(SC(LINUX_NR_getsockname, d, &any, &len), 0);
    uint16_t port = (uint16_t)(any.sin6_port >> 8 | any.sin6_port << 8);
    uint16_t p4;
    int a = udp_bound(LINUX_AF_INET, &p4, 0);
    struct linux_sockaddr_in to_d = host_sin("127.0.0.1", port);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "v4", 2, 0, &to_d, sizeof to_d), 2);
    char buf[8];
    len = sizeof from;
    CHECK_EQ(SC(LINUX_NR_recvfrom, d, buf, sizeof buf, 0, &from, &len), 2);
    CHECK_EQ(len, 28);
    struct linux_sockaddr_in6 want = host_sin6("::ffff:127.0.0.1", p4);
    CHECK(memcmp(&from, &want, sizeof want) == 0);
    CHECK_EQ(SC(LINUX_NR_sendto, d, "back", 4, 0, &from, len), 4);
    CHECK_EQ(SC(LINUX_NR_read, a, buf, sizeof buf), 4);
    SC(LINUX_NR_close, d);
    /* IPV6_V6ONLY, set before bind: IPv4 does not reach it. */
    long v = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_DGRAM, 0);
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, v, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, &one, 4), 0);
    any = host_sin6("::", 0);
    CHECK_EQ(SC(LINUX_NR_bind, v, &any, sizeof any), 0);
    len = sizeof any;
    CHECK_EQ(SC(LINUX_NR_getsockname, v, &any, &len), 0);
    port = (uint16_t)(any.sin6_port >> 8 | any.sin6_port << 8);
    to_d = host_sin("127.0.0.1", port);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "v4", 2, 0, &to_d, sizeof to_d), 2);
    struct linux_sockaddr_in6 to_v = host_sin6("::1", port);
    uint16_t p6;
    int b6 = udp_bound(LINUX_AF_INET6, &p6, 0);
    CHECK_EQ(SC(LINUX_NR_sendto, b6, "v6", 2, 0, &to_v, sizeof to_v), 2);
    host_sock_run_ms(1);
    CHECK_EQ(SC(LINUX_NR_read, v, buf, sizeof buf), 2);
    CHECK(memcmp(buf, "v6", 2) == 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, v, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0), -LINUX_EAGAIN);
    struct linux_sockaddr_in6 mapped = host_sin6("::ffff:127.0.0.1", p4);
    CHECK_EQ(SC(LINUX_NR_sendto, v, "x", 1, 0, &mapped, sizeof mapped), -LINUX_ENETUNREACH);
    SC(LINUX_NR_close, v);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b6);
    CHECK(host_sock_quiet());
}

static struct timer later;
static int later_fd;
static struct linux_sockaddr_in later_to;

static void send_later(struct timer *t)
{
    (void)t;
    SC(LINUX_NR_sendto, later_fd, "late", 4, 0, &later_to, sizeof later_to);
}

TEST(a_blocking_receive_waits_and_so_rcvtimeo_ends_it)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    later.fn = send_later;
    later_fd = a;
    later_to = host_sin("127.0.0.1", pb);
    uint64_t before = time_now_ns();
    timer_arm(&later, before + 300000000ull);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 4);
    CHECK(time_now_ns() - before >= 300000000ull);
    struct linux_timeval tv = {1, 0};
    CHECK_EQ(SC(LINUX_NR_setsockopt, b, LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD, &tv, sizeof tv),
             0);
    before = time_now_ns();
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), -LINUX_EAGAIN);
    CHECK(time_now_ns() - before >= 1000000000ull);
    CHECK(time_now_ns() - before < 2100000000ull);
    /* A non-blocking socket never waits. */
    uint16_t pc;
    int c = udp_bound(LINUX_AF_INET, &pc, LINUX_SOCK_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_read, c, buf, sizeof buf), -LINUX_EAGAIN);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

TEST(readiness_and_shutdown)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    CHECK_EQ(host_poll(b), LINUX_POLLOUT | LINUX_POLLWRNORM);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb);
    CHECK_EQ(SC(LINUX_NR_sendto, a, "x", 1, 0, &to_b, sizeof to_b), 1);
    host_sock_run_ms(1);
    CHECK_EQ(host_poll(b), LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLOUT | LINUX_POLLWRNORM);
    /* Unconnected: Linux says ENOTCONN, yet records the shutdown. */
    CHECK_EQ(SC(LINUX_NR_shutdown, b, LINUX_SHUT_RD), -LINUX_ENOTCONN);
    CHECK(host_poll(b) & LINUX_POLLRDHUP);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 1); /* what was queued */
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 0); /* then the end */
    CHECK_EQ(SC(LINUX_NR_connect, a, &to_b, sizeof to_b), 0);
    CHECK_EQ(SC(LINUX_NR_shutdown, a, LINUX_SHUT_WR), 0);
    CHECK_EQ(SC(LINUX_NR_write, a, "x", 1), -LINUX_EPIPE);
    CHECK_EQ(SC(LINUX_NR_shutdown, a, LINUX_SHUT_RD), 0);
    CHECK(host_poll(a) & LINUX_POLLHUP);
    struct linux_stat st;
    CHECK_EQ(SC(LINUX_NR_fstat, a, &st), 0);
    CHECK_EQ(st.st_mode, LINUX_S_IFSOCK | 0777u);
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

/* sendmsg with a name and several pieces is one datagram; a name with no
 * length is no name (connected socket). */
TEST(sendmsg_gathers_one_datagram)
{
    host_sock_start();
    uint16_t pa, pb;
    int a = udp_bound(LINUX_AF_INET, &pa, 0), b = udp_bound(LINUX_AF_INET, &pb, 0);
    struct linux_sockaddr_in to_b = host_sin("127.0.0.1", pb);
    struct linux_iovec iov[3] = {
        {(uintptr_t) "one,", 4}, {(uintptr_t) "two,", 4}, {(uintptr_t) "three", 5}};
    struct linux_msghdr h = {.msg_name = (uintptr_t)&to_b,
                             .msg_namelen = sizeof to_b,
                             .msg_iov = (uintptr_t)iov,
                             .msg_iovlen = 3};
    CHECK_EQ(SC(LINUX_NR_sendmsg, a, &h, 0), 13);
    char buf[32] = {0};
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), 13);
    CHECK_STR(buf, "one,two,three");
    h.msg_namelen = 0;
    CHECK_EQ(SC(LINUX_NR_sendmsg, a, &h, 0), -LINUX_EDESTADDRREQ);
    CHECK_EQ(SC(LINUX_NR_connect, a, &to_b, sizeof to_b), 0);
    CHECK_EQ(SC(LINUX_NR_sendmsg, a, &h, 0), 13);
    CHECK_EQ(SC(LINUX_NR_writev, a, iov, 3), 13);
    struct linux_iovec in[2] = {{(uintptr_t)buf, 3}, {(uintptr_t)buf + 3, 20}};
    memset(buf, 0, sizeof buf);
    CHECK_EQ(SC(LINUX_NR_readv, b, in, 2), 13);
    CHECK_STR(buf, "one,two,three");
    SC(LINUX_NR_close, a);
    SC(LINUX_NR_close, b);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
