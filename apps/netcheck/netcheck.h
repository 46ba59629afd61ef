/* netcheck's commands (apps/netcheck/main.c); each returns 0 on success. */
#ifndef NETCHECK_H
#define NETCHECK_H

int netcheck_resolve(const char *name);
int netcheck_udpecho(int port, long count);
int netcheck_get(const char *host, const char *port, const char *path);

#endif
