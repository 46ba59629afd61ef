/* tests/unit/host_sock.h. */
#include "tests/unit/host_sock.h"

#include <string.h>

#include "core/event.h"
#include "core/time.h"
#include "lwip/def.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/udp.h"
#include "net/socket/sock.h"
#include "net/stack/timers.h"
#include "sys/fd.h"
#include "sys/sys.h"
#include "tests/unit/host_sys.h"

static bool started;

void host_sock_start(void)
{
    if (!started) {
        host_sys_reset(1u << 20);
        lwip_init();
        stack_timers_update();
        started = true;
    }
    sys_reset();
}

static bool lwip_idle(void *ctx)
{
    (void)ctx;
    return tcp_active_pcbs == NULL && tcp_tw_pcbs == NULL && tcp_bound_pcbs == NULL &&
           tcp_listen_pcbs.listen_pcbs == NULL && udp_pcbs == NULL;
}

bool host_sock_quiet(void)
{
    sys_reset();
    bool idle = wait_until(lwip_idle, NULL, time_now_ns() + 600ull * 1000000000ull);
    return idle && sock_live_count() == 0;
}

void host_sock_run_ms(uint64_t ms)
{
    wait_until(NULL, NULL, time_now_ns() + ms * 1000000ull);
}

struct linux_sockaddr_in host_sin(const char *ip4, uint16_t port)
{
    struct linux_sockaddr_in a = {.sin_family = LINUX_AF_INET, .sin_port = lwip_htons(port)};
    ip4_addr_t ip;
    if (ip4addr_aton(ip4, &ip))
        a.sin_addr = ip4_addr_get_u32(&ip);
    return a;
}

struct linux_sockaddr_in6 host_sin6(const char *ip6, uint16_t port)
{
    struct linux_sockaddr_in6 a = {.sin6_family = LINUX_AF_INET6, .sin6_port = lwip_htons(port)};
    ip6_addr_t ip;
    if (ip6addr_aton(ip6, &ip))
        memcpy(a.sin6_addr, ip.addr, sizeof a.sin6_addr);
    return a;
}

static long bind_loopback(int fd, int family, uint16_t port)
{
    if (family == LINUX_AF_INET) {
        struct linux_sockaddr_in a = host_sin("127.0.0.1", port);
        return SC(LINUX_NR_bind, fd, &a, sizeof a);
    }
    struct linux_sockaddr_in6 a = host_sin6("::1", port);
    return SC(LINUX_NR_bind, fd, &a, sizeof a);
}

static uint16_t local_port(int fd)
{
    struct linux_sockaddr_in6 a;
    int32_t len = sizeof a;
    if (SC(LINUX_NR_getsockname, fd, &a, &len) != 0)
        return 0;
    return lwip_ntohs(a.sin6_port); /* at the same place in both families */
}

int host_tcp_listener(int family, int backlog, uint16_t *port)
{
    long fd = SC(LINUX_NR_socket, family, LINUX_SOCK_STREAM, 0);
    if (fd < 0)
        return (int)fd;
    long r = bind_loopback((int)fd, family, 0);
    if (r == 0)
        r = SC(LINUX_NR_listen, fd, backlog);
    if (r != 0) {
        SC(LINUX_NR_close, fd);
        return (int)r;
    }
    *port = local_port((int)fd);
    return (int)fd;
}

int host_tcp_connect(int family, uint16_t port, int flags)
{
    long fd = SC(LINUX_NR_socket, family, LINUX_SOCK_STREAM | flags, 0);
    if (fd < 0)
        return (int)fd;
    long r;
    if (family == LINUX_AF_INET) {
        struct linux_sockaddr_in a = host_sin("127.0.0.1", port);
        r = SC(LINUX_NR_connect, fd, &a, sizeof a);
    } else {
        struct linux_sockaddr_in6 a = host_sin6("::1", port);
        r = SC(LINUX_NR_connect, fd, &a, sizeof a);
    }
    if (r != 0 && r != -LINUX_EINPROGRESS) {
        SC(LINUX_NR_close, fd);
        return (int)r;
    }
    return (int)fd;
}

bool host_tcp_pair(int family, int *client, int *server)
{
    uint16_t port;
    int l = host_tcp_listener(family, 4, &port);
    if (l < 0)
        return false;
    *client = host_tcp_connect(family, port, 0);
    *server = *client >= 0 ? (int)SC(LINUX_NR_accept, l, 0, 0) : -1;
    SC(LINUX_NR_close, l);
    return *client >= 0 && *server >= 0;
}

unsigned host_poll(int fd)
{
    struct sys_file *f = sys_fd_file((unsigned)fd);
    return f != NULL && f->ops->poll != NULL ? f->ops->poll(f) : 0;
}
