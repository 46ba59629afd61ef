/* httpd: a static-file HTTP/1.1 server on the POSIX socket API and Linux's
 * epoll, one thread, one event loop (docs/httpd.md). The same sources build
 * the anyvm app (musl) and a host program (glibc) for the tests. */
#include <signal.h>
#include <stdio.h>

#include "config.h"
#include "server.h"

int main(int argc, char **argv)
{
    /* One write per line, also when stdout is a pipe or a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef SIGPIPE
    /* A write to a connection the client closed fails with EPIPE instead
     * of ending the program (signal(7)). */
    signal(SIGPIPE, SIG_IGN);
#endif
    /* SIGTERM (a service manager, or anyvm's kernel when the host asks the
     * VM to shut down) ends the server cleanly: the loop sees the flag. No
     * SA_RESTART: epoll_wait ends with EINTR either way (epoll_wait(2)). */
    struct sigaction term = {.sa_handler = server_on_sigterm};
    sigemptyset(&term.sa_mask);
    sigaction(SIGTERM, &term, NULL);
    struct httpd_config cfg;
    switch (config_parse(argc, argv, &cfg)) {
    case CONFIG_DONE:
        return 0;
    case CONFIG_BAD:
        return 2;
    case CONFIG_RUN:
        break;
    }
    return server_run(&cfg);
}
