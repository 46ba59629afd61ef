/* The system-call entry (sys/sys.h): a table from Linux x86-64 call numbers
 * to their implementations. A number with no entry, known to Linux or not,
 * returns -ENOSYS and is said once on the console with its name, so that a
 * port can see which calls an application needs. After every call the
 * signals it made deliverable are delivered (sys/signal.c). */
#include "sys/sys.h"

#include <stddef.h>

#include "core/log.h"
#include "sys/calls.h"
#include "sys/syscall_names.h"

static sys_call_fn *const calls[LINUX_NR_COUNT] = {
    [LINUX_NR_read] = sys_read,
    [LINUX_NR_write] = sys_write,
    [LINUX_NR_close] = sys_close,
    [LINUX_NR_fstat] = sys_fstat,
    [LINUX_NR_lseek] = sys_lseek,
    [LINUX_NR_mmap] = sys_mmap,
    [LINUX_NR_mprotect] = sys_mprotect,
    [LINUX_NR_munmap] = sys_munmap,
    [LINUX_NR_brk] = sys_brk,
    [LINUX_NR_rt_sigaction] = sys_rt_sigaction,
    [LINUX_NR_rt_sigprocmask] = sys_rt_sigprocmask,
    [LINUX_NR_rt_sigreturn] = sys_rt_sigreturn,
    [LINUX_NR_ioctl] = sys_ioctl,
    [LINUX_NR_pread64] = sys_pread64,
    [LINUX_NR_pwrite64] = sys_pwrite64,
    [LINUX_NR_readv] = sys_readv,
    [LINUX_NR_writev] = sys_writev,
    [LINUX_NR_sched_yield] = sys_sched_yield,
    [LINUX_NR_mremap] = sys_mremap,
    [LINUX_NR_msync] = sys_msync,
    [LINUX_NR_madvise] = sys_madvise,
    [LINUX_NR_dup] = sys_dup,
    [LINUX_NR_dup2] = sys_dup2,
    [LINUX_NR_nanosleep] = sys_nanosleep,
    [LINUX_NR_getpid] = sys_getpid,
    [LINUX_NR_exit] = sys_exit,
    [LINUX_NR_kill] = sys_kill,
    [LINUX_NR_uname] = sys_uname,
    [LINUX_NR_fcntl] = sys_fcntl,
    [LINUX_NR_gettimeofday] = sys_gettimeofday,
    [LINUX_NR_getrlimit] = sys_getrlimit,
    [LINUX_NR_sysinfo] = sys_sysinfo,
    [LINUX_NR_getuid] = sys_getuid,
    [LINUX_NR_getgid] = sys_getuid,
    [LINUX_NR_geteuid] = sys_getuid,
    [LINUX_NR_getegid] = sys_getuid,
    [LINUX_NR_getppid] = sys_getppid,
    [LINUX_NR_rt_sigpending] = sys_rt_sigpending,
    [LINUX_NR_sigaltstack] = sys_sigaltstack,
    [LINUX_NR_arch_prctl] = sys_arch_prctl,
    [LINUX_NR_setrlimit] = sys_setrlimit,
    [LINUX_NR_gettid] = sys_getpid,
    [LINUX_NR_tkill] = sys_tkill,
    [LINUX_NR_time] = sys_time,
    [LINUX_NR_futex] = sys_futex,
    [LINUX_NR_sched_getaffinity] = sys_sched_getaffinity,
    [LINUX_NR_set_tid_address] = sys_set_tid_address,
    [LINUX_NR_clock_gettime] = sys_clock_gettime,
    [LINUX_NR_clock_getres] = sys_clock_getres,
    [LINUX_NR_clock_nanosleep] = sys_clock_nanosleep,
    [LINUX_NR_exit_group] = sys_exit,
    [LINUX_NR_tgkill] = sys_tgkill,
    [LINUX_NR_dup3] = sys_dup3,
    [LINUX_NR_preadv] = sys_preadv,
    [LINUX_NR_pwritev] = sys_pwritev,
    [LINUX_NR_prlimit64] = sys_prlimit64,
    [LINUX_NR_getrandom] = sys_getrandom,
};

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

static long not_implemented(long n)
{
    if (n >= 0 && n < LINUX_NR_COUNT) {
        uint64_t bit = 1ull << (n % 64);
        if (!(reported[n / 64] & bit)) {
            reported[n / 64] |= bit;
            const char *name = sys_call_names[n];
            kprintf("sys: system call %ld (%s) not implemented: ENOSYS\n", n,
                    name ? name : "unknown");
        }
    } else if (!reported_outside) {
        reported_outside = true;
        kprintf("sys: system call %ld (unknown) not implemented: ENOSYS"
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
    sys_call_fn *fn = n >= 0 && n < LINUX_NR_COUNT ? calls[n] : NULL;
    long r = fn != NULL ? fn(a) : not_implemented(n);
    sys_signal_deliver();
    return r;
}

void sys_reset(void)
{
    sys_fd_reset();
    sys_mem_reset();
    sys_signal_reset();
    sys_futex_reset();
    sys_proc_reset();
    sys_getrandom_reset();
    sys_syscall_reset();
    sys_set_stack_size(0);
}
