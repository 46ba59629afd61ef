/* net/socket/ under the waiting calls (sys/poll/): sockets notify their
 * readiness (sys_file_notify), so poll and epoll_wait wake for a
 * connection, data, space, the peer's FIN and a reset, on loopback; an
 * event loop in the style of a server (non-blocking sockets, level- and
 * edge-triggered epoll) moves data both ways; a closed socket leaves its
 * epoll sets. */
#include "core/time.h"
#include "net/socket/sock.h"
#include "sys/fd.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static long ep_add(long ep, long fd, uint32_t events)
{
    struct linux_epoll_event ev = {.events = events, .data = (uint64_t)fd};
    return SC(LINUX_NR_epoll_ctl, ep, LINUX_EPOLL_CTL_ADD, fd, &ev);
}

/* One epoll_wait: the events of fd (0 when it did not come), the count in *n. */
static uint32_t ep_wait(long ep, long fd, int timeout_ms, long *n)
{
    struct linux_epoll_event evs[16];
    *n = SC(LINUX_NR_epoll_wait, ep, evs, 16, timeout_ms);
    for (long i = 0; i < *n; i++)
        if (evs[i].data == (uint64_t)fd)
            return evs[i].events;
    return 0;
}

TEST(epoll_wakes_for_a_connection_data_the_fin_and_a_reset)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET, 8, &port);
    long ep = SC(LINUX_NR_epoll_create1, 0);
    CHECK_EQ(ep_add(ep, l, LINUX_POLLIN), 0);
    long n;
    CHECK_EQ(ep_wait(ep, l, 0, &n), 0u);
    CHECK_EQ(n, 0);
    int c = host_tcp_connect(LINUX_AF_INET, port, LINUX_SOCK_NONBLOCK);
    CHECK_EQ(ep_wait(ep, l, 1000, &n), (uint32_t)LINUX_POLLIN);
    long s = SC(LINUX_NR_accept4, l, 0, 0, LINUX_SOCK_NONBLOCK);
    CHECK(s >= 0);
    CHECK_EQ(ep_add(ep, s, LINUX_POLLIN | LINUX_POLLRDHUP), 0);
    uint64_t before = time_now_ns();
    CHECK_EQ(ep_wait(ep, s, 200, &n), 0u); /* nothing for 200 ms */
    CHECK(time_now_ns() - before >= 200000000ull);
    CHECK_EQ(SC(LINUX_NR_write, c, "req", 3), 3);
    CHECK_EQ(ep_wait(ep, s, 1000, &n), (uint32_t)LINUX_POLLIN);
    char buf[8];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 3);
    CHECK_EQ(SC(LINUX_NR_shutdown, c, LINUX_SHUT_WR), 0);
    CHECK_EQ(ep_wait(ep, s, 1000, &n), (uint32_t)(LINUX_POLLIN | LINUX_POLLRDHUP));
    struct linux_linger lg = {1, 0};
    CHECK_EQ(SC(LINUX_NR_setsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &lg, sizeof lg), 0);
    SC(LINUX_NR_close, c);
    uint32_t ev = ep_wait(ep, s, 1000, &n);
    CHECK(ev & LINUX_POLLERR);
    CHECK(ev & LINUX_POLLHUP);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), -LINUX_ECONNRESET);
    /* Closed, the socket leaves the set. */
    SC(LINUX_NR_close, s);
    CHECK_EQ(ep_wait(ep, s, 0, &n), 0u);
    CHECK_EQ(n, 0);
    SC(LINUX_NR_close, ep);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* poll waits for a non-blocking connect to finish, and for room to write. */
TEST(poll_waits_for_a_connect_and_for_room)
{
    host_sock_start();
    uint16_t port;
    int l = host_tcp_listener(LINUX_AF_INET6, 8, &port);
    int c = host_tcp_connect(LINUX_AF_INET6, port, LINUX_SOCK_NONBLOCK);
    struct linux_pollfd p = {.fd = c, .events = LINUX_POLLOUT};
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 1000), 1);
    CHECK(p.revents & LINUX_POLLOUT);
    int32_t err = -1, len = 4;
    CHECK_EQ(SC(LINUX_NR_getsockopt, c, LINUX_SOL_SOCKET, LINUX_SO_ERROR, &err, &len), 0);
    CHECK_EQ(err, 0);
    long s = SC(LINUX_NR_accept, l, 0, 0);
    /* Fill the send buffer, then poll for room while the reader drains. */
    static char big[64 * 1024];
    while (SC(LINUX_NR_write, c, big, sizeof big) > 0)
        host_sock_run_ms(1);
    p.revents = 0;
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 0), 0);
    size_t drained = 0;
    while (drained < 200000) {
        long r = SC(LINUX_NR_read, s, big, sizeof big);
        CHECK(r > 0);
        drained += (size_t)r;
    }
    CHECK_EQ(SC(LINUX_NR_poll, &p, 1, 1000), 1);
    CHECK(p.revents & LINUX_POLLOUT);
    SC(LINUX_NR_close, c);
    SC(LINUX_NR_close, s);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

/* A server loop of the usual shape: a non-blocking listener and
 * connections on one edge-triggered epoll set, each connection echoing
 * what it reads, against 20 blocking clients driven from a timer. */
static struct {
    struct timer timer;
    uint16_t port;
    int fds[20];
    unsigned step;
    unsigned echoed;
} clients;

static void client_step(struct timer *t)
{
    (void)t;
    unsigned i = clients.step % 20, phase = clients.step / 20;
    if (phase == 0) {
        clients.fds[i] = host_tcp_connect(LINUX_AF_INET, clients.port, LINUX_SOCK_NONBLOCK);
    } else if (phase == 1) {
        SC(LINUX_NR_write, clients.fds[i], "ping", 4);
    } else if (phase == 2) {
        char buf[8];
        if (SC(LINUX_NR_read, clients.fds[i], buf, sizeof buf) == 4 && memcmp(buf, "ping", 4) == 0)
            clients.echoed++;
        SC(LINUX_NR_close, clients.fds[i]);
    }
    if (++clients.step < 60)
        timer_arm(&clients.timer, time_now_ns() + 5000000ull);
}

TEST(an_edge_triggered_echo_server)
{
    host_sock_start();
    long l = SC(LINUX_NR_socket, LINUX_AF_INET6, LINUX_SOCK_STREAM | LINUX_SOCK_NONBLOCK, 0);
    struct linux_sockaddr_in6 any = host_sin6("::", 0);
    CHECK_EQ(SC(LINUX_NR_bind, l, &any, sizeof any), 0);
    CHECK_EQ(SC(LINUX_NR_listen, l, 64), 0);
    int32_t len = sizeof any;
    SC(LINUX_NR_getsockname, l, &any, &len);
    clients.port = (uint16_t)(any.sin6_port >> 8 | any.sin6_port << 8);
    clients.step = clients.echoed = 0;
    clients.timer.fn = client_step;
    timer_arm(&clients.timer, time_now_ns() + 1000000ull);
    long ep = SC(LINUX_NR_epoll_create1, LINUX_EPOLL_CLOEXEC);
    CHECK_EQ(ep_add(ep, l, LINUX_POLLIN | LINUX_EPOLLET), 0);
    unsigned accepted = 0, closed = 0;
    uint64_t end = time_now_ns() + 5000000000ull;
    while (closed < 20 && time_now_ns() < end) {
        struct linux_epoll_event evs[32];
        long n = SC(LINUX_NR_epoll_wait, ep, evs, 32, 100);
        CHECK(n >= 0);
        for (long i = 0; i < n; i++) {
            long fd = (long)evs[i].data;
            if (fd == l) {
                long s;
                while ((s = SC(LINUX_NR_accept4, l, 0, 0, LINUX_SOCK_NONBLOCK)) >= 0) {
                    CHECK_EQ(ep_add(ep, s, LINUX_POLLIN | LINUX_POLLRDHUP | LINUX_EPOLLET), 0);
                    accepted++;
                }
                CHECK_EQ(s, -LINUX_EAGAIN);
                continue;
            }
            char buf[64];
            long r;
            while ((r = SC(LINUX_NR_read, fd, buf, sizeof buf)) > 0)
                CHECK_EQ(SC(LINUX_NR_sendto, fd, buf, r, LINUX_MSG_NOSIGNAL, 0, 0), r);
            if (r == 0 || r == -LINUX_ECONNRESET) {
                SC(LINUX_NR_close, fd);
                closed++;
            } else {
                CHECK_EQ(r, -LINUX_EAGAIN);
            }
        }
    }
    CHECK_EQ(accepted, 20u);
    CHECK_EQ(closed, 20u);
    CHECK_EQ(clients.echoed, 20u);
    SC(LINUX_NR_close, ep);
    SC(LINUX_NR_close, l);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
