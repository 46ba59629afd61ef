#include <string.h>

#include "arch/x86_64/cpu.h"
#include "hv/hv.h"

static struct hv_info info;

static const struct {
    const char *sig;
    enum hv_kind kind;
} signatures[] = {
    {"KVMKVMKVM\0\0\0", HV_KVM}, {"Microsoft Hv", HV_HYPERV}, {"VMwareVMware", HV_VMWARE},
    {"XenVMMXenVMM", HV_XEN},    {"TCGTCGTCGTCG", HV_TCG},
};

void hv_detect(void)
{
    info.kind = HV_NONE;
    /* CPUID.1:ECX bit 31 is set by every hypervisor (SDM vol. 2A, CPUID). */
    if (!(cpuid(1, 0).ecx & (1u << 31)))
        return;
    info.kind = HV_OTHER;
    /* Xen and KVM may sit at 0x40000100 when they also offer Hyper-V's
     * interface at 0x40000000; take the first one we recognise. */
    for (uint32_t base = 0x40000000; base <= 0x40000100; base += 0x100) {
        struct cpuid_regs r = cpuid(base, 0);
        char sig[13];
        memcpy(sig + 0, &r.ebx, 4);
        memcpy(sig + 4, &r.ecx, 4);
        memcpy(sig + 8, &r.edx, 4);
        sig[12] = '\0';
        for (unsigned i = 0; i < sizeof signatures / sizeof signatures[0]; i++) {
            if (memcmp(sig, signatures[i].sig, 12) == 0) {
                info.kind = signatures[i].kind;
                info.base = base;
                info.max_leaf = r.eax;
                memcpy(info.signature, sig, 13);
                return;
            }
        }
        if (base == 0x40000000)
            memcpy(info.signature, sig, 13);
    }
}

const struct hv_info *hv_get(void)
{
    return &info;
}

const char *hv_name(enum hv_kind k)
{
    switch (k) {
    case HV_NONE:
        return "none";
    case HV_KVM:
        return "KVM";
    case HV_HYPERV:
        return "Hyper-V";
    case HV_VMWARE:
        return "VMware";
    case HV_XEN:
        return "Xen";
    case HV_TCG:
        return "TCG";
    case HV_OTHER:
        return "unknown";
    }
    return "unknown";
}

int hv_is_qemu_like(void)
{
    return info.kind == HV_KVM || info.kind == HV_TCG || info.kind == HV_NONE ||
           info.kind == HV_OTHER;
}
