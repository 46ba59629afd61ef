/* An LD_PRELOAD shim for tests/http: makes this host look like a system
 * httpd must cope with, as HTTPD_FAULT says:
 *   no-ipv6  socket(AF_INET6, ...) fails with EAFNOSUPPORT, as on a kernel
 *            or network stack built without IPv6;
 *   v6only   an IPv6 socket cannot take IPv4 too: clearing IPV6_V6ONLY
 *            fails with ENOPROTOOPT and the socket stays IPv6-only.
 * Used with build/host/httpd (AddressSanitizer's runtime must be the first
 * library loaded, so not with httpd-asan). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool fault(const char *name)
{
    const char *f = getenv("HTTPD_FAULT");
    return f != NULL && strcmp(f, name) == 0;
}

int socket(int domain, int type, int protocol)
{
    static int (*real)(int, int, int);
    if (real == NULL)
        real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
    if (domain == AF_INET6 && fault("no-ipv6")) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    return real(domain, type, protocol);
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    static int (*real)(int, int, int, const void *, socklen_t);
    if (real == NULL)
        real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && fault("v6only")) {
        int one = 1;
        real(fd, level, name, &one, sizeof one);
        errno = ENOPROTOOPT;
        return -1;
    }
    return real(fd, level, name, value, len);
}
