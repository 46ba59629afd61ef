/* sys/linux_abi.h's socket values and layouts against the host's own
 * definitions: the C library's <sys/socket.h>, <netinet/in.h> and
 * <netinet/tcp.h> (glibc, which takes them from Linux's UAPI headers) and
 * Linux's <asm/socket.h>. A file of its own: <sys/socket.h> and the kernel
 * headers test_sys_abi.c reads both define struct iovec. */
#define _GNU_SOURCE /* POLLRDHUP */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "sys/linux_abi.h"
#include "tests/unit/unit.h"

#define SAME_LAYOUT(ours, theirs, field_ours, field_theirs)                                        \
    CHECK_EQ(offsetof(ours, field_ours), offsetof(theirs, field_theirs))

TEST(socket_call_numbers_are_linuxs)
{
    CHECK_EQ(LINUX_NR_socket, SYS_socket);
    CHECK_EQ(LINUX_NR_connect, SYS_connect);
    CHECK_EQ(LINUX_NR_accept, SYS_accept);
    CHECK_EQ(LINUX_NR_sendto, SYS_sendto);
    CHECK_EQ(LINUX_NR_recvfrom, SYS_recvfrom);
    CHECK_EQ(LINUX_NR_sendmsg, SYS_sendmsg);
    CHECK_EQ(LINUX_NR_recvmsg, SYS_recvmsg);
    CHECK_EQ(LINUX_NR_shutdown, SYS_shutdown);
    CHECK_EQ(LINUX_NR_bind, SYS_bind);
    CHECK_EQ(LINUX_NR_listen, SYS_listen);
    CHECK_EQ(LINUX_NR_getsockname, SYS_getsockname);
    CHECK_EQ(LINUX_NR_getpeername, SYS_getpeername);
    CHECK_EQ(LINUX_NR_socketpair, SYS_socketpair);
    CHECK_EQ(LINUX_NR_setsockopt, SYS_setsockopt);
    CHECK_EQ(LINUX_NR_getsockopt, SYS_getsockopt);
    CHECK_EQ(LINUX_NR_accept4, SYS_accept4);
}

TEST(socket_errno_values_are_linuxs)
{
    CHECK_EQ(LINUX_EACCES, EACCES);
    CHECK_EQ(LINUX_EPIPE, EPIPE);
    CHECK_EQ(LINUX_EDOM, EDOM);
    CHECK_EQ(LINUX_ENOTSOCK, ENOTSOCK);
    CHECK_EQ(LINUX_EDESTADDRREQ, EDESTADDRREQ);
    CHECK_EQ(LINUX_EMSGSIZE, EMSGSIZE);
    CHECK_EQ(LINUX_ENOPROTOOPT, ENOPROTOOPT);
    CHECK_EQ(LINUX_EPROTONOSUPPORT, EPROTONOSUPPORT);
    CHECK_EQ(LINUX_ESOCKTNOSUPPORT, ESOCKTNOSUPPORT);
    CHECK_EQ(LINUX_EAFNOSUPPORT, EAFNOSUPPORT);
    CHECK_EQ(LINUX_EADDRINUSE, EADDRINUSE);
    CHECK_EQ(LINUX_EADDRNOTAVAIL, EADDRNOTAVAIL);
    CHECK_EQ(LINUX_ENETDOWN, ENETDOWN);
    CHECK_EQ(LINUX_ENETUNREACH, ENETUNREACH);
    CHECK_EQ(LINUX_ECONNABORTED, ECONNABORTED);
    CHECK_EQ(LINUX_ECONNRESET, ECONNRESET);
    CHECK_EQ(LINUX_ENOBUFS, ENOBUFS);
    CHECK_EQ(LINUX_EISCONN, EISCONN);
    CHECK_EQ(LINUX_ENOTCONN, ENOTCONN);
    CHECK_EQ(LINUX_ECONNREFUSED, ECONNREFUSED);
    CHECK_EQ(LINUX_EHOSTUNREACH, EHOSTUNREACH);
    CHECK_EQ(LINUX_EALREADY, EALREADY);
    CHECK_EQ(LINUX_EINPROGRESS, EINPROGRESS);
}

TEST(socket_constants_are_linuxs)
{
    CHECK_EQ(LINUX_S_IFSOCK, S_IFSOCK);
    CHECK_EQ(LINUX_POLLRDNORM, POLLRDNORM);
    CHECK_EQ(LINUX_POLLWRNORM, POLLWRNORM);
    CHECK_EQ(LINUX_POLLRDHUP, POLLRDHUP);
    CHECK_EQ(LINUX_AF_UNSPEC, AF_UNSPEC);
    CHECK_EQ(LINUX_AF_INET, AF_INET);
    CHECK_EQ(LINUX_AF_INET6, AF_INET6);
    CHECK_EQ(LINUX_AF_MAX, AF_MAX);
    CHECK_EQ(LINUX_SOCK_STREAM, SOCK_STREAM);
    CHECK_EQ(LINUX_SOCK_DGRAM, SOCK_DGRAM);
    CHECK_EQ(LINUX_SOCK_RAW, SOCK_RAW);
    CHECK_EQ(LINUX_SOCK_MAX, SOCK_PACKET + 1);
    CHECK_EQ(LINUX_SOCK_NONBLOCK, SOCK_NONBLOCK);
    CHECK_EQ(LINUX_SOCK_CLOEXEC, SOCK_CLOEXEC);
    CHECK_EQ(LINUX_IPPROTO_IP, IPPROTO_IP);
    CHECK_EQ(LINUX_IPPROTO_TCP, IPPROTO_TCP);
    CHECK_EQ(LINUX_IPPROTO_UDP, IPPROTO_UDP);
    CHECK_EQ(LINUX_IPPROTO_IPV6, IPPROTO_IPV6);
    CHECK_EQ(LINUX_IPPROTO_MAX, IPPROTO_MPTCP + 1);
    CHECK_EQ(LINUX_SOL_SOCKET, SOL_SOCKET);
    CHECK_EQ(LINUX_SO_REUSEADDR, SO_REUSEADDR);
    CHECK_EQ(LINUX_SO_TYPE, SO_TYPE);
    CHECK_EQ(LINUX_SO_ERROR, SO_ERROR);
    CHECK_EQ(LINUX_SO_BROADCAST, SO_BROADCAST);
    CHECK_EQ(LINUX_SO_SNDBUF, SO_SNDBUF);
    CHECK_EQ(LINUX_SO_RCVBUF, SO_RCVBUF);
    CHECK_EQ(LINUX_SO_KEEPALIVE, SO_KEEPALIVE);
    CHECK_EQ(LINUX_SO_LINGER, SO_LINGER);
    CHECK_EQ(LINUX_SO_RCVTIMEO_OLD, SO_RCVTIMEO_OLD);
    CHECK_EQ(LINUX_SO_SNDTIMEO_OLD, SO_SNDTIMEO_OLD);
    CHECK_EQ(LINUX_SO_RCVTIMEO_NEW, SO_RCVTIMEO_NEW);
    CHECK_EQ(LINUX_SO_SNDTIMEO_NEW, SO_SNDTIMEO_NEW);
    CHECK_EQ(LINUX_SO_ACCEPTCONN, SO_ACCEPTCONN);
    CHECK_EQ(LINUX_SO_PROTOCOL, SO_PROTOCOL);
    CHECK_EQ(LINUX_SO_DOMAIN, SO_DOMAIN);
    CHECK_EQ(LINUX_TCP_NODELAY, TCP_NODELAY);
    CHECK_EQ(LINUX_TCP_KEEPIDLE, TCP_KEEPIDLE);
    CHECK_EQ(LINUX_TCP_KEEPINTVL, TCP_KEEPINTVL);
    CHECK_EQ(LINUX_TCP_KEEPCNT, TCP_KEEPCNT);
    CHECK_EQ(LINUX_IPV6_V6ONLY, IPV6_V6ONLY);
    CHECK_EQ(LINUX_MSG_OOB, MSG_OOB);
    CHECK_EQ(LINUX_MSG_PEEK, MSG_PEEK);
    CHECK_EQ(LINUX_MSG_CTRUNC, MSG_CTRUNC);
    CHECK_EQ(LINUX_MSG_TRUNC, MSG_TRUNC);
    CHECK_EQ(LINUX_MSG_DONTWAIT, MSG_DONTWAIT);
    CHECK_EQ(LINUX_MSG_WAITALL, MSG_WAITALL);
    CHECK_EQ(LINUX_MSG_NOSIGNAL, MSG_NOSIGNAL);
    CHECK_EQ(LINUX_MSG_MORE, MSG_MORE);
    CHECK_EQ(LINUX_SHUT_RD, SHUT_RD);
    CHECK_EQ(LINUX_SHUT_WR, SHUT_WR);
    CHECK_EQ(LINUX_SHUT_RDWR, SHUT_RDWR);
}

TEST(socket_layouts_are_linuxs)
{
    CHECK_EQ(sizeof(struct linux_sockaddr_in), sizeof(struct sockaddr_in));
    SAME_LAYOUT(struct linux_sockaddr_in, struct sockaddr_in, sin_port, sin_port);
    SAME_LAYOUT(struct linux_sockaddr_in, struct sockaddr_in, sin_addr, sin_addr);
    CHECK_EQ(sizeof(struct linux_sockaddr_in6), sizeof(struct sockaddr_in6));
    SAME_LAYOUT(struct linux_sockaddr_in6, struct sockaddr_in6, sin6_port, sin6_port);
    SAME_LAYOUT(struct linux_sockaddr_in6, struct sockaddr_in6, sin6_flowinfo, sin6_flowinfo);
    SAME_LAYOUT(struct linux_sockaddr_in6, struct sockaddr_in6, sin6_addr, sin6_addr);
    SAME_LAYOUT(struct linux_sockaddr_in6, struct sockaddr_in6, sin6_scope_id, sin6_scope_id);
    CHECK_EQ(LINUX_SIN6_LEN_RFC2133, offsetof(struct sockaddr_in6, sin6_scope_id));
    CHECK_EQ(LINUX_SOCKADDR_STORAGE, sizeof(struct sockaddr_storage));
    CHECK_EQ(sizeof(struct linux_msghdr), sizeof(struct msghdr));
    SAME_LAYOUT(struct linux_msghdr, struct msghdr, msg_namelen, msg_namelen);
    SAME_LAYOUT(struct linux_msghdr, struct msghdr, msg_iov, msg_iov);
    SAME_LAYOUT(struct linux_msghdr, struct msghdr, msg_iovlen, msg_iovlen);
    SAME_LAYOUT(struct linux_msghdr, struct msghdr, msg_control, msg_control);
    SAME_LAYOUT(struct linux_msghdr, struct msghdr, msg_controllen, msg_controllen);
    SAME_LAYOUT(struct linux_msghdr, struct msghdr, msg_flags, msg_flags);
    CHECK_EQ(sizeof(struct linux_linger), sizeof(struct linger));
    SAME_LAYOUT(struct linux_linger, struct linger, l_linger, l_linger);
}

UNIT_MAIN()
