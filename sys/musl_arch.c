/* musl 1.2.3's x86-64 functions that hold a syscall instruction, written
 * for anyvm, where a system call is a call to __anyvm_syscall. The image
 * links this object before musl's libc.a, so the linker never takes musl's
 * own from the archive. What each must do comes from musl's sources:
 *
 *   __set_thread_area  src/thread/x86_64/__set_thread_area.s: arch_prctl
 *                      (ARCH_SET_FS, p); 0 on success, which __init_tp
 *                      (src/env/__init_tls.c) takes as "threads possible".
 *   __clone            src/thread/x86_64/clone.s: the clone call's result,
 *                      -errno on failure. No threads yet: -ENOSYS, which
 *                      pthread_create turns into EAGAIN.
 *   vfork              src/process/x86_64/vfork.s: the result through
 *                      __syscall_ret (src/internal/syscall_ret.c), which sets
 *                      errno and returns -1: no processes, ENOSYS.
 *   __unmapself        src/thread/x86_64/__unmapself.s: munmap, then exit the
 *                      thread (with one thread, the process) with status 0.
 *   __restore_rt       src/signal/x86_64/restore.s: rt_sigreturn, where a
 *                      handler's frame returns. Handlers here return like
 *                      functions, so it is never reached in the normal course
 *                      (sys/signal.c). x86-64 musl has no __restore: it is
 *                      a macro for __restore_rt (arch/x86_64/ksigaction.h).
 *   __syscall_cp_asm   src/thread/x86_64/syscall_cp.s, with the labels
 *   __cp_begin         src/thread/pthread_cancel.c compares a signal's
 *   __cp_end           interrupted address with (a cancellation request that
 *   __cp_cancel        arrives in [__cp_begin, __cp_end) jumps to __cp_cancel):
 *                      __syscall_cp_asm(&self->cancel, nr, u, v, w, x, y, z)
 *                      tail-jumps to __cancel when *cancel is set, else makes
 *                      the call. It is in assembly for those labels; nothing
 *                      interrupts an application here, so no address is ever
 *                      compared with them.
 *
 * __cancel is referenced weakly: musl defines it in pthread_cancel.o, which
 * is the only user of __syscall_cp_asm, and a strong reference would drag
 * that object (and pthread_exit behind it) into every image.
 *
 * Host tests link this file into a program that has glibc's vfork and
 * __clone, so there every name gets the prefix host_musl_. */
#include <stddef.h>

#include "sys/linux_abi.h"
#include "sys/sys.h"

#ifdef ANYVM_HOST_TEST
#define MUSL(name) host_musl_##name
#define MUSL_ASM(name) "host_musl_" #name
#else
#define MUSL(name) name
#define MUSL_ASM(name) #name
#endif

/* musl's src/internal/syscall_ret.c. */
long MUSL(__syscall_ret)(unsigned long r);

int MUSL(__set_thread_area)(void *p)
{
    return (int)__anyvm_syscall(LINUX_NR_arch_prctl, LINUX_ARCH_SET_FS, (long)p, 0, 0, 0, 0);
}

/* clone.s makes clone(flags, stack, ptid, ctid, tls); flags and stack are
 * enough for the call to be refused (and reported by name, once). */
int MUSL(__clone)(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    (void)fn;
    (void)arg;
    return (int)__anyvm_syscall(LINUX_NR_clone, flags, (long)stack, 0, 0, 0, 0);
}

int MUSL(vfork)(void)
{
    return (int)MUSL(__syscall_ret)(
        (unsigned long)__anyvm_syscall(LINUX_NR_vfork, 0, 0, 0, 0, 0, 0));
}

void MUSL(__unmapself)(void *base, size_t size)
{
    __anyvm_syscall(LINUX_NR_munmap, (long)base, (long)size, 0, 0, 0, 0);
    __anyvm_syscall(LINUX_NR_exit, 0, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

void MUSL(__restore_rt)(void)
{
    __anyvm_syscall(LINUX_NR_rt_sigreturn, 0, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

/* __syscall_cp_asm(cancel, nr, u, v, w, x, y, z) -> __anyvm_syscall(nr, u,
 * v, w, x, y, z): each argument moves one register down; y comes from the
 * stack into r9 and z is pushed as the seventh argument, which also leaves
 * the stack 16-byte aligned at the call (entry left it 8 off). */
#define CP_ASM MUSL_ASM(__syscall_cp_asm)
#define CP_BEGIN MUSL_ASM(__cp_begin)
#define CP_END MUSL_ASM(__cp_end)
#define CP_CANCEL MUSL_ASM(__cp_cancel)
#define CANCEL MUSL_ASM(__cancel)
/* clang-format off */
__asm__(".section .text." CP_ASM ",\"ax\",@progbits\n"
        ".globl " CP_ASM "\n"
        ".globl " CP_BEGIN "\n"
        ".globl " CP_END "\n"
        ".globl " CP_CANCEL "\n"
        ".weak " CANCEL "\n"
        ".type " CP_ASM ",@function\n"
        CP_ASM ":\n"
        CP_BEGIN ":\n"
        "    movl (%rdi), %eax\n"
        "    testl %eax, %eax\n"
        "    jnz " CP_CANCEL "\n"
        "    movq %rsi, %rdi\n"
        "    movq %rdx, %rsi\n"
        "    movq %rcx, %rdx\n"
        "    movq %r8, %rcx\n"
        "    movq %r9, %r8\n"
        "    movq 8(%rsp), %r9\n"
        "    pushq 16(%rsp)\n"
        "    call __anyvm_syscall\n"
        CP_END ":\n"
        "    addq $8, %rsp\n"
        "    ret\n"
        CP_CANCEL ":\n"
        "    jmp " CANCEL "\n"
        ".size " CP_ASM ", . - " CP_ASM "\n"
        ".previous\n");
/* clang-format on */
