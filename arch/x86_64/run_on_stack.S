/* void arch_run_on_stack(void *top, void (*fn)(void *), void *arg)
 * (core/arch.h). %rsp is 16-byte aligned at the call, as the System V psABI
 * requires (3.2.2); %rbp = 0 ends the frame chain a backtrace follows. */
    .text
    .globl arch_run_on_stack
    .type arch_run_on_stack, @function
arch_run_on_stack:
    movq %rdi, %rsp
    andq $-16, %rsp
    xorl %ebp, %ebp
    movq %rdx, %rdi
    callq *%rsi
    ud2                     /* fn never returns */
    .size arch_run_on_stack, . - arch_run_on_stack
