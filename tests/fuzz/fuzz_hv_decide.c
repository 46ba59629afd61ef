/* libFuzzer harness: hv_decide (hv/hv_decide.c) on arbitrary CPUID tables.
 * Input:
 *   byte 0      bit 0: the VMware backdoor answers; bit 1: CPUID.1 says a
 *               hypervisor is present (ECX bit 31)
 *   bytes 1-    the hypervisor leaves, 16 bytes (EAX, EBX, ECX, EDX) each,
 *               in the order base + 0, base + 1, base + 3, base + 0x10 for
 *               each of the HV_SCAN_BASES bases; missing bytes read as 0
 * Everything hv_decide reports must follow from the table: signatures are
 * printable, at their base, with a highest leaf in their range; the identity
 * is one of them; each capability holds only where its leaves say so; the
 * backdoor is tried at most once and only under VMware, KVM or TCG; the
 * banner texts are terminated and bounded; and the same table decides the
 * same way twice.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hv_decide.c hv/hv_decide.c hv/vmware_backdoor.c */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv.h"

struct table {
    const uint8_t *data;
    size_t size;
    bool present, answers;
    int backdoor_calls;
};

static const uint32_t offsets[4] = {0, 1, 3, 0x10};

static uint32_t word(const struct table *t, size_t at)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        if (at + i < t->size)
            v |= (uint32_t)t->data[at + i] << (8 * i);
    return v;
}

static struct hv_regs table_cpuid(void *ctx, uint32_t leaf)
{
    const struct table *t = ctx;
    if (leaf == 1)
        return (struct hv_regs){0, 0, t->present ? 0x80000000u : 0, 0};
    if (leaf < HV_LEAF_FIRST)
        return (struct hv_regs){0, 0, 0, 0};
    uint32_t slot = (leaf - HV_LEAF_FIRST) / HV_LEAF_STRIDE, off = (leaf - HV_LEAF_FIRST) % 0x100;
    if (slot >= HV_SCAN_BASES)
        abort(); /* hv_decide reads only the bases it scans */
    for (unsigned k = 0; k < 4; k++) {
        if (offsets[k] != off)
            continue;
        size_t at = 1 + ((size_t)slot * 4 + k) * 16;
        return (struct hv_regs){word(t, at), word(t, at + 4), word(t, at + 8), word(t, at + 12)};
    }
    return (struct hv_regs){0, 0, 0, 0};
}

/* A backdoor that answers GETVERSION with version 6 (QEMU's vmport) when
 * the table says so; otherwise the port gives all ones. */
static void table_backdoor(void *ctx, struct hv_backdoor_regs *r)
{
    struct table *t = ctx;
    t->backdoor_calls++;
    if (t->answers && r->eax == 0x564D5868u && r->ecx == 10) {
        r->eax = 6;
        r->ebx = 0x564D5868u;
        r->ecx = 2;
        return;
    }
    r->eax = 0xFFFFFFFFu;
}

static void check_sig(const struct table *t, const struct hv_signature *s)
{
    if (s->base < HV_LEAF_FIRST || (s->base - HV_LEAF_FIRST) % HV_LEAF_STRIDE != 0 ||
        (s->base - HV_LEAF_FIRST) / HV_LEAF_STRIDE >= HV_SCAN_BASES)
        abort();
    if (s->max_leaf < s->base || s->max_leaf >= s->base + HV_LEAF_STRIDE)
        abort();
    size_t n = strnlen(s->name, sizeof s->name);
    if (n == 0 || n > 12)
        abort();
    for (size_t i = 0; i < n; i++)
        if (s->name[i] < 0x20 || s->name[i] > 0x7e)
            abort();
    struct hv_regs r = table_cpuid((void *)t, s->base);
    char raw[12];
    memcpy(raw, &r.ebx, 4);
    memcpy(raw + 4, &r.ecx, 4);
    memcpy(raw + 8, &r.edx, 4);
    if (memcmp(raw, s->name, n) != 0)
        abort();
    for (size_t i = n; i < 12; i++)
        if (raw[i] != '\0')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct table t = {data, size, (data[0] & 2) != 0, (data[0] & 1) != 0, 0};
    struct hv_info hv;
    hv_decide(&hv, table_cpuid, table_backdoor, &t);

    if (hv.present != t.present || hv.nsigs > HV_MAX_SIGNATURES || t.backdoor_calls > 1)
        abort();
    if (!hv.present && (hv.kind != HV_NONE || hv.nsigs != 0 || hv.caps != 0 || t.backdoor_calls))
        abort();
    for (unsigned i = 0; i < hv.nsigs; i++) {
        check_sig(&t, &hv.sig[i]);
        if (i > 0 && hv.sig[i].base <= hv.sig[i - 1].base)
            abort();
    }
    if (hv.nsigs > 0 && (hv.identity >= hv.nsigs || hv.kind != hv.sig[hv.identity].kind))
        abort();
    if (hv.present && hv.nsigs == 0 && hv.kind != HV_OTHER)
        abort();
    if (t.backdoor_calls && hv.kind != HV_VMWARE && hv.kind != HV_KVM && hv.kind != HV_TCG)
        abort();
    if (hv_info_has(&hv, HV_CAP_VMWARE_BACKDOOR, NULL) != (t.backdoor_calls && t.answers))
        abort();
    if (hv_info_has(&hv, HV_CAP_VMWARE_BACKDOOR, NULL) &&
        (hv.backdoor_version != 6 || hv.backdoor_type != 2))
        abort();

    uint32_t base;
    if (hv_info_has(&hv, HV_CAP_KVMCLOCK, &base)) {
        bool kvm_there = false;
        for (unsigned i = 0; i < hv.nsigs; i++)
            kvm_there |= hv.sig[i].base == base && hv.sig[i].kind == HV_KVM;
        if (!kvm_there || !(table_cpuid(&t, base + 1).eax & (1u << 3)))
            abort();
    }
    if (hv_info_has(&hv, HV_CAP_TSC_LEAF, &base)) {
        const struct hv_signature *id = &hv.sig[hv.identity];
        if (hv.nsigs == 0 || id->base != base || id->max_leaf < base + 0x10 ||
            (id->kind != HV_VMWARE && id->kind != HV_KVM) || table_cpuid(&t, base + 0x10).eax == 0)
            abort();
    }
    bool hyperv = hv_info_has(&hv, HV_CAP_HYPERV_HYPERCALL, &base);
    if (hyperv && (base != HV_LEAF_FIRST || table_cpuid(&t, HV_LEAF_FIRST + 1).eax != 0x31237648u ||
                   !(table_cpuid(&t, HV_LEAF_FIRST + 3).eax & (1u << 5)) ||
                   table_cpuid(&t, HV_LEAF_FIRST).eax < 0x40000005u))
        abort();
    if (!hyperv && (hv_info_has(&hv, HV_CAP_HYPERV_SYNIC, NULL) ||
                    hv_info_has(&hv, HV_CAP_HYPERV_REF_TSC, NULL)))
        abort();

    char a[160], b[24];
    hv_format_identity(&hv, a, sizeof a);
    hv_format_identity(&hv, b, sizeof b);
    if (strnlen(a, sizeof a) == sizeof a || strnlen(b, sizeof b) == sizeof b ||
        strncmp(a, b, strlen(b)) != 0)
        abort();
    hv_format_caps(&hv, a, sizeof a);
    if (strnlen(a, sizeof a) == sizeof a || a[0] == '\0')
        abort();

    struct table again = {data, size, t.present, t.answers, 0};
    struct hv_info hv2;
    hv_decide(&hv2, table_cpuid, table_backdoor, &again);
    if (hv2.kind != hv.kind || hv2.caps != hv.caps || hv2.nsigs != hv.nsigs ||
        again.backdoor_calls != t.backdoor_calls)
        abort();
    return 0;
}
