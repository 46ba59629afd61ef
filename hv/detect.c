/* Hypervisor detection on the machine: hv_decide (hv/hv_decide.c) over the
 * real CPUID instruction and one VMware backdoor call, once at boot. */
#include "arch/x86_64/cpu.h"
#include "hv/hv.h"

#define VMWARE_BACKDOOR_PORT 0x5658
#define VMWARE_BACKDOOR_MAGIC 0x564D5868u /* "VMXh" */
#define VMWARE_CMD_GETVERSION 10

static struct hv_info info;

static struct hv_regs cpuid_leaf(void *ctx, uint32_t leaf)
{
    (void)ctx;
    struct cpuid_regs r = cpuid(leaf, 0);
    return (struct hv_regs){r.eax, r.ebx, r.ecx, r.edx};
}

/* GETVERSION (open-vm-tools lib/include/backdoor_def.h): EAX = magic,
 * EBX = anything but the magic, ECX = command, DX = port, 32-bit IN. An
 * answer puts the magic in EBX and a version other than 0xFFFFFFFF in EAX;
 * with nothing at the port EBX comes back unchanged. */
static bool vmware_backdoor_answers(void *ctx)
{
    (void)ctx;
    uint32_t eax = VMWARE_BACKDOOR_MAGIC, ebx = ~VMWARE_BACKDOOR_MAGIC;
    uint32_t ecx = VMWARE_CMD_GETVERSION, edx = VMWARE_BACKDOOR_PORT;
    uint64_t rsi = 0, rdi = 0; /* some backdoor commands return in ESI/EDI */
    __asm__ volatile("inl %%dx, %%eax"
                     : "+a"(eax), "+b"(ebx), "+c"(ecx), "+d"(edx), "+S"(rsi), "+D"(rdi)
                     :
                     : "memory");
    return ebx == VMWARE_BACKDOOR_MAGIC && eax != 0xFFFFFFFFu;
}

void hv_detect(void)
{
    hv_decide(&info, cpuid_leaf, vmware_backdoor_answers, NULL);
}

const struct hv_info *hv_get(void)
{
    return &info;
}

bool hv_has(enum hv_cap c, uint32_t *base)
{
    return hv_info_has(&info, c, base);
}
