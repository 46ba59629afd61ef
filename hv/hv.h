/* Which hypervisor this is, as an identity for the banner and a set of
 * capabilities for the code that uses them. A hypervisor may offer several
 * interfaces at once: QEMU/KVM with Hyper-V enlightenments, and Xen in
 * Viridian mode, put "Microsoft Hv" at leaf 0x40000000 and their own
 * signature at 0x40000100. So detection records every signature it sees and
 * each capability with the leaf base it was found at; a user asks for the
 * capability it needs (hv_has), never for a vendor.
 *
 * hv_decide is pure (CPUID and the VMware backdoor come through callbacks) so
 * that recorded CPUID tables can drive it in host tests and a fuzzer. */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_kind { HV_NONE, HV_KVM, HV_HYPERV, HV_VMWARE, HV_XEN, HV_TCG, HV_OTHER };

enum hv_cap {
    HV_CAP_KVMCLOCK,         /* KVM_FEATURE_CLOCKSOURCE2 in EAX of the KVM base + 1 */
    HV_CAP_TSC_LEAF,         /* TSC kHz in EAX of base + 0x10 (VMware's leaf, also QEMU/KVM's) */
    HV_CAP_HYPERV_HYPERCALL, /* "Hv#1" at 0x40000001 and AccessHypercallMsrs at 0x40000003 */
    HV_CAP_HYPERV_SYNIC,     /* ... and AccessSynicRegs */
    HV_CAP_HYPERV_REF_TSC,   /* ... and AccessPartitionReferenceTsc */
    HV_CAP_HYPERV_REF_COUNT, /* ... and AccessPartitionReferenceCounter */
    HV_CAP_HYPERV_FREQ_MSRS, /* ... and AccessFrequencyMsrs with the frequency-MSR feature */
    HV_CAP_HYPERV_MESSAGES,  /* ... and the PostMessages and SignalEvents privileges */
    HV_CAP_VMWARE_BACKDOOR,  /* port 0x5658 answered GETVERSION with the magic */
    HV_CAP_COUNT
};

#define HV_LEAF_FIRST 0x40000000u
#define HV_LEAF_STRIDE 0x100u
/* Bases scanned: 0x40000000-0x40000f00. Vendors that offer a second
 * interface put theirs at 0x40000100 (KVM, Xen); the rest is headroom. */
#define HV_SCAN_BASES 16
#define HV_MAX_SIGNATURES 4

struct hv_signature {
    uint32_t base;     /* the leaf that returned it */
    uint32_t max_leaf; /* EAX there: the highest leaf of this interface */
    char name[13];     /* EBX:ECX:EDX, trailing NULs trimmed */
    enum hv_kind kind;
};

struct hv_info {
    bool present; /* CPUID.1:ECX bit 31 */
    enum hv_kind kind;
    unsigned identity; /* index into sig[] of the identity; valid when nsigs > 0 */
    struct hv_signature sig[HV_MAX_SIGNATURES];
    unsigned nsigs;
    unsigned more_sigs; /* signatures seen beyond HV_MAX_SIGNATURES */
    uint32_t caps;      /* bit (1 << enum hv_cap) */
    uint32_t cap_base[HV_CAP_COUNT];
    /* With HV_CAP_VMWARE_BACKDOOR: what GETVERSION answered (the product
     * type is 0 when the backdoor did not say). */
    uint32_t backdoor_version, backdoor_type;
};

struct hv_regs {
    uint32_t eax, ebx, ecx, edx;
};

/* CPUID leaf (subleaf 0). */
typedef struct hv_regs (*hv_cpuid_fn)(void *ctx, uint32_t leaf);

/* One VMware backdoor call (hv/vmware_backdoor.h): the registers go in, the
 * answer replaces them. hv_decide makes one (GETVERSION), and only where an
 * unanswered port read is harmless. */
struct hv_backdoor_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi;
};
typedef void (*hv_backdoor_fn)(void *ctx, struct hv_backdoor_regs *r);

/* Fills *out from the CPUID table (and, where that says it is safe, one
 * backdoor call). */
void hv_decide(struct hv_info *out, hv_cpuid_fn cpuid, hv_backdoor_fn backdoor, void *ctx);

/* The banner's "vmport backdoor: version 6, type ESX", terminated within
 * len; empty without the backdoor. */
void hv_format_backdoor(const struct hv_info *hv, char *buf, size_t len);

/* "KVM", "Hyper-V", ... */
const char *hv_kind_name(enum hv_kind k);
const char *hv_cap_name(enum hv_cap c);
bool hv_info_has(const struct hv_info *hv, enum hv_cap c, uint32_t *base);

/* The banner's text after "hypervisor: " and after "hv: capabilities: ",
 * always terminated within len. */
void hv_format_identity(const struct hv_info *hv, char *buf, size_t len);
void hv_format_caps(const struct hv_info *hv, char *buf, size_t len);

/* On the machine (hv/detect.c): runs hv_decide once with the real CPUID and
 * backdoor; everything else asks hv_get or hv_has. */
void hv_detect(void);
const struct hv_info *hv_get(void);
/* True when the capability was found; *base (if non-NULL) gets the leaf base
 * it was found at. */
bool hv_has(enum hv_cap c, uint32_t *base);
/* The real backdoor call, for the commands of hv/vmware_backdoor.h; only
 * where hv_has(HV_CAP_VMWARE_BACKDOOR) says something answers. */
void hv_backdoor_call(void *ctx, struct hv_backdoor_regs *r);

/* The VMware backdoor's clocks (hv/vmware_time.c), asked only when
 * hv_decide found the backdoor: the TSC frequency in Hz from GETHZ, or 0;
 * the time of day, in Unix nanoseconds, at which the kernel's monotonic
 * clock read 0, from GETTIMEFULL, or 0 (why is said once). */
uint64_t vmware_tsc_hz(void);
uint64_t vmware_wall_boot_ns(void);

/* Hyper-V's clocks (hv/hyperv_clock.c): the TSC frequency in Hz from the
 * reference TSC page, else the frequency MSR, else measured against the
 * reference counter, with *source naming the one used; 0 when Hyper-V offers
 * none of them or none answers. */
uint64_t hyperv_tsc_hz(const char **source);

/* kvmclock (KVM's pvclock, Documentation/virt/kvm/x86/msr.rst): the TSC
 * frequency in Hz, or 0 when the kvmclock capability is absent. */
uint64_t kvmclock_tsc_hz(void);
/* The time of day, in Unix nanoseconds, at which the kernel's monotonic
 * clock read 0, from kvmclock's wall clock; 0 without kvmclock or when the
 * host's answer is unusable (said once). */
uint64_t kvmclock_wall_boot_ns(void);

#endif
