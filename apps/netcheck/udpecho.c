/* netcheck udpecho PORT COUNT: sends each datagram back to its sender until
 * COUNT have been echoed. One IPv6 socket takes IPv4 too (IPV6_V6ONLY off). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netcheck.h"

int netcheck_udpecho(int port, long count)
{
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s < 0) {
        printf("udpecho: socket: %s\n", strerror(errno));
        return 1;
    }
    int off = 0;
    if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0)
        printf("udpecho: IPV6_V6ONLY off: %s\n", strerror(errno));
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((unsigned short)port);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) {
        printf("udpecho: bind port %d: %s\n", port, strerror(errno));
        close(s);
        return 1;
    }
    printf("udpecho %d ready\n", port);
    fflush(stdout);
    long echoed = 0;
    char buf[65536];
    while (echoed < count) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) {
            printf("udpecho: recvfrom: %s\n", strerror(errno));
            close(s);
            return 1;
        }
        if (sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, len) != n) {
            printf("udpecho: sendto: %s\n", strerror(errno));
            close(s);
            return 1;
        }
        echoed++;
    }
    printf("udpecho %d %ld echoed\n", port, echoed);
    close(s);
    return 0;
}
