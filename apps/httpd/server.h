/* The event loop: listeners, connections, timeouts, statistics. */
#ifndef HTTPD_SERVER_H
#define HTTPD_SERVER_H

#include "config.h"

/* Runs the server until --exit-after passes or SIGTERM arrives (status 0)
 * or a fatal error (status 1, after a line saying what failed). */
int server_run(const struct httpd_config *cfg);

/* The SIGTERM handler: asks the loop to stop at its next turn. */
void server_on_sigterm(int sig);

#endif
