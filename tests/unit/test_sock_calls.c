/* net/socket/sock_calls.c: each call's arguments refused as Linux 6.1
 * refuses them (net/socket.c, af_inet.c, af_inet6.c; the values checked
 * against a Linux host where socket(2) and friends are silent), and the
 * socket's own descriptor flags. */
#include "net/socket/sock.h"
#include "sys/fd.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

TEST(socket_families_types_and_protocols)
{
    host_sock_start();
    static const struct {
        long family, type, protocol, want;
    } cases[] = {
        {LINUX_AF_INET, LINUX_SOCK_STREAM, 0, 0},
        {LINUX_AF_INET, LINUX_SOCK_STREAM, LINUX_IPPROTO_TCP, 0},
        {LINUX_AF_INET6, LINUX_SOCK_DGRAM, 0, 0},
        {LINUX_AF_INET6, LINUX_SOCK_DGRAM, LINUX_IPPROTO_UDP, 0},
        {1 /* AF_UNIX */, LINUX_SOCK_STREAM, 0, -LINUX_EAFNOSUPPORT},
        {17 /* AF_PACKET */, LINUX_SOCK_RAW, 0, -LINUX_EAFNOSUPPORT},
        {16 /* AF_NETLINK */, LINUX_SOCK_DGRAM, 0, -LINUX_EAFNOSUPPORT},
        {LINUX_AF_UNSPEC, LINUX_SOCK_STREAM, 0, -LINUX_EAFNOSUPPORT},
        {-1, LINUX_SOCK_STREAM, 0, -LINUX_EAFNOSUPPORT},
        {LINUX_AF_MAX, LINUX_SOCK_STREAM, 0, -LINUX_EAFNOSUPPORT},
        {1000, LINUX_SOCK_STREAM, 0, -LINUX_EAFNOSUPPORT},
        {LINUX_AF_INET, 0, 0, -LINUX_ESOCKTNOSUPPORT},
        {LINUX_AF_INET, 5 /* SOCK_SEQPACKET */, 0, -LINUX_ESOCKTNOSUPPORT},
        {LINUX_AF_INET, 4 /* SOCK_RDM */, 0, -LINUX_ESOCKTNOSUPPORT},
        {LINUX_AF_INET, 10 /* SOCK_PACKET */, 0, -LINUX_ESOCKTNOSUPPORT},
        {LINUX_AF_INET, 11, 0, -LINUX_EINVAL},
        {LINUX_AF_INET, 15, 0, -LINUX_EINVAL},
        {LINUX_AF_INET, LINUX_SOCK_STREAM | 0x100, 0, -LINUX_EINVAL}, /* not a flag */
        {LINUX_AF_INET, LINUX_SOCK_RAW, 1 /* ICMP */, -LINUX_EPROTONOSUPPORT},
        {LINUX_AF_INET, LINUX_SOCK_RAW, 0, -LINUX_EPROTONOSUPPORT},
        {LINUX_AF_INET, LINUX_SOCK_STREAM, LINUX_IPPROTO_UDP, -LINUX_EPROTONOSUPPORT},
        {LINUX_AF_INET6, LINUX_SOCK_DGRAM, LINUX_IPPROTO_TCP, -LINUX_EPROTONOSUPPORT},
        {LINUX_AF_INET, LINUX_SOCK_STREAM, 262 /* IPPROTO_MPTCP */, -LINUX_EPROTONOSUPPORT},
        {LINUX_AF_INET, LINUX_SOCK_STREAM, -1, -LINUX_EINVAL},
        {LINUX_AF_INET, LINUX_SOCK_STREAM, LINUX_IPPROTO_MAX, -LINUX_EINVAL},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long r = SC(LINUX_NR_socket, cases[i].family, cases[i].type, cases[i].protocol);
        if (cases[i].want == 0) {
            CHECK(r >= 3);
            SC(LINUX_NR_close, r);
        } else {
            CHECK_EQ(r, cases[i].want);
        }
        /* socketpair: the same refusals, and no pairs of Internet sockets. */
        int32_t fds[2];
        r = SC(LINUX_NR_socketpair, cases[i].family, cases[i].type, cases[i].protocol, fds);
        CHECK_EQ(r, cases[i].want == 0 ? -LINUX_EOPNOTSUPP : cases[i].want);
    }
    CHECK_EQ(sock_live_count(), 0u);
    CHECK(host_sock_quiet());
}

TEST(socket_flags_and_the_descriptor_limit)
{
    host_sock_start();
    long a = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM | LINUX_SOCK_NONBLOCK, 0);
    long b = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM | LINUX_SOCK_CLOEXEC, 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, a, LINUX_F_GETFL), LINUX_O_RDWR | LINUX_O_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_fcntl, a, LINUX_F_GETFD), 0);
    CHECK_EQ(SC(LINUX_NR_fcntl, b, LINUX_F_GETFL), LINUX_O_RDWR);
    CHECK_EQ(SC(LINUX_NR_fcntl, b, LINUX_F_GETFD), LINUX_FD_CLOEXEC);
    /* FIONBIO and F_SETFL switch it; the socket honours it. */
    int32_t on = 1;
    CHECK_EQ(SC(LINUX_NR_ioctl, b, LINUX_FIONBIO, &on), 0);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, b, buf, sizeof buf), -LINUX_EAGAIN);
    /* A dup shares the socket; the last close frees it. */
    long d = SC(LINUX_NR_dup, a);
    CHECK(d > b);
    CHECK_EQ(SC(LINUX_NR_close, a), 0);
    CHECK_EQ(sock_live_count(), 2u);
    CHECK_EQ(SC(LINUX_NR_fcntl, d, LINUX_F_GETFL), LINUX_O_RDWR | LINUX_O_NONBLOCK);
    CHECK_EQ(SC(LINUX_NR_close, d), 0);
    CHECK_EQ(sock_live_count(), 1u);
    /* With every descriptor taken: EMFILE, and nothing left allocated. */
    struct linux_rlimit lim = {5, 256};
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_NOFILE, &lim), 0);
    long c = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(c, 3);
    CHECK_EQ(SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0), -LINUX_EMFILE);
    CHECK_EQ(SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_DGRAM, 0), -LINUX_EMFILE);
    CHECK_EQ(sock_live_count(), 2u);
    SC(LINUX_NR_close, b);
    SC(LINUX_NR_close, c);
    CHECK(host_sock_quiet());
}

/* accept with no descriptor left: the connection stays queued for a later
 * accept, as Linux finds the descriptor before it takes the connection. */
TEST(accept_without_a_descriptor_keeps_the_connection)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 4, &port);
    int c = host_tcp_connect(LINUX_AF_INET, port, 0);
    CHECK(l == 3 && c == 4);
    struct linux_rlimit lim = {5, 256};
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_NOFILE, &lim), 0);
    CHECK_EQ(SC(LINUX_NR_accept, l, 0, 0), -LINUX_EMFILE);
    /* Nor does an unwritable address lose it. */
    lim.rlim_cur = 256;
    CHECK_EQ(SC(LINUX_NR_setrlimit, LINUX_RLIMIT_NOFILE, &lim), 0);
    int32_t len = 16;
    CHECK_EQ(SC(LINUX_NR_accept, l, 0x10, &len), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_accept, l, &lim, NULL), -LINUX_EFAULT);
    len = -1;
    CHECK_EQ(SC(LINUX_NR_accept, l, &lim, &len), -LINUX_EINVAL);
    CHECK_EQ(host_poll(l), LINUX_POLLIN | LINUX_POLLRDNORM);
    struct linux_sockaddr_in a;
    len = 4; /* a short room: part of the address, and its full length */
    memset(&a, 0, sizeof a);
    long s = SC(LINUX_NR_accept, l, &a, &len);
    CHECK_EQ(s, 5);
    CHECK_EQ(len, 16);
    CHECK_EQ(a.sin_family, LINUX_AF_INET);
    CHECK_EQ(a.sin_addr, 0u); /* not copied */
    CHECK_EQ(SC(LINUX_NR_write, c, "ok", 2), 2);
    char buf[4];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 2);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* Every socket call on a descriptor that is not open, and on one that is
 * not a socket (the console). */
TEST(bad_descriptors_are_ebadf_and_other_files_enotsock)
{
    host_sock_start();
    static const long nrs[] = {LINUX_NR_bind,        LINUX_NR_listen,    LINUX_NR_accept,
                               LINUX_NR_accept4,     LINUX_NR_connect,   LINUX_NR_getsockname,
                               LINUX_NR_getpeername, LINUX_NR_sendto,    LINUX_NR_recvfrom,
                               LINUX_NR_sendmsg,     LINUX_NR_recvmsg,   LINUX_NR_shutdown,
                               LINUX_NR_setsockopt,  LINUX_NR_getsockopt};
    struct linux_sockaddr_in a = host_sin("127.0.0.1", 1);
    int32_t len = sizeof a;
    for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++) {
        long bad[] = {-1, 99, 4096, (1ll << 32) + 99};
        for (unsigned k = 0; k < 4; k++)
            CHECK_EQ(SC(nrs[i], bad[k], &a, len, 0, &a, sizeof a), -LINUX_EBADF);
        CHECK_EQ(SC(nrs[i], 1, &a, len, 0, &a, sizeof a), -LINUX_ENOTSOCK);
    }
    CHECK(host_sock_quiet());
}

TEST(address_lengths_families_and_pointers)
{
    host_sock_start();
    long t4 = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    long t6 = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in a4 = host_sin("127.0.0.1", 0);
    struct linux_sockaddr_in6 a6 = host_sin6("::1", 0);
    uint8_t huge[200] = {0};
    /* Lengths: short for the family, negative, or beyond sockaddr_storage. */
    CHECK_EQ(SC(LINUX_NR_bind, t4, &a4, 15), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_bind, t4, &a4, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_bind, t4, &a4, -1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_bind, t4, huge, 129), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_bind, t6, &a6, 23), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_connect, t4, &a4, 15), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_connect, t6, &a6, 23), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_connect, t4, &a4, 1), -LINUX_EINVAL);
    /* Pointers. */
    CHECK_EQ(SC(LINUX_NR_bind, t4, NULL, 16), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_connect, t4, 0x10, 16), -LINUX_EFAULT);
    /* The other family (AF_UNSPEC with INADDR_ANY is taken by bind, as Linux). */
    CHECK_EQ(SC(LINUX_NR_bind, t4, &a6, sizeof a6), -LINUX_EAFNOSUPPORT);
    struct linux_sockaddr_in6 v4in6;
    memset(&v4in6, 0, sizeof v4in6);
    memcpy(&v4in6, &a4, sizeof a4);
    CHECK_EQ(SC(LINUX_NR_bind, t6, &v4in6, sizeof v4in6), -LINUX_EAFNOSUPPORT);
    CHECK_EQ(SC(LINUX_NR_connect, t4, &a6, sizeof a6), -LINUX_EAFNOSUPPORT);
    struct linux_sockaddr_in un = {.sin_family = LINUX_AF_UNSPEC, .sin_addr = 0x0100007f};
    CHECK_EQ(SC(LINUX_NR_bind, t4, &un, sizeof un), -LINUX_EAFNOSUPPORT);
    un.sin_addr = 0;
    CHECK_EQ(SC(LINUX_NR_bind, t4, &un, sizeof un), 0);
    /* RFC 2133's 24-byte sockaddr_in6 is whole enough. */
    CHECK_EQ(SC(LINUX_NR_bind, t6, &a6, 24), 0);
    /* connect(AF_UNSPEC) on a stream socket: not here. */
    uint16_t unspec = LINUX_AF_UNSPEC;
    CHECK_EQ(SC(LINUX_NR_connect, t4, &unspec, 2), -LINUX_EOPNOTSUPP);
    /* The names: a room too small, negative, or nowhere. */
    struct linux_sockaddr_in got;
    int32_t len = -1;
    CHECK_EQ(SC(LINUX_NR_getsockname, t4, &got, &len), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_getsockname, t4, &got, NULL), -LINUX_EFAULT);
    len = sizeof got;
    CHECK_EQ(SC(LINUX_NR_getsockname, t4, NULL, &len), -LINUX_EFAULT);
    len = 0;
    CHECK_EQ(SC(LINUX_NR_getsockname, t4, NULL, &len), 0);
    CHECK_EQ(len, 16);
    SC(LINUX_NR_close, t4);
    SC(LINUX_NR_close, t6);
    CHECK(host_sock_quiet());
}

TEST(send_and_receive_arguments)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_sendto, c, NULL, 5, 0, 0, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_sendto, c, buf, -1, 0, 0, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, NULL, 5, 0, 0, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "x", 0, 0, 0, 0), 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, 0, 0, 0, 0), 0);
    /* A stream socket ignores sendto's address, once it is a valid one. */
    struct linux_sockaddr_in nowhere = host_sin("192.0.2.1", 9);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "abc", 3, 0, &nowhere, sizeof nowhere), 3);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "ab", 2, 0, &nowhere, 129), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_sendto, c, "ab", 2, 0, 0x10, 16), -LINUX_EFAULT);
    /* recvfrom's source: none on a stream socket (length 0); a bad length
     * pointer fails the call after the data was taken, as on Linux. */
    struct linux_sockaddr_in from;
    int32_t len = sizeof from;
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, 1, 0, &from, &len), 1);
    CHECK_EQ(len, 0);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, 1, 0, &from, NULL), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_recvfrom, s, buf, sizeof buf, 0, 0, 0), 1);
    CHECK_EQ(buf[0], 'c');
    /* msghdr: the header, its lengths and its iovec. */
    struct linux_iovec iov = {(uintptr_t)buf, 1};
    struct linux_msghdr h = {.msg_iov = (uintptr_t)&iov, .msg_iovlen = 1};
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, NULL, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_recvmsg, s, 0x10, 0), -LINUX_EFAULT);
    h.msg_iovlen = LINUX_UIO_MAXIOV + 1;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, 0), -LINUX_EMSGSIZE);
    CHECK_EQ(SC(LINUX_NR_recvmsg, s, &h, 0), -LINUX_EMSGSIZE);
    h.msg_iovlen = 1;
    h.msg_namelen = -1;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_recvmsg, s, &h, 0), -LINUX_EINVAL);
    h.msg_namelen = 0;
    iov.iov_len = (uint64_t)-1;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, 0), -LINUX_EINVAL);
    iov.iov_base = 0x10;
    iov.iov_len = 4;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, 0), -LINUX_EFAULT);
    h.msg_iov = 0x10;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, 0), -LINUX_EFAULT);
    /* No ancillary data. */
    iov = (struct linux_iovec){(uintptr_t)buf, 1};
    h.msg_iov = (uintptr_t)&iov;
    h.msg_control = (uintptr_t)buf;
    h.msg_controllen = sizeof buf;
    CHECK_EQ(SC(LINUX_NR_sendmsg, c, &h, 0), -LINUX_EINVAL);
    /* readv's own checks come from sys/fd.c; a socket takes the whole. */
    struct linux_iovec two[2] = {{(uintptr_t)buf, 1}, {0x10, 4}};
    CHECK_EQ(SC(LINUX_NR_writev, c, two, 2), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_shutdown, c, 7), -LINUX_EINVAL);
    /* accept4's flags come first. */
    CHECK_EQ(SC(LINUX_NR_accept4, c, 0, 0, 0x100), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_accept4, -1, 0, 0, 0x100), -LINUX_EINVAL);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    CHECK(host_sock_quiet());
}

TEST(datagram_address_errors)
{
    host_sock_start();
    long u4 = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    long u6 = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_DGRAM, 0);
    struct linux_sockaddr_in6 a6 = host_sin6("::1", 9);
    struct linux_sockaddr_in a4 = host_sin("127.0.0.1", 9);
    CHECK_EQ(SC(LINUX_NR_sendto, u4, "x", 1, 0, &a6, sizeof a6), -LINUX_EAFNOSUPPORT);
    CHECK_EQ(SC(LINUX_NR_sendto, u4, "x", 1, 0, &a4, 15), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_sendto, u6, "x", 1, 0, &a6, 23), -LINUX_EINVAL);
    struct linux_sockaddr_in6 v4in6;
    memset(&v4in6, 0, sizeof v4in6);
    memcpy(&v4in6, &a4, sizeof a4);
    CHECK_EQ(SC(LINUX_NR_sendto, u6, "x", 1, 0, &v4in6, sizeof v4in6), -LINUX_EAFNOSUPPORT);
    CHECK_EQ(SC(LINUX_NR_connect, u4, &a6, sizeof a6), -LINUX_EAFNOSUPPORT);
    CHECK_EQ(SC(LINUX_NR_connect, u6, &a6, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_sendto, u4, "x", 1, 0, 0x10, sizeof a4), -LINUX_EFAULT);
    /* recvmsg: a source the application cannot take fails the call after
     * the datagram was taken, as on Linux. */
    CHECK_EQ(SC(LINUX_NR_bind, u4, &a4, sizeof a4), 0);
    CHECK_EQ(SC(LINUX_NR_sendto, u4, "ab", 2, 0, &a4, sizeof a4), 2);
    char buf[4];
    struct linux_iovec iov = {(uintptr_t)buf, sizeof buf};
    struct linux_msghdr h = {
        .msg_name = 0x10, .msg_namelen = 16, .msg_iov = (uintptr_t)&iov, .msg_iovlen = 1};
    CHECK_EQ(SC(LINUX_NR_recvmsg, u4, &h, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_recvfrom, u4, buf, sizeof buf, LINUX_MSG_DONTWAIT, 0, 0), -LINUX_EAGAIN);
    SC(LINUX_NR_close, u4);
    SC(LINUX_NR_close, u6);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
