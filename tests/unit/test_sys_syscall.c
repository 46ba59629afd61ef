/* sys/syscall.c: the dispatch by number. Every call the layer implements is
 * reached (none answers ENOSYS); every other number, in Linux's table or
 * not, answers ENOSYS and is reported once, by name where Linux has one. */
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static unsigned count(const char *s)
{
    unsigned n = 0;
    for (const char *p = unit_log; (p = strstr(p, s)) != NULL; p++)
        n++;
    return n;
}

TEST(every_implemented_call_is_reached)
{
    host_sys_reset(0);
    /* With all-zero arguments each either works or refuses an argument. */
    long nrs[] = {LINUX_NR_read,
                  LINUX_NR_write,
                  LINUX_NR_fstat,
                  LINUX_NR_lseek,
                  LINUX_NR_mmap,
                  LINUX_NR_mprotect,
                  LINUX_NR_munmap,
                  LINUX_NR_brk,
                  LINUX_NR_rt_sigaction,
                  LINUX_NR_rt_sigprocmask,
                  LINUX_NR_ioctl,
                  LINUX_NR_pread64,
                  LINUX_NR_pwrite64,
                  LINUX_NR_readv,
                  LINUX_NR_writev,
                  LINUX_NR_sched_yield,
                  LINUX_NR_mremap,
                  LINUX_NR_msync,
                  LINUX_NR_madvise,
                  LINUX_NR_dup,
                  LINUX_NR_dup2,
                  LINUX_NR_nanosleep,
                  LINUX_NR_getpid,
                  LINUX_NR_kill,
                  LINUX_NR_uname,
                  LINUX_NR_fcntl,
                  LINUX_NR_gettimeofday,
                  LINUX_NR_getrlimit,
                  LINUX_NR_sysinfo,
                  LINUX_NR_getuid,
                  LINUX_NR_getgid,
                  LINUX_NR_geteuid,
                  LINUX_NR_getegid,
                  LINUX_NR_getppid,
                  LINUX_NR_rt_sigpending,
                  LINUX_NR_sigaltstack,
                  LINUX_NR_arch_prctl,
                  LINUX_NR_setrlimit,
                  LINUX_NR_gettid,
                  LINUX_NR_tkill,
                  LINUX_NR_time,
                  LINUX_NR_futex,
                  LINUX_NR_sched_getaffinity,
                  LINUX_NR_set_tid_address,
                  LINUX_NR_clock_gettime,
                  LINUX_NR_clock_getres,
                  LINUX_NR_clock_nanosleep,
                  LINUX_NR_tgkill,
                  LINUX_NR_dup3,
                  LINUX_NR_preadv,
                  LINUX_NR_pwritev,
                  LINUX_NR_prlimit64,
                  LINUX_NR_getrandom,
                  LINUX_NR_poll,
                  LINUX_NR_ppoll,
                  LINUX_NR_select,
                  LINUX_NR_pselect6,
                  LINUX_NR_epoll_create,
                  LINUX_NR_epoll_create1,
                  LINUX_NR_epoll_ctl,
                  LINUX_NR_epoll_wait,
                  LINUX_NR_epoll_pwait,
                  LINUX_NR_epoll_pwait2,
                  LINUX_NR_close};
    for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++) {
        long r = SC(nrs[i]);
        CHECK(r != -LINUX_ENOSYS);
        CHECK(r >= -LINUX_MAX_ERRNO);
    }
    CHECK(!LOG_CONTAINS("not implemented"));
    CHECK_EQ(host_exits, 0u);
    /* The three that never return: exit, exit_group, rt_sigreturn. */
    CHECK(HOST_EXITS(SC(LINUX_NR_exit, 0)));
    CHECK(HOST_EXITS(SC(LINUX_NR_exit_group, 0)));
    CHECK(HOST_EXITS(SC(LINUX_NR_rt_sigreturn)));
}

TEST(a_call_linux_has_but_this_kernel_not_is_enosys_once)
{
    host_sys_reset(0);
    CHECK_EQ(SC(57), -LINUX_ENOSYS); /* fork */
    CHECK_EQ(SC(57), -LINUX_ENOSYS);
    CHECK_EQ(SC(LINUX_NR_clone, 0x11, 0), -LINUX_ENOSYS);
    int fds[2];
    CHECK_EQ(SC(22, fds), -LINUX_ENOSYS);               /* pipe */
    CHECK_EQ(SC(61, -1, NULL, 0, NULL), -LINUX_ENOSYS); /* wait4 */
    CHECK_EQ(count("sys: system call 57 not implemented: ENOSYS\n"), 1u);
    CHECK_EQ(count("sys: system call 56 not implemented: ENOSYS\n"), 1u);
    CHECK_EQ(count("sys: system call 22 not implemented: ENOSYS\n"), 1u);
    CHECK_EQ(count("sys: system call 61 not implemented: ENOSYS\n"), 1u);
    /* The memory of what was said goes with a reset. */
    host_sys_reset(0);
    unit_log_clear();
    CHECK_EQ(SC(57), -LINUX_ENOSYS);
    CHECK_EQ(count("sys: system call 57 not implemented"), 1u);
}

/* This program links no net/socket (an image without the network layer):
 * the socket calls' entries are NULL and answer ENOSYS like any missing
 * call; test_sock_*.c link them and reach them. */
TEST(socket_calls_are_enosys_in_an_image_without_sockets)
{
    host_sys_reset(0);
    unit_log_clear();
    long nrs[] = {
        LINUX_NR_socket,     LINUX_NR_connect,    LINUX_NR_accept,      LINUX_NR_sendto,
        LINUX_NR_recvfrom,   LINUX_NR_sendmsg,    LINUX_NR_recvmsg,     LINUX_NR_shutdown,
        LINUX_NR_bind,       LINUX_NR_listen,     LINUX_NR_getsockname, LINUX_NR_getpeername,
        LINUX_NR_socketpair, LINUX_NR_setsockopt, LINUX_NR_getsockopt,  LINUX_NR_accept4};
    for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++)
        CHECK_EQ(SC(nrs[i], LINUX_AF_INET, LINUX_SOCK_STREAM, 0), -LINUX_ENOSYS);
    CHECK_EQ(count("sys: system call 41 not implemented: ENOSYS\n"), 1u);
    CHECK_EQ(count("sys: system call 288 not implemented: ENOSYS\n"), 1u);
    CHECK_EQ(count("not implemented"), 16u);
}

TEST(numbers_linux_does_not_have_are_enosys)
{
    host_sys_reset(0);
    CHECK_EQ(SC(400), -LINUX_ENOSYS); /* inside the table, unused */
    CHECK_EQ(SC(400), -LINUX_ENOSYS);
    CHECK_EQ(count("sys: system call 400 not implemented: ENOSYS\n"), 1u);
    CHECK_EQ(SC(LINUX_NR_COUNT - 1), -LINUX_ENOSYS);
    CHECK_EQ(count("sys: system call 450 not implemented"), 1u); /* set_mempolicy_home_node */
    /* Outside the table: x32 numbers, negative, huge. Said once altogether. */
    CHECK_EQ(SC(0x40000000 | LINUX_NR_write, 1, "x", 1), -LINUX_ENOSYS);
    CHECK_EQ(SC(-1), -LINUX_ENOSYS);
    CHECK_EQ(SC((long)INT64_MIN), -LINUX_ENOSYS);
    CHECK_EQ(SC(LINUX_NR_COUNT), -LINUX_ENOSYS);
    CHECK_EQ(count("not implemented"), 3u);
    CHECK(LOG_CONTAINS("sys: system call 1073741825 not implemented: ENOSYS"));
    CHECK_EQ(host_console_len, 0u);
}

UNIT_MAIN()
