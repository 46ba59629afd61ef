/* The HTTP/1.1 request head parser: the request line and the header section
 * (RFC 9112 sections 2 to 6), read line by line as bytes arrive. It only
 * reads the bytes it is given and keeps offsets, never pointers, so the
 * caller may move the buffer between calls. It knows nothing of sockets or
 * files, so the host unit tests and the fuzzer drive it directly. */
#ifndef HTTPD_REQUEST_H
#define HTTPD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_method {
    HTTP_METHOD_GET,
    HTTP_METHOD_HEAD,
    HTTP_METHOD_OTHER, /* a valid token this server does not serve: 405 */
};

/* What the parser found. Offsets count from the first byte of the buffer
 * passed to http_parse (the start of this request). */
struct http_request {
    enum http_method method;
    size_t method_off, method_len;
    size_t target_off, target_len;
    unsigned version_minor; /* 0 or 1: HTTP/1.x above 1 is read as 1.1 */
    bool keep_alive;        /* what the version and Connection ask for */
    bool has_host;
    bool has_content_length;
    bool has_transfer_encoding;
    uint64_t content_length;
    size_t head_len; /* the request line and header section, with the empty line */
};

enum http_parse_state {
    HTTP_PARSE_REQUEST_LINE,
    HTTP_PARSE_HEADERS,
    HTTP_PARSE_DONE,
    HTTP_PARSE_FAILED,
};

/* The parser's state between calls: how far complete lines were read. */
struct http_parser {
    enum http_parse_state state;
    size_t pos; /* first byte not yet read as part of a complete line */
    unsigned connection_close : 1, connection_keep_alive : 1;
    struct http_request req;
    int error_status;   /* 400, 414, 431 or 505 once failed */
    const char *reason; /* why, for the log: a static string */
};

/* The parse went on as far as it could. */
enum http_parse_result {
    HTTP_PARSE_INCOMPLETE = 0, /* more bytes needed */
    HTTP_PARSE_COMPLETE = 1,   /* p->req holds the request */
    HTTP_PARSE_ERROR = -1,     /* p->error_status and p->reason say why */
};

void http_parser_init(struct http_parser *p);

/* Reads buf[0..len), the request's bytes so far (the same bytes as last
 * time, maybe with more after them), from where the last call stopped.
 * `limit` is the most bytes the head may take: a head not complete within
 * it fails with 414 (the request line is too long) or 431 (the header
 * section is). Once COMPLETE or ERROR, further calls return the same. */
enum http_parse_result http_parse(struct http_parser *p, const char *buf, size_t len, size_t limit);

/* RFC 9110 section 5.6.2: tchar, the characters of a token. */
bool http_is_tchar(unsigned char c);

#endif
