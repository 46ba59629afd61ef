/* netcheck: the network tests' guest side, through the socket API only.
 * Runs each command of its arguments in turn and prints one line per
 * result, which the tests compare exactly:
 *
 *   resolve NAME          getaddrinfo(NAME): "resolve NAME ADDR" per address
 *   udpecho PORT COUNT    echoes COUNT datagrams on PORT (IPv4 and IPv6):
 *                         "udpecho PORT COUNT echoed"
 *   get HOST PORT PATH    one HTTP/1.0 GET: "get STATUS BYTES SUM" (SUM: a
 *                         32-bit FNV-1a of the body)
 *   wait SECONDS          sleeps (lets the host reach the guest meanwhile)
 *
 * Exits 0 when every command succeeded, 1 otherwise. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netcheck.h"

int main(int argc, char **argv)
{
    int failures = 0;
    for (int i = 1; i < argc;) {
        const char *cmd = argv[i];
        int need = strcmp(cmd, "resolve") == 0   ? 1
                   : strcmp(cmd, "udpecho") == 0 ? 2
                   : strcmp(cmd, "get") == 0     ? 3
                   : strcmp(cmd, "wait") == 0    ? 1
                                                 : -1;
        if (need < 0) {
            fprintf(stderr, "netcheck: unknown command \"%s\"\n", cmd);
            return 2;
        }
        if (i + need >= argc) {
            fprintf(stderr, "netcheck: %s needs %d argument%s\n", cmd, need, need == 1 ? "" : "s");
            return 2;
        }
        char **a = argv + i + 1;
        int rc;
        if (strcmp(cmd, "resolve") == 0)
            rc = netcheck_resolve(a[0]);
        else if (strcmp(cmd, "udpecho") == 0)
            rc = netcheck_udpecho(atoi(a[0]), atol(a[1]));
        else if (strcmp(cmd, "get") == 0)
            rc = netcheck_get(a[0], a[1], a[2]);
        else {
            struct timespec ts = {atoi(a[0]), 0};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
            rc = 0;
        }
        if (rc != 0)
            failures++;
        i += need + 1;
    }
    printf("netcheck: %s\n", failures ? "FAILED" : "done");
    return failures ? 1 : 0;
}
