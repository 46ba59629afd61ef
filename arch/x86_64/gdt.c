/* Completes the boot GDT (entry.S) with a 64-bit TSS whose IST1 stack is used
 * for double faults, NMIs and machine checks, so a kernel stack overflow still
 * produces a register dump instead of a silent triple fault (SDM vol. 3A,
 * 7.7 and 6.14.5). */
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/trap.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

extern uint64_t boot_gdt[];
static struct tss64 tss;
static uint8_t ist1_stack[8192] __attribute__((aligned(16)));

#define TSS_SELECTOR 0x18

void gdt_init(void)
{
    memset(&tss, 0, sizeof tss);
    tss.ist[0] = (uint64_t)(uintptr_t)(ist1_stack + sizeof ist1_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof tss - 1;
    /* Available 64-bit TSS descriptor: type 9, present. */
    boot_gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                  (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    boot_gdt[4] = base >> 32;
    __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
}
