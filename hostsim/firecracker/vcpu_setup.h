/* What Firecracker sets on every vCPU before boot, apart from the boot
 * protocol's registers: the CPUID it derives from KVM_GET_SUPPORTED_CPUID and
 * the boot MSRs (src/vmm/src/arch/x86_64/msr.rs, src/vmm/src/cpu_config/
 * x86_64/cpuid/). */
#ifndef HOSTSIM_FC_VCPU_SETUP_H
#define HOSTSIM_FC_VCPU_SETUP_H

#include <linux/kvm.h>

#include "hostsim/cpu/cpu_kvm.h"

struct fc_cpuid_ctx {
    unsigned ncpus;
};

/* A cpu_kvm_cpuid_edit_fn (ctx = struct fc_cpuid_ctx). Pure logic on the
 * entries: leaf 1 (CLFLUSH line 8, max logical ids = next power of two of
 * the vCPU count, initial APIC id = vCPU index, PDCM 0, TSC_DEADLINE 1,
 * HYPERVISOR 1, HTT when more than one vCPU), leaf 0xB rebuilt for one thread
 * per core (subleaf 1 added when KVM omits it), and on Intel leaf 0xA (PMU)
 * zeroed. Not reproduced: leaf 0x1F, cache leaves 4 / 0x80000005-6, brand
 * string, turbo/EPB/WAITPKG bits, AMD topology leaves. */
void fc_cpuid_normalize(void *ctx, unsigned vcpu, struct kvm_cpuid_entry2 *e, unsigned *n,
                        unsigned cap);

/* Firecracker's boot MSRs (arch/x86_64/msr.rs create_boot_msr_entries). */
int fc_set_boot_msrs(struct cpu_kvm *k, unsigned vcpu);

#endif
