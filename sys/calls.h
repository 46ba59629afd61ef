/* Inside the system-call layer: the form of a call's implementation, the
 * calls each file provides to the dispatch table (sys/syscall.c), and what
 * the files ask of each other. Nothing outside sys/ includes this but the
 * socket calls (net/socket/), which belong to the layer and live with the
 * network stack. */
#ifndef SYS_CALLS_H
#define SYS_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/linux_abi.h"

/* Every call takes the six argument registers as they came (a[0] is rdi,
 * a[1] rsi, a[2] rdx, a[3] r10, a[4] r8, a[5] r9) and narrows each to the
 * type Linux gives it, and returns a value >= 0 or -errno. */
typedef long sys_call_fn(const long *a);

/* sys/fd.c */
sys_call_fn sys_read, sys_write, sys_readv, sys_writev, sys_pread64, sys_pwrite64, sys_preadv,
    sys_pwritev, sys_lseek, sys_close, sys_fstat, sys_fcntl, sys_dup, sys_dup2, sys_dup3, sys_ioctl;
void sys_fd_reset(void);
/* sys/mem.c */
sys_call_fn sys_mmap, sys_munmap, sys_mremap, sys_mprotect, sys_madvise, sys_msync, sys_brk;
void sys_mem_reset(void);
/* sys/time.c */
sys_call_fn sys_clock_gettime, sys_clock_getres, sys_gettimeofday, sys_time, sys_nanosleep,
    sys_clock_nanosleep;
/* sys/proc.c */
sys_call_fn sys_exit, sys_getpid, sys_getppid, sys_getuid, sys_set_tid_address, sys_arch_prctl,
    sys_uname, sys_getrlimit, sys_setrlimit, sys_prlimit64, sys_sysinfo, sys_sched_getaffinity,
    sys_sched_yield;
void sys_proc_reset(void);
/* sys/getrandom.c */
sys_call_fn sys_getrandom;
void sys_getrandom_reset(void);
/* sys/signal.c */
sys_call_fn sys_rt_sigaction, sys_rt_sigprocmask, sys_rt_sigpending, sys_sigaltstack, sys_kill,
    sys_tkill, sys_tgkill, sys_rt_sigreturn;
void sys_signal_reset(void);
/* sys/path.c: the calls that name a file, in an image without the file
 * layer */
sys_call_fn sys_open, sys_openat, sys_newfstatat, sys_statx;
/* 0 when the application's string at p is readable and ends within
 * PATH_MAX bytes (*len: its length), else -EFAULT or -ENAMETOOLONG. */
long sys_path_check(long p, size_t *len);

/* The file layer (sys/files/), defined as __anyvm_files only in images
 * whose app names a file (sys/path.c says how). sys/syscall.c asks it first
 * for the function of every call (NULL: not one of its calls), gives it the
 * initrd to mount (sys_files_mount), the kernel's own files to show
 * (sys_files_generate), and has it reset its part of sys_reset (the working
 * directory back at the root). */
struct sys_files {
    sys_call_fn *(*call)(long nr);
    void (*mount)(const void *base, uint64_t size, uint64_t image_start, uint64_t image_end);
    void (*reset)(void);
    long (*generate)(const char *path, const void *data, uint32_t size);
};
/* sys/futex.c */
sys_call_fn sys_futex;
void sys_futex_reset(void);
/* net/socket/: only in images that link the network layer. sys/syscall.c
 * reaches them through sys_socket_call(n, a) (sock_calls.c), to which it
 * refers weakly: elsewhere it is NULL, and they answer ENOSYS. */
long sys_socket_call(long n, const long *a);
sys_call_fn sys_socket, sys_socketpair, sys_bind, sys_listen, sys_accept, sys_accept4, sys_connect,
    sys_getsockname, sys_getpeername, sys_sendto, sys_recvfrom, sys_sendmsg, sys_recvmsg,
    sys_shutdown, sys_setsockopt, sys_getsockopt;
/* sys/poll/: in the images that link the waiting calls (Makefile:
 * NAME_POLL); sys/syscall.c refers to them weakly, so an image without
 * them answers ENOSYS. */
sys_call_fn sys_poll, sys_ppoll, sys_select, sys_pselect6, sys_epoll_create, sys_epoll_create1,
    sys_epoll_ctl, sys_epoll_wait, sys_epoll_pwait, sys_epoll_pwait2;
/* sys/syscall.c */
void sys_syscall_reset(void);

/* Runs the handlers of (or takes the default action for) every pending
 * signal that is not blocked; called as each system call returns. */
void sys_signal_deliver(void);
/* For the calls that wait with a signal mask of the application's (ppoll,
 * pselect6, epoll_pwait): sets the blocked set (SIGKILL and SIGSTOP stay
 * unblocked) and returns the one it replaces. */
uint64_t sys_signal_swap_blocked(uint64_t set);
/* True when a pending signal is not blocked and not ignored: a waiting
 * call ends with EINTR, and the signal is delivered as it returns. */
bool sys_signal_interrupts(void);
/* A signal from outside the app (the host asks the VM to shut down):
 * made pending, as the kernel sends it (si_code SI_KERNEL), when the app
 * has a handler for it; false when its action is the default or ignore,
 * so the caller acts for it. The app's waits then end with EINTR and the
 * handler runs as the call returns. */
bool sys_signal_post_kernel(int sig);

/* The soft RLIMIT_NOFILE: descriptors at or above it are not handed out
 * (sys/proc.c; at most SYS_FD_MAX). */
uint64_t sys_rlimit_nofile(void);

/* Clocks (sys/time.c). sys_clock_now: the reading of clock clk in
 * nanoseconds, or -EINVAL for a clock that does not exist here.
 * sys_timespec_ns: a timespec from the application (-EFAULT when it cannot
 * be read, -EINVAL when tv_nsec is outside [0, 1e9) or tv_sec < 0), in
 * nanoseconds, saturated at UINT64_MAX. */
long sys_clock_now(long clk, uint64_t *ns);
long sys_timespec_ns(long uptr, uint64_t *ns);

#endif
