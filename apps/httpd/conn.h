/* One client connection: its buffers and the state machine that reads
 * requests, queues responses and writes them, told by the event loop
 * (server.c) what the socket is ready for. It never calls epoll: it says
 * what it wants next, and the loop arranges it. */
#ifndef HTTPD_CONN_H
#define HTTPD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builtin.h"
#include "config.h"
#include "files.h"
#include "request.h"
#include "response.h"
#include "stats.h"
#include "target.h"

/* Room for response heads, error pages, the built-in page's responses and
 * small files; several pipelined responses leave in one write. */
#define CONN_OUT_CAP 16384

/* What every connection shares: the loop's clock, the served tree, the
 * counters, and one buffer for slices of large files. */
struct conn_env {
    const struct httpd_config *cfg;
    struct httpd_stats *stats;
    struct httpd_files *files;
    struct http_date date;
    struct builtin_responses builtin;
    char *scratch; /* slices of files, refilled per write */
    size_t scratch_cap;
    char *path; /* a decoded request path */
    size_t path_cap;
    uint64_t now_ms; /* CLOCK_MONOTONIC, read once per loop pass */
};

enum conn_state {
    CONN_OPEN,   /* reading requests, writing responses */
    CONN_LINGER, /* the last response is out and our side shut: reading the rest to EOF */
};

/* What the connection wants from the loop next. */
enum conn_next {
    CONN_WANT_READ,
    CONN_WANT_WRITE,
    CONN_WANT_CLOSE,
};

struct conn {
    struct conn *prev, *next; /* the loop's list, oldest touch first */
    int fd;
    uint32_t interest;   /* the epoll events registered now */
    uint64_t touched_ms; /* accepted, or output last moved */
    enum conn_state state;
    bool peer_closed;  /* the client shut its side: nothing more to read */
    bool close_after;  /* end the connection once the queued output is out */
    bool linger_after; /* ... with a lingering close: the client may still be sending */

    /* Input: the request being read begins at in_start. */
    char *in;
    size_t in_start, in_end, in_cap;
    struct http_parser parser;

    /* Output: heads and small bodies, then maybe a file's body. */
    char *out;
    size_t out_sent, out_len;
    int file_fd; /* -1: none */
    uint64_t file_off, file_end;
    size_t chunk; /* how much of the file to offer the next write */
};

/* A connection on an accepted socket, with an input buffer of in_cap
 * bytes; NULL when memory is short (the caller closes fd). */
struct conn *conn_new(int fd, size_t in_cap, uint64_t now_ms);

/* Closes the socket and any file, and frees c. */
void conn_free(struct conn *c);

/* The socket reported `events` (EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLERR,
 * EPOLLHUP): read, answer, write as far as possible. */
enum conn_next conn_handle(struct conn *c, uint32_t events, struct conn_env *env);

/* The idle timeout passed: a client that left a request half sent gets a
 * 408 (best effort: one write). The caller then closes c. */
void conn_timeout(struct conn *c, struct conn_env *env);

#endif
