/* Hypervisor detection on the machine: hv_decide (hv/hv_decide.c) over the
 * real CPUID instruction and the real VMware backdoor, once at boot. */
#include "arch/x86_64/cpu.h"
#include "hv/hv.h"

static struct hv_info info;

static struct hv_regs cpuid_leaf(void *ctx, uint32_t leaf)
{
    (void)ctx;
    struct cpuid_regs r = cpuid(leaf, 0);
    return (struct hv_regs){r.eax, r.ebx, r.ecx, r.edx};
}

/* The backdoor call (hv/vmware_backdoor.h): a 32-bit IN from the port in
 * DX with every register the commands use in and out. With nothing at the
 * port the IN gives all ones in EAX and leaves the rest as they were. */
void hv_backdoor_call(void *ctx, struct hv_backdoor_regs *r)
{
    (void)ctx;
    uint64_t rsi = r->esi, rdi = r->edi;
    __asm__ volatile("inl %%dx, %%eax"
                     : "+a"(r->eax), "+b"(r->ebx), "+c"(r->ecx), "+d"(r->edx), "+S"(rsi), "+D"(rdi)
                     :
                     : "memory");
    r->esi = (uint32_t)rsi;
    r->edi = (uint32_t)rdi;
}

void hv_detect(void)
{
    hv_decide(&info, cpuid_leaf, hv_backdoor_call, NULL);
}

const struct hv_info *hv_get(void)
{
    return &info;
}

bool hv_has(enum hv_cap c, uint32_t *base)
{
    return hv_info_has(&info, c, base);
}
