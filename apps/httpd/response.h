/* Building a response head (RFC 9112 section 4 and RFC 9110's fields) into
 * a buffer, without printf: status lines and bodies of the error
 * responses are constants, the Date field is formatted once a second. */
#ifndef HTTPD_RESPONSE_H
#define HTTPD_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define HTTP_SERVER_NAME "anyvm-httpd"

/* The Date field's value (RFC 9110 section 6.6.1), kept per second. */
struct http_date {
    int64_t second; /* the Unix second it was made for */
    bool valid;     /* false without a believable clock: then no Date is sent */
    size_t len;
    char text[32]; /* IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" */
};

/* Makes d right for the Unix time `now` (a no-op within the same second).
 * A clock before 1980 is taken as no clock: RFC 9110 section 6.6.1 says a
 * server without one must not send Date. */
void http_date_update(struct http_date *d, int64_t now);

/* What goes in a response head. */
struct http_response {
    int status;
    const char *content_type; /* NULL: no Content-Type */
    uint64_t content_length;
    bool keep_alive;
    bool http10;          /* the request was HTTP/1.0: keeping it open must be said */
    bool allow;           /* 405: say which methods are allowed */
    const char *location; /* 301: the path to go to, before a '/' added here */
    size_t location_len;
};

/* Writes the head (status line, fields, the empty line) to dst and returns
 * its length, or 0 when it does not fit in cap bytes. */
size_t http_response_head(char *dst, size_t cap, const struct http_response *r,
                          const struct http_date *date);

/* The reason phrase of a status this server sends (RFC 9110 section 15),
 * "Unknown" for another. */
const char *http_reason(int status);

/* A small HTML body for an error status, and its length. */
const char *http_error_body(int status, size_t *len);

#endif
