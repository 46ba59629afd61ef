/* Small x86-64 instruction wrappers. Only instructions that every hypervisor's
 * instruction emulator runs (a software-only KVM emulates every guest
 * instruction and lacks rdtscp, xgetbv and SSE; docs/architecture.md): no
 * rdtscp, no xgetbv, no SSE. */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include <stdbool.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* lfence orders the read after earlier instructions (SDM vol. 2B RDTSC). */
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

/* One RDRAND attempt (Intel SDM vol. 2B, RDRAND): false when the CPU had no
 * value ready (CF=0; retry). Only where CPUID.1:ECX bit 30 says RDRAND is
 * there. */
static inline bool cpu_rdrand64(uint64_t *out)
{
    uint64_t v;
    uint8_t ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
    *out = v;
    return ok;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpu_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}
static inline void cpu_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}
/* sti takes effect after the next instruction, so an interrupt cannot slip in
 * between the check that decided to sleep and the hlt. */
static inline void cpu_irq_enable_and_halt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}
/* Disables interrupts and returns the previous RFLAGS for cpu_irq_restore. */
static inline uint64_t cpu_irq_save(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}
/* Re-enables interrupts if they were on when cpu_irq_save ran (RFLAGS.IF). */
static inline void cpu_irq_restore(uint64_t flags)
{
    if (flags & 0x200)
        cpu_irq_enable();
}
static inline uint64_t cpu_read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline uint64_t cpu_read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void cpu_write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void cpu_invlpg(uint64_t addr)
{
    __asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}
static inline void cpu_pause(void)
{
    __asm__ volatile("pause");
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}
static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

#endif
