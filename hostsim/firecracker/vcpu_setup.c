/* CPUID normalisation after src/vmm/src/cpu_config/x86_64/cpuid/normalize.rs
 * and intel/normalize.rs; bit positions from the Intel SDM
 * vol. 2A, CPUID. */
#include <string.h>

#include "hostsim/firecracker/vcpu_setup.h"

#define LEAF1_ECX_PDCM (1u << 15)
#define LEAF1_ECX_TSC_DEADLINE (1u << 24)
#define LEAF1_ECX_HYPERVISOR (1u << 31)
#define LEAF1_EDX_HTT (1u << 28)
/* CPUID.0BH.1 EAX[4:0]: enough bits for MAX_SUPPORTED_VCPUS (32) -> 5. */
#define LEAFB_CORE_SHIFT 5

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid_entry2 *e, unsigned n, uint32_t leaf,
                                     uint32_t sub)
{
    for (unsigned i = 0; i < n; i++) {
        if (e[i].function != leaf)
            continue;
        if ((e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e[i].index != sub)
            continue;
        return &e[i];
    }
    return NULL;
}

static int is_intel(struct kvm_cpuid_entry2 *e, unsigned n)
{
    struct kvm_cpuid_entry2 *l0 = find(e, n, 0, 0);
    /* "GenuineIntel" in EBX, EDX, ECX */
    return l0 != NULL && l0->ebx == 0x756e6547 && l0->edx == 0x49656e69 && l0->ecx == 0x6c65746e;
}

static unsigned next_pow2(unsigned v)
{
    unsigned p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

void fc_cpuid_normalize(void *ctxp, unsigned vcpu, struct kvm_cpuid_entry2 *e, unsigned *n,
                        unsigned cap)
{
    const struct fc_cpuid_ctx *ctx = ctxp;
    unsigned ncpus = ctx->ncpus;

    struct kvm_cpuid_entry2 *l1 = find(e, *n, 1, 0);
    if (l1 != NULL) {
        l1->ebx = (l1->ebx & 0xFFu) | (8u << 8) /* CLFLUSH line: 8 * 8 bytes */
                  | ((next_pow2(ncpus) & 0xFF) << 16) | ((vcpu & 0xFF) << 24);
        l1->ecx &= ~LEAF1_ECX_PDCM;
        l1->ecx |= LEAF1_ECX_TSC_DEADLINE | LEAF1_ECX_HYPERVISOR;
        if (ncpus > 1)
            l1->edx |= LEAF1_EDX_HTT;
        else
            l1->edx &= ~LEAF1_EDX_HTT;
    }

    /* Leaf 0xB: KVM no longer reports subleaf 1; Firecracker adds it. */
    if (find(e, *n, 0xB, 0) != NULL && find(e, *n, 0xB, 1) == NULL && *n < cap) {
        memset(&e[*n], 0, sizeof e[*n]);
        e[*n].function = 0xB;
        e[*n].index = 1;
        (*n)++;
    }
    for (unsigned i = 0; i < *n; i++) {
        if (e[i].function != 0xB)
            continue;
        e[i].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        e[i].edx = vcpu; /* x2APIC id */
        if (e[i].index == 0) {
            e[i].eax = 0;      /* one thread per core: shift 0 */
            e[i].ebx = 1;      /* logical processors at this level */
            e[i].ecx = 1 << 8; /* level type 1: SMT */
        } else if (e[i].index == 1) {
            e[i].eax = LEAFB_CORE_SHIFT;
            e[i].ebx = ncpus;
            e[i].ecx = 1 | (2 << 8); /* level 1, type 2: core */
        } else {
            e[i].eax = e[i].ebx = 0;
            e[i].ecx = e[i].index;
        }
    }

    if (is_intel(e, *n)) {
        struct kvm_cpuid_entry2 *la = find(e, *n, 0xA, 0);
        if (la != NULL)
            la->eax = la->ebx = la->ecx = la->edx = 0; /* no PMU */
    }
}

int fc_set_boot_msrs(struct cpu_kvm *k, unsigned vcpu)
{
    static const struct cpu_kvm_msr msrs[] = {
        {0x174, 0},      /* IA32_SYSENTER_CS */
        {0x175, 0},      /* IA32_SYSENTER_ESP */
        {0x176, 0},      /* IA32_SYSENTER_EIP */
        {0xC0000081, 0}, /* STAR */
        {0xC0000083, 0}, /* CSTAR */
        {0xC0000102, 0}, /* KERNEL_GS_BASE */
        {0xC0000084, 0}, /* SYSCALL_MASK */
        {0xC0000082, 0}, /* LSTAR */
        {0x10, 0},       /* IA32_TSC */
        {0x1A0, 1},      /* IA32_MISC_ENABLE: fast strings */
        {0x2FF, 0x806},  /* MTRRdefType: enabled, default write-back */
    };
    return cpu_kvm_set_msrs(k, vcpu, msrs, sizeof msrs / sizeof msrs[0]);
}
