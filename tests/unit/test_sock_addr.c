/* net/socket/sock_addr.c and sock_errno.c on their own: the application's
 * sockaddr_in and sockaddr_in6 to lwIP's addresses and back (IPv4, IPv6,
 * IPv4-mapped, unspecified, scoped), and lwIP's err_t as errno. */
#include "lwip/err.h"
#include "net/socket/sock.h"
#include "net/socket/sock_addr.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/unit.h"

static struct sock v4 = {.domain = LINUX_AF_INET};
static struct sock v6 = {.domain = LINUX_AF_INET6};
static struct sock v6only = {.domain = LINUX_AF_INET6, .opt = {.v6only = true}};

static long in4(struct sock *s, const char *ip, uint16_t port, enum sock_addr_use use,
                ip_addr_t *out, uint16_t *out_port)
{
    struct linux_sockaddr_in a = host_sin(ip, port);
    return sock_addr_in(s, (long)&a, sizeof a, use, out, out_port);
}

static long in6(struct sock *s, const char *ip, uint16_t port, uint32_t scope,
                enum sock_addr_use use, ip_addr_t *out, uint16_t *out_port)
{
    struct linux_sockaddr_in6 a = host_sin6(ip, port);
    a.sin6_scope_id = scope;
    return sock_addr_in(s, (long)&a, sizeof a, use, out, out_port);
}

static bool is_v4(const ip_addr_t *ip, const char *text)
{
    ip4_addr_t want;
    return IP_IS_V4(ip) && ip4addr_aton(text, &want) && ip4_addr_cmp(ip_2_ip4(ip), &want);
}

static bool is_v6(const ip_addr_t *ip, const char *text)
{
    ip6_addr_t want;
    return IP_IS_V6(ip) && ip6addr_aton(text, &want) && ip6_addr_cmp_zoneless(ip_2_ip6(ip), &want);
}

TEST(ipv4_addresses_in)
{
    host_sock_start();
    ip_addr_t ip;
    uint16_t port;
    CHECK_EQ(in4(&v4, "10.1.2.3", 8080, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK(is_v4(&ip, "10.1.2.3"));
    CHECK_EQ(port, 8080);
    /* 0.0.0.0 is "any" to bind and this host to connect or send to. */
    CHECK_EQ(in4(&v4, "0.0.0.0", 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(is_v4(&ip, "0.0.0.0"));
    CHECK_EQ(in4(&v4, "0.0.0.0", 9, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK(is_v4(&ip, "127.0.0.1"));
    CHECK_EQ(in4(&v4, "0.0.0.0", 9, SOCK_ADDR_SEND, &ip, &port), 0);
    CHECK(is_v4(&ip, "127.0.0.1"));
    CHECK_EQ(in4(&v4, "10.1.2.3", 0, SOCK_ADDR_SEND, &ip, &port), -LINUX_EINVAL);
    /* AF_UNSPEC: a disconnect to connect, an IPv4 address to sendto. */
    struct linux_sockaddr_in un = host_sin("10.1.2.3", 7);
    un.sin_family = LINUX_AF_UNSPEC;
    CHECK_EQ(sock_addr_in(&v4, (long)&un, sizeof un, SOCK_ADDR_CONNECT, &ip, &port), 1);
    CHECK_EQ(sock_addr_in(&v4, (long)&un, 2, SOCK_ADDR_CONNECT, &ip, &port), 1);
    CHECK_EQ(sock_addr_in(&v4, (long)&un, 1, SOCK_ADDR_CONNECT, &ip, &port), -LINUX_EINVAL);
    CHECK_EQ(sock_addr_in(&v4, (long)&un, sizeof un, SOCK_ADDR_SEND, &ip, &port), 0);
    CHECK(is_v4(&ip, "10.1.2.3"));
    CHECK_EQ(sock_addr_in(&v4, (long)&un, sizeof un, SOCK_ADDR_BIND, &ip, &port),
             -LINUX_EAFNOSUPPORT);
}

TEST(ipv6_addresses_in)
{
    host_sock_start();
    ip_addr_t ip;
    uint16_t port;
    CHECK_EQ(in6(&v6, "2001:db8::42", 443, 0, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK(is_v6(&ip, "2001:db8::42"));
    CHECK_EQ(port, 443);
    CHECK_EQ(ip6_addr_zone(ip_2_ip6(&ip)), IP6_NO_ZONE);
    /* "::": both families to a dual-stack bind, IPv6 only with V6ONLY, this
     * host to connect. */
    CHECK_EQ(in6(&v6, "::", 80, 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(IP_IS_ANY_TYPE_VAL(ip));
    CHECK_EQ(in6(&v6only, "::", 80, 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(is_v6(&ip, "::"));
    CHECK_EQ(in6(&v6, "::", 80, 0, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK(is_v6(&ip, "::1"));
    /* Mapped: the IPv4 address, unless V6ONLY. */
    CHECK_EQ(in6(&v6, "::ffff:192.0.2.7", 53, 0, SOCK_ADDR_SEND, &ip, &port), 0);
    CHECK(is_v4(&ip, "192.0.2.7"));
    CHECK_EQ(port, 53);
    CHECK_EQ(in6(&v6, "::ffff:0.0.0.0", 53, 0, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK(is_v4(&ip, "127.0.0.1"));
    CHECK_EQ(in6(&v6only, "::ffff:192.0.2.7", 53, 0, SOCK_ADDR_SEND, &ip, &port),
             -LINUX_ENETUNREACH);
    CHECK_EQ(in6(&v6only, "::ffff:192.0.2.7", 53, 0, SOCK_ADDR_CONNECT, &ip, &port),
             -LINUX_ENETUNREACH);
    CHECK_EQ(in6(&v6only, "::ffff:192.0.2.7", 53, 0, SOCK_ADDR_BIND, &ip, &port), -LINUX_EINVAL);
    /* A scope id names an interface (lwIP numbers the loopback 1); only
     * link-local addresses take one. */
    CHECK_EQ(in6(&v6, "fe80::1", 1, 1, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK_EQ(ip6_addr_zone(ip_2_ip6(&ip)), 1);
    CHECK_EQ(in6(&v6, "fe80::1", 1, 9, SOCK_ADDR_CONNECT, &ip, &port), -LINUX_ENODEV);
    CHECK_EQ(in6(&v6, "fe80::1", 1, 256, SOCK_ADDR_CONNECT, &ip, &port), -LINUX_ENODEV);
    CHECK_EQ(in6(&v6, "2001:db8::1", 1, 9, SOCK_ADDR_CONNECT, &ip, &port), 0);
    CHECK_EQ(ip6_addr_zone(ip_2_ip6(&ip)), IP6_NO_ZONE);
    /* sendto takes family 0 as AF_INET6 (udpv6_sendmsg); nothing else does. */
    struct linux_sockaddr_in6 z = host_sin6("::1", 5);
    z.sin6_family = 0;
    CHECK_EQ(sock_addr_in(&v6, (long)&z, sizeof z, SOCK_ADDR_SEND, &ip, &port), 0);
    CHECK_EQ(sock_addr_in(&v6, (long)&z, sizeof z, SOCK_ADDR_BIND, &ip, &port),
             -LINUX_EAFNOSUPPORT);
}

/* The length Linux writes is the family's whole address; the room decides
 * how much of it is copied. */
TEST(addresses_out)
{
    host_sock_start();
    ip_addr_t ip;
    struct linux_sockaddr_in a4;
    struct linux_sockaddr_in6 a6;
    int32_t len = sizeof a4;
    ip_addr_set_ip4_u32_val(ip, PP_HTONL(0x0a010203UL));
    CHECK_EQ(sock_addr_out(&v4, &ip, 8080, (long)&a4, (long)&len), 0);
    CHECK_EQ(len, 16);
    struct linux_sockaddr_in want4 = host_sin("10.1.2.3", 8080);
    CHECK(memcmp(&a4, &want4, sizeof a4) == 0);
    /* An IPv4 peer of a dual-stack socket is mapped. */
    len = sizeof a6;
    CHECK_EQ(sock_addr_out(&v6, &ip, 8080, (long)&a6, (long)&len), 0);
    CHECK_EQ(len, 28);
    struct linux_sockaddr_in6 want6 = host_sin6("::ffff:10.1.2.3", 8080);
    CHECK(memcmp(&a6, &want6, sizeof a6) == 0);
    /* Either family's "any" is ::. */
    ip_addr_copy(ip, *IP_ANY_TYPE);
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, (long)&a6, (long)&len), 0);
    want6 = host_sin6("::", 1);
    CHECK(memcmp(&a6, &want6, sizeof a6) == 0);
    ip_addr_set_ip4_u32_val(ip, 0);
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, (long)&a6, (long)&len), 0);
    CHECK(memcmp(&a6, &want6, sizeof a6) == 0);
    /* A link-local address carries its zone as the scope id. */
    ip6_addr_t ll;
    CHECK(ip6addr_aton("fe80::2", &ll));
    ip6_addr_set_zone(&ll, 1);
    ip_addr_copy_from_ip6(ip, ll);
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, (long)&a6, (long)&len), 0);
    CHECK_EQ(a6.sin6_scope_id, 1u);
    /* Room: less copies less; none copies nothing; negative is EINVAL. */
    memset(&a6, 0xee, sizeof a6);
    len = 2;
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, (long)&a6, (long)&len), 0);
    CHECK_EQ(len, 28);
    CHECK(a6.sin6_family == LINUX_AF_INET6 && a6.sin6_port == 0xeeee);
    len = 0;
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, 0, (long)&len), 0);
    CHECK_EQ(len, 28);
    len = -1;
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, (long)&a6, (long)&len), -LINUX_EINVAL);
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, (long)&a6, 0), -LINUX_EFAULT);
    len = 28;
    CHECK_EQ(sock_addr_out(&v6, &ip, 1, 0x10, (long)&len), -LINUX_EFAULT);
    /* No address at all (a stream socket's recvfrom): the length 0. */
    len = 28;
    CHECK_EQ(sock_addr_out(&v6, NULL, 0, (long)&a6, (long)&len), 0);
    CHECK_EQ(len, 0);
}

TEST(which_addresses_are_this_hosts)
{
    host_sock_start();
    ip_addr_t ip;
    uint16_t port;
    CHECK_EQ(in4(&v4, "127.0.0.1", 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(sock_addr_is_local(&ip));
    CHECK_EQ(in4(&v4, "127.0.0.2", 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(!sock_addr_is_local(&ip)); /* lwIP's loopback has the one address */
    CHECK_EQ(in4(&v4, "0.0.0.0", 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(sock_addr_is_local(&ip));
    CHECK_EQ(in6(&v6, "::1", 0, 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(sock_addr_is_local(&ip));
    CHECK_EQ(in6(&v6, "::", 0, 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(sock_addr_is_local(&ip));
    CHECK_EQ(in6(&v6, "2001:db8::1", 0, 0, SOCK_ADDR_BIND, &ip, &port), 0);
    CHECK(!sock_addr_is_local(&ip));
}

TEST(lwip_errors_as_errno)
{
    static const struct {
        err_t err;
        int errno_;
    } table[] = {
        {ERR_OK, 0},
        {ERR_MEM, LINUX_ENOMEM},
        {ERR_BUF, LINUX_ENOBUFS},
        {ERR_TIMEOUT, LINUX_ETIMEDOUT},
        {ERR_RTE, LINUX_ENETUNREACH},
        {ERR_INPROGRESS, LINUX_EINPROGRESS},
        {ERR_VAL, LINUX_EINVAL},
        {ERR_WOULDBLOCK, LINUX_EAGAIN},
        {ERR_USE, LINUX_EADDRINUSE},
        {ERR_ALREADY, LINUX_EALREADY},
        {ERR_ISCONN, LINUX_EISCONN},
        {ERR_CONN, LINUX_ENOTCONN},
        {ERR_IF, LINUX_ENETDOWN},
        {ERR_ABRT, LINUX_ECONNABORTED},
        {ERR_RST, LINUX_ECONNRESET},
        {ERR_CLSD, LINUX_ENOTCONN},
        {ERR_ARG, LINUX_EINVAL},
    };
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        CHECK_EQ(sock_errno(table[i].err), table[i].errno_);
    CHECK_EQ(sock_errno(-17), LINUX_EINVAL); /* not one lwIP 2.1.3 has */
    CHECK_EQ(sock_errno(-128), LINUX_EINVAL);
    CHECK_EQ(sock_errno(5), LINUX_EINVAL);
}

UNIT_MAIN()
