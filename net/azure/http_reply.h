/* A WireServer's answer as HTTP/1.1 (RFC 9112): the status line, the
 * header fields the client needs (Content-Length), and where the body is.
 * The client asks with "Connection: close", so a body without a length
 * ends when the server closes. Pure logic over the bytes received so far
 * (host tests, fuzz_azure_goalstate). */
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
    const char *error; /* a constant string, for HTTP_REPLY_BAD */
};

/* Reads the len bytes at buf (any bytes; not NUL-terminated); closed says
 * the server has closed its side, so nothing more will come. */
enum http_reply_state http_reply_parse(const char *buf, size_t len, bool closed,
                                       struct http_reply *out);

#endif
