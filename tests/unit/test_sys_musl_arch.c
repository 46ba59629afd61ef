/* sys/musl_arch.c: the functions that replace musl's syscall-instruction
 * assembly, under their host names (host_musl_...: a host test program has
 * glibc's own vfork and __clone). musl's __syscall_ret and __cancel are
 * played by this file. __syscall_cp_asm is checked to pass all seven values
 * to __anyvm_syscall in the right registers and on a 16-byte aligned stack,
 * and to leave for __cancel without making the call when cancellation is
 * pending. */
#include <stddef.h>

#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

int host_musl___set_thread_area(void *p);
int host_musl___clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);
int host_musl_vfork(void);
void host_musl___unmapself(void *base, size_t size);
void host_musl___restore_rt(void);
long host_musl___syscall_cp_asm(volatile int *cancel, long nr, long u, long v, long w, long x,
                                long y, long z);
extern const char host_musl___cp_begin[], host_musl___cp_end[], host_musl___cp_cancel[];

/* musl's src/internal/syscall_ret.c, as musl defines it: errno and -1. */
static int fake_errno;
long host_musl___syscall_ret(unsigned long r)
{
    if (r > -4096ul) {
        fake_errno = (int)-(long)r;
        return -1;
    }
    return (long)r;
}

/* musl's __cancel (src/thread/pthread_cancel.c) with cancellation disabled
 * returns -ECANCELED. */
static unsigned cancels;
long host_musl___cancel(void)
{
    cancels++;
    return -LINUX_ECANCELED;
}

/* The stack pointer as a function sees it on entry: 8 past a 16-byte
 * boundary when every caller kept the x86-64 ABI's alignment. */
uint64_t stack_at_entry(void);
__asm__(".text\n"
        ".globl stack_at_entry\n"
        "stack_at_entry:\n"
        "    movq %rsp, %rax\n"
        "    ret\n");

static uint64_t sp_in_handler;
static void on_usr1(int sig)
{
    (void)sig;
    sp_in_handler = stack_at_entry();
}

TEST(set_thread_area_is_arch_prctl_set_fs)
{
    host_sys_reset(0);
    static char tcb[128];
    CHECK_EQ(host_musl___set_thread_area(tcb), 0);
    CHECK_EQ(host_fs_base, (uint64_t)(uintptr_t)tcb);
    CHECK_EQ(host_musl___set_thread_area((void *)-4096l), -LINUX_EPERM);
}

TEST(clone_and_vfork_fail_with_enosys_and_say_so)
{
    host_sys_reset(0);
    char stack[64];
    CHECK_EQ(host_musl___clone(NULL, stack + sizeof stack, 0x3d0f00, NULL, NULL, NULL, NULL),
             -LINUX_ENOSYS);
    CHECK(LOG_CONTAINS("sys: system call 56 not implemented: ENOSYS\n"));
    fake_errno = 0;
    CHECK_EQ(host_musl_vfork(), -1);
    CHECK_EQ(fake_errno, LINUX_ENOSYS);
    CHECK(LOG_CONTAINS("sys: system call 58 not implemented: ENOSYS\n"));
}

TEST(unmapself_unmaps_then_ends_with_status_0)
{
    host_sys_reset(1u << 20);
    long p = SC(LINUX_NR_mmap, 0, 4 * 4096, 3, LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0);
    CHECK(p > 0);
    CHECK(HOST_EXITS(host_musl___unmapself((void *)p, 4 * 4096)));
    CHECK_EQ(host_exit_status, 0);
    CHECK_EQ(SC(LINUX_NR_munmap, p, 4096), -LINUX_EINVAL); /* it was unmapped */
}

TEST(restore_rt_is_never_a_normal_return)
{
    host_sys_reset(0);
    CHECK(HOST_EXITS(host_musl___restore_rt()));
    CHECK_EQ(host_exit_status, 128 + LINUX_SIGSEGV);
}

TEST(syscall_cp_asm_passes_every_argument)
{
    host_sys_reset(1u << 20);
    volatile int cancel = 0;
    CHECK_EQ(host_musl___syscall_cp_asm(&cancel, LINUX_NR_getpid, 0, 0, 0, 0, 0, 0), 1);
    CHECK_EQ(host_musl___syscall_cp_asm(&cancel, LINUX_NR_write, 1, (long)"abc", 3, 0, 0, 0), 3);
    CHECK_STR(host_console, "abc");
    /* mmap takes all six: the fifth (fd) and sixth (offset) show in the errors. */
    long anon = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS;
    CHECK_EQ(
        host_musl___syscall_cp_asm(&cancel, LINUX_NR_mmap, 0, 4096, 3, LINUX_MAP_PRIVATE, 42, 0),
        -LINUX_EBADF);
    CHECK_EQ(
        host_musl___syscall_cp_asm(&cancel, LINUX_NR_mmap, 0, 4096, 3, LINUX_MAP_PRIVATE, 1, 0),
        -LINUX_ENODEV);
    CHECK_EQ(host_musl___syscall_cp_asm(&cancel, LINUX_NR_mmap, 0, 4096, 3, anon, -1, 4095),
             -LINUX_EINVAL);
    long p = host_musl___syscall_cp_asm(&cancel, LINUX_NR_mmap, 0, 4096, 3, anon, -1, 0);
    CHECK(p > 0 && p % 4096 == 0);
    CHECK_EQ(cancels, 0u);
}

TEST(syscall_cp_asm_calls_with_an_aligned_stack)
{
    host_sys_reset(0);
    struct linux_k_sigaction act = {(uint64_t)(uintptr_t)on_usr1, 0, 0, 0};
    CHECK_EQ(SC(LINUX_NR_rt_sigaction, LINUX_SIGUSR1, &act, NULL, 8), 0);
    sp_in_handler = 0;
    volatile int cancel = 0;
    CHECK_EQ(host_musl___syscall_cp_asm(&cancel, LINUX_NR_kill, 1, LINUX_SIGUSR1, 0, 0, 0, 0), 0);
    CHECK(sp_in_handler != 0);
    CHECK_EQ(sp_in_handler % 16, 8u);
}

TEST(a_pending_cancellation_leaves_for_cancel_without_the_call)
{
    host_sys_reset(0);
    volatile int cancel = 1;
    cancels = 0;
    CHECK_EQ(host_musl___syscall_cp_asm(&cancel, LINUX_NR_write, 1, (long)"no", 2, 0, 0, 0),
             -LINUX_ECANCELED);
    CHECK_EQ(cancels, 1u);
    CHECK_EQ(host_console_len, 0u);
}

TEST(the_cancellation_labels_bound_the_call)
{
    uintptr_t fn = (uintptr_t)host_musl___syscall_cp_asm;
    uintptr_t begin = (uintptr_t)host_musl___cp_begin, end = (uintptr_t)host_musl___cp_end;
    uintptr_t cancel = (uintptr_t)host_musl___cp_cancel;
    CHECK_EQ(begin, fn);
    CHECK(begin < end && end < cancel && cancel - fn < 64);
}

UNIT_MAIN()
