/* hostsim's Hyper-V machine glue end to end on /dev/kvm: a tiny 64-bit
 * guest enables its SynIC and posts INITIATE_CONTACT (version 5.3, SINT 2)
 * to connection 4 with HvPostMessage through the hypercall page; the
 * message goes through the partition (hostsim/hyperv/partition_kvm.c), the
 * VMBus glue (hostsim/hyperv/vmbus_machine.c) and the VMBus host
 * (hostsim/vmbus/server.c), and the VERSION_RESPONSE comes back as a SynIC
 * message in slot 2 of the guest's SIM page with an interrupt on its SINT2
 * vector. The guest's handler reports the slot: message type 1, msgtype 15,
 * version_supported 1, msg_conn_id 4. A second run posts the contact to
 * connection 1, which the host must refuse as a violation (exit status 8).
 * Links: hostsim/cpu/{cpu_kvm,cpu_kvm_run,iobus,msrbus,vcpu,msi}.c
 *        hostsim/hyperv/{partition,partition_kvm,synthetic_msrs,hypercall,
 *        synic,vmbus_machine}.c hostsim/vmbus/{server*,gpadl,ring,ic*}.c
 *        hostsim/ioloop.c
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
#include "hostsim/hyperv/partition_kvm.h"
#include "hostsim/hyperv/vmbus_machine.h"
#include "hostsim/status.h"

#define RAM_SIZE (2ull << 20)
#define CODE_GPA 0x10000ull
#define IDT_GPA 0x20000ull
#define INPUT_GPA 0x6000ull
#define VECTOR 0x40
#define PORT_REPORT 0x510
#define PORT_DONE 0x530

__asm__(".pushsection .rodata.hostsim_vmbus_guest, \"a\"\n"
        ".code64\n"
        "vb_guest_start:\n"
        "  mov $0x40000000, %ecx\n"
        "  mov $0x00060100, %eax\n"
        "  mov $0x81000000, %edx\n"
        "  wrmsr\n"
        "  mov $0x40000001, %ecx\n"
        "  mov $0x3001, %eax\n"
        "  xor %edx, %edx\n"
        "  wrmsr\n"
        "  mov $0x40000083, %ecx\n"
        "  mov $0x4001, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000082, %ecx\n"
        "  mov $0x5001, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000092, %ecx\n"
        "  mov $0x40, %eax\n"
        "  wrmsr\n"
        "  mov $0x40000080, %ecx\n"
        "  mov $1, %eax\n"
        "  wrmsr\n"
        "  sti\n"
        "  mov $0x5c, %ecx\n" /* HvPostMessage, input at 0x6000 */
        "  mov $0x6000, %edx\n"
        "  xor %r8d, %r8d\n"
        "  mov $0x3000, %eax\n"
        "  call *%rax\n"
        "  mov $0x510, %dx\n"
        "  out %eax, %dx\n"
        "1:\n"
        "  hlt\n"
        "  jmp 1b\n"
        "vb_guest_sint:\n" /* slot 2: type, msgtype, version_supported, conn id */
        "  mov $0x510, %dx\n"
        "  mov $0x4200, %ebx\n"
        "  mov (%rbx), %eax\n"
        "  out %eax, %dx\n"
        "  mov 16(%rbx), %eax\n"
        "  out %eax, %dx\n"
        "  movzbl 24(%rbx), %eax\n"
        "  out %eax, %dx\n"
        "  mov 28(%rbx), %eax\n"
        "  out %eax, %dx\n"
        "  mov $0x530, %dx\n"
        "  out %al, %dx\n"
        "  hlt\n"
        "vb_guest_end:\n"
        ".popsection\n");
extern const uint8_t vb_guest_start[], vb_guest_sint[], vb_guest_end[];

static struct hostsim_vm vm;
static struct hvhost_partition part;
static struct hvm_vmbus bus;

static struct {
    uint32_t reports[8];
    unsigned nreports;
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
    vm_stop_request(&vm.kvm.stop, 0, "the guest's SINT2 handler ran");
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

/* One VM that posts INITIATE_CONTACT for 5.3 to connection `conn`. */
static int run_contact(uint32_t conn, struct cpu_kvm_end_info *end)
{
    memset(&seen, 0, sizeof seen);
    memset(&vm, 0, sizeof vm);
    struct cpu_kvm *k = &vm.kvm;
    if (cpu_kvm_open(k) != 0 || cpu_kvm_create_irqchip(k) != 0 ||
        cpu_kvm_add_ram(k, 0, RAM_SIZE) != 0)
        return -1;
    uint8_t *ram = guest_mem_ptr(&k->mem, 0, RAM_SIZE);
    memcpy(ram + CODE_GPA, vb_guest_start, (size_t)(vb_guest_end - vb_guest_start));
    write_gate(ram, VECTOR, CODE_GPA + (uint64_t)(vb_guest_sint - vb_guest_start));
    /* HvPostMessage input: connection, 0, type 1, size 40; then the VMBus
     * message: header {14 INITIATE_CONTACT, 0}, version 0x50003, target
     * VP 0, msg_sint 2, monitor pages 0 (Linux hyperv.h
     * vmbus_channel_initiate_contact). */
    uint8_t in[56] = {0};
    uint32_t size = 40, type = 1, msgtype = 14, version = 0x50003;
    memcpy(in, &conn, 4);
    memcpy(in + 8, &type, 4);
    memcpy(in + 12, &size, 4);
    memcpy(in + 16, &msgtype, 4);
    memcpy(in + 24, &version, 4);
    in[32] = 2;
    memcpy(ram + INPUT_GPA, in, sizeof in);
    if (iobus_add(&k->pio, PORT_REPORT, 4, "report", NULL, report, NULL) != 0 ||
        iobus_add(&k->pio, PORT_DONE, 1, "done", NULL, done, NULL) != 0 ||
        cpu_kvm_create_vcpu(k) != 0)
        return -1;
    struct e820_entry map[1] = {{0, RAM_SIZE, E820_RAM}};
    struct fc_initrd none = {0, 0};
    struct kvm_sregs s;
    if (fc_boot_write_gdt(&k->mem, FC_BOOT_LINUX) != 0 ||
        fc_boot_linux_write(&k->mem, map, 1, 1, &none) != 0 ||
        fc_boot_linux_vcpu(k, 0, CODE_GPA) != 0 || cpu_kvm_get_sregs(k, 0, &s) != 0)
        return -1;
    s.idt.base = IDT_GPA;
    s.idt.limit = 256 * 16 - 1;
    if (cpu_kvm_set_sregs(k, 0, &s) != 0 || enable_lapic(k) != 0 ||
        hvhost_partition_attach(&part, k) != 0 ||
        hvm_vmbus_attach(&bus, &vm, &part, 0x50003) != 0 || cpu_kvm_arm_msr_exits(k) != 0 ||
        cpu_kvm_catch_signals() != 0)
        return -1;
    alarm(60);
    cpu_kvm_run(k, end);
    alarm(0);
    for (unsigned i = 0; i < seen.nreports; i++)
        printf("# report %u: 0x%x\n", i, seen.reports[i]);
    if (end->kind != CPU_KVM_END_STOP)
        printf("# run ended: %s\n", end->text);
    return 0;
}

TEST(initiate_contact_answered_through_the_synic)
{
    int probe = open("/dev/kvm", O_RDWR);
    CHECK(probe >= 0);
    close(probe);
    struct cpu_kvm_end_info end;
    CHECK_EQ(run_contact(4, &end), 0);
    CHECK_EQ(end.kind, CPU_KVM_END_STOP);
    CHECK_EQ(vm.kvm.stop.status, 0);
    /* The handler runs as the posting call returns: 4 reports, or 5 when
     * the call's status came first. */
    CHECK(seen.nreports == 4 || seen.nreports == 5);
    unsigned at = seen.nreports == 5 ? 1 : 0;
    if (at == 1)
        CHECK_EQ(seen.reports[0], 0u);   /* HV_STATUS_SUCCESS */
    CHECK_EQ(seen.reports[at], 1u);      /* SynIC message type 1 */
    CHECK_EQ(seen.reports[at + 1], 15u); /* VERSION_RESPONSE */
    CHECK_EQ(seen.reports[at + 2], 1u);  /* version_supported */
    CHECK_EQ(seen.reports[at + 3], 4u);  /* msg_conn_id */
    CHECK(bus.host.connected);
    CHECK_EQ(bus.host.version, 0x50003u);
    hvm_vmbus_stop(&bus);
    cpu_kvm_close(&vm.kvm);
}

TEST(contact_on_the_wrong_connection_ends_the_vm)
{
    struct cpu_kvm_end_info end;
    CHECK_EQ(run_contact(1, &end), 0);
    CHECK_EQ(end.kind, CPU_KVM_END_STOP);
    CHECK_EQ(vm.kvm.stop.status, HOSTSIM_EXIT_VMBUS);
    CHECK(!bus.host.connected);
    hvm_vmbus_stop(&bus);
    cpu_kvm_close(&vm.kvm);
}

UNIT_MAIN()
