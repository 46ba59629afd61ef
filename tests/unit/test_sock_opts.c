/* net/socket/sock_opts.c: every option, got and set, through
 * __anyvm_syscall, with the lengths, values and levels Linux refuses
 * (values checked against a Linux 6.1 host where socket(7) is silent). */
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "net/socket/sock.h"
#include "sys/fd.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static struct sock *sock_of(long fd)
{
    return (struct sock *)sys_fd_file((unsigned)fd);
}

static int32_t get_int(long fd, int level, int name)
{
    int32_t v = -12345, len = sizeof v;
    long r = SC(LINUX_NR_getsockopt, fd, level, name, &v, &len);
    if (r != 0)
        return (int32_t)r;
    return len == 4 ? v : -99999;
}

static long set_int(long fd, int level, int name, int32_t v)
{
    return SC(LINUX_NR_setsockopt, fd, level, name, &v, sizeof v);
}

TEST(read_only_options_describe_the_socket)
{
    host_sock_start();
    long t4 = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    long u6 = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_DGRAM, LINUX_IPPROTO_UDP);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, LINUX_SO_TYPE), LINUX_SOCK_STREAM);
    CHECK_EQ(get_int(u6, LINUX_SOL_SOCKET, LINUX_SO_TYPE), LINUX_SOCK_DGRAM);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, LINUX_SO_PROTOCOL), LINUX_IPPROTO_TCP);
    CHECK_EQ(get_int(u6, LINUX_SOL_SOCKET, LINUX_SO_PROTOCOL), LINUX_IPPROTO_UDP);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, LINUX_SO_DOMAIN), LINUX_AF_INET);
    CHECK_EQ(get_int(u6, LINUX_SOL_SOCKET, LINUX_SO_DOMAIN), LINUX_AF_INET6);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, LINUX_SO_ERROR), 0);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, LINUX_SO_ACCEPTCONN), 0);
    CHECK_EQ(get_int(u6, LINUX_SOL_SOCKET, LINUX_SO_ACCEPTCONN), 0);
    CHECK_EQ(SC(LINUX_NR_listen, t4, 1), 0);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, LINUX_SO_ACCEPTCONN), 1);
    static const int ro[] = {LINUX_SO_TYPE, LINUX_SO_PROTOCOL, LINUX_SO_DOMAIN, LINUX_SO_ERROR,
                             LINUX_SO_ACCEPTCONN};
    for (unsigned i = 0; i < sizeof ro / sizeof ro[0]; i++)
        CHECK_EQ(set_int(t4, LINUX_SOL_SOCKET, ro[i], 1), -LINUX_ENOPROTOOPT);
    SC(LINUX_NR_close, t4);
    SC(LINUX_NR_close, u6);
    CHECK(host_sock_quiet());
}

/* The flags: 0 or 1 whatever was set; what lwIP keeps follows. */
TEST(flag_options_and_their_pcb_bits)
{
    host_sock_start();
    long t = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    long u = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    struct tcp_pcb *tp = sock_of(t)->u.tcp.pcb;
    struct udp_pcb *up = sock_of(u)->u.udp.pcb;
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR), 0);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, 5), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR), 1);
    CHECK(ip_get_option(tp, SOF_REUSEADDR));
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, 0), 0);
    CHECK(!ip_get_option(tp, SOF_REUSEADDR));
    CHECK_EQ(set_int(u, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, -1), 0);
    CHECK(ip_get_option(up, SOF_REUSEADDR));
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE), 0);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE, 1), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE), 1);
    CHECK(ip_get_option(tp, SOF_KEEPALIVE));
    CHECK_EQ(get_int(u, LINUX_SOL_SOCKET, LINUX_SO_BROADCAST), 0);
    CHECK_EQ(set_int(u, LINUX_SOL_SOCKET, LINUX_SO_BROADCAST, 2), 0);
    CHECK_EQ(get_int(u, LINUX_SOL_SOCKET, LINUX_SO_BROADCAST), 1);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_BROADCAST, 1), 0); /* accepted, as Linux */
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY), 0);
    CHECK(!tcp_nagle_disabled(tp));
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, 7), 0);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY), 1);
    CHECK(tcp_nagle_disabled(tp));
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, 0), 0);
    CHECK(!tcp_nagle_disabled(tp));
    SC(LINUX_NR_close, t);
    SC(LINUX_NR_close, u);
    CHECK(host_sock_quiet());
}

/* SO_RCVBUF, SO_SNDBUF: 256 KiB by default; a value set is doubled, with
 * Linux's floors, and capped (a negative one is the cap). */
TEST(buffer_sizes)
{
    host_sock_start();
    long t = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF), 262144);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF), 262144);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF, 100000), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF), 200000);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF, 1), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF), 2304);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF, 1), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF), 4608);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF, 1000000000), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF), 8 << 20);
    CHECK_EQ(set_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF, -5), 0);
    CHECK_EQ(get_int(t, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF), 8 << 20);
    SC(LINUX_NR_close, t);
    CHECK(host_sock_quiet());
}

TEST(so_linger)
{
    host_sock_start();
    long t = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    struct linux_linger l = {-1, -1};
    int32_t len = sizeof l;
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, &len), 0);
    CHECK_EQ(len, 8);
    CHECK(l.l_onoff == 0 && l.l_linger == 0);
    l = (struct linux_linger){5, 7};
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, sizeof l), 0);
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, &len), 0);
    CHECK(l.l_onoff == 1 && l.l_linger == 7);
    l = (struct linux_linger){0, 3}; /* off: the time stays what it was */
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, sizeof l), 0);
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, &len), 0);
    CHECK(l.l_onoff == 0 && l.l_linger == 7);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &l, 4), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_LINGER, NULL, 8), -LINUX_EFAULT);
    SC(LINUX_NR_close, t);
    CHECK(host_sock_quiet());
}

TEST(timeouts)
{
    host_sock_start();
    long t = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    static const int names[] = {LINUX_SO_RCVTIMEO_OLD, LINUX_SO_SNDTIMEO_OLD, LINUX_SO_RCVTIMEO_NEW,
                                LINUX_SO_SNDTIMEO_NEW};
    for (unsigned i = 0; i < 4; i++) {
        struct linux_timeval tv = {-1, -1};
        int32_t len = sizeof tv;
        CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, &len), 0);
        CHECK(len == 16 && tv.tv_sec == 0 && tv.tv_usec == 0); /* none */
        tv = (struct linux_timeval){1, 5};
        CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, sizeof tv), 0);
        tv = (struct linux_timeval){0, 0};
        CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, &len), 0);
        CHECK(tv.tv_sec == 1 && tv.tv_usec == 5);
        tv = (struct linux_timeval){1, 1000000};
        CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, sizeof tv),
                 -LINUX_EDOM);
        tv = (struct linux_timeval){1, -1};
        CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, sizeof tv),
                 -LINUX_EDOM);
        CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, 8), -LINUX_EINVAL);
        /* A short room takes the start of the value (Linux truncates). */
        int64_t sec = 0;
        len = sizeof sec;
        CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, names[i], &sec, &len), 0);
        CHECK(len == 8 && sec == 1);
        tv = (struct linux_timeval){0, 0};
        CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, names[i], &tv, sizeof tv), 0);
    }
    CHECK_EQ(sock_of(t)->opt.rcvtimeo_ns, SOCK_TIMEO_NONE);
    struct linux_timeval neg = {-5, 0}, big = {INT64_MAX, 999999};
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD, &neg, 16), 0);
    CHECK_EQ(sock_of(t)->opt.rcvtimeo_ns, 0u); /* returns at once */
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_SNDTIMEO_OLD, &big, 16), 0);
    CHECK(sock_of(t)->opt.sndtimeo_ns < SOCK_TIMEO_NONE);
    CHECK(sock_of(t)->opt.sndtimeo_ns > 1000000000ull * 1000000000ull);
    SC(LINUX_NR_close, t);
    CHECK(host_sock_quiet());
}

/* tcp(7)'s keepalive knobs: ranges, defaults (Linux's), the pcb's fields. */
TEST(tcp_keepalive_knobs)
{
    host_sock_start();
    long t = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    struct tcp_pcb *pcb = sock_of(t)->u.tcp.pcb;
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE), 7200);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL), 75);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT), 9);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, 0), -LINUX_EINVAL);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, 32768), -LINUX_EINVAL);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL, 0), -LINUX_EINVAL);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL, 32768), -LINUX_EINVAL);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT, 0), -LINUX_EINVAL);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT, 128), -LINUX_EINVAL);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, 32767), 0);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL, 1), 0);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT, 127), 0);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE), 32767);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPINTVL), 1);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPCNT), 127);
    CHECK_EQ(pcb->keep_idle, 32767000u);
    CHECK_EQ(pcb->keep_intvl, 1000u);
    CHECK_EQ(pcb->keep_cnt, 127u);
    CHECK_EQ(set_int(t, LINUX_IPPROTO_TCP, 2 /* TCP_MAXSEG */, 1000), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(t, LINUX_IPPROTO_TCP, 999), -LINUX_ENOPROTOOPT);
    /* A UDP socket has no TCP level (Linux: ENOPROTOOPT to set, EOPNOTSUPP to get). */
    long u = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_DGRAM, 0);
    CHECK_EQ(set_int(u, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, 1), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(u, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY), -LINUX_EOPNOTSUPP);
    CHECK_EQ(get_int(u, LINUX_IPPROTO_UDP, 1), -LINUX_ENOPROTOOPT);
    SC(LINUX_NR_close, t);
    SC(LINUX_NR_close, u);
    CHECK(host_sock_quiet());
}

TEST(ipv6_v6only)
{
    host_sock_start();
    long t6 = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM, 0);
    long t4 = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    CHECK_EQ(get_int(t6, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY), 0);
    CHECK_EQ(set_int(t6, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, 9), 0);
    CHECK_EQ(get_int(t6, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY), 1);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t6, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, "\1", 1),
             -LINUX_EINVAL);
    CHECK_EQ(set_int(t6, LINUX_IPPROTO_IPV6, 999, 1), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(t6, LINUX_IPPROTO_IPV6, 999), -LINUX_ENOPROTOOPT);
    struct linux_sockaddr_in6 lo = host_sin6("::1", 0);
    CHECK_EQ(SC(LINUX_NR_bind, t6, &lo, sizeof lo), 0);
    CHECK_EQ(set_int(t6, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, 0), -LINUX_EINVAL); /* bound */
    /* An AF_INET socket has no IPv6 level. */
    CHECK_EQ(set_int(t4, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY, 1), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(t4, LINUX_IPPROTO_IPV6, LINUX_IPV6_V6ONLY), -LINUX_EOPNOTSUPP);
    /* No IP-level options; unknown levels and names. */
    CHECK_EQ(set_int(t4, LINUX_IPPROTO_IP, 1 /* IP_TOS */, 0), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(t4, LINUX_IPPROTO_IP, 1), -LINUX_ENOPROTOOPT);
    CHECK_EQ(set_int(t4, 9999, 1, 0), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(t4, 9999, 1), -LINUX_EOPNOTSUPP);
    CHECK_EQ(set_int(t4, LINUX_SOL_SOCKET, 9999, 0), -LINUX_ENOPROTOOPT);
    CHECK_EQ(get_int(t4, LINUX_SOL_SOCKET, 9999), -LINUX_ENOPROTOOPT);
    CHECK_EQ(set_int(t4, LINUX_SOL_SOCKET, 25 /* SO_BINDTODEVICE */, 0), -LINUX_ENOPROTOOPT);
    SC(LINUX_NR_close, t6);
    SC(LINUX_NR_close, t4);
    CHECK(host_sock_quiet());
}

/* Lengths and pointers, as sock_setsockopt and sock_getsockopt check them. */
TEST(lengths_and_pointers)
{
    host_sock_start();
    long t = SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    int32_t one = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 2),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, -1),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, 9999, &one, 2), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, NULL, 4),
             -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, 0x10, 4),
             -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, &one, 3),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, NULL, 4),
             -LINUX_EFAULT);
    /* Longer than the value is fine (Linux reads an int). */
    int64_t wide = 1;
    CHECK_EQ(SC(LINUX_NR_setsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE, &wide, 8), 0);
    /* getsockopt copies what fits and writes back how much it copied. */
    uint8_t b[8];
    memset(b, 0xaa, sizeof b);
    int32_t len = 2;
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_TYPE, b, &len), 0);
    CHECK_EQ(len, 2);
    CHECK(b[0] == 1 && b[1] == 0 && b[2] == 0xaa);
    len = 8;
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_TYPE, b, &len), 0);
    CHECK_EQ(len, 4);
    len = 0;
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_TYPE, NULL, &len), 0);
    CHECK_EQ(len, 0);
    len = -1;
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_TYPE, b, &len), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_TYPE, b, NULL), -LINUX_EFAULT);
    len = 4;
    CHECK_EQ(SC(LINUX_NR_getsockopt, t, LINUX_SOL_SOCKET, LINUX_SO_TYPE, NULL, &len),
             -LINUX_EFAULT);
    /* Not a socket, not a descriptor. */
    CHECK_EQ(SC(LINUX_NR_setsockopt, 1, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4),
             -LINUX_ENOTSOCK);
    CHECK_EQ(SC(LINUX_NR_getsockopt, 1, LINUX_SOL_SOCKET, LINUX_SO_TYPE, b, &len), -LINUX_ENOTSOCK);
    CHECK_EQ(SC(LINUX_NR_setsockopt, 77, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one, 4),
             -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_getsockopt, -1, LINUX_SOL_SOCKET, LINUX_SO_TYPE, b, &len), -LINUX_EBADF);
    SC(LINUX_NR_close, t);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
