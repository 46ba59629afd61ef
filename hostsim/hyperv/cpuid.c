/* Hyper-V's CPUID leaves: see cpuid.h. Values from the TLFS "Feature
 * Discovery" (leaf layouts) and datatypes/hv_partition_privilege_mask.md
 * (bits); the version is Windows Server 2022's (10.0 build 20348), which
 * only informs. */
#include <string.h>

#include "hostsim/hyperv/cpuid.h"
#include "hostsim/hyperv/tlfs.h"

#define VENDOR_EBX 0x7263694Du /* "Micr" */
#define VENDOR_ECX 0x666F736Fu /* "osof" */
#define VENDOR_EDX 0x76482074u /* "t Hv" */
#define VERSION_BUILD 20348u
#define VERSION_MAJOR_MINOR (10u << 16)
#define SPINLOCK_NEVER 0xFFFFFFFFu /* 0x40000004 EBX: never notify a long spin */
#define MAX_VPS 240u
#define HV_LEAF_RANGE_END 0x40000100u /* KVM's and Hyper-V's leaves live below */
#define EXT_ADDRESS_SIZES 0x80000008u /* EAX 7:0 physical address bits (SDM vol. 2A) */

void hvhost_cpuid_leaves(const struct hvhost_cpuid_params *p,
                         struct hvhost_cpuid_leaf out[HVHOST_CPUID_NLEAVES])
{
    memset(out, 0, sizeof out[0] * HVHOST_CPUID_NLEAVES);
    for (unsigned i = 0; i < HVHOST_CPUID_NLEAVES; i++)
        out[i].function = HV_CPUID_VENDOR + i;
    out[0].eax = HV_CPUID_MAX_LEAF;
    out[0].ebx = VENDOR_EBX;
    out[0].ecx = VENDOR_ECX;
    out[0].edx = VENDOR_EDX;
    out[1].eax = HV_CPUID_HV1;
    out[2].eax = VERSION_BUILD;
    out[2].ebx = VERSION_MAJOR_MINOR;
    /* Exactly what synthetic_msrs.c and hypercall.c implement: no
     * synthetic timers (bit 3), no APIC MSRs (bit 4), no XMM fast input. */
    out[3].eax = HV_PRIV_TIME_REF_COUNT | HV_PRIV_SYNIC | HV_PRIV_HYPERCALL | HV_PRIV_VP_INDEX |
                 HV_PRIV_REFERENCE_TSC | HV_PRIV_FREQUENCY;
    out[3].ebx = HV_PRIV_HI_POST_MESSAGES | HV_PRIV_HI_SIGNAL_EVENTS;
    out[3].edx = HV_FEATURE_FREQUENCY_MSRS;
    /* The in-kernel LAPIC cannot end an interrupt on the guest's behalf, so
     * AutoEOI is not offered (synic.c). */
    out[4].eax = HV_RECOMMEND_DEPRECATE_AUTOEOI;
    out[4].ebx = SPINLOCK_NEVER;
    out[4].ecx = p->phys_bits & 0x7F;
    out[5].eax = MAX_VPS;
    out[5].ebx = p->ncpus;
}

void hvhost_cpuid_replace(const struct hvhost_cpuid_params *params, struct kvm_cpuid_entry2 *e,
                          unsigned *n, unsigned cap)
{
    struct hvhost_cpuid_params p = *params;
    unsigned kept = 0;
    for (unsigned i = 0; i < *n; i++) {
        if (e[i].function == EXT_ADDRESS_SIZES && p.phys_bits == 0)
            p.phys_bits = e[i].eax & 0xFF;
        if (e[i].function >= HV_CPUID_VENDOR && e[i].function < HV_LEAF_RANGE_END)
            continue;
        e[kept++] = e[i];
    }
    struct hvhost_cpuid_leaf leaves[HVHOST_CPUID_NLEAVES];
    hvhost_cpuid_leaves(&p, leaves);
    for (unsigned i = 0; i < HVHOST_CPUID_NLEAVES && kept < cap; i++) {
        memset(&e[kept], 0, sizeof e[kept]);
        e[kept].function = leaves[i].function;
        e[kept].eax = leaves[i].eax;
        e[kept].ebx = leaves[i].ebx;
        e[kept].ecx = leaves[i].ecx;
        e[kept].edx = leaves[i].edx;
        kept++;
    }
    *n = kept;
}
