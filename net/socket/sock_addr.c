/* Socket addresses (net/socket/sock_addr.h). */
#include "net/socket/sock_addr.h"

#include "lwip/def.h"
#include "lwip/netif.h"
#include "net/socket/sock.h"
#include "sys/linux_abi.h"
#include "sys/uaccess.h"

/* The application's address, copied whole as move_addr_to_kernel does: a
 * length beyond sockaddr_storage is EINVAL, an unreachable one EFAULT. */
union any_addr {
    uint16_t family;
    struct linux_sockaddr_in in;
    struct linux_sockaddr_in6 in6;
    uint8_t bytes[LINUX_SOCKADDR_STORAGE];
};

static long copy_in(union any_addr *a, long uaddr, long ulen)
{
    if (ulen < 0 || ulen > LINUX_SOCKADDR_STORAGE)
        return -LINUX_EINVAL;
    memset(a, 0, sizeof *a);
    if (ulen > 0 && !user_read(a, uaddr, (size_t)ulen))
        return -LINUX_EFAULT;
    return 0;
}

static long from_in(const struct linux_sockaddr_in *in, enum sock_addr_use use, ip_addr_t *ip,
                    uint16_t *port)
{
    ip_addr_set_ip4_u32_val(*ip, in->sin_addr);
    *port = lwip_ntohs(in->sin_port);
    /* Connecting or sending to 0.0.0.0 reaches this host, as on Linux. */
    if (use != SOCK_ADDR_BIND && ip4_addr_isany_val(*ip_2_ip4(ip)))
        ip_addr_set_ip4_u32_val(*ip, PP_HTONL(0x7f000001UL));
    return 0;
}

static long from_in6(const struct sock *s, const struct linux_sockaddr_in6 *in6,
                     enum sock_addr_use use, ip_addr_t *ip, uint16_t *port)
{
    ip6_addr_t a;
    memcpy(a.addr, in6->sin6_addr, sizeof a.addr);
    ip6_addr_clear_zone(&a);
    *port = lwip_ntohs(in6->sin6_port);
    if (ip6_addr_isipv4mappedipv6(&a)) {
        if (s->opt.v6only) /* net/ipv6/af_inet6.c __inet6_bind; tcp_v6_connect */
            return use == SOCK_ADDR_BIND ? -LINUX_EINVAL : -LINUX_ENETUNREACH;
        struct linux_sockaddr_in in = {.sin_addr = a.addr[3]};
        from_in(&in, use, ip, port);
        *port = lwip_ntohs(in6->sin6_port);
        return 0;
    }
    if (ip6_addr_islinklocal(&a) && in6->sin6_scope_id != 0) {
        if (in6->sin6_scope_id > 255 || netif_get_by_index((u8_t)in6->sin6_scope_id) == NULL)
            return -LINUX_ENODEV;
        ip6_addr_set_zone(&a, (u8_t)in6->sin6_scope_id);
    }
    if (ip6_addr_isany(&a)) {
        if (use != SOCK_ADDR_BIND) {
            ip6_addr_set_loopback(&a); /* :: reaches this host */
        } else if (!s->opt.v6only) {
            ip_addr_copy(*ip, *IP_ANY_TYPE); /* dual-stack: both families */
            return 0;
        }
    }
    ip_addr_copy_from_ip6(*ip, a);
    return 0;
}

long sock_addr_in(const struct sock *s, long uaddr, long ulen, enum sock_addr_use use,
                  ip_addr_t *ip, uint16_t *port)
{
    union any_addr a;
    long r = copy_in(&a, uaddr, ulen);
    if (r < 0)
        return r;
    /* inet_stream_connect, inet_dgram_connect: AF_UNSPEC disconnects. */
    if (use == SOCK_ADDR_CONNECT && ulen >= (long)sizeof a.family && a.family == LINUX_AF_UNSPEC)
        return 1;
    if (s->domain == LINUX_AF_INET) {
        if (ulen < (long)sizeof a.in)
            return -LINUX_EINVAL;
        bool ok = a.family == LINUX_AF_INET;
        /* inet_bind takes AF_UNSPEC with INADDR_ANY; udp_sendmsg any AF_UNSPEC. */
        if (a.family == LINUX_AF_UNSPEC)
            ok = use == SOCK_ADDR_SEND || (use == SOCK_ADDR_BIND && a.in.sin_addr == 0);
        if (!ok)
            return -LINUX_EAFNOSUPPORT;
        from_in(&a.in, use, ip, port);
    } else {
        if (ulen < LINUX_SIN6_LEN_RFC2133)
            return -LINUX_EINVAL;
        bool ok = a.family == LINUX_AF_INET6 || (use == SOCK_ADDR_SEND && a.family == 0);
        if (!ok)
            return -LINUX_EAFNOSUPPORT;
        r = from_in6(s, &a.in6, use, ip, port);
        if (r < 0)
            return r;
    }
    if (use == SOCK_ADDR_SEND && *port == 0)
        return -LINUX_EINVAL;
    return 0;
}

long sock_addr_room_ok(long ulenp)
{
    int32_t room;
    if (!user_read(&room, ulenp, sizeof room))
        return -LINUX_EFAULT;
    return room < 0 ? -LINUX_EINVAL : 0;
}

long sock_addr_out(const struct sock *s, const ip_addr_t *ip, uint16_t port, long uaddr, long ulenp)
{
    int32_t room;
    if (!user_read(&room, ulenp, sizeof room))
        return -LINUX_EFAULT;
    if (room < 0)
        return -LINUX_EINVAL;
    union any_addr a;
    memset(&a, 0, sizeof a);
    int32_t len = 0;
    if (ip != NULL && s->domain == LINUX_AF_INET) {
        a.in.sin_family = LINUX_AF_INET;
        a.in.sin_port = lwip_htons(port);
        a.in.sin_addr = IP_IS_V4(ip) ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
        len = sizeof a.in;
    } else if (ip != NULL) {
        a.in6.sin6_family = LINUX_AF_INET6;
        a.in6.sin6_port = lwip_htons(port);
        if (IP_IS_V6_VAL(*ip)) {
            const ip6_addr_t *a6 = ip_2_ip6(ip);
            memcpy(a.in6.sin6_addr, a6->addr, sizeof a6->addr);
            if (ip6_addr_islinklocal(a6))
                a.in6.sin6_scope_id = ip6_addr_zone(a6);
        } else if (IP_IS_V4_VAL(*ip) && !ip4_addr_isany_val(*ip_2_ip4(ip))) {
            uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));
            a.in6.sin6_addr[10] = 0xff;
            a.in6.sin6_addr[11] = 0xff;
            memcpy(&a.in6.sin6_addr[12], &v4, sizeof v4);
        } /* else any, of either family: :: */
        len = sizeof a.in6;
    }
    int32_t n = room < len ? room : len;
    if (n > 0 && !user_write(uaddr, &a, (size_t)n))
        return -LINUX_EFAULT;
    return user_write(ulenp, &len, sizeof len) ? 0 : -LINUX_EFAULT;
}

bool sock_addr_is_local(const ip_addr_t *ip)
{
    if (ip_addr_isany(ip))
        return true;
    struct netif *netif;
    NETIF_FOREACH(netif)
    {
        if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(netif)))
            return true;
        if (IP_IS_V6(ip) && netif_get_ip6_addr_match(netif, ip_2_ip6(ip)) >= 0)
            return true;
    }
    return false;
}
