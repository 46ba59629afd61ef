/* Unit tests for apps/httpd's pure parts: the request parser (request.c),
 * request-target decoding (target.c), content types (mime.c), response
 * heads and the Date field (response.c), the built-in page (builtin.c).
 * tests/http drives the whole server over sockets; these pin the rules. */
#define _GNU_SOURCE /* memmem */
#include "apps/httpd/builtin.h"
#include "apps/httpd/mime.h"
#include "apps/httpd/request.h"
#include "apps/httpd/response.h"
#include "apps/httpd/target.h"
#include "tests/unit/unit.h"

#define LIMIT 8192

static struct http_parser p;

/* Parses text whole; returns the result. */
static enum http_parse_result parse(const char *text)
{
    http_parser_init(&p);
    return http_parse(&p, text, strlen(text), LIMIT);
}

/* Parses text as if it came a byte at a time: each call sees one byte
 * more, as the server's buffer would. */
static enum http_parse_result parse_bytewise(const char *text, size_t limit)
{
    http_parser_init(&p);
    size_t n = strlen(text);
    enum http_parse_result r = HTTP_PARSE_INCOMPLETE;
    for (size_t i = 1; i <= n && r == HTTP_PARSE_INCOMPLETE; i++)
        r = http_parse(&p, text, i, limit);
    return r;
}

static bool field_is(const char *text, size_t off, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(text + off, want, len) == 0;
}

TEST(simple_get)
{
    const char *t = "GET /index.html?x=1 HTTP/1.1\r\nHost: example.org\r\nAccept: */*\r\n\r\nNEXT";
    CHECK_EQ(parse(t), HTTP_PARSE_COMPLETE);
    CHECK_EQ(p.req.method, HTTP_METHOD_GET);
    CHECK(field_is(t, p.req.method_off, p.req.method_len, "GET"));
    CHECK(field_is(t, p.req.target_off, p.req.target_len, "/index.html?x=1"));
    CHECK_EQ(p.req.version_minor, 1u);
    CHECK(p.req.keep_alive);
    CHECK(p.req.has_host);
    CHECK_EQ(p.req.head_len, strlen(t) - strlen("NEXT"));
    /* once complete, it stays so */
    CHECK_EQ(http_parse(&p, t, strlen(t), LIMIT), HTTP_PARSE_COMPLETE);
}

TEST(incomplete_then_complete)
{
    const char *t = "HEAD / HTTP/1.0\r\n\r\n";
    http_parser_init(&p);
    CHECK_EQ(http_parse(&p, t, 5, LIMIT), HTTP_PARSE_INCOMPLETE);
    CHECK_EQ(http_parse(&p, t, strlen(t) - 1, LIMIT), HTTP_PARSE_INCOMPLETE);
    CHECK_EQ(http_parse(&p, t, strlen(t), LIMIT), HTTP_PARSE_COMPLETE);
    CHECK_EQ(p.req.method, HTTP_METHOD_HEAD);
    CHECK_EQ(p.req.version_minor, 0u);
    CHECK(!p.req.keep_alive);
}

/* The same verdict whether bytes come all at once or one by one. */
TEST(bytewise_equals_whole)
{
    static const char *const cases[] = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\nHost: a\n\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "\x16\x03\x01",
        "GET / HTTP/1.1\r\nContent-Length: 3, 3\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 3, 4\r\nHost: h\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum http_parse_result whole = parse(cases[i]);
        int whole_status = p.error_status;
        size_t whole_len = p.req.head_len;
        enum http_parse_result bytewise = parse_bytewise(cases[i], LIMIT);
        CHECK_EQ(bytewise, whole);
        CHECK_EQ(p.error_status, whole_status);
        CHECK_EQ(p.req.head_len, whole_len);
    }
}

TEST(errors_and_their_statuses)
{
    static const struct {
        const char *text;
        int status;
    } cases[] = {
        {"garbage\r\n\r\n", 400},
        {"GET /\r\n\r\n", 400},
        {"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\n\r\n", 400}, /* no Host */
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
         400},
        {"GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", 400},
        {"GET / HTTP/2.0\r\n\r\n", 505},
        {"GET / HTTP/0.9\r\n\r\n", 505},
        {"GET / HTTP/9.9\r\n\r\n", 505},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ(parse(cases[i].text), HTTP_PARSE_ERROR);
        CHECK_EQ(p.error_status, cases[i].status);
        CHECK(p.reason != NULL && p.reason[0] != '\0');
    }
}

TEST(accepted_variants)
{
    CHECK_EQ(parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), HTTP_PARSE_COMPLETE);
    CHECK_EQ(p.req.version_minor, 1u);                              /* 1.x above 1.1 reads as 1.1 */
    CHECK_EQ(parse("GET / HTTP/1.0\r\n\r\n"), HTTP_PARSE_COMPLETE); /* 1.0 needs no Host */
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n"), HTTP_PARSE_COMPLETE); /* empty Host */
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHOST: [::1]:8080\r\nX-Y:  v \t\r\n\r\n"),
             HTTP_PARSE_COMPLETE);
    CHECK_EQ(parse("get / HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_PARSE_COMPLETE);
    CHECK_EQ(p.req.method, HTTP_METHOD_OTHER); /* methods are case-sensitive */
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 7 , 7\r\n\r\n"),
             HTTP_PARSE_COMPLETE);
    CHECK(p.req.has_content_length);
    CHECK_EQ(p.req.content_length, 7u);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
             HTTP_PARSE_COMPLETE);
    CHECK(p.req.has_transfer_encoding);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"), HTTP_PARSE_COMPLETE);
}

TEST(connection_options)
{
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n"),
             HTTP_PARSE_COMPLETE);
    CHECK(!p.req.keep_alive);
    CHECK_EQ(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), HTTP_PARSE_COMPLETE);
    CHECK(p.req.keep_alive);
    CHECK_EQ(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"),
             HTTP_PARSE_COMPLETE);
    CHECK(!p.req.keep_alive);
    CHECK_EQ(parse("GET / HTTP/1.0\r\nConnection: keep-alivex\r\n\r\n"), HTTP_PARSE_COMPLETE);
    CHECK(!p.req.keep_alive);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"),
             HTTP_PARSE_COMPLETE);
    CHECK(p.req.keep_alive);
}

TEST(limits)
{
    char buf[600];
    /* a request line that does not end within the limit: 414 */
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "GET /", 5);
    http_parser_init(&p);
    CHECK_EQ(http_parse(&p, buf, sizeof buf, 512), HTTP_PARSE_ERROR);
    CHECK_EQ(p.error_status, 414);
    /* ... unless it is not a request line at all: 400 */
    memset(buf, 'a', sizeof buf);
    http_parser_init(&p);
    CHECK_EQ(http_parse(&p, buf, sizeof buf, 512), HTTP_PARSE_ERROR);
    CHECK_EQ(p.error_status, 400);
    /* a header section that does not end within it: 431 */
    snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX: %0500d\r\n\r\n", 0);
    CHECK_EQ(parse_bytewise(buf, 512), HTTP_PARSE_ERROR);
    CHECK_EQ(p.error_status, 431);
    /* exactly at the limit is still fine */
    size_t n = strlen(buf);
    http_parser_init(&p);
    CHECK_EQ(http_parse(&p, buf, n, n), HTTP_PARSE_COMPLETE);
    http_parser_init(&p);
    CHECK_EQ(http_parse(&p, buf, n, n - 1), HTTP_PARSE_ERROR);
    CHECK_EQ(p.error_status, 431);
}

/* target -> path, or the status */
static int path_of(const char *target, char *out, size_t cap, struct http_path *res)
{
    memset(res, 0, sizeof *res);
    return http_target_path(target, strlen(target), out, cap, res);
}

TEST(target_paths)
{
    static const struct {
        const char *target;
        const char *path;
        bool dir;
    } ok[] = {
        {"/", "/", true},
        {"/a.txt", "/a.txt", false},
        {"/a/b/", "/a/b", true},
        {"/a//b", "/a/b", false},
        {"/./a", "/a", false},
        {"/a/.", "/a", true},
        {"/a/..", "/", true},
        {"/a/../b?x=/../..", "/b", false},
        {"/%61%2Fb", "/a/b", false},
        {"/a%2f..%2fb", "/b", false},
        {"/a%20b", "/a b", false},
        {"/%C3%A9", "/\xc3\xa9", false},
        {"http://host/a/b", "/a/b", false},
        {"HTTPS://host:443/x/", "/x", true},
        {"http://host", "/", true},
        {"http://host?q", "/", true},
        {"/?", "/", true},
    };
    char out[256];
    struct http_path res;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_EQ(path_of(ok[i].target, out, sizeof out, &res), 0);
        CHECK_STR(out, ok[i].path);
        CHECK_EQ(res.len, strlen(ok[i].path));
        CHECK_EQ(res.trailing_slash, ok[i].dir);
    }
    CHECK_EQ(path_of("/dir?x", out, sizeof out, &res), 0);
    CHECK_EQ(res.raw_off, 0u);
    CHECK_EQ(res.raw_len, 4u);
    CHECK_EQ(path_of("http://h/dir", out, sizeof out, &res), 0);
    CHECK_EQ(res.raw_off, 8u);
    CHECK_EQ(res.raw_len, 4u);
}

TEST(target_refusals)
{
    static const struct {
        const char *target;
        int status;
    } bad[] = {
        {"/..", 403},       {"/../a", 403},  {"/a/../../b", 403}, {"/%2e%2e/a", 403},
        {"/..%2Fa", 403},   {"//../a", 403}, {"/%00", 400},       {"/a%0", 400},
        {"/a%", 400},       {"/%g0", 400},   {"*", 400},          {"host:80", 400},
        {"ftp://h/a", 400}, {"a/b", 400},    {"", 400},
    };
    char out[256];
    struct http_path res;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(path_of(bad[i].target, out, sizeof out, &res), bad[i].status);
    /* the output buffer must hold the whole target and more */
    CHECK_EQ(path_of("/abc", out, 5, &res), 400);
    CHECK_EQ(path_of("/abc", out, 6, &res), 0);
}

TEST(content_types)
{
    CHECK_STR(http_mime_type("/a/index.html", 13), "text/html");
    CHECK_STR(http_mime_type("/X.HTM", 6), "text/html");
    CHECK_STR(http_mime_type("/a.txt", 6), "text/plain");
    CHECK_STR(http_mime_type("/a.Js", 5), "text/javascript");
    CHECK_STR(http_mime_type("/a.wasm", 7), "application/wasm");
    CHECK_STR(http_mime_type("/a.jpeg", 7), "image/jpeg");
    CHECK_STR(http_mime_type("/a.tar.gz", 9), "application/octet-stream");
    CHECK_STR(http_mime_type("/a.d/file", 9), "application/octet-stream");
    CHECK_STR(http_mime_type("/file.", 6), "application/octet-stream");
    CHECK_STR(http_mime_type("/.html", 6), "text/html");
    CHECK_STR(http_mime_type("/a.verylongextension", 20), "application/octet-stream");
    /* only the given length counts */
    CHECK_STR(http_mime_type("/a.txt.png", 6), "text/plain");
}

TEST(date_field)
{
    struct http_date d = {0};
    http_date_update(&d, 784111777); /* RFC 9110 section 5.6.7's example */
    CHECK(d.valid);
    CHECK_EQ(d.len, 29u);
    CHECK(memcmp(d.text, "Sun, 06 Nov 1994 08:49:37 GMT", 29) == 0);
    http_date_update(&d, 951782400); /* a leap day */
    CHECK(memcmp(d.text, "Tue, 29 Feb 2000 00:00:00 GMT", 29) == 0);
    http_date_update(&d, 4102444799); /* the last second of 2099 */
    CHECK(memcmp(d.text, "Thu, 31 Dec 2099 23:59:59 GMT", 29) == 0);
    http_date_update(&d, 12); /* a clock that was never set: no Date */
    CHECK(!d.valid);
}

TEST(response_heads)
{
    char buf[512];
    struct http_date d = {0};
    http_date_update(&d, 784111777);
    struct http_response r = {
        .status = 405,
        .content_type = "text/html",
        .content_length = 12,
        .keep_alive = true,
        .allow = true,
    };
    size_t n = http_response_head(buf, sizeof buf, &r, &d);
    buf[n] = '\0';
    CHECK_STR(buf, "HTTP/1.1 405 Method Not Allowed\r\nServer: anyvm-httpd\r\n"
                   "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/html\r\n"
                   "Content-Length: 12\r\nAllow: GET, HEAD\r\n\r\n");
    struct http_response redirect = {
        .status = 301,
        .content_length = 0,
        .keep_alive = true,
        .http10 = true,
        .location = "/dir?x",
        .location_len = 4,
    };
    n = http_response_head(buf, sizeof buf, &redirect, NULL);
    buf[n] = '\0';
    CHECK_STR(buf, "HTTP/1.1 301 Moved Permanently\r\nServer: anyvm-httpd\r\nContent-Length: 0\r\n"
                   "Location: /dir/\r\nConnection: keep-alive\r\n\r\n");
    struct http_response closing = {.status = 200, .content_length = 18446744073709551615u};
    n = http_response_head(buf, sizeof buf, &closing, NULL);
    buf[n] = '\0';
    CHECK_STR(buf, "HTTP/1.1 200 OK\r\nServer: anyvm-httpd\r\n"
                   "Content-Length: 18446744073709551615\r\nConnection: close\r\n\r\n");
    /* too small a buffer: nothing, never a cut head */
    CHECK_EQ(http_response_head(buf, 40, &closing, NULL), 0u);
    CHECK_STR(http_reason(431), "Request Header Fields Too Large");
    CHECK_STR(http_reason(299), "Unknown");
    size_t len;
    CHECK(strstr(http_error_body(404, &len), "404 Not Found") != NULL);
    CHECK_EQ(len, strlen(http_error_body(404, &len)));
}

TEST(builtin_page)
{
    static struct builtin_responses b;
    struct http_date d = {0};
    http_date_update(&d, 784111777);
    CHECK_EQ(strlen(builtin_page), 612u);
    builtin_refresh(&b, &d);
    for (int v = 0; v < BUILTIN_VARIANTS; v++) {
        CHECK_EQ(b.len[v], b.head_len[v] + 612);
        CHECK(memcmp(b.bytes[v] + b.head_len[v], builtin_page, 612) == 0);
        CHECK(memcmp(b.bytes[v] + b.head_len[v] - 4, "\r\n\r\n", 4) == 0);
        CHECK(memmem(b.bytes[v], b.head_len[v], "Content-Length: 612\r\n", 21) != NULL);
        CHECK(memmem(b.bytes[v], b.head_len[v], "Date: Sun, 06 Nov 1994 08:49:37", 31) != NULL);
    }
    CHECK(memmem(b.bytes[BUILTIN_CLOSE], b.head_len[BUILTIN_CLOSE], "Connection: close", 17));
    CHECK(memmem(b.bytes[BUILTIN_HTTP10_KEEP_ALIVE], b.head_len[BUILTIN_HTTP10_KEEP_ALIVE],
                 "Connection: keep-alive", 22));
    CHECK(!memmem(b.bytes[BUILTIN_KEEP_ALIVE], b.head_len[BUILTIN_KEEP_ALIVE], "Connection", 10));
    /* a new second makes new heads */
    http_date_update(&d, 784111778);
    builtin_refresh(&b, &d);
    CHECK(memmem(b.bytes[0], b.head_len[0], "08:49:38 GMT", 12) != NULL);
}

UNIT_MAIN()
