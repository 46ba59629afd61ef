/* The HTTP/1.1 answer reader (net/azure/http_reply.h). Strict where the
 * message's framing is concerned (RFC 9112 sections 4, 5, 6, 7.1): lines
 * end in CRLF, the status line is "HTTP/1.x NNN", a field line has a name
 * and a colon and is not folded, Content-Length is one decimal number
 * (repeated only with the same value), the only transfer coding taken is
 * "chunked" alone, never beside a Content-Length (section 6.3: "ought to be
 * handled as an error"). The client asks with HTTP/1.1 and "Connection:
 * close", so a body with neither ends when the connection does. */
#include "net/azure/http_reply.h"

#include <stdint.h>
#include <string.h>

/* Longer bodies are refused (the client's buffer is smaller anyway). */
#define BODY_MAX (1u << 20)

static enum http_reply_state bad(struct http_reply *out, const char *why)
{
    out->error = why;
    return HTTP_REPLY_BAD;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_is(const char *p, size_t n, const char *want)
{
    if (strlen(want) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != want[i])
            return false;
    return true;
}

/* RFC 9110 section 5.6.2's tchar. */
static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The offset just past the blank line that ends the head, or 0. */
static size_t head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return i + 4;
    return 0;
}

/* One field line, [p, p + n) without its CRLF: Content-Length into *length
 * (UINT64_MAX when absent), "Transfer-Encoding: chunked" into *chunked;
 * NULL, or what is wrong. */
static const char *field(const char *p, size_t n, uint64_t *length, bool *chunked)
{
    size_t colon = 0;
    while (colon < n && is_tchar(p[colon]))
        colon++;
    if (colon == 0 || colon == n || p[colon] != ':')
        return p[0] == ' ' || p[0] == '\t' ? "a folded header line" : "a malformed header line";
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\0' || p[i] == '\r' || p[i] == '\n')
            return "a control character in a header line";
    size_t v = colon + 1, e = n;
    while (v < e && (p[v] == ' ' || p[v] == '\t'))
        v++;
    while (e > v && (p[e - 1] == ' ' || p[e - 1] == '\t'))
        e--;
    if (name_is(p, colon, "transfer-encoding")) {
        if (!name_is(p + v, e - v, "chunked") || *chunked)
            return "a transfer coding other than one \"chunked\"";
        *chunked = true;
        return NULL;
    }
    if (!name_is(p, colon, "content-length"))
        return NULL;
    if (v == e || e - v > 7)
        return "Content-Length is not a number below 10^7";
    uint64_t value = 0;
    for (size_t i = v; i < e; i++) {
        if (p[i] < '0' || p[i] > '9')
            return "Content-Length is not a number below 10^7";
        value = value * 10 + (uint64_t)(p[i] - '0');
    }
    if (*length != UINT64_MAX && *length != value)
        return "two different Content-Length values";
    *length = value;
    return NULL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static enum http_reply_state need_more(bool closed, struct http_reply *r)
{
    return closed ? bad(r, "the connection closed inside the chunked body") : HTTP_REPLY_INCOMPLETE;
}

/* The chunked body from pos (RFC 9112 section 7.1): chunk-size [chunk-ext]
 * CRLF data CRLF ..., a last chunk of size 0, trailer lines, CRLF. Its
 * decoded length into *body_len; with out set, the chunks' data are also
 * moved together to out (within buf, at or before pos: every write stays
 * behind what is still to be read). */
static enum http_reply_state walk_chunks(const char *buf, size_t len, size_t pos, bool closed,
                                         char *out, size_t *body_len, struct http_reply *r)
{
    size_t total = 0;
    for (;;) {
        uint64_t size = 0;
        size_t digits = 0;
        for (; pos < len && hex_digit(buf[pos]) >= 0; pos++, digits++) {
            if (digits == 6)
                return bad(r, "a chunk size longer than 6 hexadecimal digits");
            size = size * 16 + (uint64_t)hex_digit(buf[pos]);
        }
        if (pos == len)
            return need_more(closed, r);
        if (digits == 0)
            return bad(r, "a chunk without a size");
        /* Chunk extensions (";name=value") are skipped up to the line's end. */
        while (pos < len && buf[pos] != '\r' && buf[pos] != '\n' && buf[pos] != '\0')
            pos++;
        if (len - pos < 2)
            return need_more(closed, r);
        if (buf[pos] != '\r' || buf[pos + 1] != '\n')
            return bad(r, "a chunk size line does not end in CRLF");
        pos += 2;
        if (size == 0)
            break;
        if (total + size > BODY_MAX)
            return bad(r, "a body longer than 1 MiB");
        if (len - pos < size + 2)
            return need_more(closed, r);
        if (buf[pos + size] != '\r' || buf[pos + size + 1] != '\n')
            return bad(r, "a chunk's data is not followed by CRLF");
        if (out != NULL)
            memmove(out + total, buf + pos, (size_t)size);
        total += (size_t)size;
        pos += (size_t)size + 2;
    }
    /* Trailer fields, each ending in CRLF, then an empty line. */
    for (;;) {
        size_t end = pos;
        while (end + 1 < len && (buf[end] != '\r' || buf[end + 1] != '\n'))
            end++;
        if (end + 1 >= len)
            return need_more(closed, r);
        if (end == pos)
            break;
        pos = end + 2;
    }
    *body_len = total;
    return HTTP_REPLY_DONE;
}

void http_reply_dechunk(char *buf, size_t len, const struct http_reply *reply)
{
    size_t n;
    struct http_reply r;
    if (reply->chunked)
        walk_chunks(buf, len, reply->body_off, true, buf + reply->body_off, &n, &r);
}

enum http_reply_state http_reply_parse(const char *buf, size_t len, bool closed,
                                       struct http_reply *out)
{
    out->error = NULL;
    size_t head = head_end(buf, len);
    if (head == 0)
        return closed ? bad(out, "the connection closed before the end of the header")
                      : HTTP_REPLY_INCOMPLETE;
    /* "HTTP/1.1 200 OK": the version, a space, three digits, then a space
     * (and a reason) or the end of the line. */
    if (head < 14 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') ||
        buf[8] != ' ' || buf[9] < '1' || buf[9] > '9' || buf[10] < '0' || buf[10] > '9' ||
        buf[11] < '0' || buf[11] > '9' || (buf[12] != ' ' && buf[12] != '\r'))
        return bad(out, "the status line is not \"HTTP/1.x NNN ...\"");
    out->status = (unsigned)((buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0'));
    if (out->status < 200)
        return bad(out, "an interim (1xx) answer to a request that asked for none");
    size_t line = 12;
    while (line < head && buf[line] != '\n')
        line++;
    line++; /* past the status line */
    uint64_t length = UINT64_MAX;
    bool chunked = false;
    while (line < head - 2) {
        size_t end = line;
        while (buf[end] != '\r' || buf[end + 1] != '\n')
            end++; /* ends within the head: it ends in CRLF CRLF */
        const char *why = field(buf + line, end - line, &length, &chunked);
        if (why != NULL)
            return bad(out, why);
        line = end + 2;
    }
    out->body_off = head;
    out->chunked = chunked;
    if (chunked && length != UINT64_MAX)
        return bad(out, "both Transfer-Encoding and Content-Length");
    if (chunked)
        return walk_chunks(buf, len, head, closed, NULL, &out->body_len, out);
    if (length == UINT64_MAX) {
        if (!closed)
            return HTTP_REPLY_INCOMPLETE;
        if (len - head > BODY_MAX)
            return bad(out, "a body longer than 1 MiB");
        out->body_len = len - head;
        return HTTP_REPLY_DONE;
    }
    if (len - head < length)
        return closed ? bad(out, "the connection closed before the end of the body")
                      : HTTP_REPLY_INCOMPLETE;
    out->body_len = (size_t)length;
    return HTTP_REPLY_DONE;
}
