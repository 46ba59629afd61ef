/* The partition on KVM: see partition_kvm.h. */
#include "hostsim/hyperv/partition_kvm.h"
#include "hostsim/hyperv/layout.h"
#include "hostsim/log.h"

#define MSR_IA32_TSC 0x10
/* KVM's emulated LAPIC timer counts at 1 GHz (arch/x86/kvm/lapic.c:
 * APIC_BUS_CYCLE_NS 1), which is what APIC_FREQUENCY reports. */
#define KVM_APIC_HZ 1000000000ull

static struct cpu_kvm *kvm_of(void *ctx)
{
    return ctx;
}

static uint64_t guest_tsc(void *ctx, unsigned vp)
{
    uint64_t tsc = 0;
    cpu_kvm_get_msr(kvm_of(ctx), vp, MSR_IA32_TSC, &tsc);
    return tsc;
}

static void interrupt(void *ctx, unsigned vp, unsigned vector)
{
    if (cpu_kvm_signal_msi(kvm_of(ctx), vp, vector) == 0)
        hs_debug("hyperv: vector %u to vCPU %u blocked (its LAPIC is disabled)", vector, vp);
}

static int msr_read(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t *value)
{
    return hvhost_msr_read(ctx, hs_vcpu_index(vcpu), msr, value);
}

static int msr_write(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t value)
{
    int rc = hvhost_msr_write(ctx, hs_vcpu_index(vcpu), msr, value);
    if (rc != 0)
        hs_debug("hyperv: wrmsr 0x%x <- 0x%llx on vCPU %u refused: #GP", msr,
                 (unsigned long long)value, hs_vcpu_index(vcpu));
    return rc;
}

/* The hypercall page's `out imm8, al`: one byte; the registers carry the
 * call. */
static void hypercall_port(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                           unsigned size)
{
    (void)data;
    if (vcpu == NULL || offset != 0 || size != 1) {
        hs_log("hyperv: a %u-byte write to the hypercall port 0x%x is not the hypercall "
               "page's `out imm8, al`: ignored",
               size, HVM_HYPERCALL_PORT);
        return;
    }
    uint64_t rcx = hs_vcpu_get(vcpu, HS_RCX);
    uint64_t rdx = hs_vcpu_get(vcpu, HS_RDX);
    uint64_t r8 = hs_vcpu_get(vcpu, HS_R8);
    uint64_t rax = hvhost_hypercall(ctx, hs_vcpu_index(vcpu), rcx, rdx, r8);
    if (rax & 0xFFFF)
        hs_debug("hyperv: hypercall 0x%llx (RDX 0x%llx) on vCPU %u: status 0x%llx",
                 (unsigned long long)rcx, (unsigned long long)rdx, hs_vcpu_index(vcpu),
                 (unsigned long long)(rax & 0xFFFF));
    hs_vcpu_set(vcpu, HS_RAX, rax);
}

int hvhost_partition_attach(struct hvhost_partition *p, struct cpu_kvm *k)
{
    uint64_t tsc_hz = cpu_kvm_tsc_hz(k, 0);
    struct hvhost_env env = {.guest_tsc = guest_tsc, .interrupt = interrupt, .ctx = k};
    if (tsc_hz == 0 || hvhost_partition_init(p, &k->mem, k->nvcpus, tsc_hz, KVM_APIC_HZ, &env)) {
        hs_log("hyperv: cannot set up the partition (%u vCPUs, TSC %llu Hz)", k->nvcpus,
               (unsigned long long)tsc_hz);
        return -1;
    }
    if (msrbus_add(&k->msr, HVHOST_MSR_FIRST, HVHOST_MSR_COUNT, "hyper-v synthetic MSRs", msr_read,
                   msr_write, p) != 0 ||
        iobus_add(&k->pio, HVM_HYPERCALL_PORT, 1, "hyper-v hypercall", NULL, hypercall_port, p) !=
            0)
        return -1;
    hs_debug("hyperv: TSC %llu Hz, reference TSC scale 0x%016llx, hypercall port 0x%x",
             (unsigned long long)tsc_hz, (unsigned long long)p->tsc_scale, HVM_HYPERCALL_PORT);
    return 0;
}
