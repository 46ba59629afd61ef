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

/* The kernel's file layer (sys/files/: the initrd as a read-only tree) is
 * linked into an image only when the app's code names a file: every musl
 * function that makes one of these calls with a number the compiler sees
 * refers to __anyvm_files, which pulls the layer from its archive. The
 * reference is a word in a section the image drops (arch/x86_64/kernel.ld),
 * so it costs nothing but the symbol. open is marked where musl's file
 * functions open (syscall.h beside this file): the start code's own open
 * of /dev/null, for set-user-ID programs only, must not pull the layer
 * into every image. */
#define __ANYVM_NAMES_FILE(n)                                                                      \
    ((n) == SYS_openat || (n) == SYS_stat || (n) == SYS_lstat || (n) == SYS_newfstatat ||          \
     (n) == SYS_statx || (n) == SYS_access || (n) == SYS_faccessat || (n) == SYS_faccessat2 ||     \
     (n) == SYS_readlink || (n) == SYS_readlinkat || (n) == SYS_getdents64 || (n) == SYS_chdir ||  \
     (n) == SYS_fchdir || (n) == SYS_getcwd)
static __inline void __anyvm_files_ref(void)
{
    __asm__ volatile(".pushsection .discard.anyvm_files, \"a\"\n\t"
                     ".quad __anyvm_files\n\t"
                     ".popsection");
}

/* After inlining n is the constant the caller wrote, or the test fails
 * and nothing is marked (the generic syscall(), whose number is known only
 * when it runs). */
static __inline void __anyvm_mark(long n)
{
    if (__builtin_constant_p(n) && __ANYVM_NAMES_FILE(n))
        __anyvm_files_ref();
}

/* 64-bit arguments pass in one register each on x86-64. */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

static __inline long __syscall0(long n)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    __anyvm_mark(n);
    return __anyvm_syscall(n, a1, a2, a3, a4, a5, a6);
}

/* The IPC calls' "new layout" flag: none on x86-64 (Linux ipc/util.h). */
#define IPC_64 0
