/* The HTTP/1.1 request head parser (request.h). Section numbers are RFC
 * 9112's (HTTP/1.1 message syntax) unless they say RFC 9110 (semantics).
 * Each complete line is read once: the parser keeps where it stopped, so a
 * head that arrives a byte at a time costs no more than one that arrives
 * whole. It is strict where leniency would let two readers of the same
 * bytes disagree (bare CR, obs-fold, whitespace before a colon, duplicate
 * Host, conflicting Content-Length): those are 400, as the RFC allows or
 * asks. */
#include "request.h"

#include <string.h>

bool http_is_tchar(unsigned char c)
{
    /* RFC 9110 section 5.6.2: "!" / "#" / "$" / "%" / "&" / "'" / "*" /
     * "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* buf[0..n) equals the lower-case literal, ignoring ASCII case: field names
 * and connection options are case-insensitive (RFC 9110 sections 5.1 and
 * 7.6.1). */
static bool equals_nocase(const char *buf, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

static enum http_parse_result fail(struct http_parser *p, int status, const char *reason)
{
    p->state = HTTP_PARSE_FAILED;
    p->error_status = status;
    p->reason = reason;
    return HTTP_PARSE_ERROR;
}

void http_parser_init(struct http_parser *p)
{
    memset(p, 0, sizeof *p);
    p->state = HTTP_PARSE_REQUEST_LINE;
}

/* Section 3: request-line = method SP request-target SP HTTP-version, with
 * exactly one SP between the parts (section 3 allows a server to accept
 * other whitespace "with caution"; it does not). */
static enum http_parse_result request_line(struct http_parser *p, const char *buf, size_t start,
                                           size_t end)
{
    struct http_request *r = &p->req;
    size_t i = start;
    while (i < end && http_is_tchar((unsigned char)buf[i]))
        i++;
    if (i == start || i == end || buf[i] != ' ')
        return fail(p, 400, "bad method token");
    r->method_off = start;
    r->method_len = i - start;
    /* Section 3.2: the request-target is URI text (RFC 3986): visible
     * ASCII without a fragment. Control bytes, blanks and non-ASCII bytes
     * never belong in it. */
    size_t t = ++i;
    while (i < end && buf[i] != ' ') {
        unsigned char c = (unsigned char)buf[i];
        if (c <= 0x20 || c >= 0x7f || c == '#')
            return fail(p, 400, "bad character in request-target");
        i++;
    }
    if (i == t)
        return fail(p, 400, "empty request-target");
    if (i == end)
        return fail(p, 400, "no HTTP version in request line");
    r->target_off = t;
    r->target_len = i - t;
    /* Section 2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive. */
    const char *v = buf + i + 1;
    size_t vlen = end - (i + 1);
    if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return fail(p, 400, "bad HTTP version");
    /* RFC 9110 section 2.5: a 1.x minor version above ours is read as the
     * highest we implement; another major version is 505 (RFC 9110
     * section 15.6.6). */
    if (v[5] != '1')
        return fail(p, 505, "HTTP major version not 1");
    r->version_minor = v[7] == '0' ? 0 : 1;
    /* RFC 9110 section 9.1: method names are case-sensitive. */
    if (r->method_len == 3 && memcmp(buf + start, "GET", 3) == 0)
        r->method = HTTP_METHOD_GET;
    else if (r->method_len == 4 && memcmp(buf + start, "HEAD", 4) == 0)
        r->method = HTTP_METHOD_HEAD;
    else
        r->method = HTTP_METHOD_OTHER;
    return HTTP_PARSE_INCOMPLETE;
}

/* RFC 9110 section 7.2 and RFC 3986 section 3.2.2: Host = uri-host [ ":"
 * port ], of unreserved, pct-encoded and sub-delims characters, with ":"
 * and the brackets of an IP literal. An empty Host is allowed. */
static bool valid_host(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c != 0 && strchr("-._~!$&'()*+,;=:[]%", c) != NULL);
        if (!ok)
            return false;
    }
    return true;
}

/* RFC 9110 section 7.6.1: Connection = #connection-option, a comma list of
 * tokens, case-insensitive. */
static void connection_options(struct http_parser *p, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (is_ows((unsigned char)v[i]) || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && !is_ows((unsigned char)v[i]))
            i++;
        if (equals_nocase(v + s, i - s, "close"))
            p->connection_close = 1;
        else if (equals_nocase(v + s, i - s, "keep-alive"))
            p->connection_keep_alive = 1;
    }
}

/* RFC 9110 section 8.6: Content-Length = 1*DIGIT; a list of identical
 * values may be taken as one; anything else makes the framing unknown, and
 * section 6.3 of RFC 9112 then asks for 400. */
static enum http_parse_result content_length(struct http_parser *p, const char *v, size_t n)
{
    struct http_request *r = &p->req;
    size_t i = 0;
    do {
        while (i < n && is_ows((unsigned char)v[i]))
            i++;
        uint64_t value = 0;
        size_t digits = 0;
        while (i < n && v[i] >= '0' && v[i] <= '9') {
            if (++digits > 18) /* below 2^63: no overflow, and no body is that long */
                return fail(p, 400, "Content-Length too large");
            value = value * 10 + (uint64_t)(v[i] - '0');
            i++;
        }
        while (i < n && is_ows((unsigned char)v[i]))
            i++;
        if (digits == 0 || (i < n && v[i] != ','))
            return fail(p, 400, "bad Content-Length");
        if (r->has_content_length && value != r->content_length)
            return fail(p, 400, "conflicting Content-Length values");
        r->has_content_length = true;
        r->content_length = value;
    } while (i++ < n);
    return HTTP_PARSE_INCOMPLETE;
}

/* Section 5: field-line = field-name ":" OWS field-value OWS. */
static enum http_parse_result header_line(struct http_parser *p, const char *buf, size_t start,
                                          size_t end)
{
    struct http_request *r = &p->req;
    /* Section 5.2: obs-fold (a line starting with a blank) may be
     * rejected with 400; section 2.2 says the same of whitespace between
     * the request line and the first field. */
    if (is_ows((unsigned char)buf[start]))
        return fail(p, 400, "obs-fold or leading whitespace in header section");
    size_t i = start;
    while (i < end && http_is_tchar((unsigned char)buf[i]))
        i++;
    if (i == start)
        return fail(p, 400, "bad field name");
    /* Section 5.1: no whitespace between the field name and the colon. */
    if (i == end || buf[i] != ':')
        return fail(p, 400, "field name not followed by a colon");
    const char *name = buf + start;
    size_t name_len = i - start;
    size_t vs = i + 1, ve = end;
    while (vs < ve && is_ows((unsigned char)buf[vs]))
        vs++;
    while (ve > vs && is_ows((unsigned char)buf[ve - 1]))
        ve--;
    /* RFC 9110 section 5.5: field-value is VCHAR, obs-text, SP and HTAB;
     * CR, LF and NUL "are invalid and dangerous", and so are the other
     * controls. */
    for (size_t k = vs; k < ve; k++) {
        unsigned char c = (unsigned char)buf[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(p, 400, "control character in field value");
    }
    const char *v = buf + vs;
    size_t n = ve - vs;
    if (equals_nocase(name, name_len, "host")) {
        /* Section 3.2: more than one Host, or an invalid one, is 400. */
        if (r->has_host)
            return fail(p, 400, "more than one Host field");
        if (!valid_host(v, n))
            return fail(p, 400, "bad Host field");
        r->has_host = true;
    } else if (equals_nocase(name, name_len, "connection")) {
        connection_options(p, v, n);
    } else if (equals_nocase(name, name_len, "content-length")) {
        return content_length(p, v, n);
    } else if (equals_nocase(name, name_len, "transfer-encoding")) {
        r->has_transfer_encoding = true;
    }
    return HTTP_PARSE_INCOMPLETE;
}

static enum http_parse_result finish(struct http_parser *p)
{
    struct http_request *r = &p->req;
    /* Section 3.2: an HTTP/1.1 request without Host is 400. */
    if (r->version_minor >= 1 && !r->has_host)
        return fail(p, 400, "HTTP/1.1 request without Host");
    /* Section 6.1: a request with both may be rejected; either way the
     * connection must close, and 400 says so. */
    if (r->has_transfer_encoding && r->has_content_length)
        return fail(p, 400, "both Transfer-Encoding and Content-Length");
    /* Section 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with
     * the "keep-alive" option. */
    if (r->version_minor >= 1)
        r->keep_alive = !p->connection_close;
    else
        r->keep_alive = p->connection_keep_alive && !p->connection_close;
    r->head_len = p->pos;
    p->state = HTTP_PARSE_DONE;
    return HTTP_PARSE_COMPLETE;
}

/* A request line not ended within the limit: 414 when it began as a
 * request line does (a method token and a blank), so that the long part is
 * the target; otherwise it is not HTTP at all. */
static enum http_parse_result line_too_long(struct http_parser *p, const char *buf, size_t len)
{
    size_t i = p->pos;
    while (i < len && http_is_tchar((unsigned char)buf[i]))
        i++;
    if (i > p->pos && i < len && buf[i] == ' ')
        return fail(p, 414, "request line longer than the header limit");
    return fail(p, 400, "no request line within the header limit");
}

/* The partial request line so far cannot become a valid one: its method
 * part holds a byte no token has (a TLS handshake, binary noise). Said at
 * once rather than after the timeout. A CR as the last byte may still be
 * followed by its LF. */
static bool bad_line_start(const struct http_parser *p, const char *buf, size_t len)
{
    for (size_t i = p->pos; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == ' ')
            return false;
        if (!http_is_tchar(c))
            return !(c == '\r' && i + 1 == len && i == p->pos);
    }
    return false;
}

enum http_parse_result http_parse(struct http_parser *p, const char *buf, size_t len, size_t limit)
{
    if (p->state == HTTP_PARSE_DONE)
        return HTTP_PARSE_COMPLETE;
    if (p->state == HTTP_PARSE_FAILED)
        return HTTP_PARSE_ERROR;
    size_t scan_end = len < limit ? len : limit;
    while (p->pos < scan_end) {
        const char *lf = memchr(buf + p->pos, '\n', scan_end - p->pos);
        if (lf == NULL)
            break;
        size_t start = p->pos, end = (size_t)(lf - buf);
        p->pos = end + 1;
        /* Section 2.2: a lone LF may end a line, a CR before it is part of
         * the terminator, and a bare CR elsewhere is invalid. */
        if (end > start && buf[end - 1] == '\r')
            end--;
        if (memchr(buf + start, '\r', end - start) != NULL)
            return fail(p, 400, "bare CR");
        enum http_parse_result res;
        if (p->state == HTTP_PARSE_REQUEST_LINE) {
            /* Section 2.2: empty lines before the request line are
             * ignored. */
            if (end == start)
                continue;
            res = request_line(p, buf, start, end);
            if (res == HTTP_PARSE_ERROR)
                return res;
            p->state = HTTP_PARSE_HEADERS;
        } else if (end == start) {
            return finish(p);
        } else {
            res = header_line(p, buf, start, end);
            if (res == HTTP_PARSE_ERROR)
                return res;
        }
    }
    if (len >= limit) {
        if (p->state == HTTP_PARSE_REQUEST_LINE)
            return line_too_long(p, buf, scan_end);
        return fail(p, 431, "header section larger than the limit");
    }
    if (p->state == HTTP_PARSE_REQUEST_LINE && bad_line_start(p, buf, len))
        return fail(p, 400, "bad method token");
    return HTTP_PARSE_INCOMPLETE;
}
