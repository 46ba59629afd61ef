/* Interrupt and exception entry stubs for all 256 vectors. Each pushes a
 * dummy error code where the CPU pushes none (Intel SDM vol. 3A, 6.13: vectors
 * 8, 10-14, 17, 21, 29, 30 push one), then the vector number, saves the
 * general registers into a struct trap_frame (arch/x86_64/trap.h) and calls
 * trap_dispatch(frame). No SSE/x87 state: the kernel is built without it.
 * Every stub is TRAP_STUB_SIZE bytes (trap_stub.h), so the IDT finds stub v
 * at trap_stubs + v * TRAP_STUB_SIZE (idt.c) without a table of addresses.
 * To keep the stubs small the vector goes in as a sign-extended byte (PUSH
 * imm8: vectors 128-255 arrive as negative numbers) and trap_common keeps
 * its low byte. */
#include "arch/x86_64/trap_stub.h"

    .altmacro
    .macro vector_stub n
vector_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    .if \n >= 128
    pushq $(\n - 256)
    .else
    pushq $\n
    .endif
    {disp32} jmp trap_common
    .org vector_\n + TRAP_STUB_SIZE, 0xCC
    .endm

    .text
    .globl trap_stubs
trap_stubs:
    .set i, 0
    .rept 256
    vector_stub %i
    .set i, i + 1
    .endr

trap_common:
    andq $0xff, (%rsp)           /* the vector's byte, from its sign extension */
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
