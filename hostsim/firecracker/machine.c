/* The Firecracker machine model: builds the microVM Firecracker would build
 * for one ELF kernel (with --disk drives, a --nic network interface and an
 * --initrd), in the order Firecracker builds it (src/vmm/src/builder.rs
 * build_microvm_for_boot, arch/x86_64/mod.rs configure_system_for_boot): VM
 * with TSS, irqchip and PIT; RAM; the kernel; the initrd; vCPUs (CPUID, MSRs,
 * registers, GDT, page tables, LINT); command line; MP table; boot protocol
 * structures; ACPI tables; then COM1, the i8042 and the virtio-mmio devices
 * (block, then net). Exit statuses as Firecracker's (src/vmm/src/lib.rs
 * FcExitCode, vstate/vcpu.rs handle_kvm_exit); a guest that breaks a virtio
 * rule ends with HOSTSIM_EXIT_VIRTIO. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/boot/elf_load.h"
#include "hostsim/boot/read_file.h"
#include "hostsim/devices/legacy.h"
#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/cmdline.h"
#include "hostsim/firecracker/initrd.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/memmap.h"
#include "hostsim/firecracker/ram.h"
#include "hostsim/firecracker/tables.h"
#include "hostsim/firecracker/vcpu_setup.h"
#include "hostsim/firecracker/virtio_devices.h"
#include "hostsim/log.h"
#include "hostsim/status.h"
#include "hostsim/vm.h"

#define MIN_MEM (2ull << 20)         /* room for the kernel at 1 MiB */
#define MAX_MEM (1022ull << 30)      /* Firecracker's architectural maximum */
#define MAX_KERNEL_FILE (1ull << 31) /* a sanity bound on the image file */
#define MAX_INITRD_FILE (3ull << 30) /* the first RAM region's most: 3 GiB */
#define COM1_PORT 0x3F8

enum fc_boot_choice {
    FC_BOOT_AUTO, /* PVH when the ELF has the note, as Firecracker 1.12+ */
    FC_BOOT_CHOOSE_PVH,
    FC_BOOT_CHOOSE_LINUX,
};

/* --boot, the model's own option. */
static enum fc_boot_choice boot_choice = FC_BOOT_AUTO;

struct fc_vm {
    struct serial16550 serial;
    struct i8042 i8042;
    struct debug_exit debug_exit;
    struct fc_virtio virtio;
    enum fc_boot_mode mode;
    uint64_t entry;
    uint64_t kernel_end; /* past the loaded kernel's last byte, .bss included */
    struct fc_initrd initrd;
    char cmdline[FC_CMDLINE_MAX];
    uint32_t cmdline_size; /* with the NUL */
};

/* Kernel file -> boot mode, entry and loaded segments. */
static int load_kernel(struct fc_vm *fc, struct cpu_kvm *k, const struct hostsim_options *o)
{
    size_t len = 0;
    uint8_t *img = hs_read_file("kernel", o->kernel, MAX_KERNEL_FILE, &len);
    if (img == NULL)
        return -1;
    struct elf_image elf;
    char err[256];
    int rc = -1;
    /* Firecracker refuses an e_entry below HIMEM_START, even for PVH. */
    if (elf_parse(img, len, FC_HIMEM_START, &elf, err, sizeof err) != 0) {
        hs_log("kernel %s: %s", o->kernel, err);
        goto out;
    }
    if (elf.pvh_note_lost)
        hs_log("warning: kernel %s has the PVH note in a PT_NOTE segment that a later PT_NOTE "
               "overrides; Firecracker uses the last one and boots it with the Linux protocol",
               o->kernel);
    if (boot_choice == FC_BOOT_CHOOSE_PVH && !elf.has_pvh) {
        hs_log("--boot pvh: kernel %s has no PVH note (Xen ELF note type 18)", o->kernel);
        goto out;
    }
    /* Firecracker 1.12+ boots PVH whenever the note is there; --boot linux
     * shows what older releases do with the same image. */
    fc->mode = (boot_choice == FC_BOOT_CHOOSE_LINUX || !elf.has_pvh) ? FC_BOOT_LINUX : FC_BOOT_PVH;
    fc->entry = fc->mode == FC_BOOT_PVH ? elf.pvh_entry : elf.entry;
    if (elf_load(&elf, img, len, &k->mem, err, sizeof err) != 0) {
        hs_log("kernel %s: %s", o->kernel, err);
        goto out;
    }
    for (unsigned i = 0; i < elf.nloads; i++)
        if (elf.load[i].paddr + elf.load[i].memsz > fc->kernel_end)
            fc->kernel_end = elf.load[i].paddr + elf.load[i].memsz;
    rc = 0;
out:
    free(img);
    return rc;
}

/* --initrd: at the top of the first RAM region, after the kernel (initrd.h). */
static int load_initrd(struct fc_vm *fc, struct cpu_kvm *k, const struct hostsim_options *o,
                       const struct fc_ram_region *low)
{
    if (o->initrd == NULL)
        return 0;
    size_t len = 0;
    uint8_t *img = hs_read_file("initrd", o->initrd, MAX_INITRD_FILE, &len);
    if (img == NULL)
        return -1;
    char err[256];
    int rc = -1;
    if (fc_initrd_place(low->size, fc->kernel_end, len, &fc->initrd.addr, err, sizeof err) != 0)
        hs_log("--initrd %s: %s", o->initrd, err);
    else if (guest_mem_write(&k->mem, fc->initrd.addr, img, len) != 0)
        hs_log("--initrd %s: no RAM at 0x%llx", o->initrd, (unsigned long long)fc->initrd.addr);
    else
        rc = 0;
    if (rc == 0) {
        fc->initrd.size = len;
        hs_debug("initrd %s: %zu bytes at 0x%llx", o->initrd, len,
                 (unsigned long long)fc->initrd.addr);
    }
    free(img);
    return rc;
}

static int setup_vcpus(struct fc_vm *fc, struct cpu_kvm *k, unsigned ncpus)
{
    struct fc_cpuid_ctx cpuid = {.ncpus = ncpus};
    for (unsigned i = 0; i < ncpus; i++) {
        if (cpu_kvm_create_vcpu(k) != 0)
            return -1;
    }
    /* Firecracker gives every vCPU the same boot state; the APs then wait
     * for INIT/SIPI in the in-kernel LAPIC. */
    for (unsigned i = 0; i < ncpus; i++) {
        if (cpu_kvm_set_cpuid(k, i, fc_cpuid_normalize, &cpuid) != 0 || fc_set_boot_msrs(k, i) != 0)
            return -1;
        int rc = fc->mode == FC_BOOT_PVH ? fc_boot_pvh_vcpu(k, i, (uint32_t)fc->entry)
                                         : fc_boot_linux_vcpu(k, i, fc->entry);
        if (rc != 0 || cpu_kvm_set_fpu(k, i, 0x37F, 0x1F80) != 0 ||
            fc_boot_write_gdt(&k->mem, fc->mode) != 0 || cpu_kvm_set_lint(k, i) != 0)
            return -1;
    }
    return 0;
}

/* Everything Firecracker writes into guest memory besides the kernel. */
static int write_tables(struct fc_vm *fc, struct cpu_kvm *k, const struct fc_ram_region *ram,
                        unsigned nram, unsigned ncpus)
{
    const struct guest_mem *mem = &k->mem;
    if (guest_mem_write(mem, FC_CMDLINE_START, fc->cmdline, fc->cmdline_size) != 0) {
        hs_log("no RAM for the command line at 0x%llx", (unsigned long long)FC_CMDLINE_START);
        return -1;
    }
    uint8_t *sys = guest_mem_ptr(mem, FC_SYSTEM_MEM_START, FC_SYSTEM_MEM_SIZE);
    if (sys == NULL) {
        hs_log("no RAM for the MP and ACPI tables");
        return -1;
    }
    struct fc_tables t;
    if (fc_tables_build(sys, FC_SYSTEM_MEM_START, FC_SYSTEM_MEM_SIZE, ncpus,
                        fc_virtio_count(&fc->virtio), &t) != 0 ||
        guest_mem_write(mem, FC_RSDP_ADDR, t.rsdp, sizeof t.rsdp) != 0) {
        hs_log("cannot write the MP and ACPI tables for %u vCPUs", ncpus);
        return -1;
    }
    struct e820_entry map[FC_E820_MAX];
    int n = fc_e820_build(ram, nram, map, FC_E820_MAX);
    int rc = n < 0 ? -1
             : fc->mode == FC_BOOT_PVH
                 ? fc_boot_pvh_write(mem, map, (unsigned)n, &fc->initrd)
                 : fc_boot_linux_write(mem, map, (unsigned)n, fc->cmdline_size, &fc->initrd);
    if (rc != 0) {
        hs_log("cannot write the boot parameters");
        return -1;
    }
    hs_debug("MP table at 0x%llx (%zu bytes); DSDT 0x%llx FADT 0x%llx MADT 0x%llx MCFG 0x%llx "
             "XSDT 0x%llx RSDP 0x%llx",
             (unsigned long long)FC_SYSTEM_MEM_START, t.mptable_len, (unsigned long long)t.dsdt,
             (unsigned long long)t.fadt, (unsigned long long)t.madt, (unsigned long long)t.mcfg,
             (unsigned long long)t.xsdt, (unsigned long long)FC_RSDP_ADDR);
    return 0;
}

static int add_devices(struct fc_vm *fc, struct hostsim_vm *vm, const struct hostsim_options *o)
{
    struct cpu_kvm *k = &vm->kvm;
    serial16550_init(&fc->serial, stdout, hostsim_vm_irq, vm, FC_COM1_GSI);
    /* 0xFE to port 0x64 ends Firecracker with exit status 0. */
    i8042_init(&fc->i8042, &k->stop, 0, hostsim_vm_irq, vm, FC_I8042_GSI);
    if (serial16550_register(&fc->serial, &k->pio, COM1_PORT) != 0 ||
        i8042_register(&fc->i8042, &k->pio) != 0)
        return -1;
    if (o->exit_port >= 0 &&
        debug_exit_register(&fc->debug_exit, (uint16_t)o->exit_port, &k->stop, &k->pio) != 0) {
        hs_log("--exit-port 0x%x collides with a Firecracker device", o->exit_port);
        return -1;
    }
    return fc_virtio_attach(&fc->virtio, vm);
}

/* APs must wait for INIT/SIPI, never run the boot state themselves. */
static int check_aps(struct cpu_kvm *k)
{
    for (unsigned i = 1; i < k->nvcpus; i++) {
        uint32_t st;
        if (cpu_kvm_get_mp_state(k, i, &st) != 0)
            return -1;
        hs_debug("vCPU %u: %s", i, cpu_kvm_mp_state_name(st));
        if (st != KVM_MP_STATE_UNINITIALIZED && st != KVM_MP_STATE_INIT_RECEIVED) {
            hs_debug("vCPU %u is %s; setting it to wait for INIT/SIPI", i,
                     cpu_kvm_mp_state_name(st));
            if (cpu_kvm_set_mp_state(k, i, KVM_MP_STATE_UNINITIALIZED) != 0)
                return -1;
        }
    }
    return 0;
}

static int fc_check(const struct hostsim_options *o)
{
    if (o->cpus > FC_MAX_VCPUS) {
        hs_log("--cpus %u: Firecracker supports 1 to %d vCPUs", o->cpus, FC_MAX_VCPUS);
        return -1;
    }
    /* The exit port (2 ports) must not shadow COM1 or the i8042. */
    if (o->exit_port >= 0 && ((o->exit_port + 1 >= 0x60 && o->exit_port <= 0x64) ||
                              (o->exit_port + 1 >= 0x3F8 && o->exit_port <= 0x3FF))) {
        hs_log("--exit-port 0x%x: ports 0x%x-0x%x would shadow the i8042 (0x60-0x64) or COM1 "
               "(0x3f8-0x3ff)",
               o->exit_port, o->exit_port, o->exit_port + 1);
        return -1;
    }
    if (o->nnics > FC_MAX_NICS) {
        hs_log("--nic: hostsim's firecracker model serves %d network interface", FC_MAX_NICS);
        return -1;
    }
    unsigned ndev = o->ndisks + o->nnics;
    if (ndev > FC_VIRTIO_MAX_DEVICES) {
        hs_log("%u virtio devices: Firecracker gives them GSIs %d-%d, so at most %d", ndev,
               FC_VIRTIO_FIRST_GSI, FC_VIRTIO_LAST_GSI, FC_VIRTIO_MAX_DEVICES);
        return -1;
    }
    if (o->mem_bytes % (1ull << 20) != 0 || o->mem_bytes < MIN_MEM || o->mem_bytes > MAX_MEM) {
        hs_log("--mem: Firecracker sizes RAM in whole MiB; hostsim takes 2 MiB to 1022 GiB");
        return -1;
    }
    const struct hostsim_misbehave *mb = o->misbehave;
    if (mb != NULL && strcmp(mb->backend, "virtio-net") == 0 && o->nnics == 0) {
        hs_log("--misbehave %s acts on the virtio-net device; give --nic tap=NAME", mb->name);
        return -1;
    }
    if (mb != NULL && strcmp(mb->backend, "virtio-blk") == 0 && o->ndisks == 0) {
        hs_log("--misbehave %s acts on the first virtio-blk device; give --disk", mb->name);
        return -1;
    }
    if (mb != NULL && strcmp(mb->backend, "virtio-blk") != 0 &&
        strcmp(mb->backend, "virtio-net") != 0) {
        hs_log("--misbehave %s: the firecracker model has no %s device", mb->name, mb->backend);
        return -1;
    }
    return 0;
}

static int fc_setup(struct hostsim_vm *vm, const struct hostsim_options *o)
{
    static struct fc_vm fc; /* large (command line, device scratch); one per process */
    memset(&fc, 0, sizeof fc);
    fc.virtio.tap_fd = -1;
    vm->model_state = &fc;
    struct cpu_kvm *k = &vm->kvm;
    char err[256];
    /* Disk files and the TAP first: a missing one is reported before any
     * KVM work. Their words go on the command line after pci=off. */
    if (fc_virtio_open(&fc.virtio, o) != 0)
        return -1;
    char extra[FC_CMDLINE_MAX];
    if (fc_virtio_cmdline_args(fc_virtio_count(&fc.virtio), fc_virtio_root(&fc.virtio, o), extra,
                               sizeof extra) < 0) {
        hs_log("the virtio devices' command-line words do not fit in %u bytes", FC_CMDLINE_MAX);
        return -1;
    }
    int n = fc_cmdline_build(o->cmdline, extra, fc.cmdline, sizeof fc.cmdline, err, sizeof err);
    if (n < 0) {
        hs_log("%s", err);
        return -1;
    }
    fc.cmdline_size = (uint32_t)n;

    /* Firecracker: TSS address at VM creation, irqchip and PIT before vCPUs
     * (arch/x86_64/vm.rs; the PIT with KVM_PIT_SPEAKER_DUMMY). */
    if (cpu_kvm_set_tss_address(k, FC_TSS_ADDRESS) != 0 || cpu_kvm_create_irqchip(k) != 0 ||
        cpu_kvm_create_pit(k, KVM_PIT_SPEAKER_DUMMY) != 0)
        return -1;
    struct fc_ram_region ram[FC_RAM_MAX_REGIONS];
    unsigned nram = fc_ram_regions(o->mem_bytes, ram);
    for (unsigned i = 0; i < nram; i++) {
        if (cpu_kvm_add_ram(k, ram[i].start, ram[i].size) != 0)
            return -1;
    }
    if (load_kernel(&fc, k, o) != 0 || load_initrd(&fc, k, o, &ram[0]) != 0 ||
        setup_vcpus(&fc, k, o->cpus) != 0 || write_tables(&fc, k, ram, nram, o->cpus) != 0 ||
        add_devices(&fc, vm, o) != 0 || check_aps(k) != 0)
        return -1;
    hs_debug("firecracker: %s boot, entry 0x%llx, %llu MiB, %u vCPU%s, cmdline \"%s\"",
             fc.mode == FC_BOOT_PVH ? "PVH" : "Linux 64-bit", (unsigned long long)fc.entry,
             (unsigned long long)(o->mem_bytes >> 20), o->cpus, o->cpus == 1 ? "" : "s",
             fc.cmdline);
    return 0;
}

static void fc_stop(struct hostsim_vm *vm)
{
    struct fc_vm *fc = vm->model_state;
    if (fc != NULL)
        fc_virtio_close(&fc->virtio);
}

enum { OPT_BOOT = HOSTSIM_MODEL_OPTION_BASE };

static const struct option fc_options[] = {
    {"boot", required_argument, NULL, OPT_BOOT},
    {NULL, 0, NULL, 0},
};

static int fc_option(int id, const char *arg, char *err, size_t errlen)
{
    if (id == OPT_BOOT) {
        if (strcmp(arg, "pvh") == 0) {
            boot_choice = FC_BOOT_CHOOSE_PVH;
            return 0;
        }
        if (strcmp(arg, "linux") == 0) {
            boot_choice = FC_BOOT_CHOOSE_LINUX;
            return 0;
        }
        snprintf(err, errlen, "--boot: '%s' is not pvh or linux", arg);
        return -1;
    }
    snprintf(err, errlen, "firecracker: unknown option %d", id);
    return -1;
}

static const struct hostsim_model firecracker_model = {
    .name = "firecracker",
    .summary = "Firecracker's x86_64 boot contract (PVH or Linux 64-bit boot, COM1, i8042,\n"
               "               virtio-mmio block and net, ACPI and MP tables)",
    .usage = "  --boot pvh|linux   boot protocol (default: pvh when the ELF has the PVH note,\n"
             "                     as Firecracker 1.12+; linux: what older releases do)\n"
             "  --initrd is initrd_path: at the top of the first RAM region, page-aligned;\n"
             "  the zero page's ramdisk_image/ramdisk_size, or PVH's one module.\n"
             "  --cmdline is boot_args: Firecracker inserts pci=off (and the virtio devices'\n"
             "  words) before any ' -- ' init arguments. --disk ...,root is is_root_device\n"
             "  (attached first, root=/dev/vda); one --nic (guest_mac, mtu). vCPUs 1-32.\n",
    .options = fc_options,
    .option = fc_option,
    .check = fc_check,
    .setup = fc_setup,
    .stop = fc_stop,
    .exit_status = hostsim_exit_status_by_event,
};
HOSTSIM_REGISTER_MODEL(firecracker_model);
