/* core/arch.h arch_fpu_enable. Intel SDM Vol. 3A, 13.1.3 "Initialization of
 * the SSE Extensions" and 9.2 "x87 FPU Initialization": CR0.EM = 0 (no
 * emulation), CR0.MP = 1 (fwait honours TS), CR0.TS = 0 (no lazy switching:
 * the app is the only user), CR0.NE = 1 (x87 errors as #MF, not IRQ 13),
 * CR4.OSFXSR = 1 (SSE instructions and fxsave allowed), CR4.OSXMMEXCPT = 1
 * (unmasked SIMD exceptions as #XM), then fninit for the x87 default control
 * word 0x37F. MXCSR keeps its reset value 0x1F80 (all exceptions masked,
 * round to nearest), which is also what the psABI wants at process start
 * (3.4.1); it is not written, because ldmxcsr is an SSE instruction that
 * the PVM emulator of the test machines cannot run. */
#include <stdint.h>

#include "core/arch.h"

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

void arch_fpu_enable(void)
{
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
    __asm__ volatile("fninit");
}
