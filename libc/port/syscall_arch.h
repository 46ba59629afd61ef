/* musl's system-call entry for anyvm (musl 1.2.3, src/internal/syscall.h
 * includes "syscall_arch.h" for __syscall0..__syscall6). On Linux these are
 * the `syscall` instruction; here the application and the kernel share one
 * address space and one privilege level, so a system call is an ordinary
 * function call into the kernel's Linux-shaped system-call layer (sys/): the
 * same numbers (musl's bits/syscall.h, Linux's x86-64 table), the same
 * arguments, the same return convention (a value, or -errno). The build
 * finds this header before musl's own by -iquote (scripts/build-musl.sh).
 *
 * Without VDSO_USEFUL, clock_gettime goes straight to the system call. */

long __anyvm_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

/* 64-bit arguments pass in one register each on x86-64. */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

static __inline long __syscall0(long n)
{
    return __anyvm_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
    return __anyvm_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
    return __anyvm_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
    return __anyvm_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
    return __anyvm_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
    return __anyvm_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    return __anyvm_syscall(n, a1, a2, a3, a4, a5, a6);
}

/* The IPC calls' "new layout" flag: none on x86-64 (Linux ipc/util.h). */
#define IPC_64 0
