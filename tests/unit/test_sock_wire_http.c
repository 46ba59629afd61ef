/* The WireServer exchange (net/azure/wire_http.c) on the host: lwIP's
 * loopback interface, the kernel's event loop and timers on the fake clock
 * (tests/unit/host_sock.h), and a server of the test's own on 127.0.0.1:80
 * through the socket calls. Each exchange ends in exactly one call of the
 * done function, with the answer or with the reason it failed (a length
 * beyond the buffer, a close before the answer, no answer in time, nothing
 * listening), and leaves lwIP holding no control block. */
#include "core/event.h"
#include "core/time.h"
#include "net/azure/wire_http.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static const char REQUEST[] = "GET /machine/?comp=goalstate HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
#define TIMEOUT_NS (15 * 1000000000ull)

static char answer[256]; /* the client's buffer: small, for the overflow case */

static struct {
    unsigned calls;
    char error[128];
    unsigned status;
    char body[256];
} got;

static void done(const char *error, const struct http_reply *reply, const char *buf)
{
    got.calls++;
    snprintf(got.error, sizeof got.error, "%s", error ? error : "");
    if (error == NULL) {
        got.status = reply->status;
        snprintf(got.body, sizeof got.body, "%.*s", (int)reply->body_len, buf + reply->body_off);
    }
}

static bool called(void *ctx)
{
    (void)ctx;
    return got.calls != 0;
}

/* Starts the exchange (after the test's listener, if any, listens). */
static void ask(void)
{
    ip4_addr_t a;
    IP4_ADDR(&a, 127, 0, 0, 1);
    wire_http_start(&a, REQUEST, sizeof REQUEST - 1, answer, sizeof answer, TIMEOUT_NS, done);
}

/* A fresh descriptor table and clock state; the listener on port 80. */
static int listener80(void)
{
    host_sock_start();
    memset(&got, 0, sizeof got);
    int fd = (int)SC(LINUX_NR_socket, LINUX_AF_INET, LINUX_SOCK_STREAM, 0);
    struct linux_sockaddr_in a = host_sin("127.0.0.1", 80);
    if (fd < 0 || SC(LINUX_NR_bind, fd, &a, sizeof a) != 0 || SC(LINUX_NR_listen, fd, 4) != 0)
        return -1;
    return fd;
}

/* Accepts the client's connection and reads its whole request. */
static int serve_request(int listener)
{
    int c = (int)SC(LINUX_NR_accept, listener, 0, 0);
    if (c < 0)
        return c;
    char req[sizeof REQUEST];
    size_t have = 0;
    while (have < sizeof REQUEST - 1) {
        long n = SC(LINUX_NR_recvfrom, c, req + have, sizeof REQUEST - 1 - have, 0, 0, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    return memcmp(req, REQUEST, sizeof REQUEST - 1) == 0 ? c : -1;
}

static void send_text(int fd, const char *s)
{
    SC(LINUX_NR_sendto, fd, s, strlen(s), 0, 0, 0);
}

static void end(int a, int b)
{
    if (a >= 0)
        SC(LINUX_NR_close, a);
    if (b >= 0)
        SC(LINUX_NR_close, b);
}

TEST(answer_with_a_length)
{
    int l = listener80();
    CHECK(l >= 0);
    ask();
    int c = serve_request(l);
    CHECK(c >= 0);
    send_text(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(wait_until(called, NULL, time_now_ns() + TIMEOUT_NS));
    CHECK_STR(got.error, "");
    CHECK_EQ(got.status, 200u);
    CHECK_STR(got.body, "hello");
    end(c, l);
    host_sock_run_ms(1000);
    CHECK_EQ(got.calls, 1u); /* the close that follows reports nothing more */
    CHECK(host_sock_quiet());
}

TEST(answer_ended_by_the_close)
{
    int l = listener80();
    CHECK(l >= 0);
    ask();
    int c = serve_request(l);
    CHECK(c >= 0);
    send_text(c, "HTTP/1.1 500 Internal Server Error\r\n\r\nno");
    host_sock_run_ms(100);
    CHECK_EQ(got.calls, 0u); /* no length: the body may go on */
    SC(LINUX_NR_close, c);
    CHECK(wait_until(called, NULL, time_now_ns() + TIMEOUT_NS));
    CHECK_STR(got.error, "");
    CHECK_EQ(got.status, 500u);
    CHECK_STR(got.body, "no");
    end(-1, l);
    CHECK(host_sock_quiet());
}

TEST(answer_longer_than_the_buffer)
{
    int l = listener80();
    CHECK(l >= 0);
    ask();
    int c = serve_request(l);
    CHECK(c >= 0);
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "HTTP/1.1 200 OK\r\n\r\n", 19);
    send_text(c, big);
    CHECK(wait_until(called, NULL, time_now_ns() + TIMEOUT_NS));
    CHECK_STR(got.error, "the answer is longer than 256 bytes");
    end(c, l);
    CHECK(host_sock_quiet());
}

TEST(closed_before_the_answer)
{
    int l = listener80();
    CHECK(l >= 0);
    ask();
    int c = serve_request(l);
    CHECK(c >= 0);
    SC(LINUX_NR_close, c);
    CHECK(wait_until(called, NULL, time_now_ns() + TIMEOUT_NS));
    CHECK_STR(got.error, "the connection closed before the end of the header");
    end(-1, l);
    CHECK(host_sock_quiet());
}

TEST(no_answer_in_time)
{
    int l = listener80();
    CHECK(l >= 0);
    ask();
    int c = serve_request(l);
    CHECK(c >= 0);
    uint64_t asked = time_now_ns();
    CHECK(wait_until(called, NULL, asked + 2 * TIMEOUT_NS));
    CHECK_STR(got.error, "no complete answer in time");
    /* The fake clock (no real time passes): not before the deadline. */
    CHECK(time_now_ns() - asked >= TIMEOUT_NS);
    end(c, l);
    CHECK(host_sock_quiet());
}

TEST(nothing_listens)
{
    host_sock_start();
    memset(&got, 0, sizeof got);
    ask();
    CHECK(wait_until(called, NULL, time_now_ns() + TIMEOUT_NS));
    CHECK(strncmp(got.error, "connection reset (refused?) (lwIP error ", 40) == 0);
    CHECK(host_sock_quiet());
}

TEST(cancelled_exchange_reports_nothing)
{
    int l = listener80();
    CHECK(l >= 0);
    ask();
    int c = serve_request(l);
    CHECK(c >= 0);
    wire_http_cancel();
    send_text(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    host_sock_run_ms(2 * TIMEOUT_NS / 1000000);
    CHECK_EQ(got.calls, 0u);
    end(c, l);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
