/* For the entry code (arch/x86_64/entry.S, boot/zimage/head.S): whether
 * RAM holds a word, before anything is stored in .bss. Writes beyond RAM
 * vanish, so a pattern is written and read back, twice with opposite bits.
 * Assembler only. */
#ifndef ARCH_X86_64_RAM_PROBE_H
#define ARCH_X86_64_RAM_PROBE_H

#define PROBE_PATTERN 0x5A5AA5A5

/* MEM: the word (no blanks in the operand); REG: a 32-bit register it
 * clobbers. Jumps to FAIL when the word does not hold; falls through with
 * ZF set when it does (so `sete` after a FAIL label placed right behind
 * tells both apart). */
.macro ram_probe mem, reg, fail
    movl $PROBE_PATTERN, \reg
    movl \reg, \mem
    cmpl \mem, \reg
    jne \fail
    notl \reg
    movl \reg, \mem
    cmpl \mem, \reg
    jne \fail
.endm

#endif
