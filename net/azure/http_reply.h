/* A WireServer's answer as HTTP/1.1 (RFC 9112): the status line, the
 * header fields the client needs (Content-Length, Transfer-Encoding), and
 * where the body is: a length, chunks, or (the client asks with
 * "Connection: close") the bytes until the server closes. Pure logic over
 * the bytes received so far (host tests, fuzz_azure_goalstate). */
#ifndef NET_AZURE_HTTP_REPLY_H
#define NET_AZURE_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

enum http_reply_state {
    HTTP_REPLY_INCOMPLETE, /* more bytes are needed */
    HTTP_REPLY_DONE,       /* status, body_off and body_len are set */
    HTTP_REPLY_BAD,        /* error says what was wrong */
};

struct http_reply {
    unsigned status; /* 100..999 */
    size_t body_off, body_len;
    bool chunked;      /* body_len is the decoded length: see http_reply_dechunk */
    const char *error; /* a constant string, for HTTP_REPLY_BAD */
};

/* Reads the len bytes at buf (any bytes; not NUL-terminated); closed says
 * the server has closed its side, so nothing more will come. */
enum http_reply_state http_reply_parse(const char *buf, size_t len, bool closed,
                                       struct http_reply *out);

/* For a reply http_reply_parse found DONE over the same len bytes: when it
 * is chunked, moves the chunks' data together, so that the body is the
 * body_len bytes at buf + body_off as for the other kinds. */
void http_reply_dechunk(char *buf, size_t len, const struct http_reply *reply);

#endif
