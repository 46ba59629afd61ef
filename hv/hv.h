/* Which hypervisor this is (CPUID leaf 0x40000000 signature), asked once at
 * boot; everything else asks hv_kind() rather than probing again. */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdint.h>

enum hv_kind { HV_NONE, HV_KVM, HV_HYPERV, HV_VMWARE, HV_XEN, HV_TCG, HV_OTHER };

struct hv_info {
    enum hv_kind kind;
    char signature[13];
    uint32_t base;     /* CPUID leaf where the signature was found */
    uint32_t max_leaf; /* highest hypervisor leaf (EAX of base) */
};

void hv_detect(void);
const struct hv_info *hv_get(void);
const char *hv_name(enum hv_kind k);
/* True on VMMs known to drop writes to unclaimed I/O ports (QEMU, KVM-based
 * VMMs like Firecracker, or bare hardware), where probing port 0xF4 is safe. */
int hv_is_qemu_like(void);

/* kvmclock (KVM's pvclock, Documentation/virt/kvm/x86/msr.rst): the TSC
 * frequency in Hz, or 0 when kvmclock is not offered. */
uint64_t kvmclock_tsc_hz(void);

#endif
