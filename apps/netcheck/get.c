/* netcheck get HOST PORT PATH: one HTTP/1.0 request over a connected TCP
 * socket (getaddrinfo, connect), reading to the end of the stream. */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netcheck.h"

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int e = getaddrinfo(host, port, &hints, &res);
    if (e != 0) {
        printf("get: %s: %s\n", host, gai_strerror(e));
        return -1;
    }
    int s = -1;
    for (struct addrinfo *ai = res; ai && s < 0; ai = ai->ai_next) {
        s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s >= 0 && connect(s, ai->ai_addr, ai->ai_addrlen) != 0) {
            printf("get: connect %s port %s: %s\n", host, port, strerror(errno));
            close(s);
            s = -1;
        }
    }
    freeaddrinfo(res);
    return s;
}

int netcheck_get(const char *host, const char *port, const char *path)
{
    int s = connect_to(host, port);
    if (s < 0)
        return 1;
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
    if (n < 0 || (size_t)n >= sizeof req || write(s, req, (size_t)n) != n) {
        printf("get: request not sent: %s\n", strerror(errno));
        close(s);
        return 1;
    }
    /* The head is kept to find the status and the body's start; the body is
     * only summed. */
    char head[4096];
    size_t have = 0, body = 0;
    uint32_t sum = 2166136261u;
    int status = -1;
    char buf[16384];
    ssize_t got;
    while ((got = read(s, buf, sizeof buf)) > 0) {
        size_t at = 0;
        if (status < 0) {
            size_t take =
                (size_t)got < sizeof head - 1 - have ? (size_t)got : sizeof head - 1 - have;
            memcpy(head + have, buf, take);
            have += take;
            head[have] = '\0';
            char *end = strstr(head, "\r\n\r\n");
            if (end == NULL) {
                if (have == sizeof head - 1)
                    break;
                continue;
            }
            if (sscanf(head, "HTTP/%*d.%*d %d", &status) != 1)
                break;
            size_t head_len = (size_t)(end + 4 - head);
            at = head_len - (have - take);
        }
        for (size_t i = at; i < (size_t)got; i++) {
            sum = (sum ^ (uint8_t)buf[i]) * 16777619u;
            body++;
        }
    }
    int err = got < 0 ? errno : 0;
    close(s);
    if (status < 0 || err) {
        printf("get: no HTTP response%s%s\n", err ? ": " : "", err ? strerror(err) : "");
        return 1;
    }
    printf("get %d %zu %08x\n", status, body, sum);
    return 0;
}
