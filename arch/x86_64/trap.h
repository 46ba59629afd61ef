/* The register frame built by vectors.S for every interrupt and exception. */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void trap_dispatch(struct trap_frame *f);
void idt_init(void);
void gdt_init(void);
/* Prints the exception, the registers and a short stack trace, then panics. */
void exception_report(const struct trap_frame *f) __attribute__((noreturn));

#endif
