/* libFuzzer harness: apps/httpd's request parser (request.c) and target
 * decoding (target.c) over arbitrary bytes, as a client could send them.
 *
 * Input: byte 0 picks the head limit (16 to 2063 bytes), byte 1 seeds the
 * sizes of the pieces the bytes arrive in; the rest is what the client
 * sent. Invariants:
 *   - the verdict, the status and every offset are the same whether the
 *     bytes come whole or in pieces (the parser resumes where it stopped);
 *   - a complete head lies within the bytes and the limit, its method is a
 *     token, its target visible ASCII without '#', its version 1.0 or 1.1,
 *     an HTTP/1.1 request has Host, never both Content-Length and
 *     Transfer-Encoding;
 *   - an error is 400, 414, 431 or 505 with a reason;
 *   - a decoded path starts with '/', holds no NUL, no empty, "." or ".."
 *     segment and no final '/', and decodes to itself once re-encoded; its
 *     raw part lies within the target.
 *   clang -fsanitize=fuzzer,address,undefined -I. \
 *     tests/fuzz/fuzz_httpd_request.c apps/httpd/request.c apps/httpd/target.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps/httpd/request.h"
#include "apps/httpd/target.h"
#include "tests/fuzz/fuzz_input.h"

static void check_path(const char *target, size_t tlen)
{
    size_t cap = tlen + 2;
    char *out = malloc(cap);
    struct http_path res;
    int status = http_target_path(target, tlen, out, cap, &res);
    BROKEN_IF(status != 0 && status != 400 && status != 403);
    if (status != 0) {
        free(out);
        return;
    }
    BROKEN_IF(res.len == 0 || res.len >= cap || out[0] != '/' || strlen(out) != res.len);
    BROKEN_IF(res.raw_off + res.raw_len > tlen);
    BROKEN_IF(res.len > 1 && out[res.len - 1] == '/');
    for (size_t i = 0; i + 1 < res.len; i++) {
        if (out[i] != '/')
            continue;
        size_t s = i + 1, e = s;
        while (e < res.len && out[e] != '/')
            e++;
        size_t seg = e - s;
        BROKEN_IF(seg == 0);
        BROKEN_IF(seg == 1 && out[s] == '.');
        BROKEN_IF(seg == 2 && out[s] == '.' && out[s + 1] == '.');
    }
    /* Round trip: every byte but '/' percent-encoded decodes to the same
     * path, which is already normal. */
    char *enc = malloc(res.len * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; i < res.len; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c == '/') {
            enc[n++] = '/';
        } else {
            static const char hex[] = "0123456789ABCDEF";
            enc[n++] = '%';
            enc[n++] = hex[c >> 4];
            enc[n++] = hex[c & 15];
        }
    }
    char *again = malloc(n + 2);
    struct http_path res2;
    BROKEN_IF(http_target_path(enc, n, again, n + 2, &res2) != 0);
    BROKEN_IF(res2.len != res.len || memcmp(again, out, res.len) != 0);
    BROKEN_IF(res2.trailing_slash != (res.len == 1));
    free(again);
    free(enc);
    free(out);
}

static void check_complete(const struct http_parser *p, const char *buf, size_t len, size_t limit)
{
    const struct http_request *r = &p->req;
    BROKEN_IF(r->head_len == 0 || r->head_len > len || r->head_len > limit);
    BROKEN_IF(r->method_len == 0 || r->method_off + r->method_len > r->head_len);
    BROKEN_IF(r->target_len == 0 || r->target_off + r->target_len > r->head_len);
    for (size_t i = 0; i < r->method_len; i++)
        BROKEN_IF(!http_is_tchar((unsigned char)buf[r->method_off + i]));
    for (size_t i = 0; i < r->target_len; i++) {
        unsigned char c = (unsigned char)buf[r->target_off + i];
        BROKEN_IF(c <= 0x20 || c >= 0x7f || c == '#');
    }
    BROKEN_IF(r->version_minor > 1);
    BROKEN_IF(r->version_minor == 1 && !r->has_host);
    BROKEN_IF(r->has_content_length && r->has_transfer_encoding);
    BROKEN_IF(buf[r->head_len - 1] != '\n');
    check_path(buf + r->target_off, r->target_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    size_t limit = 16 + (fuzz_take(&in, 1) * 8 + 7) % 2048;
    uint32_t seed = fuzz_take(&in, 1) | 1;
    /* A copy of exactly the client's bytes, so ASan sees any read past them. */
    char *buf = malloc(in.n ? in.n : 1);
    memcpy(buf, in.p, in.n);
    size_t len = in.n;

    struct http_parser whole;
    http_parser_init(&whole);
    enum http_parse_result rw = http_parse(&whole, buf, len, limit);

    struct http_parser piece;
    http_parser_init(&piece);
    enum http_parse_result rp = HTTP_PARSE_INCOMPLETE;
    size_t have = 0;
    while (rp == HTTP_PARSE_INCOMPLETE && have < len) {
        seed = seed * 1103515245u + 12345u;
        size_t step = 1 + (seed >> 16) % 16;
        have = have + step > len ? len : have + step;
        rp = http_parse(&piece, buf, have, limit);
    }
    /* Pieces may stop early only where the whole parse did too. */
    BROKEN_IF(rp != rw);
    BROKEN_IF(piece.error_status != whole.error_status);
    BROKEN_IF(memcmp(&piece.req, &whole.req, sizeof whole.req) != 0);
    if (rw == HTTP_PARSE_COMPLETE)
        check_complete(&whole, buf, len, limit);
    else if (rw == HTTP_PARSE_ERROR)
        BROKEN_IF((whole.error_status != 400 && whole.error_status != 414 &&
                   whole.error_status != 431 && whole.error_status != 505) ||
                  whole.reason == NULL);
    else
        BROKEN_IF(len >= limit);
    free(buf);
    return 0;
}
