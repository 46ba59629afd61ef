/* Listening sockets (listen.h): socket, setsockopt, fcntl, bind, listen
 * (POSIX, and Linux's ipv6(7) for IPV6_V6ONLY). getsockname is asked only
 * for port 0, to learn the port the system chose. */
#define _GNU_SOURCE
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKLOG 1024 /* the kernel caps it at its own maximum (listen(2)) */

union sockaddr_any {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
};

/* "[::]:80" or "0.0.0.0:80", for messages. */
static void describe(const union sockaddr_any *a, char *buf, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (a->sa.sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%u", host, (unsigned)ntohs(a->in6.sin6_port));
    } else {
        inet_ntop(AF_INET, &a->in4.sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%u", host, (unsigned)ntohs(a->in4.sin_port));
    }
}

enum v6only {
    V6ONLY_LEAVE, /* not IPv6 */
    V6ONLY_CLEAR, /* try to take IPv4 too; *dual says whether it worked */
    V6ONLY_SET,   /* an IPv6 address only */
};

/* One listening socket on addr, or -1 after saying what failed; errno is
 * kept for the caller's choice of a fallback. */
static int open_one(union sockaddr_any *addr, enum v6only v6, bool *dual, bool quiet_enoafs)
{
    char where[INET6_ADDRSTRLEN + 16];
    describe(addr, where, sizeof where);
    int family = addr->sa.sa_family;
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        int err = errno;
        if (!(quiet_enoafs && (err == EAFNOSUPPORT || err == EPROTONOSUPPORT)))
            fprintf(stderr, "httpd: socket(%s, SOCK_STREAM): %s\n",
                    family == AF_INET6 ? "AF_INET6" : "AF_INET", strerror(err));
        errno = err;
        return -1;
    }
    int one = 1;
    /* SO_REUSEADDR: a restarted server binds while old connections to the
     * port are still in TIME_WAIT (socket(7)). */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        fprintf(stderr, "httpd: setsockopt(SO_REUSEADDR) on %s: %s (going on)\n", where,
                strerror(errno));
    if (v6 != V6ONLY_LEAVE) {
        int only = v6 == V6ONLY_SET;
        bool ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only) == 0;
        if (dual != NULL)
            *dual = ok && !only;
        if (!ok && v6 == V6ONLY_SET)
            fprintf(stderr, "httpd: setsockopt(IPV6_V6ONLY) on %s: %s (going on)\n", where,
                    strerror(errno));
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
        int err = errno;
        fprintf(stderr, "httpd: fcntl(O_NONBLOCK) on %s: %s\n", where, strerror(err));
        close(fd);
        errno = err;
        return -1;
    }
    if (bind(fd, &addr->sa, family == AF_INET6 ? sizeof addr->in6 : sizeof addr->in4) != 0) {
        int err = errno;
        fprintf(stderr, "httpd: bind %s: %s\n", where, strerror(err));
        close(fd);
        errno = err;
        return -1;
    }
    if (listen(fd, BACKLOG) != 0) {
        int err = errno;
        fprintf(stderr, "httpd: listen on %s: %s\n", where, strerror(err));
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

static unsigned bound_port(int fd, unsigned asked)
{
    if (asked != 0)
        return asked;
    union sockaddr_any a;
    socklen_t len = sizeof a;
    if (getsockname(fd, &a.sa, &len) != 0)
        return 0;
    return ntohs(a.sa.sa_family == AF_INET6 ? a.in6.sin6_port : a.in4.sin_port);
}

static void any4(union sockaddr_any *a, unsigned port)
{
    memset(a, 0, sizeof *a);
    a->in4.sin_family = AF_INET;
    a->in4.sin_port = htons((uint16_t)port);
    a->in4.sin_addr.s_addr = htonl(INADDR_ANY);
}

static void any6(union sockaddr_any *a, unsigned port)
{
    memset(a, 0, sizeof *a);
    a->in6.sin6_family = AF_INET6;
    a->in6.sin6_port = htons((uint16_t)port);
    a->in6.sin6_addr = in6addr_any;
}

static int add(struct listener l[LISTEN_MAX], int n, int fd, int family)
{
    l[n].fd = fd;
    l[n].family = family;
    return n + 1;
}

int listen_open(const struct httpd_config *cfg, struct listener l[LISTEN_MAX], unsigned *port)
{
    union sockaddr_any a;
    bool dual = false;
    int fd;
    if (cfg->bind != NULL) {
        memset(&a, 0, sizeof a);
        if (inet_pton(AF_INET, cfg->bind, &a.in4.sin_addr) == 1) {
            a.in4.sin_family = AF_INET;
            a.in4.sin_port = htons((uint16_t)cfg->port);
            fd = open_one(&a, V6ONLY_LEAVE, NULL, false);
        } else if (inet_pton(AF_INET6, cfg->bind, &a.in6.sin6_addr) == 1) {
            a.in6.sin6_family = AF_INET6;
            a.in6.sin6_port = htons((uint16_t)cfg->port);
            /* "::" given explicitly still takes IPv4 where it can. */
            bool any = IN6_IS_ADDR_UNSPECIFIED(&a.in6.sin6_addr);
            fd = open_one(&a, any ? V6ONLY_CLEAR : V6ONLY_SET, &dual, false);
            if (fd >= 0 && any && !dual)
                fprintf(stderr, "httpd: [::] takes IPv6 only here (IPV6_V6ONLY stays set)\n");
        } else {
            fprintf(stderr, "httpd: --bind: '%s' is not an IPv4 or IPv6 address\n", cfg->bind);
            return -1;
        }
        if (fd < 0)
            return -1;
        *port = bound_port(fd, cfg->port);
        return add(l, 0, fd, a.sa.sa_family);
    }
    /* The default: "::" for both families (ipv6(7), IPV6_V6ONLY), else
     * IPv4 alone where the system has no IPv6, else one socket each. */
    any6(&a, cfg->port);
    fd = open_one(&a, V6ONLY_CLEAR, &dual, true);
    if (fd < 0) {
        if (errno != EAFNOSUPPORT && errno != EPROTONOSUPPORT && errno != EADDRNOTAVAIL)
            return -1;
        fprintf(stderr, "httpd: no IPv6 here (%s): listening on IPv4 only\n", strerror(errno));
        any4(&a, cfg->port);
        fd = open_one(&a, V6ONLY_LEAVE, NULL, false);
        if (fd < 0)
            return -1;
        *port = bound_port(fd, cfg->port);
        return add(l, 0, fd, AF_INET);
    }
    *port = bound_port(fd, cfg->port);
    int n = add(l, 0, fd, AF_INET6);
    if (!dual) {
        /* IPv6 only on this socket: IPv4 needs its own, on the same port. */
        fprintf(stderr, "httpd: [::] takes IPv6 only here: IPv4 gets a socket of its own\n");
        any4(&a, *port);
        int fd4 = open_one(&a, V6ONLY_LEAVE, NULL, false);
        if (fd4 < 0) {
            listen_close(l, n);
            return -1;
        }
        n = add(l, n, fd4, AF_INET);
    }
    return n;
}

void listen_close(struct listener *l, int n)
{
    for (int i = 0; i < n; i++)
        if (l[i].fd >= 0) {
            close(l[i].fd);
            l[i].fd = -1;
        }
}
