/* hostsim's Hyper-V partition on the real KVM API (/dev/kvm): a tiny 64-bit
 * guest does what a Hyper-V guest does first, and each step is observed from
 * both sides through hvhost_partition_attach (hostsim/hyperv/
 * partition_kvm.c):
 *   - wrmsr GUEST_OS_ID, HYPERCALL (page 0x3000), SIMP, SIEFP, SINT2
 *     (vector 0x40), SCONTROL reach the partition through the MSR bus;
 *     rdmsr VP_INDEX answers 0; wrmsr VP_INDEX takes #GP (the guest's #GP
 *     handler reports and skips the instruction);
 *   - the guest CALLs the hypercall page hostsim wrote: HvPostMessage in
 *     memory form reaches the port with its payload and returns status 0;
 *     an unknown call code returns 2; HvSignalEvent in fast form returns 0;
 *   - the port's event handler answers with a SynIC message and an event
 *     flag for SINT2: the guest's vector 0x40 handler finds message type 1
 *     in slot 2 of its SIM page and flag 9 set in its SIEF page.
 * The guest runs about a hundred instructions (the PVM emulator is slow).
 * Links: hostsim/cpu/{cpu_kvm,cpu_kvm_run,iobus,msrbus,vcpu,msi}.c
 *        hostsim/hyperv/{partition,partition_kvm,synthetic_msrs,hypercall,
 *        synic}.c hostsim/firecracker/{boot_linux,boot_gdt}.c
 *        hostsim/boot/zero_page.c hostsim/guest_mem.c hostsim/log.c */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tests/unit/unit.h"

#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/firecracker/boot.h"
#include "hostsim/hyperv/partition_kvm.h"

#define RAM_SIZE (2ull << 20)
#define CODE_GPA 0x10000ull
#define IDT_GPA 0x20000ull
#define SIMP_GPA 0x4000ull
#define SIEFP_GPA 0x5000ull
#define INPUT_GPA 0x6000ull
#define VECTOR 0x40
#define PORT_REPORT 0x510
#define PORT_DONE 0x530

__asm__(".pushsection .rodata.hostsim_hv_guest, \"a\"\n"
        ".code64\n"
        "hv_guest_start:\n"
        "  mov $0x40000000, %ecx\n" /* GUEST_OS_ID */
        "  mov $0x00060100, %eax\n"
        "  mov $0x81000000, %edx\n"
        "  wrmsr\n"
        "  mov $0x40000001, %ecx\n" /* HYPERCALL: page 0x3000, enable */
        "  mov $0x3001, %eax\n"
        "  xor %edx, %edx\n"
        "  wrmsr\n"
        "  mov $0x40000083, %ecx\n" /* SIMP */
        "  mov $0x4001, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000082, %ecx\n" /* SIEFP */
        "  mov $0x5001, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000092, %ecx\n" /* SINT2: vector 0x40, unmasked */
        "  mov $0x40, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000080, %ecx\n" /* SCONTROL: enable */
        "  mov $1, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000002, %ecx\n" /* VP_INDEX: read, report */
        "  rdmsr\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "  mov $0x40000002, %ecx\n" /* VP_INDEX is read-only: #GP */
        "  wrmsr\n"
        "  mov $0x5c, %ecx\n" /* HvPostMessage, input at 0x6000 */
        "  mov $0x6000, %edx\n"
        "  xor %r8d, %r8d\n"
        "  mov $0x3000, %eax\n"
        "  call *%rax\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "  mov $0x99, %ecx\n" /* no such call */
        "  mov $0x3000, %eax\n"
        "  call *%rax\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "  sti\n"
        "  mov $0x1005d, %ecx\n" /* HvSignalEvent, fast: connection 1, flag 3 */
        "  mov $3, %edx\n"
        "  shl $32, %rdx\n"
        "  or $1, %rdx\n"
        "  mov $0x3000, %eax\n"
        "  call *%rax\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "1:\n"
        "  hlt\n"
        "  jmp 1b\n"
        "hv_guest_gp:\n" /* #GP: report 0x6060, skip the 2-byte wrmsr */
        "  push %rax\n"
        "  push %rdx\n"
        "  mov $0x6060, %eax\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "  pop %rdx\n"
        "  pop %rax\n"
        "  addq $2, 8(%rsp)\n"
        "  add $8, %rsp\n"
        "  iretq\n"
        "hv_guest_sint:\n" /* SINT2: report the slot's type and the flags */
        "  mov $0x4200, %ebx\n"
        "  mov (%rbx), %eax\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "  mov $0x5200, %ebx\n"
        "  movzbl 1(%rbx), %eax\n"
        "  out %eax, %dx\n"
        "  mov $0x530, %dx\n"
        "  out %al, %dx\n"
        "  hlt\n"
        "hv_guest_end:\n"
        ".popsection\n");
extern const uint8_t hv_guest_start[], hv_guest_gp[], hv_guest_sint[], hv_guest_end[];

static struct cpu_kvm kvm;
static struct hvhost_partition part;

static struct {
    uint32_t reports[8];
    unsigned nreports;
    unsigned messages, events;
    uint8_t payload[8];
    uint16_t flag;
} seen;

static void report(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                   unsigned size)
{
    (void)ctx;
    (void)vcpu;
    (void)offset;
    uint32_t v = 0;
    memcpy(&v, data, size < 4 ? size : 4);
    if (seen.nreports < 8)
        seen.reports[seen.nreports++] = v;
}

static void done(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                 unsigned size)
{
    (void)ctx;
    (void)vcpu;
    (void)offset;
    (void)data;
    (void)size;
    vm_stop_request(&kvm.stop, 0, "the guest's SINT2 handler ran");
}

static uint16_t port_message(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                             uint32_t size)
{
    (void)ctx;
    (void)vp;
    seen.messages++;
    if (type == 1 && size == 8)
        memcpy(seen.payload, payload, 8);
    return HV_STATUS_SUCCESS;
}

/* The host's answer to the guest's signal: a message and an event flag. */
static uint16_t port_event(void *ctx, unsigned vp, uint16_t flag)
{
    (void)ctx;
    seen.events++;
    seen.flag = flag;
    static const uint8_t msg[8] = {0x0F, 0, 0, 0, 0, 0, 0, 0};
    hvhost_synic_post(&part, vp, 2, 1, msg, sizeof msg);
    hvhost_synic_signal(&part, vp, 2, 9);
    return HV_STATUS_SUCCESS;
}

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
    uint32_t svr = 0x1FF;
    memcpy(lapic.regs + 0xF0, &svr, 4);
    return ioctl(k->vcpu[0].fd, KVM_SET_LAPIC, &lapic);
}

TEST(guest_enables_synic_and_calls_the_hypercall_page)
{
    int probe = open("/dev/kvm", O_RDWR);
    CHECK(probe >= 0);
    close(probe);
    struct cpu_kvm *k = &kvm;
    CHECK_EQ(cpu_kvm_open(k), 0);
    CHECK_EQ(cpu_kvm_create_irqchip(k), 0);
    CHECK_EQ(cpu_kvm_add_ram(k, 0, RAM_SIZE), 0);
    uint8_t *ram = guest_mem_ptr(&k->mem, 0, RAM_SIZE);
    CHECK(ram != NULL);
    memcpy(ram + CODE_GPA, hv_guest_start, (size_t)(hv_guest_end - hv_guest_start));
    write_gate(ram, 13, CODE_GPA + (uint64_t)(hv_guest_gp - hv_guest_start));
    write_gate(ram, VECTOR, CODE_GPA + (uint64_t)(hv_guest_sint - hv_guest_start));
    /* HvPostMessage input: connection 1, type 1, 8 bytes "VMBusMsg". */
    static const uint8_t input[24] = {1, 0, 0, 0, 0,   0,   0,   0,   1,   0,   0,   0,
                                      8, 0, 0, 0, 'V', 'M', 'B', 'u', 's', 'M', 's', 'g'};
    memcpy(ram + INPUT_GPA, input, sizeof input);

    CHECK_EQ(iobus_add(&k->pio, PORT_REPORT, 4, "report", NULL, report, NULL), 0);
    CHECK_EQ(iobus_add(&k->pio, PORT_DONE, 1, "done", NULL, done, NULL), 0);
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

    CHECK_EQ(hvhost_partition_attach(&part, k), 0);
    struct hvhost_port port = {
        .connection_id = 1, .message = port_message, .event = port_event, .flag_count = 16};
    CHECK_EQ(hvhost_partition_add_port(&part, &port), 0);
    CHECK_EQ(cpu_kvm_arm_msr_exits(k), 0);
    CHECK_EQ(cpu_kvm_catch_signals(), 0);

    alarm(60);
    struct cpu_kvm_end_info end;
    cpu_kvm_run(k, &end);
    alarm(0);
    if (end.kind != CPU_KVM_END_STOP)
        printf("# run ended: %s\n", end.text);
    for (unsigned i = 0; i < seen.nreports; i++)
        printf("# report %u: 0x%x\n", i, seen.reports[i]);
    CHECK_EQ(end.kind, CPU_KVM_END_STOP);
    /* The MSRs as the guest wrote them. */
    CHECK_EQ(part.guest_os_id, 0x8100000000060100ull);
    CHECK_EQ(part.hypercall, 0x3001u);
    CHECK_EQ(part.vp[0].simp, SIMP_GPA | 1);
    CHECK_EQ(part.vp[0].sint[2], 0x40u);
    CHECK_EQ(ram[0x3000], 0xE6);
    /* 6 reports when the SINT2 interrupt comes as the signalling call
     * returns (the handler then ends the run), 7 when the call's status is
     * reported first. */
    CHECK(seen.nreports == 6 || seen.nreports == 7);
    CHECK_EQ(seen.reports[0], 0u);      /* VP_INDEX */
    CHECK_EQ(seen.reports[1], 0x6060u); /* wrmsr VP_INDEX: #GP */
    CHECK_EQ(seen.reports[2], HV_STATUS_SUCCESS);
    CHECK_EQ(seen.messages, 1u);
    CHECK(memcmp(seen.payload, "VMBusMsg", 8) == 0);
    CHECK_EQ(seen.reports[3], HV_STATUS_INVALID_HYPERCALL_CODE);
    /* The signal, answered: the SINT2 handler saw the message and flag 9. */
    CHECK_EQ(seen.events, 1u);
    CHECK_EQ(seen.flag, 3u);
    unsigned at = seen.nreports == 7 ? 5 : 4; /* the handler's reports */
    if (seen.nreports == 7)
        CHECK_EQ(seen.reports[4], HV_STATUS_SUCCESS);
    CHECK_EQ(seen.reports[at], 1u);        /* message type in slot 2 */
    CHECK_EQ(seen.reports[at + 1], 0x02u); /* flag 9: byte 1, bit 1 */
    cpu_kvm_close(k);
}

UNIT_MAIN()
