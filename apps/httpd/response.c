/* Response heads (response.h). Fields are written in the order RFC 9110
 * section 5.3 leaves free; each line ends with CRLF (RFC 9112 section 2.1). */
#include "response.h"

#include <string.h>

struct status_text {
    int status;
    const char *reason;
    const char *line; /* the status line, RFC 9112 section 4 */
    const char *body;
};

#define ERROR_PAGE(code, text)                                                                     \
    "<!DOCTYPE html>\n<html><head><title>" code " " text "</title></head>\n"                       \
    "<body><h1>" code " " text "</h1><p>" HTTP_SERVER_NAME "</p></body></html>\n"
#define STATUS(code, text)                                                                         \
    {                                                                                              \
        code, text, "HTTP/1.1 " #code " " text "\r\n", ERROR_PAGE(#code, text)                     \
    }

/* RFC 9110 section 15: the statuses this server sends and their reason
 * phrases (RFC 6585 section 5 for 431). */
static const struct status_text statuses[] = {
    STATUS(200, "OK"),
    STATUS(301, "Moved Permanently"),
    STATUS(400, "Bad Request"),
    STATUS(403, "Forbidden"),
    STATUS(404, "Not Found"),
    STATUS(405, "Method Not Allowed"),
    STATUS(408, "Request Timeout"),
    STATUS(413, "Content Too Large"),
    STATUS(414, "URI Too Long"),
    STATUS(431, "Request Header Fields Too Large"),
    STATUS(500, "Internal Server Error"),
    STATUS(503, "Service Unavailable"),
    STATUS(505, "HTTP Version Not Supported"),
};

static const struct status_text *find_status(int status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].status == status)
            return &statuses[i];
    return status == 500 ? &statuses[0] : find_status(500); /* a status not in the table is a bug */
}

const char *http_reason(int status)
{
    const struct status_text *s = find_status(status);
    if (s->status != status)
        return "Unknown";
    return s->reason;
}

const char *http_error_body(int status, size_t *len)
{
    const char *b = find_status(status)->body;
    *len = strlen(b);
    return b;
}

/* An appender that notes overflow instead of writing past the end. */
struct out {
    char *p;
    size_t n, cap;
    bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || n > o->cap - o->n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(o, tmp + i, sizeof tmp - i);
}

size_t http_response_head(char *dst, size_t cap, const struct http_response *r,
                          const struct http_date *date)
{
    struct out o = {dst, 0, cap, false};
    puts_(&o, find_status(r->status)->line);
    puts_(&o, "Server: " HTTP_SERVER_NAME "\r\n");
    if (date != NULL && date->valid) {
        puts_(&o, "Date: ");
        put(&o, date->text, date->len);
        puts_(&o, "\r\n");
    }
    if (r->content_type != NULL) {
        puts_(&o, "Content-Type: ");
        puts_(&o, r->content_type);
        puts_(&o, "\r\n");
    }
    /* RFC 9110 section 8.6; also on a HEAD response, the length a GET
     * would have had (section 9.3.2). */
    puts_(&o, "Content-Length: ");
    put_u64(&o, r->content_length);
    puts_(&o, "\r\n");
    if (r->location != NULL) {
        /* RFC 9110 section 10.2.2: a relative reference is allowed. */
        puts_(&o, "Location: ");
        put(&o, r->location, r->location_len);
        puts_(&o, "/\r\n");
    }
    if (r->allow)
        puts_(&o, "Allow: GET, HEAD\r\n"); /* RFC 9110 section 10.2.1, required with 405 */
    /* RFC 9112 section 9.6: "close" when this response ends the
     * connection; section 9.3 and RFC 9110 section 7.6.1: an HTTP/1.0
     * client is told the connection stays. */
    if (!r->keep_alive)
        puts_(&o, "Connection: close\r\n");
    else if (r->http10)
        puts_(&o, "Connection: keep-alive\r\n");
    puts_(&o, "\r\n");
    return o.full ? 0 : o.n;
}

static void two_digits(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void http_date_update(struct http_date *d, int64_t now)
{
    if (d->len != 0 && d->second == now)
        return;
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    d->second = now;
    d->valid = now >= 315532800; /* 1980-01-01 */
    if (!d->valid) {
        d->len = 1;
        return;
    }
    /* gmtime_r is arithmetic only (no time zone file is read for UTC). */
    time_t tt = (time_t)now;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999) {
        d->valid = false;
        d->len = 1;
        return;
    }
    int year = tm.tm_year + 1900;
    /* RFC 9110 section 5.6.7: IMF-fixdate. */
    char *t = d->text;
    memcpy(t, days + tm.tm_wday * 3, 3);
    t[3] = ',';
    t[4] = ' ';
    two_digits(t + 5, tm.tm_mday);
    t[7] = ' ';
    memcpy(t + 8, months + tm.tm_mon * 3, 3);
    t[11] = ' ';
    two_digits(t + 12, year / 100);
    two_digits(t + 14, year % 100);
    t[16] = ' ';
    two_digits(t + 17, tm.tm_hour);
    t[19] = ':';
    two_digits(t + 20, tm.tm_min);
    t[22] = ':';
    two_digits(t + 23, tm.tm_sec);
    memcpy(t + 25, " GMT", 4);
    d->len = 29;
}
