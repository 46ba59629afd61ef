/* CPU exceptions: a clear report, a register dump, a frame-pointer backtrace,
 * then a panic. The kernel keeps frame pointers (-fno-omit-frame-pointer) so
 * the backtrace is trustworthy enough to find the faulting function in
 * build/NAME.debug.elf with addr2line. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "core/kernel.h"
#include "core/log.h"

static const char *const exception_names[32] = {
    "#DE (divide error)",
    "#DB (debug)",
    "NMI",
    "#BP (breakpoint)",
    "#OF (overflow)",
    "#BR (bound range)",
    "#UD (invalid opcode)",
    "#NM (device not available)",
    "#DF (double fault)",
    "coprocessor segment overrun",
    "#TS (invalid TSS)",
    "#NP (segment not present)",
    "#SS (stack fault)",
    "#GP (general protection)",
    "#PF (page fault)",
    "reserved 15",
    "#MF (x87 error)",
    "#AC (alignment check)",
    "#MC (machine check)",
    "#XM (SIMD exception)",
    "#VE (virtualization)",
    "#CP (control protection)",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV (hypervisor injection)",
    "#VC (VMM communication)",
    "#SX (security)",
    "reserved 31",
};

extern char __image_start[], __image_end[];

/* Where frames may be: the image (the boot stack is in its .bss) and the
 * app's stack (arch_stack_register). */
static uint64_t app_stack_lo, app_stack_hi;

void arch_stack_register(uint64_t lo, uint64_t hi)
{
    app_stack_lo = lo;
    app_stack_hi = hi;
}

static int in_stack(uint64_t a)
{
    return (a >= (uint64_t)(uintptr_t)__image_start && a < (uint64_t)(uintptr_t)__image_end) ||
           (a >= app_stack_lo && a + 16 <= app_stack_hi);
}

void exception_report(const struct trap_frame *f)
{
    kprintf("anyvm: exception %s at rip=%#lx error=%#lx\n", exception_names[f->vector & 31],
            (unsigned long)f->rip, (unsigned long)f->error);
    if (f->vector == 14)
        kprintf("  cr2=%#lx (%s, %s, %s)\n", (unsigned long)cpu_read_cr2(),
                (f->error & 1) ? "protection violation" : "page not present",
                (f->error & 2) ? "write" : "read", (f->error & 16) ? "instruction fetch" : "data");
    kprintf("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
    kprintf("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
    kprintf("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
    kprintf("  rflags=%#lx cs=%#lx ss=%#lx cr3=%#lx\n", f->rflags, f->cs, f->ss,
            (unsigned long)cpu_read_cr3());
    kprintf("  backtrace:");
    uint64_t fp = f->rbp;
    for (int depth = 0; depth < 16 && fp && !(fp & 7) && in_stack(fp); depth++) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
        kprintf(" %#lx", (unsigned long)frame[1]);
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
    kprintf("\n");
    panic("unhandled exception %s", exception_names[f->vector & 31]);
}
