/* sys/linux_abi.h against the host's own Linux UAPI headers (Debian's
 * linux-libc-dev): every call number, errno, flag and structure layout the
 * system-call layer uses is compared with the kernel's definition, written
 * independently of ours. The kernel headers clash with the C library's on a
 * few names (sigset_t, struct timeval, ...), so those are renamed while the
 * kernel headers are read. sys/syscall_names.c is checked by name for the
 * calls implemented and a sample of others. */
#include "tests/unit/unit.h"

#define sigset_t kernel_sigset_t
#define sigaction kernel_sigaction
#define stack_t kernel_stack_t
#define sigaltstack kernel_sigaltstack
#define timeval kernel_timeval
#define timezone kernel_timezone
#define itimerval kernel_itimerval
#define itimerspec kernel_itimerspec
#include <asm-generic/errno.h>
#include <asm-generic/siginfo.h>
#include <asm/ioctls.h>
#include <asm/poll.h>
#include <asm/prctl.h>
#include <asm/signal.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/unistd_64.h>
#include <linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/posix_types.h>
#include <linux/random.h>
#include <linux/resource.h>
#include <linux/signal.h>
#include <linux/sysinfo.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#undef sigset_t
#undef sigaction
#undef stack_t
#undef sigaltstack
#undef timeval
#undef timezone
#undef itimerval
#undef itimerspec

#include "sys/linux_abi.h"
#include "tests/unit/host_sys.h"

#define SAME_LAYOUT(ours, theirs, field_ours, field_theirs)                                        \
    CHECK_EQ(offsetof(ours, field_ours), offsetof(theirs, field_theirs))

TEST(call_numbers_are_linux_x86_64s)
{
#define NR(name) CHECK_EQ(LINUX_NR_##name, __NR_##name)
    NR(read);
    NR(write);
    NR(open);
    NR(close);
    NR(stat);
    NR(fstat);
    NR(lstat);
    NR(access);
    NR(readlink);
    NR(openat);
    NR(newfstatat);
    NR(readlinkat);
    NR(faccessat);
    NR(statx);
    NR(faccessat2);
    NR(poll);
    NR(lseek);
    NR(mmap);
    NR(mprotect);
    NR(munmap);
    NR(brk);
    NR(rt_sigaction);
    NR(rt_sigprocmask);
    NR(rt_sigreturn);
    NR(ioctl);
    NR(pread64);
    NR(pwrite64);
    NR(readv);
    NR(writev);
    NR(sched_yield);
    NR(mremap);
    NR(msync);
    NR(madvise);
    NR(dup);
    NR(dup2);
    NR(nanosleep);
    NR(getpid);
    NR(clone);
    NR(fork);
    NR(vfork);
    NR(exit);
    NR(kill);
    NR(uname);
    NR(fcntl);
    NR(gettimeofday);
    NR(getrlimit);
    NR(sysinfo);
    NR(getuid);
    NR(getgid);
    NR(geteuid);
    NR(getegid);
    NR(getppid);
    NR(rt_sigpending);
    NR(sigaltstack);
    NR(arch_prctl);
    NR(setrlimit);
    NR(gettid);
    NR(tkill);
    NR(time);
    NR(futex);
    NR(sched_getaffinity);
    NR(set_tid_address);
    NR(clock_gettime);
    NR(clock_getres);
    NR(clock_nanosleep);
    NR(exit_group);
    NR(tgkill);
    NR(ppoll);
    NR(dup3);
    NR(preadv);
    NR(pwritev);
    NR(prlimit64);
    NR(getrandom);
    NR(select);
    NR(pselect6);
    NR(epoll_create);
    NR(epoll_create1);
    NR(epoll_ctl);
    NR(epoll_wait);
    NR(epoll_pwait);
    NR(epoll_pwait2);
#undef NR
    CHECK_EQ(LINUX_NR_COUNT, __NR_set_mempolicy_home_node + 1);
}

TEST(errno_values_are_linuxs)
{
    CHECK_EQ(LINUX_EPERM, EPERM);
    CHECK_EQ(LINUX_ENOENT, ENOENT);
    CHECK_EQ(LINUX_ENAMETOOLONG, ENAMETOOLONG);
    CHECK_EQ(LINUX_ESRCH, ESRCH);
    CHECK_EQ(LINUX_EINTR, EINTR);
    CHECK_EQ(LINUX_ELOOP, ELOOP);
    CHECK_EQ(LINUX_EBADF, EBADF);
    CHECK_EQ(LINUX_EAGAIN, EAGAIN);
    CHECK_EQ(LINUX_ENOMEM, ENOMEM);
    CHECK_EQ(LINUX_EFAULT, EFAULT);
    CHECK_EQ(LINUX_EEXIST, EEXIST);
    CHECK_EQ(LINUX_ENODEV, ENODEV);
    CHECK_EQ(LINUX_EINVAL, EINVAL);
    CHECK_EQ(LINUX_EMFILE, EMFILE);
    CHECK_EQ(LINUX_ENOTTY, ENOTTY);
    CHECK_EQ(LINUX_ESPIPE, ESPIPE);
    CHECK_EQ(LINUX_ENOSYS, ENOSYS);
    CHECK_EQ(LINUX_EOPNOTSUPP, EOPNOTSUPP);
    CHECK_EQ(LINUX_ETIMEDOUT, ETIMEDOUT);
    CHECK_EQ(LINUX_ECANCELED, ECANCELED);
    CHECK_EQ(LINUX_UIO_MAXIOV, UIO_MAXIOV);
}

TEST(time_layouts_and_clocks_are_linuxs)
{
    CHECK_EQ(sizeof(struct linux_timespec), sizeof(struct __kernel_timespec));
    SAME_LAYOUT(struct linux_timespec, struct __kernel_timespec, tv_nsec, tv_nsec);
    CHECK_EQ(sizeof(struct linux_timeval), sizeof(struct __kernel_old_timeval));
    SAME_LAYOUT(struct linux_timeval, struct __kernel_old_timeval, tv_usec, tv_usec);
    CHECK_EQ(sizeof(struct linux_timezone), sizeof(struct kernel_timezone));
    SAME_LAYOUT(struct linux_timezone, struct kernel_timezone, tz_dsttime, tz_dsttime);
    CHECK_EQ(LINUX_CLOCK_REALTIME, CLOCK_REALTIME);
    CHECK_EQ(LINUX_CLOCK_MONOTONIC, CLOCK_MONOTONIC);
    CHECK_EQ(LINUX_CLOCK_PROCESS_CPUTIME_ID, CLOCK_PROCESS_CPUTIME_ID);
    CHECK_EQ(LINUX_CLOCK_THREAD_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID);
    CHECK_EQ(LINUX_CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_RAW);
    CHECK_EQ(LINUX_CLOCK_REALTIME_COARSE, CLOCK_REALTIME_COARSE);
    CHECK_EQ(LINUX_CLOCK_MONOTONIC_COARSE, CLOCK_MONOTONIC_COARSE);
    CHECK_EQ(LINUX_CLOCK_BOOTTIME, CLOCK_BOOTTIME);
    CHECK_EQ(LINUX_TIMER_ABSTIME, TIMER_ABSTIME);
}

TEST(file_layouts_and_flags_are_linuxs)
{
    CHECK_EQ(sizeof(struct linux_stat), sizeof(struct stat));
    SAME_LAYOUT(struct linux_stat, struct stat, st_ino, st_ino);
    SAME_LAYOUT(struct linux_stat, struct stat, st_nlink, st_nlink);
    SAME_LAYOUT(struct linux_stat, struct stat, st_mode, st_mode);
    SAME_LAYOUT(struct linux_stat, struct stat, st_uid, st_uid);
    SAME_LAYOUT(struct linux_stat, struct stat, st_rdev, st_rdev);
    SAME_LAYOUT(struct linux_stat, struct stat, st_size, st_size);
    SAME_LAYOUT(struct linux_stat, struct stat, st_blksize, st_blksize);
    SAME_LAYOUT(struct linux_stat, struct stat, st_blocks, st_blocks);
    SAME_LAYOUT(struct linux_stat, struct stat, st_atime_sec, st_atime);
    SAME_LAYOUT(struct linux_stat, struct stat, st_mtime_nsec, st_mtime_nsec);
    SAME_LAYOUT(struct linux_stat, struct stat, st_ctime_nsec, st_ctime_nsec);
    CHECK_EQ(sizeof(struct linux_iovec), sizeof(struct iovec));
    SAME_LAYOUT(struct linux_iovec, struct iovec, iov_len, iov_len);
    CHECK_EQ(sizeof(struct linux_pollfd), sizeof(struct pollfd));
    SAME_LAYOUT(struct linux_pollfd, struct pollfd, revents, revents);
    CHECK_EQ(LINUX_O_ACCMODE, O_ACCMODE);
    CHECK_EQ(LINUX_O_RDWR, O_RDWR);
    CHECK_EQ(LINUX_O_WRONLY, O_WRONLY);
    CHECK_EQ(LINUX_O_APPEND, O_APPEND);
    CHECK_EQ(LINUX_O_NONBLOCK, O_NONBLOCK);
    CHECK_EQ(LINUX_O_ASYNC, FASYNC);
    CHECK_EQ(LINUX_O_DIRECT, O_DIRECT);
    CHECK_EQ(LINUX_O_NOATIME, O_NOATIME);
    CHECK_EQ(LINUX_O_CLOEXEC, O_CLOEXEC);
    CHECK_EQ(LINUX_F_DUPFD, F_DUPFD);
    CHECK_EQ(LINUX_F_GETFD, F_GETFD);
    CHECK_EQ(LINUX_F_SETFD, F_SETFD);
    CHECK_EQ(LINUX_F_GETFL, F_GETFL);
    CHECK_EQ(LINUX_F_SETFL, F_SETFL);
    CHECK_EQ(LINUX_F_DUPFD_CLOEXEC, F_DUPFD_CLOEXEC);
    CHECK_EQ(LINUX_FD_CLOEXEC, FD_CLOEXEC);
    CHECK_EQ(LINUX_POLLIN, POLLIN);
    CHECK_EQ(LINUX_POLLOUT, POLLOUT);
    CHECK_EQ(LINUX_POLLERR, POLLERR);
    CHECK_EQ(LINUX_POLLHUP, POLLHUP);
    CHECK_EQ(LINUX_POLLNVAL, POLLNVAL);
    CHECK_EQ(LINUX_POLLPRI, POLLPRI);
    CHECK_EQ(LINUX_POLLRDNORM, POLLRDNORM);
    CHECK_EQ(LINUX_POLLRDBAND, POLLRDBAND);
    CHECK_EQ(LINUX_POLLWRNORM, POLLWRNORM);
    CHECK_EQ(LINUX_POLLWRBAND, POLLWRBAND);
    CHECK_EQ(LINUX_POLLMSG, POLLMSG);
    CHECK_EQ(LINUX_POLLRDHUP, POLLRDHUP);
    CHECK_EQ(LINUX_S_IFCHR, 0020000); /* include/uapi/linux/stat.h */
}

TEST(select_and_epoll_constants_and_layouts_are_linuxs)
{
    CHECK_EQ(LINUX_FD_SETSIZE, __FD_SETSIZE);
    CHECK_EQ(LINUX_EPOLL_CLOEXEC, EPOLL_CLOEXEC);
    CHECK_EQ(LINUX_EPOLL_CTL_ADD, EPOLL_CTL_ADD);
    CHECK_EQ(LINUX_EPOLL_CTL_DEL, EPOLL_CTL_DEL);
    CHECK_EQ(LINUX_EPOLL_CTL_MOD, EPOLL_CTL_MOD);
    /* The event bits are the poll bits. */
    CHECK_EQ(LINUX_POLLIN, EPOLLIN);
    CHECK_EQ(LINUX_POLLPRI, EPOLLPRI);
    CHECK_EQ(LINUX_POLLOUT, EPOLLOUT);
    CHECK_EQ(LINUX_POLLERR, EPOLLERR);
    CHECK_EQ(LINUX_POLLHUP, EPOLLHUP);
    CHECK_EQ(LINUX_POLLNVAL, EPOLLNVAL);
    CHECK_EQ(LINUX_POLLRDNORM, EPOLLRDNORM);
    CHECK_EQ(LINUX_POLLRDBAND, EPOLLRDBAND);
    CHECK_EQ(LINUX_POLLWRNORM, EPOLLWRNORM);
    CHECK_EQ(LINUX_POLLWRBAND, EPOLLWRBAND);
    CHECK_EQ(LINUX_POLLMSG, EPOLLMSG);
    CHECK_EQ(LINUX_POLLRDHUP, EPOLLRDHUP);
    CHECK_EQ(LINUX_EPOLLEXCLUSIVE, EPOLLEXCLUSIVE);
    CHECK_EQ(LINUX_EPOLLWAKEUP, EPOLLWAKEUP);
    CHECK_EQ(LINUX_EPOLLONESHOT, EPOLLONESHOT);
    CHECK_EQ(LINUX_EPOLLET, EPOLLET);
    CHECK_EQ(sizeof(struct linux_epoll_event), sizeof(struct epoll_event));
    CHECK_EQ(sizeof(struct linux_epoll_event), 12u);
    SAME_LAYOUT(struct linux_epoll_event, struct epoll_event, events, events);
    SAME_LAYOUT(struct linux_epoll_event, struct epoll_event, data, data);
}

TEST(terminal_requests_and_layouts_are_linuxs)
{
    CHECK_EQ(LINUX_TCGETS, TCGETS);
    CHECK_EQ(LINUX_TCSETS, TCSETS);
    CHECK_EQ(LINUX_TCSETSW, TCSETSW);
    CHECK_EQ(LINUX_TCSETSF, TCSETSF);
    CHECK_EQ(LINUX_TIOCGWINSZ, TIOCGWINSZ);
    CHECK_EQ(LINUX_TIOCSWINSZ, TIOCSWINSZ);
    CHECK_EQ(LINUX_FIONREAD, FIONREAD);
    CHECK_EQ(LINUX_FIONBIO, FIONBIO);
    CHECK_EQ(LINUX_FIOCLEX, FIOCLEX);
    CHECK_EQ(LINUX_FIONCLEX, FIONCLEX);
    CHECK_EQ(LINUX_NCCS, NCCS);
    CHECK_EQ(sizeof(struct linux_termios), sizeof(struct termios));
    SAME_LAYOUT(struct linux_termios, struct termios, c_lflag, c_lflag);
    SAME_LAYOUT(struct linux_termios, struct termios, c_line, c_line);
    SAME_LAYOUT(struct linux_termios, struct termios, c_cc, c_cc);
}

/* The console starts as Linux starts a terminal (drivers/tty/tty_io.c,
 * tty_std_termios), here spelled with the kernel header's names. */
TEST(the_console_starts_with_linuxs_terminal_settings)
{
    host_sys_reset(0);
    struct termios t;
    memset(&t, 0xa5, sizeof t);
    CHECK_EQ(SC(LINUX_NR_ioctl, 1, TCGETS, &t), 0);
    CHECK_EQ(t.c_iflag, (unsigned)(ICRNL | IXON));
    CHECK_EQ(t.c_oflag, (unsigned)(OPOST | ONLCR));
    CHECK_EQ(t.c_cflag, (unsigned)(B38400 | CS8 | CREAD | HUPCL));
    CHECK_EQ(t.c_lflag,
             (unsigned)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN));
    CHECK_EQ(t.c_line, 0);
    static const struct {
        unsigned index, value;
    } cc[] = {{VINTR, 'C' - 0x40},
              {VQUIT, '\\' - 0x40},
              {VERASE, 0x7f},
              {VKILL, 'U' - 0x40},
              {VEOF, 'D' - 0x40},
              {VTIME, 0},
              {VMIN, 1},
              {VSWTC, 0},
              {VSTART, 'Q' - 0x40},
              {VSTOP, 'S' - 0x40},
              {VSUSP, 'Z' - 0x40},
              {VEOL, 0},
              {VREPRINT, 'R' - 0x40},
              {VDISCARD, 'O' - 0x40},
              {VWERASE, 'W' - 0x40},
              {VLNEXT, 'V' - 0x40},
              {VEOL2, 0}};
    for (unsigned i = 0; i < sizeof cc / sizeof cc[0]; i++)
        CHECK_EQ(t.c_cc[cc[i].index], cc[i].value);
}

TEST(memory_flags_are_linuxs)
{
    CHECK_EQ(LINUX_PROT_READ, PROT_READ);
    CHECK_EQ(LINUX_PROT_WRITE, PROT_WRITE);
    CHECK_EQ(LINUX_PROT_EXEC, PROT_EXEC);
    CHECK_EQ(LINUX_PROT_SEM, PROT_SEM);
    CHECK_EQ(LINUX_PROT_GROWSDOWN, PROT_GROWSDOWN);
    CHECK_EQ(LINUX_PROT_GROWSUP, PROT_GROWSUP);
    CHECK_EQ(LINUX_MAP_SHARED, MAP_SHARED);
    CHECK_EQ(LINUX_MAP_PRIVATE, MAP_PRIVATE);
    CHECK_EQ(LINUX_MAP_SHARED_VALIDATE, MAP_SHARED_VALIDATE);
    CHECK_EQ(LINUX_MAP_TYPE, MAP_TYPE);
    CHECK_EQ(LINUX_MAP_FIXED, MAP_FIXED);
    CHECK_EQ(LINUX_MAP_ANONYMOUS, MAP_ANONYMOUS);
    CHECK_EQ(LINUX_MAP_HUGETLB, MAP_HUGETLB);
    CHECK_EQ(LINUX_MAP_FIXED_NOREPLACE, MAP_FIXED_NOREPLACE);
    CHECK_EQ(LINUX_MREMAP_MAYMOVE, MREMAP_MAYMOVE);
    CHECK_EQ(LINUX_MREMAP_FIXED, MREMAP_FIXED);
    CHECK_EQ(LINUX_MREMAP_DONTUNMAP, MREMAP_DONTUNMAP);
    CHECK_EQ(LINUX_MS_ASYNC, MS_ASYNC);
    CHECK_EQ(LINUX_MS_INVALIDATE, MS_INVALIDATE);
    CHECK_EQ(LINUX_MS_SYNC, MS_SYNC);
    CHECK_EQ(LINUX_MADV_DONTNEED, MADV_DONTNEED);
    CHECK_EQ(LINUX_MADV_FREE, MADV_FREE);
    CHECK_EQ(LINUX_MADV_REMOVE, MADV_REMOVE);
    CHECK_EQ(LINUX_MADV_HUGEPAGE, MADV_HUGEPAGE);
    CHECK_EQ(LINUX_MADV_WIPEONFORK, MADV_WIPEONFORK);
    CHECK_EQ(LINUX_MADV_POPULATE_WRITE, MADV_POPULATE_WRITE);
    CHECK_EQ(LINUX_MADV_DONTNEED_LOCKED, MADV_DONTNEED_LOCKED);
}

TEST(signal_layouts_and_flags_are_linuxs)
{
    CHECK_EQ(sizeof(struct linux_k_sigaction), sizeof(struct kernel_sigaction));
    SAME_LAYOUT(struct linux_k_sigaction, struct kernel_sigaction, flags, sa_flags);
    SAME_LAYOUT(struct linux_k_sigaction, struct kernel_sigaction, restorer, sa_restorer);
    SAME_LAYOUT(struct linux_k_sigaction, struct kernel_sigaction, mask, sa_mask);
    CHECK_EQ(sizeof(struct linux_siginfo), sizeof(siginfo_t));
    SAME_LAYOUT(struct linux_siginfo, siginfo_t, si_code, si_code);
    SAME_LAYOUT(struct linux_siginfo, siginfo_t, u.kill.pid, si_pid);
    SAME_LAYOUT(struct linux_siginfo, siginfo_t, u.kill.uid, si_uid);
    CHECK_EQ(sizeof(struct linux_stack), sizeof(kernel_stack_t));
    SAME_LAYOUT(struct linux_stack, kernel_stack_t, ss_flags, ss_flags);
    SAME_LAYOUT(struct linux_stack, kernel_stack_t, ss_size, ss_size);
    CHECK_EQ(LINUX_NSIG, 8 * sizeof(((struct kernel_sigaction *)0)->sa_mask));
    CHECK_EQ(LINUX_SIGABRT, SIGABRT);
    CHECK_EQ(LINUX_SIGKILL, SIGKILL);
    CHECK_EQ(LINUX_SIGSEGV, SIGSEGV);
    CHECK_EQ(LINUX_SIGCHLD, SIGCHLD);
    CHECK_EQ(LINUX_SIGCONT, SIGCONT);
    CHECK_EQ(LINUX_SIGSTOP, SIGSTOP);
    CHECK_EQ(LINUX_SIGURG, SIGURG);
    CHECK_EQ(LINUX_SIGWINCH, SIGWINCH);
    CHECK_EQ(LINUX_SIGSYS, SIGSYS);
    CHECK_EQ(LINUX_SIGRTMIN, SIGRTMIN);
    CHECK_EQ(LINUX_SIG_DFL, (uintptr_t)SIG_DFL);
    CHECK_EQ(LINUX_SIG_IGN, (uintptr_t)SIG_IGN);
    CHECK_EQ(LINUX_SA_NOCLDSTOP, SA_NOCLDSTOP);
    CHECK_EQ(LINUX_SA_NOCLDWAIT, SA_NOCLDWAIT);
    CHECK_EQ(LINUX_SA_SIGINFO, SA_SIGINFO);
    CHECK_EQ(LINUX_SA_EXPOSE_TAGBITS, SA_EXPOSE_TAGBITS);
    CHECK_EQ(LINUX_SA_RESTORER, SA_RESTORER);
    CHECK_EQ(LINUX_SA_ONSTACK, SA_ONSTACK);
    CHECK_EQ(LINUX_SA_RESTART, SA_RESTART);
    CHECK_EQ(LINUX_SA_NODEFER, SA_NODEFER);
    CHECK_EQ(LINUX_SA_RESETHAND, SA_RESETHAND);
    CHECK_EQ(LINUX_SIG_BLOCK, SIG_BLOCK);
    CHECK_EQ(LINUX_SIG_UNBLOCK, SIG_UNBLOCK);
    CHECK_EQ(LINUX_SIG_SETMASK, SIG_SETMASK);
    CHECK_EQ(LINUX_SI_USER, SI_USER);
    CHECK_EQ(LINUX_SI_TKILL, SI_TKILL);
    CHECK_EQ(LINUX_SS_ONSTACK, SS_ONSTACK);
    CHECK_EQ(LINUX_SS_DISABLE, SS_DISABLE);
    CHECK_EQ(LINUX_SS_AUTODISARM, SS_AUTODISARM);
    CHECK_EQ(LINUX_MINSIGSTKSZ, MINSIGSTKSZ);
}

TEST(futex_and_process_values_are_linuxs)
{
    CHECK_EQ(LINUX_FUTEX_WAIT, FUTEX_WAIT);
    CHECK_EQ(LINUX_FUTEX_WAKE, FUTEX_WAKE);
    CHECK_EQ(LINUX_FUTEX_REQUEUE, FUTEX_REQUEUE);
    CHECK_EQ(LINUX_FUTEX_CMP_REQUEUE, FUTEX_CMP_REQUEUE);
    CHECK_EQ(LINUX_FUTEX_WAIT_BITSET, FUTEX_WAIT_BITSET);
    CHECK_EQ(LINUX_FUTEX_WAKE_BITSET, FUTEX_WAKE_BITSET);
    CHECK_EQ(LINUX_FUTEX_WAIT_REQUEUE_PI, FUTEX_WAIT_REQUEUE_PI);
    CHECK_EQ(LINUX_FUTEX_LOCK_PI2, FUTEX_LOCK_PI2);
    CHECK_EQ(LINUX_FUTEX_PRIVATE_FLAG, FUTEX_PRIVATE_FLAG);
    CHECK_EQ(LINUX_FUTEX_CLOCK_REALTIME, FUTEX_CLOCK_REALTIME);
    CHECK_EQ(LINUX_FUTEX_BITSET_MATCH_ANY, FUTEX_BITSET_MATCH_ANY);
    CHECK_EQ(sizeof(struct linux_utsname), sizeof(struct new_utsname));
    SAME_LAYOUT(struct linux_utsname, struct new_utsname, release, release);
    SAME_LAYOUT(struct linux_utsname, struct new_utsname, machine, machine);
    SAME_LAYOUT(struct linux_utsname, struct new_utsname, domainname, domainname);
    CHECK_EQ(LINUX_RLIMIT_STACK, RLIMIT_STACK);
    CHECK_EQ(LINUX_RLIMIT_NOFILE, RLIMIT_NOFILE);
    CHECK_EQ(LINUX_RLIM_NLIMITS, RLIM_NLIMITS);
    CHECK_EQ(LINUX_RLIM_INFINITY, RLIM64_INFINITY);
    CHECK_EQ(sizeof(struct linux_rlimit), sizeof(struct rlimit64));
    SAME_LAYOUT(struct linux_rlimit, struct rlimit64, rlim_max, rlim_max);
    CHECK_EQ(sizeof(struct linux_rlimit), sizeof(struct rlimit));
    CHECK_EQ(sizeof(struct linux_sysinfo), sizeof(struct sysinfo));
    SAME_LAYOUT(struct linux_sysinfo, struct sysinfo, totalram, totalram);
    SAME_LAYOUT(struct linux_sysinfo, struct sysinfo, freeram, freeram);
    SAME_LAYOUT(struct linux_sysinfo, struct sysinfo, procs, procs);
    SAME_LAYOUT(struct linux_sysinfo, struct sysinfo, totalhigh, totalhigh);
    SAME_LAYOUT(struct linux_sysinfo, struct sysinfo, mem_unit, mem_unit);
    CHECK_EQ(LINUX_ARCH_SET_GS, ARCH_SET_GS);
    CHECK_EQ(LINUX_ARCH_SET_FS, ARCH_SET_FS);
    CHECK_EQ(LINUX_ARCH_GET_FS, ARCH_GET_FS);
    CHECK_EQ(LINUX_ARCH_GET_GS, ARCH_GET_GS);
    CHECK_EQ(LINUX_GRND_NONBLOCK, GRND_NONBLOCK);
    CHECK_EQ(LINUX_GRND_RANDOM, GRND_RANDOM);
    CHECK_EQ(LINUX_GRND_INSECURE, GRND_INSECURE);
}

UNIT_MAIN()
