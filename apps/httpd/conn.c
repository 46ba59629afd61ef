/* The connection state machine (conn.h). One pass, on any event:
 *
 *   read once (level-triggered epoll reports again while more is waiting);
 *   answer every complete request in the input buffer in order (pipelining,
 *     RFC 9112 section 9.3.2), appending responses to the output buffer
 *     while it has room and no file body is being sent;
 *   write the output, then any file body, with one write or writev each
 *     time, until done or the socket is full;
 *   then want to read again, or to write (the socket is full, or requests
 *     are still waiting), or to close.
 *
 * A request costs one read and one write when it answers from memory (the
 * built-in page, error pages, small files read at once into the output).
 * A large file goes out in slices read with pread into the shared scratch
 * buffer just before each write; what the socket does not take is read
 * again next time, so a connection holds no file data between events and a
 * slow client costs nothing but its buffers. */
#define _GNU_SOURCE
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Another response is queued only with this much room left: the largest
 * head (with a Location of at most LOCATION_MAX bytes) and error page fit. */
#define MIN_ROOM 4096
#define LOCATION_MAX 2048
/* File slices: start small, grow while the socket takes whole slices. */
#define CHUNK_MIN 16384
#define CHUNK_START 65536
/* At most this much is written for one connection per pass, and this many
 * rounds of answering are made, so one client cannot hold the loop. */
#define FLUSH_BUDGET (1024 * 1024)
#define MAX_ROUNDS 8
/* How much of a request-target a log line shows. */
#define LOG_TARGET_MAX 160

enum flush_result {
    FLUSH_DONE,    /* everything queued is out */
    FLUSH_BLOCKED, /* the socket is full, or the budget is spent */
    FLUSH_ERROR,   /* the connection is broken */
};

struct conn *conn_new(int fd, size_t in_cap, uint64_t now_ms)
{
    struct conn *c = malloc(sizeof *c + in_cap + CONN_OUT_CAP);
    if (c == NULL)
        return NULL;
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->touched_ms = now_ms;
    c->state = CONN_OPEN;
    c->in = (char *)(c + 1);
    c->in_cap = in_cap;
    c->out = c->in + in_cap;
    c->file_fd = -1;
    http_parser_init(&c->parser);
    return c;
}

static void close_file(struct conn *c)
{
    if (c->file_fd >= 0) {
        close(c->file_fd);
        c->file_fd = -1;
    }
}

void conn_free(struct conn *c)
{
    close_file(c);
    close(c->fd);
    free(c);
}

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

/* One line per failed request, unless --quiet: the status, and what the
 * request was or why it could not be read. */
static void log_failure(const struct conn *c, const struct conn_env *e, int status, const char *why)
{
    if (e->cfg->quiet)
        return;
    const struct http_request *rq = &c->parser.req;
    const char *base = c->in + c->in_start;
    if (c->parser.state == HTTP_PARSE_DONE) {
        int tlen = rq->target_len > LOG_TARGET_MAX ? LOG_TARGET_MAX : (int)rq->target_len;
        fprintf(stderr, "httpd: %d %s: %.*s %.*s%s%s%s\n", status, http_reason(status),
                (int)rq->method_len, base + rq->method_off, tlen, base + rq->target_off,
                rq->target_len > LOG_TARGET_MAX ? "..." : "", why ? ": " : "", why ? why : "");
    } else {
        fprintf(stderr, "httpd: %d %s: %s\n", status, http_reason(status), why ? why : "");
    }
}

static void count(struct conn_env *e, int status)
{
    e->stats->requests++;
    stats_count_status(e->stats, status);
}

/* Queues a response without a file: an error page or a redirect. */
static void queue_status(struct conn *c, struct conn_env *e, int status, bool keep_alive,
                         bool http10, bool head, const char *location, size_t location_len)
{
    size_t body_len;
    const char *body = http_error_body(status, &body_len);
    struct http_response r = {
        .status = status,
        .content_type = "text/html",
        .content_length = body_len,
        .keep_alive = keep_alive,
        .http10 = http10,
        .allow = status == 405,
        .location = location,
        .location_len = location_len,
    };
    size_t n = http_response_head(c->out + c->out_len, CONN_OUT_CAP - c->out_len, &r, &e->date);
    if (n == 0) {
        /* Cannot happen with MIN_ROOM and LOCATION_MAX; if it did, end the
         * connection rather than send something malformed. */
        c->close_after = true;
        return;
    }
    c->out_len += n;
    if (!head) {
        memcpy(c->out + c->out_len, body, body_len);
        c->out_len += body_len;
    }
    count(e, status);
    if (!keep_alive)
        c->close_after = true;
}

/* Reads all of a small file into the output after its head. */
static bool read_whole(struct conn *c, int fd, uint64_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(fd, c->out + c->out_len + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    return true;
}

static void queue_file(struct conn *c, struct conn_env *e, struct file_result *f, bool keep_alive,
                       bool http10, bool head)
{
    struct http_response r = {
        .status = 200,
        .content_type = f->content_type,
        .content_length = f->size,
        .keep_alive = keep_alive,
        .http10 = http10,
    };
    size_t n = http_response_head(c->out + c->out_len, CONN_OUT_CAP - c->out_len, &r, &e->date);
    if (n == 0) {
        close(f->fd);
        c->close_after = true;
        return;
    }
    if (head || f->size == 0) {
        close(f->fd);
        c->out_len += n;
    } else if (f->size <= CONN_OUT_CAP - c->out_len - n) {
        c->out_len += n;
        errno = 0;
        bool ok = read_whole(c, f->fd, f->size);
        int err = errno;
        close(f->fd);
        if (!ok) {
            c->out_len -= n; /* nothing of it was sent yet: answer 500 instead */
            queue_status(c, e, 500, false, http10, head, NULL, 0);
            log_failure(c, e, 500, err ? strerror(err) : "file shorter than its size");
            return;
        }
        c->out_len += f->size;
    } else {
        c->out_len += n;
        c->file_fd = f->fd;
        c->file_off = 0;
        c->file_end = f->size;
        c->chunk = CHUNK_START;
    }
    count(e, 200);
    if (!keep_alive)
        c->close_after = true;
}

static void queue_builtin(struct conn *c, struct conn_env *e, bool keep_alive, bool http10,
                          bool head)
{
    builtin_refresh(&e->builtin, &e->date);
    enum builtin_variant v = !keep_alive ? BUILTIN_CLOSE
                             : http10    ? BUILTIN_HTTP10_KEEP_ALIVE
                                         : BUILTIN_KEEP_ALIVE;
    size_t n = head ? e->builtin.head_len[v] : e->builtin.len[v];
    memcpy(c->out + c->out_len, e->builtin.bytes[v], n);
    c->out_len += n;
    count(e, 200);
    if (!keep_alive)
        c->close_after = true;
}

/* The request in the parser is complete: queue its response. */
static void respond(struct conn *c, struct conn_env *e)
{
    const struct http_request *rq = &c->parser.req;
    const char *base = c->in + c->in_start;
    bool head = rq->method == HTTP_METHOD_HEAD;
    bool http10 = rq->version_minor == 0;
    bool keep = rq->keep_alive;
    bool body = rq->has_transfer_encoding || rq->content_length > 0;

    if (rq->method == HTTP_METHOD_OTHER) {
        /* RFC 9110 section 15.5.6, with Allow (section 10.2.1). A body
         * we do not read ends the connection. */
        if (body) {
            keep = false;
            c->linger_after = true;
        }
        queue_status(c, e, 405, keep, http10, false, NULL, 0);
        log_failure(c, e, 405, NULL);
        return;
    }
    if (body) {
        /* GET and HEAD have no use for content (RFC 9110 sections 9.3.1
         * and 9.3.2); this server reads none, so any is too large
         * (section 15.5.14), and the connection ends after the answer. */
        c->linger_after = true;
        queue_status(c, e, 413, false, http10, head, NULL, 0);
        log_failure(c, e, 413, "request with content");
        return;
    }
    struct http_path path;
    int status =
        http_target_path(base + rq->target_off, rq->target_len, e->path, e->path_cap, &path);
    if (status != 0) {
        queue_status(c, e, status, keep, http10, head, NULL, 0);
        log_failure(c, e, status, NULL);
        return;
    }
    struct file_result f;
    files_open(e->files, e->path, path.len, path.trailing_slash, &f);
    switch (f.kind) {
    case FILE_BUILTIN:
        queue_builtin(c, e, keep, http10, head);
        break;
    case FILE_OPENED:
        queue_file(c, e, &f, keep, http10, head);
        break;
    case FILE_REDIRECT:
        if (path.raw_len > LOCATION_MAX) {
            queue_status(c, e, 414, keep, http10, head, NULL, 0);
            log_failure(c, e, 414, "directory path too long to redirect");
        } else {
            queue_status(c, e, 301, keep, http10, head, base + rq->target_off + path.raw_off,
                         path.raw_len);
        }
        break;
    case FILE_FAILED:
        queue_status(c, e, f.status, keep, http10, head, NULL, 0);
        log_failure(c, e, f.status, f.reason);
        break;
    }
}

/* Answers complete requests while there is room, in the order they came. */
static void produce(struct conn *c, struct conn_env *e)
{
    while (!c->close_after && c->file_fd < 0 && CONN_OUT_CAP - c->out_len >= MIN_ROOM &&
           c->in_end > c->in_start) {
        enum http_parse_result r = http_parse(&c->parser, c->in + c->in_start,
                                              c->in_end - c->in_start, e->cfg->max_header_bytes);
        if (r == HTTP_PARSE_INCOMPLETE)
            return;
        if (r == HTTP_PARSE_ERROR) {
            /* The bytes after a bad head cannot be framed (RFC 9112
             * section 9.6): answer, then close. */
            queue_status(c, e, c->parser.error_status, false, false, false, NULL, 0);
            log_failure(c, e, c->parser.error_status, c->parser.reason);
            c->close_after = true;
            c->linger_after = true;
            return;
        }
        respond(c, e);
        c->in_start += c->parser.req.head_len;
        if (c->in_start == c->in_end)
            c->in_start = c->in_end = 0;
        http_parser_init(&c->parser);
    }
}

/* A complete (or failed) request is waiting in the input buffer. */
static bool request_waiting(struct conn *c, struct conn_env *e)
{
    if (c->in_end == c->in_start)
        return false;
    return http_parse(&c->parser, c->in + c->in_start, c->in_end - c->in_start,
                      e->cfg->max_header_bytes) != HTTP_PARSE_INCOMPLETE;
}

static enum flush_result flush(struct conn *c, struct conn_env *e)
{
    size_t budget = FLUSH_BUDGET;
    for (;;) {
        struct iovec iov[2];
        int n = 0;
        size_t queued = c->out_len - c->out_sent, offered = 0, file_part = 0;
        if (queued > 0) {
            iov[n++] = (struct iovec){c->out + c->out_sent, queued};
            offered = queued;
        }
        if (c->file_fd >= 0 && queued < c->chunk) {
            uint64_t left = c->file_end - c->file_off;
            size_t want = c->chunk < e->scratch_cap ? c->chunk : e->scratch_cap;
            if (want > left)
                want = (size_t)left;
            ssize_t got = pread(c->file_fd, e->scratch, want, (off_t)c->file_off);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                /* The file shrank or failed under us: the head promised
                 * more, so the only honest end is to close. */
                fprintf(stderr, "httpd: reading a file being sent at offset %llu: %s\n",
                        (unsigned long long)c->file_off,
                        got == 0 ? "end of file before its size" : strerror(errno));
                return FLUSH_ERROR;
            }
            iov[n++] = (struct iovec){e->scratch, (size_t)got};
            file_part = (size_t)got;
            offered += file_part;
        }
        if (n == 0)
            return FLUSH_DONE;
        ssize_t w = n == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len) : writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (would_block(errno))
                return FLUSH_BLOCKED;
            return FLUSH_ERROR; /* EPIPE, ECONNRESET: the client is gone */
        }
        if (w == 0)
            return FLUSH_ERROR;
        size_t wrote = (size_t)w;
        e->stats->bytes_sent += wrote;
        c->touched_ms = e->now_ms;
        size_t from_out = wrote < queued ? wrote : queued;
        c->out_sent += from_out;
        if (c->out_sent == c->out_len)
            c->out_sent = c->out_len = 0;
        if (file_part > 0) {
            size_t from_file = wrote - from_out;
            c->file_off += from_file;
            /* Offer what the socket takes: double after a whole slice went,
             * shrink to what went after a partial one. */
            if (from_file == file_part)
                c->chunk = c->chunk * 2 <= e->scratch_cap ? c->chunk * 2 : e->scratch_cap;
            else
                c->chunk = from_file > CHUNK_MIN ? from_file : CHUNK_MIN;
            if (c->file_off == c->file_end)
                close_file(c);
        }
        if (wrote < offered)
            return FLUSH_BLOCKED; /* the socket's buffer is full */
        if (wrote >= budget)
            return FLUSH_BLOCKED; /* others' turn; EPOLLOUT brings us back */
        budget -= wrote;
    }
}

/* The last response is out: close now, or first shut our side and read
 * what the client still sends, so that its unread data does not make our
 * kernel answer with a reset that could destroy the response before the
 * client reads it (RFC 9112 section 9.6). */
static enum conn_next finish(struct conn *c, struct conn_env *e)
{
    if (c->peer_closed || !(c->linger_after || c->in_end > c->in_start))
        return CONN_WANT_CLOSE;
    if (shutdown(c->fd, SHUT_WR) != 0)
        return CONN_WANT_CLOSE;
    c->state = CONN_LINGER;
    c->touched_ms = e->now_ms;
    return CONN_WANT_READ;
}

static enum conn_next advance(struct conn *c, struct conn_env *e)
{
    for (int round = 0; round < MAX_ROUNDS; round++) {
        produce(c, e);
        enum flush_result f = flush(c, e);
        if (f == FLUSH_ERROR)
            return CONN_WANT_CLOSE;
        if (f == FLUSH_BLOCKED)
            return CONN_WANT_WRITE;
        if (c->close_after)
            return finish(c, e);
        if (!request_waiting(c, e))
            break;
    }
    if (request_waiting(c, e))
        return CONN_WANT_WRITE; /* more to answer: writable soon, so back soon */
    if (c->peer_closed)
        return CONN_WANT_CLOSE; /* nothing more can come: a partial request is dropped */
    return CONN_WANT_READ;
}

/* Reads what is waiting; false when the connection is broken. */
static bool read_input(struct conn *c)
{
    if (c->in_start == c->in_end) {
        c->in_start = c->in_end = 0;
    } else if (c->in_end == c->in_cap && c->in_start > 0) {
        /* Make room for the rest of the request being read: its offsets
         * in the parser count from in_start, so they survive the move. */
        memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
        c->in_end -= c->in_start;
        c->in_start = 0;
    }
    if (c->in_end == c->in_cap)
        return true; /* full of unanswered requests: read when they are answered */
    ssize_t n = read(c->fd, c->in + c->in_end, c->in_cap - c->in_end);
    if (n > 0) {
        c->in_end += (size_t)n;
        return true;
    }
    if (n == 0) {
        c->peer_closed = true;
        return true;
    }
    return errno == EINTR || would_block(errno);
}

/* Lingering: whatever the client still sends is read and dropped. */
static enum conn_next linger(struct conn *c)
{
    ssize_t n = read(c->fd, c->in, c->in_cap);
    if (n > 0 || (n < 0 && (errno == EINTR || would_block(errno))))
        return CONN_WANT_READ;
    return CONN_WANT_CLOSE;
}

enum conn_next conn_handle(struct conn *c, uint32_t events, struct conn_env *e)
{
    /* EPOLLERR: a reset or another error; EPOLLHUP: both directions are
     * shut (epoll_ctl(2)), so nothing can be sent any more. */
    if (events & (EPOLLERR | EPOLLHUP))
        return CONN_WANT_CLOSE;
    if (c->state == CONN_LINGER)
        return linger(c);
    if ((events & (EPOLLIN | EPOLLRDHUP)) && !c->peer_closed && !read_input(c))
        return CONN_WANT_CLOSE;
    return advance(c, e);
}

void conn_timeout(struct conn *c, struct conn_env *e)
{
    /* RFC 9110 section 15.5.9: 408 for a request that did not arrive in
     * time; a connection idle between requests just closes (RFC 9112
     * section 9.5). */
    if (c->state != CONN_OPEN || c->out_len != 0 || c->file_fd >= 0 || c->in_end == c->in_start)
        return;
    size_t body_len;
    const char *body = http_error_body(408, &body_len);
    struct http_response r = {
        .status = 408,
        .content_type = "text/html",
        .content_length = body_len,
        .keep_alive = false,
    };
    size_t n = http_response_head(c->out, CONN_OUT_CAP, &r, &e->date);
    memcpy(c->out + n, body, body_len);
    ssize_t w = write(c->fd, c->out, n + body_len);
    if (w > 0)
        e->stats->bytes_sent += (size_t)w;
    count(e, 408);
    log_failure(c, e, 408, "request not complete within the idle timeout");
}
