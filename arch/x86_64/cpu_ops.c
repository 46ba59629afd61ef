/* core/arch.h on x86-64: the interrupt flag and the halt. */
#include "arch/x86_64/cpu.h"
#include "core/arch.h"

#define RFLAGS_IF (1u << 9)

uint64_t arch_irq_save(void)
{
    return cpu_irq_save();
}

void arch_irq_restore(uint64_t token)
{
    cpu_irq_restore(token);
}

bool arch_irqs_enabled(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return flags & RFLAGS_IF;
}

/* sti takes effect after the next instruction, so an interrupt pending at
 * this point is taken after hlt has begun, and wakes it (SDM vol. 2B, STI). */
void arch_idle(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
