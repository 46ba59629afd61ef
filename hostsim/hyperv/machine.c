/* The Hyper-V machine model: a Hyper-V partition as its guest sees it, on
 * the KVM API. The kernel ELF boots through PVH as on hostsim's Firecracker
 * model (a real Hyper-V VM boots from firmware: BIOS for Gen1, UEFI for
 * Gen2); what the guest then finds is Hyper-V's: CPUID 0x40000000-0x4000000A
 * (cpuid.h), ACPI tables with the VMBus device in the DSDT (acpi.h), COM1,
 * and for --gen 1 the PC's PIT and 8259 PICs, for --gen 2 no PIT and no PIC
 * declared. Exit statuses: 0 after a guest shutdown (ACPI S5, pm.h) or reset, 1 after a
 * triple fault or a KVM error, (2V+1)&0xff from --exit-port, 8 after a
 * VMBus protocol violation (vmbus_machine.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/boot/elf_load.h"
#include "hostsim/boot/pvh.h"
#include "hostsim/boot/read_file.h"
#include "hostsim/devices/legacy.h"
#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/vcpu_setup.h"
#include "hostsim/hyperv/acpi.h"
#include "hostsim/hyperv/cpuid.h"
#include "hostsim/hyperv/layout.h"
#include "hostsim/hyperv/nic_machine.h"
#include "hostsim/hyperv/partition_kvm.h"
#include "hostsim/hyperv/pm.h"
#include "hostsim/hyperv/storvsc_machine.h"
#include "hostsim/hyperv/vmbus_machine.h"
#include "hostsim/vmbus/wire.h"
#include "hostsim/log.h"
#include "hostsim/status.h"
#include "hostsim/vm.h"

#define MAX_KERNEL_FILE (1ull << 31)
#define MAX_VCPUS 64 /* CPU_KVM_MAX_VCPUS */
#define CMDLINE_MAX 2048u

/* The model's own options: --gen, --vmbus-max-version. */
static unsigned generation = 1;
static uint32_t vmbus_max_version = VMBUS_VERSION_V5_3;
static char rescind_name[16]; /* --vmbus-rescind NAME@SECONDS */
static unsigned rescind_seconds;
static unsigned scsi_luns = STORVSC_HOST_MAX_LUNS; /* --scsi-luns: disks per controller */
static struct hvm_nic_link_event nic_link[HVM_NIC_LINK_EVENTS]; /* --netvsc-link */
static unsigned nic_nlink;

struct hvm {
    struct serial16550 serial;
    struct cmos_rtc rtc;
    struct debug_exit debug_exit;
    struct hvm_pm pm;
    struct hvhost_partition partition;
    struct hvm_vmbus vmbus;
    struct hvm_storvsc storvsc;
    struct hvm_nic nic;
    bool has_nic;
    uint32_t entry;
};

static int load_kernel(struct hvm *m, struct cpu_kvm *k, const struct hostsim_options *o)
{
    size_t len = 0;
    uint8_t *img = hs_read_file("kernel", o->kernel, MAX_KERNEL_FILE, &len);
    if (img == NULL)
        return -1;
    struct elf_image elf;
    char err[256];
    int rc = -1;
    if (elf_parse(img, len, HVM_HIGH_RAM_START, &elf, err, sizeof err) != 0 ||
        elf_load(&elf, img, len, &k->mem, err, sizeof err) != 0) {
        hs_log("kernel %s: %s", o->kernel, err);
        goto out;
    }
    if (!elf.has_pvh) {
        hs_log("kernel %s has no PVH note (Xen ELF note type 18); the hyperv model boots PVH",
               o->kernel);
        goto out;
    }
    m->entry = elf.pvh_entry;
    rc = 0;
out:
    free(img);
    return rc;
}

/* A cpu_kvm_cpuid_edit_fn: leaf 1 and 0xB as the Firecracker model sets
 * them (hypervisor bit, APIC ids, topology), then Hyper-V's leaves. */
static void cpuid_edit(void *ctx, unsigned vcpu, struct kvm_cpuid_entry2 *e, unsigned *n,
                       unsigned cap)
{
    const struct hvhost_cpuid_params *p = ctx;
    struct fc_cpuid_ctx fc = {.ncpus = p->ncpus};
    fc_cpuid_normalize(&fc, vcpu, e, n, cap);
    hvhost_cpuid_replace(p, e, n, cap);
}

static int setup_vcpus(struct hvm *m, struct cpu_kvm *k, unsigned ncpus)
{
    struct hvhost_cpuid_params cpuid = {.ncpus = ncpus};
    for (unsigned i = 0; i < ncpus; i++) {
        if (cpu_kvm_create_vcpu(k) != 0)
            return -1;
    }
    for (unsigned i = 0; i < ncpus; i++) {
        if (cpu_kvm_set_cpuid(k, i, cpuid_edit, &cpuid) != 0 || fc_set_boot_msrs(k, i) != 0 ||
            fc_boot_pvh_vcpu(k, i, m->entry) != 0 || cpu_kvm_set_fpu(k, i, 0x37F, 0x1F80) != 0 ||
            cpu_kvm_set_lint(k, i) != 0)
            return -1;
        /* Only the bootstrap processor runs; the others wait for INIT/SIPI. */
        if (i > 0 && cpu_kvm_set_mp_state(k, i, KVM_MP_STATE_UNINITIALIZED) != 0)
            return -1;
    }
    return fc_boot_write_gdt(&k->mem, FC_BOOT_PVH);
}

/* Command line, ACPI tables, memory map and hvm_start_info. */
static int write_boot_data(struct cpu_kvm *k, const struct hostsim_options *o)
{
    const struct guest_mem *mem = &k->mem;
    const char *cmdline = o->cmdline != NULL ? o->cmdline : "";
    size_t clen = strlen(cmdline) + 1;
    if (guest_mem_write(mem, FC_CMDLINE_START, cmdline, clen) != 0)
        return -1;
    uint8_t *area = guest_mem_ptr(mem, HVM_ACPI_START, HVM_ACPI_SIZE);
    struct hvm_acpi acpi;
    if (area == NULL ||
        hvm_acpi_build(generation, o->cpus, area, HVM_ACPI_START, HVM_ACPI_SIZE, &acpi) != 0) {
        hs_log("cannot write the ACPI tables for %u vCPUs", o->cpus);
        return -1;
    }
    struct e820_entry map[] = {
        {0, HVM_LOW_RAM_END, E820_RAM},
        {HVM_LOW_RAM_END, HVM_HIGH_RAM_START - HVM_LOW_RAM_END, E820_RESERVED},
        {HVM_HIGH_RAM_START, o->mem_bytes - HVM_HIGH_RAM_START, E820_RAM},
    };
    struct pvh_params p = {
        .cmdline_paddr = FC_CMDLINE_START,
        .rsdp_paddr = acpi.rsdp,
        .memmap_paddr = FC_MEMMAP_START,
        .map = map,
        .nmap = sizeof map / sizeof map[0],
    };
    if (pvh_write(mem, FC_PVH_INFO_START, &p) != 0) {
        hs_log("cannot write the PVH start info");
        return -1;
    }
    hs_debug("ACPI: RSDP 0x%llx DSDT 0x%llx FADT 0x%llx MADT 0x%llx XSDT 0x%llx",
             (unsigned long long)acpi.rsdp, (unsigned long long)acpi.dsdt,
             (unsigned long long)acpi.fadt, (unsigned long long)acpi.madt,
             (unsigned long long)acpi.xsdt);
    return 0;
}

static int add_devices(struct hvm *m, struct hostsim_vm *vm, const struct hostsim_options *o)
{
    struct cpu_kvm *k = &vm->kvm;
    serial16550_init(&m->serial, stdout, hostsim_vm_irq, vm, HVM_COM1_GSI);
    if (serial16550_register(&m->serial, &k->pio, HVM_COM1_PORT) != 0 ||
        cmos_rtc_register_ports(&m->rtc, &k->pio) != 0 ||
        hvm_pm_register(&m->pm, &k->stop, &k->pio) != 0)
        return -1;
    if (o->exit_port >= 0 &&
        debug_exit_register(&m->debug_exit, (uint16_t)o->exit_port, &k->stop, &k->pio) != 0) {
        hs_log("--exit-port 0x%x collides with a device of the hyperv model", o->exit_port);
        return -1;
    }
    return 0;
}

static int hvm_check(const struct hostsim_options *o)
{
    if (o->cpus > MAX_VCPUS) {
        hs_log("--cpus %u: the hyperv model runs 1 to %d vCPUs", o->cpus, MAX_VCPUS);
        return -1;
    }
    if (o->mem_bytes % (1ull << 20) != 0 || o->mem_bytes < HVM_MIN_RAM ||
        o->mem_bytes > HVM_MAX_RAM) {
        hs_log("--mem: the hyperv model takes whole MiB from 2 MiB to 3 GiB");
        return -1;
    }
    if (o->exit_port >= 0 &&
        ((o->exit_port + 1 >= HVM_COM1_PORT && o->exit_port <= HVM_COM1_PORT + 7) ||
         (o->exit_port + 1 >= HVM_HYPERCALL_PORT && o->exit_port <= HVM_HYPERCALL_PORT) ||
         (o->exit_port + 1 >= HVM_PM1A_CNT_PORT && o->exit_port <= HVM_PM1A_CNT_PORT + 1))) {
        hs_log("--exit-port 0x%x: ports 0x%x-0x%x would shadow COM1 (0x3f8-0x3ff), the "
               "hypercall port (0x%x) or PM1a_CNT (0x%x-0x%x)",
               o->exit_port, o->exit_port, o->exit_port + 1, HVM_HYPERCALL_PORT, HVM_PM1A_CNT_PORT,
               HVM_PM1A_CNT_PORT + 1);
        return -1;
    }
    if (o->initrd != NULL) {
        hs_log("--initrd is not served by the hyperv model");
        return -1;
    }
    if (o->nnics > 1 || (o->nnics == 1 && o->nic[0].mtu != 0)) {
        hs_log("--nic: the hyperv model has one synthetic NIC, of MTU 1500 (no mtu=)");
        return -1;
    }
    if (nic_nlink > 0 && o->nnics == 0) {
        hs_log("--netvsc-link needs a --nic");
        return -1;
    }
    if (hvm_storvsc_check(o->ndisks, scsi_luns) != 0)
        return -1;
    for (unsigned i = 0; i < o->ndisks; i++) {
        if (o->disk[i].root) {
            hs_log("--disk %s,root: the hyperv model has no boot disk (the kernel comes from "
                   "--kernel)",
                   o->disk[i].path);
            return -1;
        }
    }
    if (o->misbehave != NULL && strcmp(o->misbehave->backend, "vmbus") != 0 &&
        (strcmp(o->misbehave->backend, "storvsc") != 0 || o->ndisks == 0) &&
        (strcmp(o->misbehave->backend, "netvsc") != 0 || o->nnics == 0)) {
        hs_log("--misbehave %s: the hyperv model has no %s device%s", o->misbehave->name,
               o->misbehave->backend,
               strcmp(o->misbehave->backend, "storvsc") == 0  ? " without a --disk"
               : strcmp(o->misbehave->backend, "netvsc") == 0 ? " without a --nic"
                                                              : "");
        return -1;
    }
    return 0;
}

static int hvm_setup(struct hostsim_vm *vm, const struct hostsim_options *o)
{
    static struct hvm m;
    memset(&m, 0, sizeof m);
    vm->model_state = &m;
    struct cpu_kvm *k = &vm->kvm;
    if (o->cmdline != NULL && strlen(o->cmdline) + 1 > CMDLINE_MAX) {
        hs_log("--cmdline: %zu bytes; the hyperv model takes at most %u", strlen(o->cmdline),
               CMDLINE_MAX - 1);
        return -1;
    }
    /* KVM_CREATE_IRQCHIP makes both 8259s and the IOAPIC; Gen2 has no PIC
     * to declare (its MADT says so), and gets no PIT. */
    if (cpu_kvm_set_tss_address(k, HVM_TSS_ADDRESS) != 0 || cpu_kvm_create_irqchip(k) != 0 ||
        (generation == 1 && cpu_kvm_create_pit(k, KVM_PIT_SPEAKER_DUMMY) != 0) ||
        cpu_kvm_add_ram(k, 0, o->mem_bytes) != 0)
        return -1;
    if (load_kernel(&m, k, o) != 0 || setup_vcpus(&m, k, o->cpus) != 0 ||
        write_boot_data(k, o) != 0 || add_devices(&m, vm, o) != 0 ||
        hvhost_partition_attach(&m.partition, k) != 0 ||
        hvm_vmbus_attach(&m.vmbus, vm, &m.partition, vmbus_max_version) != 0)
        return -1;
    bool storvsc_fault = o->misbehave != NULL && strcmp(o->misbehave->backend, "storvsc") == 0;
    if (hvm_storvsc_attach(&m.storvsc, &m.vmbus, o, scsi_luns,
                           storvsc_fault ? o->misbehave->code : 0) != 0)
        return -1;
    if (o->nnics == 1) {
        if (hvm_nic_attach(&m.nic, &m.vmbus, vm, &o->nic[0], nic_link, nic_nlink) != 0)
            return -1;
        m.has_nic = true;
    }
    if (rescind_name[0] != '\0' &&
        hvm_vmbus_rescind_later(&m.vmbus, rescind_name, rescind_seconds) != 0) {
        hs_log("--vmbus-rescind: no channel '%s' (shutdown, heartbeat, timesync, kvp; storvsc "
               "and storvsc2 with disks; netvsc with a --nic)",
               rescind_name);
        return -1;
    }
    bool netvsc_fault = o->misbehave != NULL && strcmp(o->misbehave->backend, "netvsc") == 0;
    if (o->misbehave != NULL) {
        if (netvsc_fault)
            m.nic.vsp.misbehave = (enum netvsp_misbehave)o->misbehave->code;
        else if (!storvsc_fault) /* storvsc's went to its first controller */
            m.vmbus.host.misbehave = (enum vmbus_host_misbehave)o->misbehave->code;
        hs_log("misbehaving on purpose: %s", o->misbehave->name);
    }
    hs_debug("hyperv: generation %u, PVH entry 0x%x, %llu MiB, %u vCPU%s", generation, m.entry,
             (unsigned long long)(o->mem_bytes >> 20), o->cpus, o->cpus == 1 ? "" : "s");
    return 0;
}

static int hvm_start(struct hostsim_vm *vm)
{
    struct hvm *m = vm->model_state;
    if (m->has_nic && hvm_nic_start(&m->nic) != 0)
        return -1;
    return hvm_vmbus_start(&m->vmbus);
}

static void hvm_stop(struct hostsim_vm *vm)
{
    struct hvm *m = vm->model_state;
    if (m != NULL) {
        if (m->has_nic)
            hvm_nic_stop(&m->nic);
        hvm_storvsc_stop(&m->storvsc);
        hvm_vmbus_stop(&m->vmbus);
    }
}

enum {
    OPT_GEN = HOSTSIM_MODEL_OPTION_BASE,
    OPT_VMBUS_MAX_VERSION,
    OPT_VMBUS_RESCIND,
    OPT_SCSI_LUNS,
    OPT_NETVSC_LINK,
};

static const struct option hvm_options[] = {
    {"gen", required_argument, NULL, OPT_GEN},
    {"vmbus-max-version", required_argument, NULL, OPT_VMBUS_MAX_VERSION},
    {"vmbus-rescind", required_argument, NULL, OPT_VMBUS_RESCIND},
    {"scsi-luns", required_argument, NULL, OPT_SCSI_LUNS},
    {"netvsc-link", required_argument, NULL, OPT_NETVSC_LINK},
    {NULL, 0, NULL, 0},
};

static int hvm_option(int id, const char *arg, char *err, size_t errlen)
{
    if (id == OPT_GEN) {
        if (strcmp(arg, "1") == 0 || strcmp(arg, "2") == 0) {
            generation = (unsigned)(arg[0] - '0');
            return 0;
        }
        snprintf(err, errlen, "--gen: '%s' is not 1 or 2", arg);
        return -1;
    }
    if (id == OPT_VMBUS_MAX_VERSION) {
        unsigned major, minor;
        char end;
        if (sscanf(arg, "%u.%u%c", &major, &minor, &end) == 2 && major < 0x10000 &&
            minor < 0x10000 && vmbus_host_version_known(major << 16 | minor)) {
            vmbus_max_version = major << 16 | minor;
            return 0;
        }
        snprintf(err, errlen,
                 "--vmbus-max-version: '%s' is not one of 1.1 (WIN7), 2.4 (WIN8), 3.0 "
                 "(WIN8.1), 4.0 (WIN10), 4.1, 5.0, 5.1, 5.2, 5.3",
                 arg);
        return -1;
    }
    if (id == OPT_VMBUS_RESCIND) {
        const char *at = strchr(arg, '@');
        char *end;
        unsigned long secs = at != NULL ? strtoul(at + 1, &end, 10) : 0;
        if (at == NULL || at == arg || (size_t)(at - arg) >= sizeof rescind_name || at[1] < '0' ||
            at[1] > '9' || *end != '\0' || secs > 86400) {
            snprintf(err, errlen,
                     "--vmbus-rescind: '%s' is not NAME@SECONDS (e.g. heartbeat@3; SECONDS "
                     "0-86400)",
                     arg);
            return -1;
        }
        memcpy(rescind_name, arg, (size_t)(at - arg));
        rescind_name[at - arg] = '\0';
        static const char *const names[] = {"shutdown", "heartbeat", "timesync", "kvp",
                                            "storvsc",  "storvsc2",  "netvsc"};
        bool known = false;
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
            known |= strcmp(rescind_name, names[i]) == 0;
        if (!known) {
            snprintf(err, errlen,
                     "--vmbus-rescind: no service '%s' (shutdown, heartbeat, timesync, kvp, "
                     "storvsc, storvsc2, netvsc)",
                     rescind_name);
            return -1;
        }
        rescind_seconds = (unsigned)secs;
        return 0;
    }
    if (id == OPT_SCSI_LUNS) {
        char *end;
        unsigned long n = strtoul(arg, &end, 10);
        if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || n < 1 || n > STORVSC_HOST_MAX_LUNS) {
            snprintf(err, errlen, "--scsi-luns: '%s' is not a number from 1 to %d", arg,
                     STORVSC_HOST_MAX_LUNS);
            return -1;
        }
        scsi_luns = (unsigned)n;
        return 0;
    }
    if (id == OPT_NETVSC_LINK)
        return hvm_nic_parse_link(arg, nic_link, &nic_nlink, err, errlen);
    snprintf(err, errlen, "hyperv: unknown option %d", id);
    return -1;
}

static const struct hostsim_model hyperv_model = {
    .name = "hyperv",
    .summary = "a Hyper-V partition (Hyper-V CPUID leaves, ACPI with the VMBus device, COM1;\n"
               "               PVH boot of the ELF)",
    .usage = "  --gen 1|2          VM generation (default 1): 1 has the PIT and the 8259 PICs\n"
             "                     (MADT PCAT_COMPAT) and VMBus as \\_SB.VMB8 \"VMBus\";\n"
             "                     2 has neither and VMBus as \\_SB.VMOD.VMBS \"VMBUS\"\n"
             "  --vmbus-max-version MAJOR.MINOR  the newest VMBus version the host accepts\n"
             "                     (default 5.3; 1.1 is WIN7, 4.0 WIN10)\n"
             "  --vmbus-rescind NAME@SECONDS  rescind the channel of service NAME (shutdown,\n"
             "                     heartbeat, timesync, kvp; storvsc, storvsc2: the disk\n"
             "                     controllers; netvsc: the NIC) that long into the run\n"
             "  --disk FILE[,ro]   a SCSI disk behind a storvsc controller (repeatable): LUN 0,\n"
             "                     1, ... of the first controller in command-line order, then\n"
             "                     of a second controller (storvsc2, its own offer) once the\n"
             "                     first holds --scsi-luns disks; FILE is a whole number of\n"
             "                     512-byte blocks, ,ro refuses writes (DATA PROTECT)\n"
             "  --scsi-luns N      disks per storvsc controller (1-64, default 64)\n"
             "  --nic tap=NAME[,mac=MAC]  a synthetic NIC (netvsc: NVSP and RNDIS on VMBus) on\n"
             "                     the existing TAP device NAME; MAC default 00:15:5d:00:00:01\n"
             "  --netvsc-link STATE@SECONDS[,...]  take the NIC's link down or up that long\n"
             "                     into the run (e.g. down@3,up@5): RNDIS media indications\n"
             "  --cmdline is the kernel command line as given; hvm_start_info carries the\n"
             "  RSDP's address. RAM 2 MiB to 3 GiB, one block from 0. vCPUs 1-64.\n",
    .options = hvm_options,
    .option = hvm_option,
    .check = hvm_check,
    .setup = hvm_setup,
    .start = hvm_start,
    .stop = hvm_stop,
    .exit_status = hostsim_exit_status_by_event,
};
HOSTSIM_REGISTER_MODEL(hyperv_model);
