/* KVM back end, VM and vCPU setup: see cpu_kvm.h. The ioctls and structures
 * are those of the Linux KVM API (Documentation/virt/kvm/api.rst); the run
 * loop is in cpu_kvm_run.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/kvm_para.h>

#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/cpu/msi.h"
#include "hostsim/log.h"

#define KVM_API_EXPECTED 12
#define LAPIC_LVT0 0x350 /* Intel SDM vol. 3, local APIC register map */
#define LAPIC_LVT1 0x360
#define LAPIC_DELIVERY_MASK 0x700u
#define LAPIC_DELIVERY_NMI (4u << 8)
#define LAPIC_DELIVERY_EXTINT (7u << 8)

int cpu_kvm_open(struct cpu_kvm *k)
{
    memset(k, 0, sizeof *k);
    k->kvm_fd = k->vm_fd = -1;
    pthread_mutex_init(&k->dev_lock, NULL);
    pthread_mutex_init(&k->end_lock, NULL);
    k->bsp_thread = pthread_self(); /* cpu_kvm_run() runs vCPU 0 in this thread too */

    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0) {
        hs_log("cannot open /dev/kvm: %s", strerror(errno));
        return -1;
    }
    int api = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_EXPECTED) {
        hs_log("/dev/kvm speaks API version %d, hostsim needs %d", api, KVM_API_EXPECTED);
        return -1;
    }
    /* The PVM host (software KVM, module kvm_pvm) never returns from a
     * guest's vmcall; see cpu_kvm_set_cpuid. */
    k->no_vmcall = access("/sys/module/kvm_pvm", F_OK) == 0;
    if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
        hs_debug("KVM lacks KVM_CAP_IMMEDIATE_EXIT: a signal may be noticed one exit late");
    k->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
    if (k->vm_fd < 0) {
        hs_log("KVM_CREATE_VM: %s", strerror(errno));
        return -1;
    }
    int size = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run)) {
        hs_log("KVM_GET_VCPU_MMAP_SIZE: %s", size < 0 ? strerror(errno) : "too small");
        return -1;
    }
    k->run_size = (size_t)size;
    return 0;
}

void cpu_kvm_close(struct cpu_kvm *k)
{
    for (unsigned i = 0; i < k->nvcpus; i++) {
        if (k->vcpu[i].thread_started)
            continue; /* still inside KVM_RUN: the process exit cleans up */
        munmap(k->vcpu[i].run, k->run_size);
        close(k->vcpu[i].fd);
    }
    free(k->supported_cpuid);
    k->supported_cpuid = NULL;
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->kvm_fd >= 0)
        close(k->kvm_fd);
    k->vm_fd = k->kvm_fd = -1;
}

static int vm_ioctl(struct cpu_kvm *k, unsigned long req, unsigned long arg, const char *name)
{
    if (ioctl(k->vm_fd, req, arg) < 0) {
        hs_log("%s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

int cpu_kvm_set_tss_address(struct cpu_kvm *k, uint64_t gpa)
{
    return vm_ioctl(k, KVM_SET_TSS_ADDR, (unsigned long)gpa, "KVM_SET_TSS_ADDR");
}

int cpu_kvm_create_irqchip(struct cpu_kvm *k)
{
    return vm_ioctl(k, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
}

int cpu_kvm_create_pit(struct cpu_kvm *k, uint32_t flags)
{
    struct kvm_pit_config cfg = {.flags = flags};
    return vm_ioctl(k, KVM_CREATE_PIT2, (unsigned long)&cfg, "KVM_CREATE_PIT2");
}

int cpu_kvm_add_ram(struct cpu_kvm *k, uint64_t gpa, uint64_t size)
{
    /* MAP_NORESERVE: a large --mem costs nothing until the guest touches it. */
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED) {
        hs_log("cannot map %llu MiB of guest RAM: %s", (unsigned long long)(size >> 20),
               strerror(errno));
        return -1;
    }
    struct kvm_userspace_memory_region region = {
        .slot = k->slots,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    if (vm_ioctl(k, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region,
                 "KVM_SET_USER_MEMORY_REGION") != 0 ||
        guest_mem_add(&k->mem, gpa, size, host) != 0) {
        munmap(host, size);
        return -1;
    }
    k->slots++;
    return 0;
}

/* struct hs_vcpu_ops over KVM_GET_REGS / KVM_SET_REGS (ctx: the vCPU). */
static int kvm_regs_load(void *ctx, uint64_t regs[HS_NREGS])
{
    struct cpu_kvm_vcpu *v = ctx;
    struct kvm_regs r;
    if (ioctl(v->fd, KVM_GET_REGS, &r) < 0) {
        hs_log("KVM_GET_REGS on vCPU %u: %s", v->index, strerror(errno));
        return -1;
    }
    const uint64_t in[HS_NREGS] = {
        [HS_RAX] = r.rax, [HS_RBX] = r.rbx,       [HS_RCX] = r.rcx, [HS_RDX] = r.rdx,
        [HS_RSI] = r.rsi, [HS_RDI] = r.rdi,       [HS_RSP] = r.rsp, [HS_RBP] = r.rbp,
        [HS_R8] = r.r8,   [HS_R9] = r.r9,         [HS_R10] = r.r10, [HS_R11] = r.r11,
        [HS_R12] = r.r12, [HS_R13] = r.r13,       [HS_R14] = r.r14, [HS_R15] = r.r15,
        [HS_RIP] = r.rip, [HS_RFLAGS] = r.rflags,
    };
    memcpy(regs, in, sizeof in);
    return 0;
}

static int kvm_regs_store(void *ctx, const uint64_t regs[HS_NREGS])
{
    struct cpu_kvm_vcpu *v = ctx;
    struct kvm_regs r = {
        .rax = regs[HS_RAX],
        .rbx = regs[HS_RBX],
        .rcx = regs[HS_RCX],
        .rdx = regs[HS_RDX],
        .rsi = regs[HS_RSI],
        .rdi = regs[HS_RDI],
        .rsp = regs[HS_RSP],
        .rbp = regs[HS_RBP],
        .r8 = regs[HS_R8],
        .r9 = regs[HS_R9],
        .r10 = regs[HS_R10],
        .r11 = regs[HS_R11],
        .r12 = regs[HS_R12],
        .r13 = regs[HS_R13],
        .r14 = regs[HS_R14],
        .r15 = regs[HS_R15],
        .rip = regs[HS_RIP],
        .rflags = regs[HS_RFLAGS],
    };
    if (ioctl(v->fd, KVM_SET_REGS, &r) < 0) {
        hs_log("KVM_SET_REGS on vCPU %u: %s", v->index, strerror(errno));
        return -1;
    }
    return 0;
}

static const struct hs_vcpu_ops kvm_regs_ops = {.load = kvm_regs_load, .store = kvm_regs_store};

int cpu_kvm_create_vcpu(struct cpu_kvm *k)
{
    if (k->nvcpus >= CPU_KVM_MAX_VCPUS) {
        hs_log("at most %d vCPUs", CPU_KVM_MAX_VCPUS);
        return -1;
    }
    unsigned index = k->nvcpus;
    int fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
    if (fd < 0) {
        hs_log("KVM_CREATE_VCPU %u: %s", index, strerror(errno));
        return -1;
    }
    void *run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (run == MAP_FAILED) {
        hs_log("mmap of vCPU %u run area: %s", index, strerror(errno));
        close(fd);
        return -1;
    }
    k->vcpu[index] = (struct cpu_kvm_vcpu){.fd = fd, .index = index, .run = run, .owner = k};
    hs_vcpu_init(&k->vcpu[index].hs, index, &kvm_regs_ops, &k->vcpu[index]);
    k->nvcpus++;
    return 0;
}

static int vcpu_ioctl(struct cpu_kvm *k, unsigned vcpu, unsigned long req, void *arg,
                      const char *name)
{
    if (vcpu >= k->nvcpus) {
        hs_log("%s: no vCPU %u", name, vcpu);
        return -1;
    }
    if (ioctl(k->vcpu[vcpu].fd, req, arg) < 0) {
        hs_log("%s on vCPU %u: %s", name, vcpu, strerror(errno));
        return -1;
    }
    return 0;
}

static int fetch_supported_cpuid(struct cpu_kvm *k)
{
    /* KVM fills at most nent entries and says E2BIG when that is too few. */
    for (unsigned nent = 64; nent <= CPU_KVM_MAX_CPUID; nent *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof *c + nent * sizeof c->entries[0]);
        if (c == NULL)
            return -1;
        c->nent = nent;
        if (ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            k->supported_cpuid = c;
            return 0;
        }
        int err = errno;
        free(c);
        if (err != E2BIG) {
            hs_log("KVM_GET_SUPPORTED_CPUID: %s", strerror(err));
            return -1;
        }
    }
    hs_log("KVM_GET_SUPPORTED_CPUID: more than %d entries", CPU_KVM_MAX_CPUID);
    return -1;
}

int cpu_kvm_set_cpuid(struct cpu_kvm *k, unsigned vcpu, cpu_kvm_cpuid_edit_fn edit, void *ctx)
{
    if (k->supported_cpuid == NULL && fetch_supported_cpuid(k) != 0)
        return -1;
    /* Room for a few entries the model may add (Firecracker adds leaf 0xB.1). */
    unsigned cap = k->supported_cpuid->nent + 16;
    struct kvm_cpuid2 *c = calloc(1, sizeof *c + cap * sizeof c->entries[0]);
    if (c == NULL)
        return -1;
    unsigned n = k->supported_cpuid->nent;
    memcpy(c->entries, k->supported_cpuid->entries, n * sizeof c->entries[0]);
    if (edit != NULL)
        edit(ctx, vcpu, c->entries, &n, cap);
    c->nent = n <= cap ? n : cap;
    /* Where vmcall never returns (the PVM host), a guest that uses KVM's
     * hypercall-based features hangs: Linux sends IPIs with
     * KVM_HC_SEND_IPI as soon as it has two CPUs, kicks halted vCPUs with
     * KVM_HC_KICK_CPU and yields with KVM_HC_SCHED_YIELD (Linux
     * Documentation/virt/kvm/x86/cpuid.rst, hypercalls.rst). Those three
     * bits are withdrawn from leaf 0x40000001 there; on hardware KVM the
     * guest sees what the model set. Only while leaf 0x40000000 is KVM's:
     * a model that puts another hypervisor's leaves there (Hyper-V's "Hv#1"
     * in 0x40000001 EAX, whose bit 13 is set) keeps them whole. */
    bool kvm_leaves = false;
    for (unsigned i = 0; i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == KVM_CPUID_SIGNATURE && e->ebx == 0x4B4D564Bu /* "KVMK" */ &&
            e->ecx == 0x564B4D56u /* "VMKV" */ && e->edx == 0x4Du /* "M\0\0\0" */)
            kvm_leaves = true;
    }
    for (unsigned i = 0; k->no_vmcall && kvm_leaves && i < c->nent; i++) {
        if (c->entries[i].function == KVM_CPUID_FEATURES) {
            uint32_t hide = (1u << KVM_FEATURE_PV_UNHALT) | (1u << KVM_FEATURE_PV_SEND_IPI) |
                            (1u << KVM_FEATURE_PV_SCHED_YIELD);
            if ((c->entries[i].eax & hide) && vcpu == 0)
                hs_debug("PVM host: vmcall never returns, so KVM's PV_UNHALT, PV_SEND_IPI and "
                         "PV_SCHED_YIELD are withdrawn from CPUID 0x40000001");
            c->entries[i].eax &= ~hide;
        }
    }
    int rc = vcpu_ioctl(k, vcpu, KVM_SET_CPUID2, c, "KVM_SET_CPUID2");
    free(c);
    return rc;
}

int cpu_kvm_set_msrs(struct cpu_kvm *k, unsigned vcpu, const struct cpu_kvm_msr *msrs, unsigned n)
{
    struct kvm_msrs *m = calloc(1, sizeof *m + n * sizeof m->entries[0]);
    if (m == NULL)
        return -1;
    m->nmsrs = n;
    for (unsigned i = 0; i < n; i++) {
        m->entries[i].index = msrs[i].index;
        m->entries[i].data = msrs[i].value;
    }
    /* KVM_SET_MSRS returns how many it set, stopping at the first it refuses. */
    int done = vcpu < k->nvcpus ? ioctl(k->vcpu[vcpu].fd, KVM_SET_MSRS, m) : -1;
    free(m);
    if (done < 0) {
        hs_log("KVM_SET_MSRS on vCPU %u: %s", vcpu, strerror(errno));
        return -1;
    }
    if ((unsigned)done != n) {
        hs_log("KVM_SET_MSRS on vCPU %u: KVM refused MSR 0x%x", vcpu, msrs[done].index);
        return -1;
    }
    return 0;
}

int cpu_kvm_get_msr(struct cpu_kvm *k, unsigned vcpu, uint32_t index, uint64_t *value)
{
    struct {
        struct kvm_msrs head;
        struct kvm_msr_entry entry;
    } m;
    memset(&m, 0, sizeof m);
    m.head.nmsrs = 1;
    m.entry.index = index;
    /* KVM_GET_MSRS returns how many it read. */
    if (vcpu >= k->nvcpus || ioctl(k->vcpu[vcpu].fd, KVM_GET_MSRS, &m) != 1) {
        hs_log("KVM_GET_MSRS 0x%x on vCPU %u failed", index, vcpu);
        return -1;
    }
    *value = m.entry.data;
    return 0;
}

uint64_t cpu_kvm_tsc_hz(struct cpu_kvm *k, unsigned vcpu)
{
    int khz = vcpu < k->nvcpus ? ioctl(k->vcpu[vcpu].fd, KVM_GET_TSC_KHZ, 0) : -1;
    if (khz <= 0) {
        hs_log("KVM_GET_TSC_KHZ on vCPU %u: %s", vcpu, khz < 0 ? strerror(errno) : "0 kHz");
        return 0;
    }
    return (uint64_t)khz * 1000u;
}

int cpu_kvm_set_lint(struct cpu_kvm *k, unsigned vcpu)
{
    struct kvm_lapic_state lapic;
    if (vcpu_ioctl(k, vcpu, KVM_GET_LAPIC, &lapic, "KVM_GET_LAPIC") != 0)
        return -1;
    uint32_t lvt0, lvt1;
    memcpy(&lvt0, lapic.regs + LAPIC_LVT0, 4);
    memcpy(&lvt1, lapic.regs + LAPIC_LVT1, 4);
    lvt0 = (lvt0 & ~LAPIC_DELIVERY_MASK) | LAPIC_DELIVERY_EXTINT;
    lvt1 = (lvt1 & ~LAPIC_DELIVERY_MASK) | LAPIC_DELIVERY_NMI;
    memcpy(lapic.regs + LAPIC_LVT0, &lvt0, 4);
    memcpy(lapic.regs + LAPIC_LVT1, &lvt1, 4);
    return vcpu_ioctl(k, vcpu, KVM_SET_LAPIC, &lapic, "KVM_SET_LAPIC");
}

int cpu_kvm_set_fpu(struct cpu_kvm *k, unsigned vcpu, uint16_t fcw, uint32_t mxcsr)
{
    struct kvm_fpu fpu;
    memset(&fpu, 0, sizeof fpu);
    fpu.fcw = fcw;
    fpu.mxcsr = mxcsr;
    return vcpu_ioctl(k, vcpu, KVM_SET_FPU, &fpu, "KVM_SET_FPU");
}

int cpu_kvm_get_sregs(struct cpu_kvm *k, unsigned vcpu, struct kvm_sregs *s)
{
    return vcpu_ioctl(k, vcpu, KVM_GET_SREGS, s, "KVM_GET_SREGS");
}

int cpu_kvm_set_sregs(struct cpu_kvm *k, unsigned vcpu, const struct kvm_sregs *s)
{
    return vcpu_ioctl(k, vcpu, KVM_SET_SREGS, (void *)s, "KVM_SET_SREGS");
}

int cpu_kvm_set_regs(struct cpu_kvm *k, unsigned vcpu, const struct kvm_regs *r)
{
    return vcpu_ioctl(k, vcpu, KVM_SET_REGS, (void *)r, "KVM_SET_REGS");
}

int cpu_kvm_get_regs(struct cpu_kvm *k, unsigned vcpu, struct kvm_regs *r)
{
    return vcpu_ioctl(k, vcpu, KVM_GET_REGS, r, "KVM_GET_REGS");
}

int cpu_kvm_get_mp_state(struct cpu_kvm *k, unsigned vcpu, uint32_t *state)
{
    struct kvm_mp_state mp;
    if (vcpu_ioctl(k, vcpu, KVM_GET_MP_STATE, &mp, "KVM_GET_MP_STATE") != 0)
        return -1;
    *state = mp.mp_state;
    return 0;
}

int cpu_kvm_set_mp_state(struct cpu_kvm *k, unsigned vcpu, uint32_t state)
{
    struct kvm_mp_state mp = {.mp_state = state};
    return vcpu_ioctl(k, vcpu, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE");
}

const char *cpu_kvm_mp_state_name(uint32_t state)
{
    switch (state) {
    case KVM_MP_STATE_RUNNABLE:
        return "runnable";
    case KVM_MP_STATE_UNINITIALIZED:
        return "uninitialized (waiting for INIT/SIPI)";
    case KVM_MP_STATE_INIT_RECEIVED:
        return "INIT received (waiting for SIPI)";
    case KVM_MP_STATE_HALTED:
        return "halted";
    case KVM_MP_STATE_SIPI_RECEIVED:
        return "SIPI received";
    default:
        return "other";
    }
}

void cpu_kvm_irq_pulse(struct cpu_kvm *k, unsigned gsi)
{
    struct kvm_irq_level line = {.irq = gsi, .level = 1};
    if (ioctl(k->vm_fd, KVM_IRQ_LINE, &line) == 0) {
        line.level = 0;
        if (ioctl(k->vm_fd, KVM_IRQ_LINE, &line) == 0)
            return;
    }
    hs_log("KVM_IRQ_LINE %u: %s", gsi, strerror(errno));
}

int cpu_kvm_ioeventfd(struct cpu_kvm *k, uint64_t addr, unsigned len, uint64_t datamatch, int fd,
                      int assign)
{
    struct kvm_ioeventfd e = {
        .datamatch = datamatch,
        .addr = addr,
        .len = len,
        .fd = fd,
        .flags = KVM_IOEVENTFD_FLAG_DATAMATCH | (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
    };
    return ioctl(k->vm_fd, KVM_IOEVENTFD, &e) == 0 ? 0 : -1;
}

int cpu_kvm_signal_msi(struct cpu_kvm *k, uint32_t apic_id, unsigned vector)
{
    struct msi_message m;
    if (msi_compose(apic_id, vector, &m) != 0) {
        hs_log("no MSI for APIC id %u vector %u (ids 0-255, vectors 16-255)", apic_id, vector);
        return -1;
    }
    struct kvm_msi msi = {.address_lo = m.address_lo, .address_hi = m.address_hi, .data = m.data};
    int rc = ioctl(k->vm_fd, KVM_SIGNAL_MSI, &msi);
    if (rc < 0) {
        hs_log("KVM_SIGNAL_MSI to APIC id %u vector %u: %s", apic_id, vector, strerror(errno));
        return -1;
    }
    return rc > 0 ? 1 : 0;
}

int cpu_kvm_arm_msr_exits(struct cpu_kvm *k)
{
    if (k->msr.count == 0)
        return 0;
    if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
        ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0) {
        hs_log("this KVM cannot hand MSR accesses to user space (KVM_CAP_X86_USER_SPACE_MSR, "
               "KVM_CAP_X86_MSR_FILTER); the model's MSRs need it");
        return -1;
    }
    /* FILTER: the MSRs denied below exit to us even where KVM knows them.
     * UNKNOWN: so do MSRs KVM does not emulate at all (the Hyper-V ones when
     * KVM_CAP_HYPERV is off: measured on the PVM host). */
    struct kvm_enable_cap cap = {
        .cap = KVM_CAP_X86_USER_SPACE_MSR,
        .args = {KVM_MSR_EXIT_REASON_FILTER | KVM_MSR_EXIT_REASON_UNKNOWN},
    };
    if (vm_ioctl(k, KVM_ENABLE_CAP, (unsigned long)&cap, "KVM_ENABLE_CAP USER_SPACE_MSR") != 0)
        return -1;

    /* Default allow; each claimed range denied (bitmap bit 0 = deny), so
     * KVM's handling of every other MSR is unchanged. */
    struct kvm_msr_filter filter;
    memset(&filter, 0, sizeof filter);
    filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    uint8_t *bitmaps[MSRBUS_MAX_RANGES] = {NULL};
    int rc = -1;
    for (unsigned i = 0; i < k->msr.count && i < KVM_MSR_FILTER_MAX_RANGES; i++) {
        const struct msrbus_range *r = &k->msr.range[i];
        bitmaps[i] = calloc(1, ((size_t)r->count + 7) / 8);
        if (bitmaps[i] == NULL)
            goto out;
        filter.ranges[i] = (struct kvm_msr_filter_range){
            .flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
            .nmsrs = r->count,
            .base = r->first,
            .bitmap = bitmaps[i],
        };
    }
    rc = vm_ioctl(k, KVM_X86_SET_MSR_FILTER, (unsigned long)&filter, "KVM_X86_SET_MSR_FILTER");
out:
    for (unsigned i = 0; i < MSRBUS_MAX_RANGES; i++)
        free(bitmaps[i]);
    return rc;
}
