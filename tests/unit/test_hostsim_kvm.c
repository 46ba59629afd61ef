/* hostsim's CPU back end on the real KVM API (/dev/kvm) with a tiny 64-bit
 * guest, the few exits a Hyper-V model needs, each observed from both sides:
 *   - wrmsr/rdmsr of 0x40000000 and 0x40000001 exit to user space through
 *     the MSR bus (KVM_CAP_X86_USER_SPACE_MSR, KVM_X86_SET_MSR_FILTER); the
 *     value the host answers is what the guest's rdmsr returns;
 *   - a hypercall that traps with `out`: the port handler reads RCX, RDX, R8
 *     of the calling vCPU and sets RAX, which the guest then reports;
 *   - KVM_SIGNAL_MSI with vector 0x40 to APIC id 0 runs the guest's IDT
 *     handler for that vector;
 *   - fwait and int3 go on as on a CPU (the #BP handler runs and returns
 *     past the int3), also where KVM's emulator refuses them (cpu/assist.h).
 * The guest runs a few dozen instructions (the PVM emulator here is slow).
 * Links: hostsim/cpu/{cpu_kvm,cpu_kvm_run,iobus,msrbus,vcpu,msi}.c
 *        hostsim/firecracker/{boot_linux,boot_gdt}.c hostsim/boot/zero_page.c
 *        hostsim/guest_mem.c hostsim/log.c */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tests/unit/unit.h"

#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/firecracker/boot.h"

#define RAM_SIZE (2ull << 20)
#define CODE_GPA 0x10000ull
#define IDT_GPA 0x20000ull
#define VECTOR 0x40
#define PORT_HYPERCALL 0xE0
#define PORT_REPORT 0x510
#define PORT_INJECT 0x520
#define PORT_HANDLER 0x530
#define PORT_BP 0xE4
#define MSR_GUEST_OS_ID 0x40000000u
#define MSR_HYPERCALL 0x40000001u

/* The guest: 64-bit code, copied to CODE_GPA. The host sees each step. */
__asm__(".pushsection .rodata.hostsim_guest, \"a\"\n"
        ".code64\n"
        "guest_start:\n"
        "  mov $0x40000000, %ecx\n" /* GUEST_OS_ID <- 0x81000000_00060100 */
        "  mov $0x00060100, %eax\n"
        "  mov $0x81000000, %edx\n"
        "  wrmsr\n"
        "  mov $0x40000001, %ecx\n" /* HYPERCALL <- page 0x3000, enable */
        "  mov $0x3001, %eax\n"
        "  xor %edx, %edx\n"
        "  wrmsr\n"
        "  rdmsr\n" /* the host answers what it stored */
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "  fwait\n"
        "  int3\n" /* #BP: the handler reports and returns here */
        "  mov $0x510, %dx\n"
        "  mov $0xb0b0, %eax\n"
        "  out %eax, %dx\n"
        "  mov $0x5c, %ecx\n" /* a hypercall: control, input GPA, output GPA */
        "  mov $0x1000, %edx\n"
        "  mov $0x2000, %r8d\n"
        "  xor %eax, %eax\n"
        "  out %al, $0xe0\n" /* RDX holds the input GPA, so the port is immediate */
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n" /* RAX as the host set it */
        "  sti\n"
        "  mov $0x520, %dx\n"
        "  out %al, %dx\n" /* the host sends vector 0x40 during this exit */
        "1:\n"
        "  hlt\n"
        "  jmp 1b\n"
        "guest_bp_handler:\n"
        "  out %al, $0xe4\n"
        "  iretq\n"
        "guest_handler:\n"
        "  mov $0x530, %dx\n"
        "  out %al, %dx\n"
        "  hlt\n"
        "guest_end:\n"
        ".popsection\n");
extern const uint8_t guest_start[], guest_bp_handler[], guest_handler[], guest_end[];

struct observed {
    uint64_t os_id, hypercall_msr;
    unsigned msr_reads, msr_writes;
    uint32_t reports[4];
    unsigned nreports;
    uint64_t rcx, rdx, r8;
    unsigned hypercalls;
    int msi_rc;
    unsigned handler_vcpu;
    int handler_ran;
    unsigned breakpoints;
    struct cpu_kvm *k;
};
static struct observed seen;
static struct cpu_kvm kvm;

static int msr_read(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t *value)
{
    struct observed *o = ctx;
    (void)vcpu;
    o->msr_reads++;
    *value = msr == MSR_GUEST_OS_ID ? o->os_id : o->hypercall_msr;
    return 0;
}

static int msr_write(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t value)
{
    struct observed *o = ctx;
    (void)vcpu;
    o->msr_writes++;
    if (msr == MSR_GUEST_OS_ID)
        o->os_id = value;
    else
        o->hypercall_msr = value;
    return 0;
}

static void hypercall(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                      unsigned size)
{
    struct observed *o = ctx;
    (void)offset;
    (void)data;
    (void)size;
    o->hypercalls++;
    o->rcx = hs_vcpu_get(vcpu, HS_RCX);
    o->rdx = hs_vcpu_get(vcpu, HS_RDX);
    o->r8 = hs_vcpu_get(vcpu, HS_R8);
    hs_vcpu_set(vcpu, HS_RAX, o->rcx + o->rdx + o->r8);
}

static void report(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                   unsigned size)
{
    struct observed *o = ctx;
    (void)vcpu;
    (void)offset;
    uint32_t v = 0;
    memcpy(&v, data, size < 4 ? size : 4);
    if (o->nreports < 4)
        o->reports[o->nreports++] = v;
}

static void inject(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                   unsigned size)
{
    struct observed *o = ctx;
    (void)vcpu;
    (void)offset;
    (void)data;
    (void)size;
    o->msi_rc = cpu_kvm_signal_msi(o->k, 0, VECTOR);
}

static void handler_reached(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                            unsigned size)
{
    struct observed *o = ctx;
    (void)offset;
    (void)data;
    (void)size;
    o->handler_ran = 1;
    o->handler_vcpu = hs_vcpu_index(vcpu);
    vm_stop_request(&o->k->stop, 0, "the guest's vector 0x40 handler ran");
}

static void breakpoint(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                       unsigned size)
{
    struct observed *o = ctx;
    (void)vcpu;
    (void)offset;
    (void)data;
    (void)size;
    o->breakpoints++;
}

/* A 64-bit interrupt gate (Intel SDM vol. 3A, 6.14.1): selector 0x08, DPL 0,
 * present, type 0xE. */
static void write_gate(uint8_t *ram, unsigned vector, uint64_t target)
{
    uint8_t *g = ram + IDT_GPA + 16 * vector;
    memset(g, 0, 16);
    g[0] = (uint8_t)target;
    g[1] = (uint8_t)(target >> 8);
    g[2] = 0x08;
    g[5] = 0x8E;
    g[6] = (uint8_t)(target >> 16);
    g[7] = (uint8_t)(target >> 24);
    for (int i = 0; i < 4; i++)
        g[8 + i] = (uint8_t)(target >> (32 + 8 * i));
}

static int enable_lapic(struct cpu_kvm *k)
{
    struct kvm_lapic_state lapic;
    if (ioctl(k->vcpu[0].fd, KVM_GET_LAPIC, &lapic) != 0)
        return -1;
    uint32_t svr = 0x1FF; /* APIC software enable (bit 8), spurious vector 0xFF */
    memcpy(lapic.regs + 0xF0, &svr, 4);
    return ioctl(k->vcpu[0].fd, KVM_SET_LAPIC, &lapic);
}

TEST(guest_msrs_hypercall_port_and_msi)
{
    int probe = open("/dev/kvm", O_RDWR);
    CHECK(probe >= 0); /* the test host needs KVM, as every hostsim boot does */
    close(probe);
    struct cpu_kvm *k = &kvm;
    seen.k = k;
    CHECK_EQ(cpu_kvm_open(k), 0);
    CHECK_EQ(cpu_kvm_create_irqchip(k), 0);
    CHECK_EQ(cpu_kvm_add_ram(k, 0, RAM_SIZE), 0);
    uint8_t *ram = guest_mem_ptr(&k->mem, 0, RAM_SIZE);
    CHECK(ram != NULL);
    size_t code = (size_t)(guest_end - guest_start);
    memcpy(ram + CODE_GPA, guest_start, code);
    write_gate(ram, VECTOR, CODE_GPA + (uint64_t)(guest_handler - guest_start));
    write_gate(ram, 3, CODE_GPA + (uint64_t)(guest_bp_handler - guest_start));

    CHECK_EQ(msrbus_add(&k->msr, MSR_GUEST_OS_ID, 2, "hv", msr_read, msr_write, &seen), 0);
    CHECK_EQ(iobus_add(&k->pio, PORT_HYPERCALL, 1, "hypercall", NULL, hypercall, &seen), 0);
    CHECK_EQ(iobus_add(&k->pio, PORT_REPORT, 4, "report", NULL, report, &seen), 0);
    CHECK_EQ(iobus_add(&k->pio, PORT_INJECT, 1, "inject", NULL, inject, &seen), 0);
    CHECK_EQ(iobus_add(&k->pio, PORT_HANDLER, 1, "handler", NULL, handler_reached, &seen), 0);
    CHECK_EQ(iobus_add(&k->pio, PORT_BP, 1, "breakpoint", NULL, breakpoint, &seen), 0);

    CHECK_EQ(cpu_kvm_create_vcpu(k), 0);
    struct e820_entry map[1] = {{0, RAM_SIZE, E820_RAM}};
    CHECK_EQ(fc_boot_write_gdt(&k->mem, FC_BOOT_LINUX), 0);
    struct fc_initrd none = {0, 0};
    CHECK_EQ(fc_boot_linux_write(&k->mem, map, 1, 1, &none), 0);
    CHECK_EQ(fc_boot_linux_vcpu(k, 0, CODE_GPA), 0);
    struct kvm_sregs s;
    CHECK_EQ(cpu_kvm_get_sregs(k, 0, &s), 0);
    s.idt.base = IDT_GPA;
    s.idt.limit = 256 * 16 - 1;
    CHECK_EQ(cpu_kvm_set_sregs(k, 0, &s), 0);
    CHECK_EQ(enable_lapic(k), 0);
    CHECK_EQ(cpu_kvm_arm_msr_exits(k), 0);
    CHECK_EQ(cpu_kvm_catch_signals(), 0);

    alarm(60); /* a hang ends the run with a signal, and the test fails */
    struct cpu_kvm_end_info end;
    cpu_kvm_run(k, &end);
    alarm(0);
    if (end.kind != CPU_KVM_END_STOP)
        printf("# run ended: %s\n", end.text);
    CHECK_EQ(end.kind, CPU_KVM_END_STOP);

    /* MSRs: both writes reached the bus, the read returned the stored value. */
    CHECK_EQ(seen.msr_writes, 2u);
    CHECK_EQ(seen.msr_reads, 1u);
    CHECK_EQ(seen.os_id, 0x8100000000060100ull);
    CHECK_EQ(seen.hypercall_msr, 0x3001u);
    CHECK_EQ(seen.nreports, 3u);
    CHECK_EQ(seen.reports[0], 0x3001u);
    /* fwait went on; int3 ran the #BP handler once, which returned after it. */
    CHECK_EQ(seen.breakpoints, 1u);
    CHECK_EQ(seen.reports[1], 0xB0B0u);
    /* The hypercall: registers read from the vCPU, RAX written back. */
    CHECK_EQ(seen.hypercalls, 1u);
    CHECK_EQ(seen.rcx, 0x5Cu);
    CHECK_EQ(seen.rdx, 0x1000u);
    CHECK_EQ(seen.r8, 0x2000u);
    CHECK_EQ(seen.reports[2], 0x305Cu);
    /* The MSI: delivered, and the guest's handler for that vector ran. */
    CHECK_EQ(seen.msi_rc, 1);
    CHECK(seen.handler_ran);
    CHECK_EQ(seen.handler_vcpu, 0u);
    printf("# %lu instructions completed by hostsim (cpu/assist.c; 0 on hardware KVM)\n",
           k->assisted);
    cpu_kvm_close(k);
}

UNIT_MAIN()
