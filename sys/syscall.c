/* The system-call entry (sys/sys.h): a table from Linux x86-64 call numbers
 * to their implementations, and before it the file layer's calls in an
 * image that has it (sys/path.c says which images do). A number with no
 * entry, known to Linux or not, returns -ENOSYS and is said once on the
 * console, so that a port can see which calls an application needs (the
 * numbers are Linux's, listed in its arch/x86/entry/syscalls/syscall_64.tbl;
 * a table of names would cost every image 7 KiB). After every call the
 * signals it made deliverable are delivered (sys/signal.c). */
#include "sys/sys.h"

#include <stddef.h>

#include "core/log.h"
#include "sys/calls.h"

/* The socket calls live in net/socket/, which only images with the network
 * layer link (an app's NAME_NETWORK := yes). They share one place in the
 * index, reached through sys_socket_call, a weak reference: in an image
 * without the layer it is NULL and each socket call answers ENOSYS like any
 * unimplemented one, and the image pays no table entry per call. */
#define SOCKET_CALLS(X)                                                                            \
    X(socket)                                                                                      \
    X(connect)                                                                                     \
    X(accept)                                                                                      \
    X(sendto)                                                                                      \
    X(recvfrom)                                                                                    \
    X(sendmsg)                                                                                     \
    X(recvmsg)                                                                                     \
    X(shutdown)                                                                                    \
    X(bind)                                                                                        \
    X(listen)                                                                                      \
    X(getsockname)                                                                                 \
    X(getpeername)                                                                                 \
    X(socketpair)                                                                                  \
    X(setsockopt)                                                                                  \
    X(getsockopt)                                                                                  \
    X(accept4)
extern long sys_socket_call(long n, const long *a) __attribute__((weak));

/* Every implemented call; call_index maps a number to its place in calls
 * (a byte per number rather than a pointer: the table costs 0.5 KiB, not
 * 3.5). */
#define IMPLEMENTED(X)                                                                             \
    X(read, sys_read)                                                                              \
    X(open, sys_open)                                                                              \
    X(stat, sys_open)                                                                              \
    X(lstat, sys_open)                                                                             \
    X(access, sys_open)                                                                            \
    X(readlink, sys_open)                                                                          \
    X(openat, sys_openat)                                                                          \
    X(newfstatat, sys_newfstatat)                                                                  \
    X(readlinkat, sys_openat)                                                                      \
    X(faccessat, sys_openat)                                                                       \
    X(statx, sys_statx)                                                                            \
    X(faccessat2, sys_openat)                                                                      \
    X(write, sys_write)                                                                            \
    X(close, sys_close)                                                                            \
    X(fstat, sys_fstat)                                                                            \
    X(lseek, sys_lseek)                                                                            \
    X(mmap, sys_mmap)                                                                              \
    X(mprotect, sys_mprotect)                                                                      \
    X(munmap, sys_munmap)                                                                          \
    X(brk, sys_brk)                                                                                \
    X(rt_sigaction, sys_rt_sigaction)                                                              \
    X(rt_sigprocmask, sys_rt_sigprocmask)                                                          \
    X(rt_sigreturn, sys_rt_sigreturn)                                                              \
    X(ioctl, sys_ioctl)                                                                            \
    X(pread64, sys_pread64)                                                                        \
    X(pwrite64, sys_pwrite64)                                                                      \
    X(readv, sys_readv)                                                                            \
    X(writev, sys_writev)                                                                          \
    X(sched_yield, sys_sched_yield)                                                                \
    X(mremap, sys_mremap)                                                                          \
    X(msync, sys_msync)                                                                            \
    X(madvise, sys_madvise)                                                                        \
    X(dup, sys_dup)                                                                                \
    X(dup2, sys_dup2)                                                                              \
    X(nanosleep, sys_nanosleep)                                                                    \
    X(getpid, sys_getpid)                                                                          \
    X(exit, sys_exit)                                                                              \
    X(kill, sys_kill)                                                                              \
    X(uname, sys_uname)                                                                            \
    X(fcntl, sys_fcntl)                                                                            \
    X(gettimeofday, sys_gettimeofday)                                                              \
    X(getrlimit, sys_getrlimit)                                                                    \
    X(sysinfo, sys_sysinfo)                                                                        \
    X(getuid, sys_getuid)                                                                          \
    X(getgid, sys_getuid)                                                                          \
    X(geteuid, sys_getuid)                                                                         \
    X(getegid, sys_getuid)                                                                         \
    X(getppid, sys_getppid)                                                                        \
    X(rt_sigpending, sys_rt_sigpending)                                                            \
    X(sigaltstack, sys_sigaltstack)                                                                \
    X(arch_prctl, sys_arch_prctl)                                                                  \
    X(setrlimit, sys_setrlimit)                                                                    \
    X(gettid, sys_getpid)                                                                          \
    X(tkill, sys_tkill)                                                                            \
    X(time, sys_time)                                                                              \
    X(futex, sys_futex)                                                                            \
    X(sched_getaffinity, sys_sched_getaffinity)                                                    \
    X(set_tid_address, sys_set_tid_address)                                                        \
    X(clock_gettime, sys_clock_gettime)                                                            \
    X(clock_getres, sys_clock_getres)                                                              \
    X(clock_nanosleep, sys_clock_nanosleep)                                                        \
    X(exit_group, sys_exit)                                                                        \
    X(tgkill, sys_tgkill)                                                                          \
    X(dup3, sys_dup3)                                                                              \
    X(preadv, sys_preadv)                                                                          \
    X(pwritev, sys_pwritev)                                                                        \
    X(prlimit64, sys_prlimit64)                                                                    \
    X(getrandom, sys_getrandom)                                                                    \
    X(poll, sys_poll)                                                                              \
    X(ppoll, sys_ppoll)                                                                            \
    X(select, sys_select)                                                                          \
    X(pselect6, sys_pselect6)                                                                      \
    X(epoll_create, sys_epoll_create)                                                              \
    X(epoll_create1, sys_epoll_create1)                                                            \
    X(epoll_ctl, sys_epoll_ctl)                                                                    \
    X(epoll_wait, sys_epoll_wait)                                                                  \
    X(epoll_pwait, sys_epoll_pwait)                                                                \
    X(epoll_pwait2, sys_epoll_pwait2)

/* The waiting calls (sys/poll/) are in an image only when its app links
 * them (Makefile: NAME_POLL): weak references, so their entries are NULL,
 * and answer ENOSYS, in an image without them. */
#define WEAK(fn) extern sys_call_fn fn __attribute__((weak));
WEAK(sys_poll)
WEAK(sys_ppoll)
WEAK(sys_select)
WEAK(sys_pselect6)
WEAK(sys_epoll_create)
WEAK(sys_epoll_create1)
WEAK(sys_epoll_ctl)
WEAK(sys_epoll_wait)
WEAK(sys_epoll_pwait)
WEAK(sys_epoll_pwait2)
#undef WEAK

/* The calls' places in `calls` (1 up; 0 is "none"). */
#define ORDINAL(nr, fn) CALL_##nr,
enum { CALL_NONE, IMPLEMENTED(ORDINAL) CALL_SOCKET, CALL_COUNT };
#undef ORDINAL
_Static_assert(CALL_COUNT <= 256, "the index holds a byte per number");

#define FN(nr, fn) fn,
static sys_call_fn *const calls[CALL_COUNT] = {NULL, IMPLEMENTED(FN) NULL};
#undef FN

#define PLACE(nr, fn) [LINUX_NR_##nr] = CALL_##nr,
#define PLACE_SOCKET(nr) [LINUX_NR_##nr] = CALL_SOCKET,
static const uint8_t call_index[LINUX_NR_COUNT] = {IMPLEMENTED(PLACE) SOCKET_CALLS(PLACE_SOCKET)};
#undef PLACE_SOCKET
#undef PLACE

/* Which numbers were reported; numbers outside the table are reported
 * once altogether (they are not Linux x86-64 calls: an x32 call, a
 * corrupted register). */
static uint64_t reported[(LINUX_NR_COUNT + 63) / 64];
static bool reported_outside;

void sys_syscall_reset(void)
{
    for (unsigned i = 0; i < sizeof reported / sizeof reported[0]; i++)
        reported[i] = 0;
    reported_outside = false;
}

/* Weak: its address is NULL in an image without the file layer. */
extern const struct sys_files __anyvm_files __attribute__((weak));

static long not_implemented(long n)
{
    if (n >= 0 && n < LINUX_NR_COUNT) {
        uint64_t bit = 1ull << (n % 64);
        if (!(reported[n / 64] & bit)) {
            reported[n / 64] |= bit;
            kprintf("sys: system call %ld not implemented: ENOSYS\n", n);
        }
    } else if (!reported_outside) {
        reported_outside = true;
        kprintf("sys: system call %ld not implemented: ENOSYS"
                " (further numbers outside Linux's table are not reported)\n",
                n);
    }
    return -LINUX_ENOSYS;
}

/* used: musl_arch.c's __syscall_cp_asm calls it from assembly, which
 * link-time optimisation does not see; it would otherwise be inlined into
 * its visible callers and its name dropped. */
__attribute__((used)) long __anyvm_syscall(long n, long a1, long a2, long a3, long a4, long a5,
                                           long a6)
{
    const long a[6] = {a1, a2, a3, a4, a5, a6};
    /* The file layer, when linked, answers the calls that name files. */
    sys_call_fn *fn = &__anyvm_files != NULL ? __anyvm_files.call(n) : NULL;
    unsigned place = n >= 0 && n < LINUX_NR_COUNT ? call_index[n] : CALL_NONE;
    long r;
    if (fn != NULL)
        r = fn(a);
    else if (place == CALL_SOCKET)
        r = sys_socket_call != NULL ? sys_socket_call(n, a) : not_implemented(n);
    else
        r = calls[place] != NULL ? calls[place](a) : not_implemented(n);
    sys_signal_deliver();
    return r;
}

long sys_files_mount(const void *base, uint64_t size, uint64_t image_start, uint64_t image_end)
{
    if (&__anyvm_files == NULL)
        return -LINUX_ENOSYS;
    __anyvm_files.mount(base, size, image_start, image_end);
    return 0;
}

long sys_files_generate(const char *path, const void *data, uint32_t size)
{
    if (&__anyvm_files == NULL)
        return -LINUX_ENOSYS;
    return __anyvm_files.generate(path, data, size);
}

void sys_reset(void)
{
    sys_fd_reset();
    sys_mem_reset();
    sys_signal_reset();
    sys_futex_reset();
    sys_proc_reset();
    sys_getrandom_reset();
    if (&__anyvm_files != NULL)
        __anyvm_files.reset();
    sys_syscall_reset();
    sys_set_stack_size(0);
}
