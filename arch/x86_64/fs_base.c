/* core/arch.h on x86-64: the FS base through IA32_FS_BASE (MSR 0xC0000100,
 * Intel SDM vol. 4, table 2-2), which every 64-bit CPU and hypervisor has;
 * the wrfsbase instruction needs CR4.FSGSBASE and is not used. */
#include "arch/x86_64/cpu.h"
#include "core/arch.h"

#define MSR_IA32_FS_BASE 0xC0000100u

void arch_set_fs_base(uint64_t base)
{
    wrmsr(MSR_IA32_FS_BASE, base);
}

uint64_t arch_get_fs_base(void)
{
    return rdmsr(MSR_IA32_FS_BASE);
}
