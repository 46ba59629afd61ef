/* Instructions a software KVM cannot emulate but a CPU runs, completed by
 * hostsim after KVM gave up on them (KVM_EXIT_INTERNAL_ERROR, suberror
 * KVM_INTERNAL_ERROR_EMULATION). On the PVM host of the project's machines
 * every guest instruction goes through KVM's instruction emulator, which
 * refuses software interrupts outside real mode (arch/x86/kvm/emulate.c
 * emulate_int: X86EMUL_UNHANDLEABLE) and lacks FWAIT. A Linux guest uses
 * both early (the int3 self-test of alternative.c, fwait in fpu__drop), so
 * without this it stops where a real CPU would go on. Only these two; any
 * other failure still ends the run.
 *   int3 (0xCC) in protected or long mode: a #BP trap, delivered as the CPU
 *     delivers it (Intel SDM vol. 3A, 6.15 "Interrupt 3 - Breakpoint
 *     Exception": the saved RIP points after the instruction);
 *   fwait/wait (0x9B) with CR0.TS and CR0.EM clear: nothing to wait for (no
 *     x87 exception can be pending the emulator could have raised), so it
 *     completes; with TS or EM set it is left to fail (a CPU would raise #NM,
 *     SDM vol. 2B "WAIT/FWAIT").
 * Pure logic; the KVM side is in cpu_kvm_run.c. */
#ifndef HOSTSIM_CPU_ASSIST_H
#define HOSTSIM_CPU_ASSIST_H

#include <stddef.h>
#include <stdint.h>

enum assist_action {
    ASSIST_NONE,      /* leave the failure as it is */
    ASSIST_SKIP,      /* the instruction completes: RIP += length */
    ASSIST_INJECT_BP, /* RIP += length, then #BP */
};

struct assist_decision {
    enum assist_action action;
    unsigned length;
    const char *what; /* "int3", "fwait" */
};

/* insn: the bytes at RIP (n of them, 0 when not readable); cr0 the vCPU's. */
struct assist_decision assist_decide(const uint8_t *insn, size_t n, uint64_t cr0);

#endif
