/* The size of each of the 256 interrupt entry stubs in vectors.S, which
 * idt.c needs to find stub v at trap_stubs + v * TRAP_STUB_SIZE. Included by
 * assembly and C alike. The longest stub is 2 + 2 + 5 bytes (dummy error
 * code, vector number as a sign-extended byte, jmp with a 32-bit
 * displacement); the IDT needs no alignment of its targets (Intel SDM vol.
 * 3A, 6.14.1: a gate holds a full 64-bit offset). */
#ifndef ARCH_X86_64_TRAP_STUB_H
#define ARCH_X86_64_TRAP_STUB_H

#define TRAP_STUB_SIZE 9

#endif
