/* The hypervisor decision: signatures and capabilities from a CPUID table.
 * Pure logic (CPUID and the VMware backdoor arrive through callbacks), so the
 * host tests drive it with recorded tables and a fuzzer with random ones.
 *
 * Sources:
 *  - CPUID.1:ECX bit 31 says a hypervisor is present; leaves from 0x40000000
 *    are the hypervisor's, EAX of a base = its highest leaf, EBX:ECX:EDX = its
 *    vendor signature (Hyper-V TLFS, "Feature Discovery": "Hypervisor
 *    Discovery", 2.4.1 "Hypervisor CPUID Leaf Range").
 *  - Hyper-V's interface is identified by "Hv#1" in EAX of 0x40000001, not by
 *    the vendor signature, which is informational (TLFS 2.4.2 "Hypervisor
 *    Vendor-Neutral Interface Identification"); a Microsoft hypervisor reports
 *    a highest leaf of at least 0x40000005; the partition privileges are EAX
 *    (low half) of 0x40000003 (TLFS 2.4.4 "Hypervisor Feature
 *    Identification"; HV_PARTITION_PRIVILEGE_MASK: bit 1
 *    AccessPartitionReferenceCounter, bit 2 AccessSynicRegs, bit 5
 *    AccessHypercallMsrs, bit 9 AccessPartitionReferenceTsc, bit 11
 *    AccessFrequencyMsrs; the frequency MSRs also need EDX bit 8 of the same
 *    leaf, Linux's HV_FEATURE_FREQUENCY_MSRS_AVAILABLE; EBX, the mask's high
 *    half, bit 4 PostMessages and bit 5 SignalEvents), and the
 *    hypercall page is enabled only when AccessHypercallMsrs is granted (TLFS
 *    "Hypercall Interface", "Establishing the Hypercall Interface").
 *  - KVM: "KVMKVMKVM\0\0\0" at its base; EAX of the base is its highest leaf,
 *    0 on old hosts meaning base + 1; EAX of base + 1 holds the feature bits,
 *    bit 3 KVM_FEATURE_CLOCKSOURCE2 = kvmclock at MSR 0x4b564d01 (Linux
 *    Documentation/virt/kvm/x86/cpuid.rst). QEMU 7.2 moves KVM's leaves to
 *    0x40000100 when Hyper-V enlightenments are on (target/i386/kvm/kvm.c,
 *    KVM_CPUID_SIGNATURE_NEXT); Xen does the same with Viridian
 *    (xen/arch/x86/traps.c, cpuid_hypervisor_leaves).
 *  - Leaf 0x40000010 EAX = TSC kHz is VMware's; QEMU/KVM offer it at the KVM
 *    base 0x40000000 with vmware-cpuid-freq (kvm.c). Linux's vmware.c reads
 *    it only when the base's highest leaf reaches it.
 *  - VMware backdoor: IN from port 0x5658 with EAX = 0x564D5868 and ECX = 10
 *    (GETVERSION) answers EBX = the magic (open-vm-tools backdoor_def.h).
 *    QEMU's vmport answers it too, so only the CPUID signature says "VMware". */
#include "klib/format.h"
#include <string.h>

#include "hv/hv.h"
#include "hv/vmware_backdoor.h"

#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define HV_INTERFACE_HV1 0x31237648u /* "Hv#1" */
#define HV_MS_MIN_MAX_LEAF 0x40000005u
#define HV_PRIV_REF_COUNT (1u << 1)
#define HV_PRIV_SYNIC (1u << 2)
#define HV_PRIV_HYPERCALL (1u << 5)
#define HV_PRIV_REF_TSC (1u << 9)
#define HV_PRIV_FREQ_MSRS (1u << 11)
#define HV_FEATURE_FREQ_MSRS (1u << 8) /* EDX of 0x40000003 */
#define HV_PRIV_POST_SIGNAL (3u << 4)  /* EBX: PostMessages, SignalEvents */
#define TSC_LEAF_OFFSET 0x10u

static const struct {
    const char *name; /* as trimmed: trailing NULs removed */
    enum hv_kind kind;
} known[] = {
    {"KVMKVMKVM", HV_KVM},    {"Microsoft Hv", HV_HYPERV}, {"VMwareVMware", HV_VMWARE},
    {"XenVMMXenVMM", HV_XEN}, {"TCGTCGTCGTCG", HV_TCG},
};

const char *hv_kind_name(enum hv_kind k)
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
        break;
    }
    return "unknown";
}

const char *hv_cap_name(enum hv_cap c)
{
    switch (c) {
    case HV_CAP_KVMCLOCK:
        return "kvmclock";
    case HV_CAP_TSC_LEAF:
        return "tsc-leaf";
    case HV_CAP_HYPERV_HYPERCALL:
        return "hyperv-hypercall";
    case HV_CAP_HYPERV_SYNIC:
        return "hyperv-synic";
    case HV_CAP_HYPERV_REF_TSC:
        return "hyperv-reference-tsc";
    case HV_CAP_HYPERV_REF_COUNT:
        return "hyperv-reference-counter";
    case HV_CAP_HYPERV_FREQ_MSRS:
        return "hyperv-frequency-msrs";
    case HV_CAP_HYPERV_MESSAGES:
        return "hyperv-messages";
    case HV_CAP_VMWARE_BACKDOOR:
        return "vmware-backdoor";
    case HV_CAP_COUNT:
        break;
    }
    return "?";
}

/* A signature is 12 bytes of printable ASCII, possibly padded with trailing
 * NULs ("KVMKVMKVM\0\0\0"); anything else is not a vendor's signature (a leaf
 * beyond every range echoes some other leaf's data). */
static bool signature_from(const struct hv_regs *r, char name[13])
{
    uint32_t words[3] = {r->ebx, r->ecx, r->edx};
    memcpy(name, words, 12);
    name[12] = '\0';
    unsigned len = 12;
    while (len > 0 && name[len - 1] == '\0')
        len--;
    if (len == 0)
        return false;
    for (unsigned i = 0; i < len; i++)
        if (name[i] < 0x20 || name[i] > 0x7e)
            return false;
    return true;
}

static enum hv_kind kind_of(const char *name)
{
    for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return known[i].kind;
    return HV_OTHER;
}

static void set_cap(struct hv_info *hv, enum hv_cap c, uint32_t base)
{
    hv->caps |= 1u << c;
    hv->cap_base[c] = base;
}

static void scan_signatures(struct hv_info *hv, hv_cpuid_fn cpuid, void *ctx)
{
    for (uint32_t i = 0; i < HV_SCAN_BASES; i++) {
        uint32_t base = HV_LEAF_FIRST + i * HV_LEAF_STRIDE;
        struct hv_regs r = cpuid(ctx, base);
        char name[13];
        if (!signature_from(&r, name))
            continue;
        enum hv_kind kind = kind_of(name);
        uint32_t max = r.eax;
        if (max == 0 && kind == HV_KVM)
            max = base + 1; /* cpuid.rst: old hosts report 0 */
        if (max < base || max >= base + HV_LEAF_STRIDE)
            continue; /* not a leaf range of its own */
        if (hv->nsigs == HV_MAX_SIGNATURES) {
            hv->more_sigs++;
            continue;
        }
        struct hv_signature *s = &hv->sig[hv->nsigs++];
        s->base = base;
        s->max_leaf = max;
        memcpy(s->name, name, sizeof s->name);
        s->kind = kind;
    }
}

/* The implementation is the first signature that is not Hyper-V's: a
 * hypervisor that also offers Hyper-V's interface puts "Microsoft Hv" first
 * and its own signature after it (QEMU/KVM, Xen). */
static void choose_identity(struct hv_info *hv)
{
    if (hv->nsigs == 0) {
        hv->kind = HV_OTHER;
        return;
    }
    hv->identity = 0;
    for (unsigned i = 0; i < hv->nsigs; i++) {
        if (hv->sig[i].kind != HV_HYPERV) {
            hv->identity = i;
            break;
        }
    }
    hv->kind = hv->sig[hv->identity].kind;
}

static void find_kvmclock(struct hv_info *hv, hv_cpuid_fn cpuid, void *ctx)
{
    for (unsigned i = 0; i < hv->nsigs; i++) {
        const struct hv_signature *s = &hv->sig[i];
        if (s->kind != HV_KVM || s->max_leaf < s->base + 1)
            continue;
        if (cpuid(ctx, s->base + 1).eax & KVM_FEATURE_CLOCKSOURCE2)
            set_cap(hv, HV_CAP_KVMCLOCK, s->base);
        return;
    }
}

static void find_tsc_leaf(struct hv_info *hv, hv_cpuid_fn cpuid, void *ctx)
{
    if (hv->nsigs == 0)
        return;
    const struct hv_signature *s = &hv->sig[hv->identity];
    /* Hyper-V and Xen define other leaves at base + 0x10. */
    if (s->kind != HV_VMWARE && s->kind != HV_KVM)
        return;
    if (s->max_leaf < s->base + TSC_LEAF_OFFSET)
        return;
    if (cpuid(ctx, s->base + TSC_LEAF_OFFSET).eax != 0)
        set_cap(hv, HV_CAP_TSC_LEAF, s->base);
}

static void find_hyperv(struct hv_info *hv, hv_cpuid_fn cpuid, void *ctx)
{
    /* The interface lives at 0x40000000 whoever the vendor is. */
    if (hv->nsigs == 0 || hv->sig[0].base != HV_LEAF_FIRST ||
        hv->sig[0].max_leaf < HV_MS_MIN_MAX_LEAF)
        return;
    if (cpuid(ctx, HV_LEAF_FIRST + 1).eax != HV_INTERFACE_HV1)
        return;
    struct hv_regs features = cpuid(ctx, HV_LEAF_FIRST + 3);
    uint32_t priv = features.eax;
    if (!(priv & HV_PRIV_HYPERCALL))
        return;
    set_cap(hv, HV_CAP_HYPERV_HYPERCALL, HV_LEAF_FIRST);
    if (priv & HV_PRIV_SYNIC)
        set_cap(hv, HV_CAP_HYPERV_SYNIC, HV_LEAF_FIRST);
    if (priv & HV_PRIV_REF_TSC)
        set_cap(hv, HV_CAP_HYPERV_REF_TSC, HV_LEAF_FIRST);
    if (priv & HV_PRIV_REF_COUNT)
        set_cap(hv, HV_CAP_HYPERV_REF_COUNT, HV_LEAF_FIRST);
    if ((priv & HV_PRIV_FREQ_MSRS) && (features.edx & HV_FEATURE_FREQ_MSRS))
        set_cap(hv, HV_CAP_HYPERV_FREQ_MSRS, HV_LEAF_FIRST);
    if ((features.ebx & HV_PRIV_POST_SIGNAL) == HV_PRIV_POST_SIGNAL)
        set_cap(hv, HV_CAP_HYPERV_MESSAGES, HV_LEAF_FIRST);
}

/* The backdoor is an IN from port 0x5658. It is tried only where that is
 * known to be harmless when nothing answers: under VMware's own signature,
 * and under QEMU (TCG) and KVM-based VMMs, which drop unclaimed port reads
 * (QEMU: its vmport device answers on pc and q35; Firecracker: "reads return
 * 0, writes are dropped"). Elsewhere (Hyper-V, Xen, an unknown hypervisor,
 * bare metal) an unclaimed port is not known to be safe. */
static void find_backdoor(struct hv_info *hv, hv_backdoor_fn backdoor, void *ctx)
{
    if (backdoor == NULL)
        return;
    if (hv->kind != HV_VMWARE && hv->kind != HV_KVM && hv->kind != HV_TCG)
        return;
    if (vmw_get_version(backdoor, ctx, &hv->backdoor_version, &hv->backdoor_type))
        set_cap(hv, HV_CAP_VMWARE_BACKDOOR, 0);
}

void hv_decide(struct hv_info *out, hv_cpuid_fn cpuid, hv_backdoor_fn backdoor, void *ctx)
{
    memset(out, 0, sizeof *out);
    out->kind = HV_NONE;
    if (!(cpuid(ctx, 1).ecx & (1u << 31)))
        return;
    out->present = true;
    scan_signatures(out, cpuid, ctx);
    choose_identity(out);
    find_kvmclock(out, cpuid, ctx);
    find_tsc_leaf(out, cpuid, ctx);
    find_hyperv(out, cpuid, ctx);
    find_backdoor(out, backdoor, ctx);
}

bool hv_info_has(const struct hv_info *hv, enum hv_cap c, uint32_t *base)
{
    if ((unsigned)c >= HV_CAP_COUNT || !(hv->caps & (1u << c)))
        return false;
    if (base != NULL)
        *base = hv->cap_base[c];
    return true;
}

/* Bounded appending; the buffer stays terminated when it fills up. */
struct text {
    char *buf;
    size_t len, cap;
};

static void put(struct text *t, const char *s)
{
    while (*s != '\0' && t->len + 1 < t->cap)
        t->buf[t->len++] = *s++;
    if (t->cap != 0)
        t->buf[t->len] = '\0';
}

static void put_base(struct text *t, uint32_t base)
{
    char hex[16];
    ksnprintf(hex, sizeof hex, "%#x", (unsigned)base);
    put(t, hex);
}

void hv_format_identity(const struct hv_info *hv, char *buf, size_t len)
{
    struct text t = {buf, 0, len};
    put(&t, "");
    if (!hv->present) {
        put(&t, "none");
        return;
    }
    if (hv->nsigs == 0) {
        put(&t, "unknown (no signature)");
        return;
    }
    const struct hv_signature *id = &hv->sig[hv->identity];
    if (id->kind == HV_OTHER) {
        put(&t, "unknown (\"");
        put(&t, id->name);
        put(&t, "\" at ");
        put_base(&t, id->base);
        put(&t, ")");
    } else {
        put(&t, hv_kind_name(id->kind));
    }
    bool first = true;
    for (unsigned i = 0; i < hv->nsigs; i++) {
        if (i == hv->identity)
            continue;
        put(&t, first ? " (also offers: " : ", ");
        first = false;
        put(&t, hv->sig[i].name);
        put(&t, " at ");
        put_base(&t, hv->sig[i].base);
    }
    if (!first)
        put(&t, ")");
}

void hv_format_caps(const struct hv_info *hv, char *buf, size_t len)
{
    struct text t = {buf, 0, len};
    put(&t, "");
    for (unsigned c = 0; c < HV_CAP_COUNT; c++) {
        if (!(hv->caps & (1u << c)))
            continue;
        if (t.len != 0)
            put(&t, " ");
        put(&t, hv_cap_name((enum hv_cap)c));
    }
    if (t.len == 0)
        put(&t, "none");
}

void hv_format_backdoor(const struct hv_info *hv, char *buf, size_t len)
{
    if (len == 0)
        return;
    buf[0] = '\0';
    if (!(hv->caps & (1u << HV_CAP_VMWARE_BACKDOOR)))
        return;
    const char *name = vmw_type_name(hv->backdoor_type);
    char number[12];
    if (name == NULL && hv->backdoor_type != 0) {
        ksnprintf(number, sizeof number, "%u", (unsigned)hv->backdoor_type);
        name = number;
    }
    ksnprintf(buf, len, "vmport backdoor: version %u%s%s", (unsigned)hv->backdoor_version,
              name != NULL ? ", type " : "", name != NULL ? name : "");
}
