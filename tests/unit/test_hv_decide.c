/* hv/hv_decide.c on CPUID tables of the hypervisors anyvm meets. Where each
 * table comes from:
 *  - TCG: recorded here, QEMU 7.2 -cpu qemu64 under TCG (pc and microvm).
 *  - KVM: recorded here, the host's KVM through build/hostsim (KVM's
 *    supported CPUID, as Firecracker passes it on).
 *  - KVM with Hyper-V enlightenments: what QEMU 7.2 writes for
 *    hv-relaxed,hv-vapic,hv-time,hv-vpindex,hv-synic (target/i386/kvm/kvm.c:
 *    hyperv_fill_cpuids at 0x40000000, the KVM leaves moved to 0x40000100,
 *    HV_HYPERCALL_AVAILABLE always set); this host has no KVM Hyper-V.
 *  - Hyper-V (Windows Server 2019, build 17763): the TLFS leaves with the
 *    privilege mask Linux prints on Hyper-V hosts ("privilege flags low
 *    0x2e7f, high 0x3b8030") and the highest leaf 0x4000000B that WSL2 and
 *    Hyper-V report.
 *  - Xen with Viridian: xen/arch/x86/hvm/viridian/viridian.c
 *    (cpuid_viridian_leaves: highest leaf 0x40000006, "Hv#1", the mask of
 *    AccessIntrCtrlRegs, AccessHypercallMsrs, AccessVpIndex and the reference
 *    counter) and traps.c (Xen's leaves at 0x40000100 with Viridian).
 *  - VMware: "VMwareVMware" with leaf 0x40000010 (TSC and APIC bus kHz), as
 *    Linux's arch/x86/kernel/cpu/vmware.c reads it.
 *  - bare metal: the hypervisor bit clear, and leaves above the maximum
 *    echoing another leaf's data (Intel SDM vol. 2A, CPUID: "If a value
 *    entered for CPUID.EAX is higher than the maximum input value ... the
 *    data for the highest basic information leaf is returned"). */
#include <stdbool.h>
#include <stdint.h>

#include "hv/hv.h"
#include "unit.h"

struct leaf {
    uint32_t leaf;
    struct hv_regs r;
};

struct machine {
    const struct leaf *leaves;
    size_t n;
    struct hv_regs otherwise; /* what unlisted leaves return */
    bool backdoor_answers;
    int backdoor_calls;
};

static struct hv_regs machine_cpuid(void *ctx, uint32_t leaf)
{
    const struct machine *m = ctx;
    for (size_t i = 0; i < m->n; i++)
        if (m->leaves[i].leaf == leaf)
            return m->leaves[i].r;
    return m->otherwise;
}

/* A backdoor that answers GETVERSION as QEMU 7.2's vmport does (version 6,
 * type 2: hw/i386/vmport.c), or a port where nothing answers (the IN gives
 * all ones in EAX, the other registers stay). */
static void machine_backdoor(void *ctx, struct hv_backdoor_regs *r)
{
    struct machine *m = ctx;
    m->backdoor_calls++;
    if (m->backdoor_answers && r->eax == 0x564D5868u && r->ecx == 10) {
        *r = (struct hv_backdoor_regs){6, 0x564D5868u, 2, r->edx, r->esi, r->edi};
        return;
    }
    r->eax = 0xFFFFFFFFu;
}

/* EBX:ECX:EDX of a 12-byte signature */
#define SIG(s)                                                                                     \
    (uint32_t)((s)[0] | (s)[1] << 8 | (s)[2] << 16 | (uint32_t)(s)[3] << 24),                      \
        (uint32_t)((s)[4] | (s)[5] << 8 | (s)[6] << 16 | (uint32_t)(s)[7] << 24),                  \
        (uint32_t)((s)[8] | (s)[9] << 8 | (s)[10] << 16 | (uint32_t)(s)[11] << 24)
#define HV1 0x31237648u /* "Hv#1" */
#define PRESENT 0x80000000u

static const struct leaf tcg[] = {
    {1, {0x60fb1, 0x800, 0x80002001, 0x78bfbfd}},
    {0x40000000, {0x40000001, SIG("TCGTCGTCGTCG")}},
};

static const struct leaf kvm[] = {
    {1, {0xa10f11, 0x10800, 0xf7f83203, 0x178bfbff}},
    {0x40000000, {0x40000001, SIG("KVMKVMKVM\0\0\0")}},
    {0x40000001, {0x01007efb, 0, 0, 0}},
};

static const struct leaf kvm_hv[] = {
    {1, {0xa10f11, 0x10800, 0xf7f83203, 0x178bfbff}},
    {0x40000000, {0x40000005, SIG("Microsoft Hv")}},
    {0x40000001, {HV1, 0, 0, 0}},
    {0x40000002, {0x3839, 0x000a0000, 0, 0}},
    {0x40000003, {0x276, 0x30, 0, 0}},
    {0x40000100, {0x40000101, SIG("KVMKVMKVM\0\0\0")}},
    {0x40000101, {0x01007efb, 0, 0, 0}},
};

static const struct leaf hyperv_2019[] = {
    {1, {0x50657, 0x800, 0xfed83203, 0x1f8bfbff}},
    {0x40000000, {0x4000000b, SIG("Microsoft Hv")}},
    {0x40000001, {HV1, 0, 0, 0}},
    {0x40000002, {17763, 0x000a0000, 0, 0}},
    {0x40000003, {0x2e7f, 0x3b8030, 0x2, 0xbed7b2}},
    {0x40000004, {0x64e24, 0xfff, 0x2e, 0}},
    {0x40000005, {0xf0, 0x400, 0x5ff, 0}},
};

static const struct leaf xen_viridian[] = {
    {1, {0x306e4, 0x800, 0x80202001, 0x178bfbff}},
    {0x40000000, {0x40000006, SIG("Microsoft Hv")}},
    {0x40000001, {HV1, 0, 0, 0}},
    {0x40000003, {0x72, 0, 0, 0}},
    {0x40000100, {0x40000105, SIG("XenVMMXenVMM")}},
    {0x40000101, {0x0004000d, 0, 0, 0}},
};

static const struct leaf vmware[] = {
    {1, {0x50657, 0x800, 0xfffa3203, 0x1f8bfbff}},
    {0x40000000, {0x40000010, SIG("VMwareVMware")}},
    {0x40000010, {2600000, 66000, 0, 0}},
};

static const struct leaf kvm_tsc_leaf[] = {
    {1, {0xa10f11, 0x10800, 0xf7f83203, 0x178bfbff}},
    {0x40000000, {0x40000010, SIG("KVMKVMKVM\0\0\0")}},
    {0x40000001, {0x01007efb, 0, 0, 0}},
    {0x40000010, {2400000, 1000000, 0, 0}},
};

static const struct leaf bare_metal[] = {
    {1, {0x50657, 0x800, 0x7ffefbff, 0xbfebfbff}}, /* bit 31 clear */
};

#define MACHINE(t, answers)                                                                        \
    {                                                                                              \
        (t), sizeof(t) / sizeof((t)[0]), {0, 0, 0, 0}, (answers), 0                                \
    }

static struct hv_info hv;
static char text[160];

static void decide(struct machine *m)
{
    memset(&hv, 0xA5, sizeof hv); /* hv_decide must set everything */
    hv_decide(&hv, machine_cpuid, machine_backdoor, m);
}

#define IDENTITY_IS(s) (hv_format_identity(&hv, text, sizeof text), strcmp(text, (s)) == 0)
#define CAPS_ARE(s) (hv_format_caps(&hv, text, sizeof text), strcmp(text, (s)) == 0)

TEST(tcg_recorded)
{
    struct machine pc = MACHINE(tcg, true), microvm = MACHINE(tcg, false);
    decide(&pc);
    CHECK(hv.present);
    CHECK_EQ(hv.kind, HV_TCG);
    CHECK_EQ(hv.nsigs, 1u);
    CHECK_EQ(hv.sig[0].base, 0x40000000u);
    CHECK(IDENTITY_IS("TCG"));
    /* QEMU's vmport answers the backdoor, but the signature says TCG */
    CHECK(CAPS_ARE("vmware-backdoor"));
    CHECK_EQ(pc.backdoor_calls, 1);
    CHECK_EQ(hv.backdoor_version, 6u);
    CHECK_EQ(hv.backdoor_type, 2u);
    hv_format_backdoor(&hv, text, sizeof text);
    CHECK_STR(text, "vmport backdoor: version 6, type ESX");
    decide(&microvm);
    CHECK(CAPS_ARE("none"));
    hv_format_backdoor(&hv, text, sizeof text);
    CHECK_STR(text, "");
    CHECK(!hv_info_has(&hv, HV_CAP_KVMCLOCK, NULL));
}

TEST(kvm_recorded)
{
    struct machine m = MACHINE(kvm, false);
    decide(&m);
    CHECK_EQ(hv.kind, HV_KVM);
    CHECK(IDENTITY_IS("KVM"));
    uint32_t base = 0;
    CHECK(hv_info_has(&hv, HV_CAP_KVMCLOCK, &base));
    CHECK_EQ(base, 0x40000000u);
    CHECK(!hv_info_has(&hv, HV_CAP_TSC_LEAF, NULL)); /* max leaf 0x40000001 */
    CHECK(CAPS_ARE("kvmclock"));
    CHECK_EQ(m.backdoor_calls, 1); /* KVM VMMs drop unclaimed ports: safe to ask */
}

TEST(kvm_with_hyperv_enlightenments_is_kvm)
{
    struct machine m = MACHINE(kvm_hv, false);
    decide(&m);
    CHECK_EQ(hv.kind, HV_KVM);
    CHECK_EQ(hv.nsigs, 2u);
    CHECK_EQ(hv.identity, 1u);
    CHECK(IDENTITY_IS("KVM (also offers: Microsoft Hv at 0x40000000)"));
    uint32_t base = 0;
    CHECK(hv_info_has(&hv, HV_CAP_KVMCLOCK, &base));
    CHECK_EQ(base, 0x40000100u); /* asked at KVM's base, not 0x40000000 */
    CHECK(hv_info_has(&hv, HV_CAP_HYPERV_HYPERCALL, &base));
    CHECK_EQ(base, 0x40000000u);
    CHECK(CAPS_ARE("kvmclock hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter hyperv-messages"));
}

TEST(hyperv_2019)
{
    struct machine m = MACHINE(hyperv_2019, true);
    decide(&m);
    CHECK_EQ(hv.kind, HV_HYPERV);
    CHECK(IDENTITY_IS("Hyper-V"));
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter hyperv-frequency-msrs hyperv-messages"));
    /* leaf 0x40000010 is not Hyper-V's TSC leaf, and no backdoor is tried */
    CHECK(!hv_info_has(&hv, HV_CAP_TSC_LEAF, NULL));
    CHECK_EQ(m.backdoor_calls, 0);
}

TEST(xen_viridian_is_xen)
{
    struct machine m = MACHINE(xen_viridian, true);
    decide(&m);
    CHECK_EQ(hv.kind, HV_XEN);
    CHECK(IDENTITY_IS("Xen (also offers: Microsoft Hv at 0x40000000)"));
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-reference-counter"));
    CHECK_EQ(m.backdoor_calls, 0);
}

TEST(vmware)
{
    struct machine m = MACHINE(vmware, true);
    decide(&m);
    CHECK_EQ(hv.kind, HV_VMWARE);
    CHECK(IDENTITY_IS("VMware"));
    uint32_t base = 0;
    CHECK(hv_info_has(&hv, HV_CAP_TSC_LEAF, &base));
    CHECK_EQ(base, 0x40000000u);
    CHECK(CAPS_ARE("tsc-leaf vmware-backdoor"));
    /* VMware's signature with a backdoor that does not answer */
    struct machine quiet = MACHINE(vmware, false);
    decide(&quiet);
    CHECK(CAPS_ARE("tsc-leaf"));
}

TEST(kvm_with_vmware_cpuid_freq)
{
    struct machine m = MACHINE(kvm_tsc_leaf, false);
    decide(&m);
    CHECK(CAPS_ARE("kvmclock tsc-leaf"));
}

TEST(bare_metal_looks_at_nothing_else)
{
    /* every other leaf echoes data that looks like a signature */
    struct machine m = {bare_metal, 1, {0x40000001, SIG("KVMKVMKVM\0\0\0")}, true, 0};
    decide(&m);
    CHECK(!hv.present);
    CHECK_EQ(hv.kind, HV_NONE);
    CHECK_EQ(hv.nsigs, 0u);
    CHECK_EQ(hv.caps, 0u);
    CHECK_EQ(m.backdoor_calls, 0);
    CHECK(IDENTITY_IS("none"));
    CHECK(CAPS_ARE("none"));
}

TEST(old_kvm_reports_max_leaf_0)
{
    static const struct leaf old[] = {
        {1, {0, 0, PRESENT, 0}},
        {0x40000000, {0, SIG("KVMKVMKVM\0\0\0")}},
        {0x40000001, {0x8, 0, 0, 0}},
    };
    struct machine m = MACHINE(old, false);
    decide(&m);
    CHECK_EQ(hv.kind, HV_KVM);
    CHECK_EQ(hv.sig[0].max_leaf, 0x40000001u);
    CHECK(CAPS_ARE("kvmclock"));
}

TEST(unknown_and_implausible_signatures)
{
    static const struct leaf acrn[] = {
        {1, {0, 0, PRESENT, 0}},
        {0x40000000, {0x40000010, SIG("ACRNACRNACRN")}},
        {0x40000010, {2000000, 0, 0, 0}},
    };
    struct machine m = MACHINE(acrn, true);
    decide(&m);
    CHECK_EQ(hv.kind, HV_OTHER);
    CHECK(IDENTITY_IS("unknown (\"ACRNACRNACRN\" at 0x40000000)"));
    CHECK(CAPS_ARE("none")); /* no TSC leaf of an unknown vendor, no port probe */
    CHECK_EQ(m.backdoor_calls, 0);

    /* present, but nothing that reads as a signature */
    static const struct leaf junk[] = {
        {1, {0, 0, PRESENT, 0}},
        {0x40000000, {0x40000001, 0x01020304, 0x4b4d564b, 0}}, /* control bytes */
        {0x40000100, {0x12345678, SIG("KVMKVMKVM\0\0\0")}},    /* max outside its range */
        {0x40000200, {0x40000201, 0, 0, 0}},                   /* empty */
    };
    struct machine j = MACHINE(junk, true);
    decide(&j);
    CHECK(hv.present);
    CHECK_EQ(hv.kind, HV_OTHER);
    CHECK_EQ(hv.nsigs, 0u);
    CHECK(IDENTITY_IS("unknown (no signature)"));
    CHECK(CAPS_ARE("none"));
}

TEST(hyperv_interface_needs_hv1_and_the_privilege)
{
    static struct leaf t[] = {
        {1, {0, 0, PRESENT, 0}},
        {0x40000000, {0x40000005, SIG("Microsoft Hv")}},
        {0x40000001, {HV1, 0, 0, 0}},
        {0x40000003, {0x2e7f & ~(1u << 5), 0, 0, 0}}, /* no AccessHypercallMsrs */
    };
    struct machine m = MACHINE(t, false);
    decide(&m);
    CHECK_EQ(hv.kind, HV_HYPERV);
    CHECK(CAPS_ARE("none"));
    t[3].r.eax = 0x2e7f;
    t[2].r.eax = 0x30237648; /* "Hv#0" */
    decide(&m);
    CHECK(CAPS_ARE("none"));
    t[2].r.eax = HV1;
    t[1].r.eax = 0x40000004; /* below the minimum a Microsoft hypervisor reports */
    decide(&m);
    CHECK(CAPS_ARE("none"));
    t[1].r.eax = 0x40000005;
    decide(&m);
    /* AccessFrequencyMsrs (bit 11) without the EDX feature bit 8: no
     * frequency MSRs (TLFS "Feature Discovery") */
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter"));
    t[3].r.edx = 1u << 8;
    decide(&m);
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter hyperv-frequency-msrs"));
    t[3].r.eax = 0x2e7f & ~(1u << 11);
    decide(&m);
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter"));
    /* PostMessages and SignalEvents (EBX bits 4 and 5): both, or no VMBus */
    t[3].r.ebx = 1u << 4;
    decide(&m);
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter"));
    t[3].r.ebx = 3u << 4;
    decide(&m);
    CHECK(CAPS_ARE("hyperv-hypercall hyperv-synic hyperv-reference-tsc "
                   "hyperv-reference-counter hyperv-messages"));
}

TEST(many_signatures_are_counted)
{
    static struct leaf t[1 + HV_SCAN_BASES];
    t[0] = (struct leaf){1, {0, 0, PRESENT, 0}};
    for (unsigned i = 0; i < HV_SCAN_BASES; i++) {
        uint32_t base = 0x40000000u + i * 0x100;
        t[1 + i] = (struct leaf){base, {base + 1, SIG("ABCDEFGHIJKL")}};
    }
    struct machine m = MACHINE(t, false);
    decide(&m);
    CHECK_EQ(hv.nsigs, (unsigned)HV_MAX_SIGNATURES);
    CHECK_EQ(hv.more_sigs, (unsigned)(HV_SCAN_BASES - HV_MAX_SIGNATURES));
    CHECK_EQ(hv.sig[3].base, 0x40000300u);
}

TEST(formatting_is_bounded)
{
    struct machine m = MACHINE(kvm_hv, false);
    decide(&m);
    char small[8];
    memset(small, 'x', sizeof small);
    hv_format_identity(&hv, small, sizeof small);
    CHECK_STR(small, "KVM (al");
    hv_format_caps(&hv, small, sizeof small);
    CHECK_STR(small, "kvmcloc");
    hv_format_caps(&hv, small, 0); /* must not write */
    CHECK_STR(hv_kind_name(HV_OTHER), "unknown");
    CHECK_STR(hv_cap_name(HV_CAP_COUNT), "?");
    CHECK(!hv_info_has(&hv, HV_CAP_COUNT, NULL));
}

UNIT_MAIN()
