/* The socket layer (net/socket/) on the host: lwIP with its loopback
 * interface (127.0.0.1 and ::1) on the kernel's real event loop and timers
 * over the fake CPU of host_platform.h, driven through __anyvm_syscall as
 * an application drives it. Waiting moves the fake clock to lwIP's next
 * timeout, so retransmissions, TIME_WAIT and keepalives take no real time.
 *
 * Every test starts with host_sock_start() and should end with
 * CHECK(host_sock_quiet()): every socket closed, and lwIP holding no
 * control block (TIME_WAIT run out). */
#ifndef TESTS_UNIT_HOST_SOCK_H
#define TESTS_UNIT_HOST_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "sys/linux_abi.h"

/* The first call sets up sys/ and lwIP; later calls close every
 * descriptor the previous test left (sys_reset) and keep lwIP and the
 * clock running. */
void host_sock_start(void);
/* Closes every descriptor above 2, runs the loop until lwIP has let go of
 * every pcb (at most 10 simulated minutes), and says whether it did and no
 * socket is left allocated. */
bool host_sock_quiet(void);
/* Runs the event loop for ms simulated milliseconds. */
void host_sock_run_ms(uint64_t ms);

/* Addresses: 127.0.0.1 or ::1 (or any address given as text) and a port. */
struct linux_sockaddr_in host_sin(const char *ip4, uint16_t port);
struct linux_sockaddr_in6 host_sin6(const char *ip6, uint16_t port);

/* A TCP listener on the loopback address of family (AF_INET or AF_INET6),
 * on a free port (*port), with the given backlog; -errno on failure. */
int host_tcp_listener(int family, int backlog, uint16_t *port);
/* A blocking connect to the family's loopback address: the descriptor or
 * -errno. */
int host_tcp_connect(int family, uint16_t port, int flags);
/* A connected pair through a fresh listener: *client, *server. */
bool host_tcp_pair(int family, int *client, int *server);

/* The readiness the socket on fd reports (sys_file_ops.poll). */
unsigned host_poll(int fd);

#endif
