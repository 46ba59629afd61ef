/* Request-target to file path (target.h). RFC 9112 section 3.2 gives the
 * forms of a request-target, RFC 3986 the URI syntax: section 2.1 for
 * percent-encoding, section 5.2.4 for removing dot segments, which is done
 * here on the decoded path, so that "%2e%2e" is ".." too and an encoded
 * "/" separates segments: whatever spelling a client uses, the path can
 * only name something under the root. */
#include "target.h"

#include <string.h>

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The scheme "http" or "https" (case-insensitive, RFC 3986 section 3.1)
 * followed by "://": the absolute-form, which section 3.2.2 says a server
 * MUST accept. Returns the length of that prefix, or 0. */
static size_t absolute_prefix(const char *t, size_t len)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t s = 0; s < 2; s++) {
        size_t n = strlen(schemes[s]);
        if (len < n)
            continue;
        size_t i = 0;
        while (i < n) {
            unsigned char c = (unsigned char)t[i];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            if (c != (unsigned char)schemes[s][i])
                break;
            i++;
        }
        if (i == n)
            return n;
    }
    return 0;
}

int http_target_path(const char *target, size_t len, char *out, size_t cap, struct http_path *res)
{
    if (cap < len + 2)
        return 400;
    /* Which part of the target is the path. */
    size_t start;
    if (len > 0 && target[0] == '/') {
        start = 0; /* origin-form, section 3.2.1 */
    } else {
        size_t pre = absolute_prefix(target, len);
        if (pre == 0)
            return 400; /* asterisk- and authority-form are not for GET and HEAD */
        start = pre;
        while (start < len && target[start] != '/' && target[start] != '?')
            start++; /* the authority, which the Host field gives too */
    }
    size_t end = start;
    while (end < len && target[end] != '?')
        end++;
    res->raw_off = start;
    res->raw_len = end - start;

    /* Decode into out. An absolute-form target without a path has the
     * path "/" (RFC 3986 section 6.2.3). */
    size_t n = 0;
    out[n++] = '/';
    size_t i = start;
    if (i < end && target[i] == '/')
        i++;
    while (i < end) {
        unsigned char c = (unsigned char)target[i];
        if (c == '%') {
            /* RFC 3986 section 2.1: "%" HEXDIG HEXDIG, nothing else. */
            int hi = i + 2 < end ? hex_value((unsigned char)target[i + 1]) : -1;
            int lo = i + 2 < end ? hex_value((unsigned char)target[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return 400;
            c = (unsigned char)(hi * 16 + lo);
            if (c == 0)
                return 400; /* a NUL would end the file name early */
            i += 3;
        } else {
            i++;
        }
        out[n++] = (char)c;
    }

    /* Remove dot segments in place: the writer w never passes the reader
     * r. Segments are what lies between slashes; empty ones collapse. */
    size_t w = 0, r = 1;
    bool dir = n == 1 || out[n - 1] == '/';
    while (r <= n) {
        size_t s = r;
        while (r < n && out[r] != '/')
            r++;
        size_t seg = r - s;
        bool last = r >= n;
        if (seg == 0 || (seg == 1 && out[s] == '.')) {
            dir = dir || (last && seg == 1);
        } else if (seg == 2 && out[s] == '.' && out[s + 1] == '.') {
            if (w == 0)
                return 403; /* above the root */
            while (w > 0 && out[w - 1] != '/')
                w--;
            w--; /* the slash before the removed segment */
            dir = dir || last;
        } else {
            out[w++] = '/';
            memmove(out + w, out + s, seg);
            w += seg;
            if (last)
                dir = false;
        }
        r++;
    }
    if (w == 0) {
        out[w++] = '/';
        dir = true;
    }
    out[w] = '\0';
    res->len = w;
    res->trailing_slash = dir;
    return 0;
}
