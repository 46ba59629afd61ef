/* netcheck resolve NAME: every address getaddrinfo gives, in its order. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netcheck.h"

int netcheck_resolve(const char *name)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(name, NULL, &hints, &res);
    if (e != 0) {
        printf("resolve %s failed: %s\n", name, gai_strerror(e));
        return 1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char text[64];
        e = getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, NULL, 0, NI_NUMERICHOST);
        printf("resolve %s %s\n", name, e == 0 ? text : gai_strerror(e));
    }
    freeaddrinfo(res);
    return 0;
}
