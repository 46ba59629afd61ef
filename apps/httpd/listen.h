/* The listening sockets: one on "::" taking IPv4 too where the system
 * allows, else one per family, or one on the address given. */
#ifndef HTTPD_LISTEN_H
#define HTTPD_LISTEN_H

#include "config.h"

#define LISTEN_MAX 2

struct listener {
    int fd;
    int family; /* AF_INET or AF_INET6 */
};

/* Opens the listeners for cfg into l[] and returns how many (1 or 2), with
 * the port they listen on in *port (the one the system chose for port 0);
 * -1 after printing why none could be opened. */
int listen_open(const struct httpd_config *cfg, struct listener l[LISTEN_MAX], unsigned *port);

void listen_close(struct listener *l, int n);

#endif
