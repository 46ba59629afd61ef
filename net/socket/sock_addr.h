/* Socket addresses: the application's struct sockaddr_in and sockaddr_in6
 * (include/uapi/linux/in.h, in6.h) to and from lwIP's ip_addr_t, with the
 * checks and errors Linux makes (net/ipv4/af_inet.c inet_bind,
 * tcp_ipv4.c tcp_v4_connect, udp.c udp_sendmsg; their IPv6 twins).
 *
 * An AF_INET6 socket that is not IPV6_V6ONLY is dual-stack: an IPv4 peer
 * appears as the IPv4-mapped address ::ffff:a.b.c.d (RFC 4291, 2.5.5.2),
 * and a mapped address given to bind, connect or sendto means that IPv4
 * address. IPv6 scope ids are lwIP's interface numbers (netif_get_index:
 * the loopback interface is 1, the devices follow in the order they came). */
#ifndef NET_SOCKET_SOCK_ADDR_H
#define NET_SOCKET_SOCK_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/ip_addr.h"

struct sock;

enum sock_addr_use {
    SOCK_ADDR_BIND,    /* bind: the unspecified address is "any" */
    SOCK_ADDR_CONNECT, /* connect: AF_UNSPEC disconnects; unspecified is this host */
    SOCK_ADDR_SEND,    /* sendto, sendmsg: a port is required */
};

/* Reads the address the application passed (the raw uaddr and ulen
 * arguments) for s. Returns 0 with *ip and *port (host order) set, 1 for
 * AF_UNSPEC in SOCK_ADDR_CONNECT (a disconnect), or -errno: EINVAL (a
 * length out of range, short for the family, a mapped address on an
 * IPV6_V6ONLY socket's bind, a zero port to send to), EFAULT,
 * EAFNOSUPPORT (another family), ENETUNREACH (a mapped address on an
 * IPV6_V6ONLY socket's connect or send), ENODEV (a scope id naming no
 * interface). */
long sock_addr_in(const struct sock *s, long uaddr, long ulen, enum sock_addr_use use,
                  ip_addr_t *ip, uint16_t *port);

/* Writes ip and port as s's family shows them (an IPv4 address on an
 * AF_INET6 socket as mapped, the "any" of either family as its family's)
 * to uaddr, at most the room *ulenp says, and the address's full length to
 * *ulenp, as Linux's move_addr_to_user does. With ip NULL there is no
 * address (a TCP recvfrom): only the length 0 is written. -EFAULT, or
 * -EINVAL for a negative room. */
long sock_addr_out(const struct sock *s, const ip_addr_t *ip, uint16_t port, long uaddr,
                   long ulenp);

/* Reads the room *ulenp before a call that will write an address there
 * (accept: the connection must not be taken when its address cannot be
 * given). -EFAULT or -EINVAL, else 0. */
long sock_addr_room_ok(long ulenp);

/* Whether ip is an address of this host (an interface's, or the
 * unspecified address), as bind requires (EADDRNOTAVAIL otherwise). */
bool sock_addr_is_local(const ip_addr_t *ip);

#endif
