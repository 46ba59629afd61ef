/* The process: one process (pid 1, parent 0) with one thread (tid 1), run
 * by root, on one CPU. Exit ends the VM with the status (core/kernel.h).
 * Checks follow Linux 6.1's kernel/sys.c, kernel/exit.c,
 * arch/x86/kernel/process_64.c and kernel/sched/core.c. */
#include "core/arch.h"
#include "core/event.h"
#include "core/kernel.h"
#include "core/page_alloc.h"
#include "core/time.h"
#include "sys/calls.h"
#include "sys/fd.h"
#include "sys/sys.h"
#include "sys/uaccess.h"

#ifndef ANYVM_VERSION /* host tests: the Makefile gives the kernel its version */
#define ANYVM_VERSION "host-test"
#endif

#define PID 1
#define TID 1

static uint64_t stack_size; /* 0: not told */
static struct linux_rlimit limits[LINUX_RLIM_NLIMITS];
static bool limits_set[LINUX_RLIM_NLIMITS];

void sys_set_stack_size(uint64_t bytes)
{
    stack_size = bytes;
}

void sys_proc_reset(void)
{
    for (unsigned i = 0; i < LINUX_RLIM_NLIMITS; i++)
        limits_set[i] = false;
}

long sys_exit(const long *a)
{
    kernel_exit((int)(a[0] & 0xff));
}

long sys_getpid(const long *a)
{
    (void)a;
    return PID; /* getpid and gettid: the one thread leads its group */
}

long sys_getppid(const long *a)
{
    (void)a;
    return 0;
}

long sys_getuid(const long *a)
{
    (void)a;
    return 0; /* getuid, geteuid, getgid, getegid: root */
}

/* The address is kept by Linux to clear at thread exit and wake a joiner;
 * with one thread nobody joins, so it is not kept. */
long sys_set_tid_address(const long *a)
{
    (void)a;
    return TID;
}

long sys_arch_prctl(const long *a)
{
    switch ((int)a[0]) {
    case LINUX_ARCH_SET_FS:
        /* do_arch_prctl_64: beyond the user half is EPERM (a non-canonical
         * base would fault in wrmsr). */
        if ((uint64_t)a[1] >= LINUX_TASK_SIZE_MAX)
            return -LINUX_EPERM;
        arch_set_fs_base((uint64_t)a[1]);
        return 0;
    case LINUX_ARCH_GET_FS: {
        uint64_t base = arch_get_fs_base();
        return user_write(a[1], &base, sizeof base) ? 0 : -LINUX_EFAULT;
    }
    default:
        return -LINUX_EINVAL; /* GS belongs to the kernel here */
    }
}

static void set_field(char *dst, const char *src)
{
    unsigned i = 0;
    for (; src[i] != '\0' && i < LINUX_UTS_LEN - 1; i++)
        dst[i] = src[i];
    for (; i < LINUX_UTS_LEN; i++)
        dst[i] = '\0';
}

long sys_uname(const long *a)
{
    struct linux_utsname u;
    set_field(u.sysname, "anyvm");
    set_field(u.nodename, "anyvm");
    set_field(u.release, ANYVM_VERSION);
    set_field(u.version, "anyvm " ANYVM_VERSION);
    set_field(u.machine, "x86_64");
    set_field(u.domainname, "(none)"); /* Linux's default (include/linux/uts.h) */
    return user_write(a[0], &u, sizeof u) ? 0 : -LINUX_EFAULT;
}

/* What this machine can give: the stack the application was started on,
 * the descriptor table's size; nothing else is limited. */
static struct linux_rlimit ceiling(unsigned res)
{
    uint64_t v = LINUX_RLIM_INFINITY;
    if (res == LINUX_RLIMIT_STACK && stack_size != 0)
        v = stack_size;
    if (res == LINUX_RLIMIT_NOFILE)
        v = SYS_FD_MAX;
    return (struct linux_rlimit){v, v};
}

static struct linux_rlimit current(unsigned res)
{
    return limits_set[res] ? limits[res] : ceiling(res);
}

uint64_t sys_rlimit_nofile(void)
{
    return current(LINUX_RLIMIT_NOFILE).rlim_cur;
}

/* kernel/sys.c, do_prlimit: an unknown resource is EINVAL, soft above hard
 * EINVAL; raising a hard limit needs CAP_SYS_RESOURCE, which root has, but
 * nothing can be raised beyond what the machine gives (as NOFILE beyond
 * nr_open): EPERM. The limits set are reported back, and NOFILE's soft
 * limit bounds the descriptors handed out. */
static long prlimit(unsigned res, const struct linux_rlimit *want, long old_ptr)
{
    if (res >= LINUX_RLIM_NLIMITS)
        return -LINUX_EINVAL;
    if (want != NULL) {
        if (want->rlim_cur > want->rlim_max)
            return -LINUX_EINVAL;
        if (want->rlim_max > ceiling(res).rlim_max)
            return -LINUX_EPERM;
    }
    struct linux_rlimit old = current(res);
    if (want != NULL) {
        limits[res] = *want;
        limits_set[res] = true;
    }
    if (old_ptr != 0 && !user_write(old_ptr, &old, sizeof old))
        return -LINUX_EFAULT;
    return 0;
}

long sys_getrlimit(const long *a)
{
    if ((unsigned)a[0] >= LINUX_RLIM_NLIMITS)
        return -LINUX_EINVAL;
    struct linux_rlimit r = current((unsigned)a[0]);
    return user_write(a[1], &r, sizeof r) ? 0 : -LINUX_EFAULT;
}

long sys_setrlimit(const long *a)
{
    struct linux_rlimit want;
    if (!user_read(&want, a[1], sizeof want))
        return -LINUX_EFAULT;
    return prlimit((unsigned)a[0], &want, 0);
}

static bool is_self(long pid)
{
    return (int)pid == 0 || (int)pid == PID;
}

long sys_prlimit64(const long *a)
{
    struct linux_rlimit want;
    if (a[2] != 0 && !user_read(&want, a[2], sizeof want))
        return -LINUX_EFAULT;
    if (!is_self(a[0]))
        return -LINUX_ESRCH;
    return prlimit((unsigned)a[1], a[2] != 0 ? &want : NULL, a[3]);
}

long sys_sysinfo(const long *a)
{
    struct linux_sysinfo si;
    memset(&si, 0, sizeof si);
    uint64_t ns = time_now_ns();
    si.uptime = (int64_t)(ns / 1000000000ull + (ns % 1000000000ull != 0));
    si.totalram = kernel_pages.total_bytes;
    si.freeram = kernel_pages.free_bytes;
    si.procs = 1;
    si.mem_unit = 1;
    return user_write(a[0], &si, sizeof si) ? 0 : -LINUX_EFAULT;
}

/* kernel/sched/core.c: the mask is as long as the kernel's (nr_cpu_ids
 * bits rounded up to longs: 8 bytes for one CPU); a shorter buffer, or one
 * not a whole number of longs, is EINVAL. Returns the bytes written. */
long sys_sched_getaffinity(const long *a)
{
    unsigned len = (unsigned)a[1];
    if (len == 0 || len % sizeof(uint64_t) != 0)
        return -LINUX_EINVAL;
    if (!is_self(a[0]))
        return -LINUX_ESRCH;
    uint64_t mask = 1; /* CPU 0 */
    return user_write(a[2], &mask, sizeof mask) ? (long)sizeof mask : -LINUX_EFAULT;
}

/* Yielding runs what is pending in the event loop, once, without waiting:
 * device work is the only other thing that wants the CPU. */
long sys_sched_yield(const long *a)
{
    (void)a;
    event_run_pending();
    return 0;
}
