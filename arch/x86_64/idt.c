/* The IDT: 256 interrupt gates onto the stubs in vectors.S, and the dispatch
 * of what arrives on them. */
#include <stdint.h>

#include "arch/x86_64/intc.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/trap_stub.h"
#include "core/irq.h"

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

/* vectors.S: 256 stubs of TRAP_STUB_SIZE bytes each. */
extern const char trap_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));

#define VEC_NMI 2
#define VEC_DF 8
#define VEC_MC 18

void idt_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t a = (uint64_t)(uintptr_t)(trap_stubs + v * TRAP_STUB_SIZE);
        idt[v].offset_low = (uint16_t)a;
        idt[v].selector = 0x08;
        idt[v].ist = (v == VEC_NMI || v == VEC_DF || v == VEC_MC) ? 1 : 0;
        idt[v].type_attr = 0x8E; /* present, DPL 0, 64-bit interrupt gate */
        idt[v].offset_mid = (uint16_t)(a >> 16);
        idt[v].offset_high = (uint32_t)(a >> 32);
        idt[v].reserved = 0;
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector < 32)
        exception_report(f);
    uint8_t vector = (uint8_t)f->vector;
    if (vector == VECTOR_SPURIOUS)
        return; /* spurious: no EOI (SDM vol. 3A, 11.9) */
    irq_dispatch(vector);
    intc_eoi(vector);
}
