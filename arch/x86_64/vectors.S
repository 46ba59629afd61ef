/* Interrupt and exception entry stubs for all 256 vectors. Each pushes a
 * dummy error code where the CPU pushes none (Intel SDM vol. 3A, 6.13: vectors
 * 8, 10-14, 17, 21, 29, 30 push one), then the vector number, saves the
 * general registers into a struct trap_frame (arch/x86_64/trap.h) and calls
 * trap_dispatch(frame). No SSE/x87 state: the kernel is built without it.
 * Every stub is TRAP_STUB_SIZE bytes, so the IDT finds stub v at
 * trap_stubs + v * TRAP_STUB_SIZE (idt.c) without a table of addresses. */

#define TRAP_STUB_SIZE 16

    .altmacro
    .macro vector_stub n
vector_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    {disp32} jmp trap_common     /* fixed size: 2 + (2 or 5) + 5 <= 16 bytes */
    .org vector_\n + TRAP_STUB_SIZE, 0xCC
    .endm

    .text
    .balign TRAP_STUB_SIZE
    .globl trap_stubs
trap_stubs:
    .set i, 0
    .rept 256
    vector_stub %i
    .set i, i + 1
    .endr

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    cld
    call trap_dispatch
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq
