/* net/socket/ TCP through __anyvm_syscall over lwIP's loopback interface
 * (tests/unit/host_sock.h). */
#include "net/socket/sock.h"
#include "sys/linux_abi.h"
#include "tests/unit/host_sock.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

TEST(connect_accept_and_echo_over_ipv4_loopback)
{
    host_sock_start();
    int c, s;
    CHECK(host_tcp_pair(LINUX_AF_INET, &c, &s));
    CHECK_EQ(SC(LINUX_NR_write, c, "hello", 5), 5);
    char buf[16];
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(SC(LINUX_NR_close, c), 0);
    CHECK_EQ(SC(LINUX_NR_read, s, buf, sizeof buf), 0);
    CHECK_EQ(SC(LINUX_NR_close, s), 0);
    CHECK(host_sock_quiet());
}

UNIT_MAIN()
