/* httpd's options (getopt_long) and their defaults. */
#ifndef HTTPD_CONFIG_H
#define HTTPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define HTTPD_DEFAULT_PORT 80
#define HTTPD_DEFAULT_ROOT "/"
#define HTTPD_DEFAULT_IDLE_MS 10000
#define HTTPD_DEFAULT_HEADER_BYTES 8192
#define HTTPD_MIN_HEADER_BYTES 256
#define HTTPD_MAX_HEADER_BYTES (1024 * 1024)

struct httpd_config {
    unsigned port;             /* 0: any free port (the start line says which) */
    const char *root;          /* the directory served */
    const char *bind;          /* an IP address; NULL: "::" for IPv6 and IPv4, else 0.0.0.0 */
    unsigned idle_timeout_ms;  /* a request must come (or a response move) within this */
    size_t max_header_bytes;   /* the request line and header section together */
    unsigned max_connections;  /* 0: from the descriptor limit (RLIMIT_NOFILE) */
    unsigned stats_interval_s; /* 0: no periodic statistics line */
    unsigned exit_after_s;     /* 0: run until killed */
    bool quiet;                /* no line per failed request */
};

enum config_result {
    CONFIG_RUN,  /* start the server */
    CONFIG_DONE, /* --help was printed: exit 0 */
    CONFIG_BAD,  /* a bad option was reported: exit 2 */
};

/* Fills c from the defaults and the command line; reports any error on
 * stderr in one line. */
enum config_result config_parse(int argc, char **argv, struct httpd_config *c);

#endif
