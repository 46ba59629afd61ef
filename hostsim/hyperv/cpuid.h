/* The CPUID leaves 0x40000000-0x4000000A a Hyper-V partition sees (TLFS
 * "Feature Discovery"), as hostsim's Hyper-V host fills them: "Microsoft Hv",
 * "Hv#1", a version, the partition privileges of exactly the facilities this
 * host emulates (hypercall MSRs, VP index, time reference counter, reference
 * TSC page, SynIC, frequency MSRs, HvPostMessage and HvSignalEvent), the
 * recommendations and the limits. Pure logic. */
#ifndef HOSTSIM_HYPERV_CPUID_H
#define HOSTSIM_HYPERV_CPUID_H

#include <linux/kvm.h>
#include <stdint.h>

#define HVHOST_CPUID_NLEAVES 11 /* 0x40000000 .. 0x4000000A */

struct hvhost_cpuid_leaf {
    uint32_t function, eax, ebx, ecx, edx;
};

struct hvhost_cpuid_params {
    unsigned ncpus;
    unsigned phys_bits; /* physical address bits; 0: hvhost_cpuid_edit takes CPUID 0x80000008's */
};

/* The 11 leaves in order. */
void hvhost_cpuid_leaves(const struct hvhost_cpuid_params *p,
                         struct hvhost_cpuid_leaf out[HVHOST_CPUID_NLEAVES]);

/* Every entry in 0x40000000-0x400000FF (KVM's leaves) replaced by the
 * Hyper-V leaves, in place (*n may grow up to cap): a Hyper-V guest sees no
 * KVM signature. p->phys_bits 0 takes CPUID 0x80000008 EAX 7:0 from e. */
void hvhost_cpuid_replace(const struct hvhost_cpuid_params *p, struct kvm_cpuid_entry2 *e,
                          unsigned *n, unsigned cap);

#endif
