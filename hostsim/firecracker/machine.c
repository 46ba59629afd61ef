/* Ties the Firecracker model together in the order Firecracker builds a
 * microVM (src/vmm/src/builder.rs build_microvm_for_boot, arch/x86_64/mod.rs
 * configure_system_for_boot): VM with TSS, irqchip and PIT; RAM; the kernel;
 * vCPUs (CPUID, MSRs, registers, GDT, page tables, LINT); command line; MP
 * table; boot protocol structures; ACPI tables; then COM1, the i8042 and
 * the virtio-mmio devices (block, then net; virtio_devices.c).
 * The exit statuses follow fact sheet §9; a guest that breaks a virtio rule
 * ends with HOSTSIM_EXIT_VIRTIO. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hostsim/cpu_kvm.h"
#include "hostsim/firecracker/acpi_tables.h"
#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/cmdline.h"
#include "hostsim/firecracker/devices.h"
#include "hostsim/firecracker/e820.h"
#include "hostsim/firecracker/elf_load.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/machine.h"
#include "hostsim/firecracker/mptable.h"
#include "hostsim/firecracker/ram.h"
#include "hostsim/firecracker/vcpu_setup.h"
#include "hostsim/firecracker/virtio_devices.h"
#include "hostsim/log.h"
#include "hostsim/status.h"

#define MIN_MEM (2ull << 20)         /* room for the kernel at 1 MiB */
#define MAX_MEM (1022ull << 30)      /* Firecracker's architectural maximum */
#define MAX_KERNEL_FILE (1ull << 31) /* a sanity bound on the image file */
#define PIT_SPEAKER_DUMMY KVM_PIT_SPEAKER_DUMMY

struct fc_vm {
    struct cpu_kvm kvm;
    struct fc_serial serial;
    struct fc_i8042 i8042;
    struct fc_debug_exit debug_exit;
    struct fc_virtio virtio;
    enum fc_boot_mode mode;
    uint64_t entry;
    char cmdline[FC_CMDLINE_MAX];
    uint32_t cmdline_size; /* with the NUL */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hs_log("cannot open kernel %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > MAX_KERNEL_FILE) {
        hs_log("kernel %s: not a regular file of 1 byte to 2 GiB", path);
        goto out;
    }
    buf = malloc((size_t)st.st_size);
    if (buf == NULL)
        goto out;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) {
            hs_log("reading kernel %s: %s", path, n < 0 ? strerror(errno) : "short file");
            free(buf);
            buf = NULL;
            goto out;
        }
        got += (size_t)n;
    }
    *len = got;
out:
    close(fd);
    return buf;
}

static void irq_pulse(void *ctx, unsigned gsi)
{
    cpu_kvm_irq_pulse(ctx, gsi);
}

/* Kernel file -> boot mode, entry and loaded segments. */
static int load_kernel(struct fc_vm *vm, const struct hostsim_options *o)
{
    size_t len = 0;
    uint8_t *img = read_file(o->kernel, &len);
    if (img == NULL)
        return -1;
    struct fc_elf elf;
    char err[256];
    int rc = -1;
    if (fc_elf_parse(img, len, &elf, err, sizeof err) != 0) {
        hs_log("kernel %s: %s", o->kernel, err);
        goto out;
    }
    if (elf.pvh_note_lost)
        hs_log("warning: kernel %s has the PVH note in a PT_NOTE segment that a later PT_NOTE "
               "overrides; Firecracker uses the last one and boots it with the Linux protocol",
               o->kernel);
    if (o->boot == HOSTSIM_BOOT_PVH && !elf.has_pvh) {
        hs_log("--boot pvh: kernel %s has no PVH note (Xen ELF note type 18)", o->kernel);
        goto out;
    }
    /* Firecracker 1.12+ boots PVH whenever the note is there; --boot linux
     * shows what older releases do with the same image. */
    vm->mode = (o->boot == HOSTSIM_BOOT_LINUX || !elf.has_pvh) ? FC_BOOT_LINUX : FC_BOOT_PVH;
    vm->entry = vm->mode == FC_BOOT_PVH ? elf.pvh_entry : elf.entry;
    if (fc_elf_load(&elf, img, len, &vm->kvm.mem, err, sizeof err) != 0) {
        hs_log("kernel %s: %s", o->kernel, err);
        goto out;
    }
    rc = 0;
out:
    free(img);
    return rc;
}

static int setup_vcpus(struct fc_vm *vm, unsigned ncpus)
{
    struct cpu_kvm *k = &vm->kvm;
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
        int rc = vm->mode == FC_BOOT_PVH ? fc_boot_pvh_vcpu(k, i, (uint32_t)vm->entry)
                                         : fc_boot_linux_vcpu(k, i, vm->entry);
        if (rc != 0 || cpu_kvm_set_fpu(k, i, 0x37F, 0x1F80) != 0 ||
            fc_boot_write_gdt(&k->mem, vm->mode) != 0 || cpu_kvm_set_lint(k, i) != 0)
            return -1;
    }
    return 0;
}

/* Everything Firecracker writes into guest memory besides the kernel. */
static int write_tables(struct fc_vm *vm, const struct fc_ram_region *ram, unsigned nram,
                        unsigned ncpus)
{
    const struct guest_mem *mem = &vm->kvm.mem;
    if (guest_mem_write(mem, FC_CMDLINE_START, vm->cmdline, vm->cmdline_size) != 0) {
        hs_log("no RAM for the command line at 0x%llx", (unsigned long long)FC_CMDLINE_START);
        return -1;
    }

    uint8_t *sys = guest_mem_ptr(mem, FC_SYSTEM_MEM_START, FC_SYSTEM_MEM_SIZE);
    if (sys == NULL) {
        hs_log("no RAM for the MP and ACPI tables");
        return -1;
    }
    size_t mp = fc_mptable_build(sys, FC_SYSTEM_MEM_SIZE, (uint32_t)FC_SYSTEM_MEM_START, ncpus);
    if (mp == 0) {
        hs_log("cannot build the MP table for %u vCPUs", ncpus);
        return -1;
    }

    struct fc_e820_entry map[FC_E820_MAX];
    int n = fc_e820_build(ram, nram, map, FC_E820_MAX);
    int rc = n < 0 ? -1
             : vm->mode == FC_BOOT_PVH
                 ? fc_boot_pvh_write(mem, map, (unsigned)n)
                 : fc_boot_linux_write(mem, map, (unsigned)n, vm->cmdline_size);
    if (rc != 0) {
        hs_log("cannot write the boot parameters");
        return -1;
    }

    /* The DSDT holds the virtio-mmio devices (LNRO0005); Firecracker's also
     * describes COM1 (PNP0501) and the i8042 (PNP0303), hostsim's does not. */
    static uint8_t dsdt[4096];
    size_t dsdt_len = fc_virtio_dsdt(fc_virtio_count(&vm->virtio), dsdt, sizeof dsdt);
    struct fc_acpi_out acpi;
    if (fc_acpi_build(sys + mp, FC_SYSTEM_MEM_START + mp, FC_SYSTEM_MEM_SIZE - mp, ncpus, dsdt,
                      dsdt_len, &acpi) != 0 ||
        guest_mem_write(mem, FC_RSDP_ADDR, acpi.rsdp, sizeof acpi.rsdp) != 0) {
        hs_log("cannot write the ACPI tables");
        return -1;
    }
    hs_debug("MP table at 0x%llx (%zu bytes); DSDT 0x%llx FADT 0x%llx MADT 0x%llx MCFG 0x%llx "
             "XSDT 0x%llx RSDP 0x%llx",
             (unsigned long long)FC_SYSTEM_MEM_START, mp, (unsigned long long)acpi.dsdt,
             (unsigned long long)acpi.fadt, (unsigned long long)acpi.madt,
             (unsigned long long)acpi.mcfg, (unsigned long long)acpi.xsdt,
             (unsigned long long)FC_RSDP_ADDR);
    return 0;
}

static int add_devices(struct fc_vm *vm, const struct hostsim_options *o)
{
    struct cpu_kvm *k = &vm->kvm;
    fc_serial_init(&vm->serial, stdout, irq_pulse, k);
    fc_i8042_init(&vm->i8042, &k->stop, irq_pulse, k);
    if (fc_serial_register(&vm->serial, &k->pio) != 0 ||
        fc_i8042_register(&vm->i8042, &k->pio) != 0)
        return -1;
    if (o->exit_port >= 0 &&
        fc_debug_exit_register(&vm->debug_exit, (uint16_t)o->exit_port, &k->stop, &k->pio) != 0) {
        hs_log("--exit-port 0x%x collides with a Firecracker device", o->exit_port);
        return -1;
    }
    return fc_virtio_attach(&vm->virtio, k);
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

static int check_options(const struct hostsim_options *o)
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
    unsigned ndev = o->ndisks + (o->tap != NULL ? 1u : 0u);
    if (ndev > FC_VIRTIO_MAX_DEVICES) {
        hs_log("%u virtio devices: Firecracker gives them GSIs %d-%d, so at most %d", ndev,
               FC_VIRTIO_FIRST_GSI, FC_VIRTIO_LAST_GSI, FC_VIRTIO_MAX_DEVICES);
        return -1;
    }
    if (o->mem_bytes % (1ull << 20) != 0 || o->mem_bytes < MIN_MEM || o->mem_bytes > MAX_MEM) {
        hs_log("--mem: Firecracker sizes RAM in whole MiB; hostsim takes 2 MiB to 1022 GiB");
        return -1;
    }
    return 0;
}

static int build(struct fc_vm *vm, const struct hostsim_options *o)
{
    struct cpu_kvm *k = &vm->kvm;
    char err[256];
    /* Disk files and the TAP first: a missing one is reported before any
     * KVM work. Their words go on the command line after pci=off. */
    if (fc_virtio_open(&vm->virtio, o) != 0)
        return -1;
    char extra[FC_CMDLINE_MAX];
    if (fc_virtio_cmdline_args(fc_virtio_count(&vm->virtio), fc_virtio_root(&vm->virtio, o), extra,
                               sizeof extra) < 0) {
        hs_log("the virtio devices' command-line words do not fit in %u bytes", FC_CMDLINE_MAX);
        return -1;
    }
    int n = fc_cmdline_build(o->cmdline, extra, vm->cmdline, sizeof vm->cmdline, err, sizeof err);
    if (n < 0) {
        hs_log("%s", err);
        return -1;
    }
    vm->cmdline_size = (uint32_t)n;

    /* Firecracker: TSS address at VM creation, irqchip and PIT before vCPUs. */
    if (cpu_kvm_open(k) != 0 || cpu_kvm_set_tss_address(k, FC_TSS_ADDRESS) != 0 ||
        cpu_kvm_create_irqchip(k) != 0 || cpu_kvm_create_pit(k, PIT_SPEAKER_DUMMY) != 0)
        return -1;
    struct fc_ram_region ram[FC_RAM_MAX_REGIONS];
    unsigned nram = fc_ram_regions(o->mem_bytes, ram);
    for (unsigned i = 0; i < nram; i++) {
        if (cpu_kvm_add_ram(k, ram[i].start, ram[i].size) != 0)
            return -1;
    }
    if (load_kernel(vm, o) != 0 || setup_vcpus(vm, o->cpus) != 0 ||
        write_tables(vm, ram, nram, o->cpus) != 0 || add_devices(vm, o) != 0 || check_aps(k) != 0)
        return -1;
    hs_debug("firecracker: %s boot, entry 0x%llx, %llu MiB, %u vCPU%s, cmdline \"%s\"",
             vm->mode == FC_BOOT_PVH ? "PVH" : "Linux 64-bit", (unsigned long long)vm->entry,
             (unsigned long long)(o->mem_bytes >> 20), o->cpus, o->cpus == 1 ? "" : "s",
             vm->cmdline);
    return 0;
}

static int arm_timeout(double seconds)
{
    struct itimerval t;
    memset(&t, 0, sizeof t);
    t.it_value.tv_sec = (time_t)seconds;
    t.it_value.tv_usec = (suseconds_t)((seconds - (double)t.it_value.tv_sec) * 1e6);
    if (t.it_value.tv_sec == 0 && t.it_value.tv_usec == 0)
        t.it_value.tv_usec = 1;
    if (setitimer(ITIMER_REAL, &t, NULL) != 0) {
        hs_log("setitimer: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Firecracker's process exit status for how the guest ended (§9). */
static int exit_status(struct fc_vm *vm, const struct cpu_kvm_end_info *end,
                       const struct hostsim_options *o)
{
    struct cpu_kvm *k = &vm->kvm;
    switch (end->kind) {
    case CPU_KVM_END_STOP:
        hs_debug("%s", end->text);
        return k->stop.status;
    case CPU_KVM_END_SYSTEM_EVENT:
        if (end->detail == KVM_SYSTEM_EVENT_RESET || end->detail == KVM_SYSTEM_EVENT_SHUTDOWN) {
            hs_debug("%s: exit status 0", end->text);
            return 0;
        }
        hs_log("%s: exit status 1", end->text);
        return 1;
    case CPU_KVM_END_SIGNAL:
        if (end->signal == SIGALRM) {
            uint32_t st = 0;
            cpu_kvm_get_mp_state(k, 0, &st);
            hs_log("timeout: the guest did not end within %g s (vCPU 0 is %s): exit status %d",
                   o->timeout, cpu_kvm_mp_state_name(st), HOSTSIM_EXIT_TIMEOUT);
            cpu_kvm_describe_vcpu(k, 0);
            return HOSTSIM_EXIT_TIMEOUT;
        }
        hs_log("stopped by %s: exit status %d", end->text, HOSTSIM_EXIT_SIGNAL + end->signal);
        return HOSTSIM_EXIT_SIGNAL + end->signal;
    case CPU_KVM_END_SHUTDOWN:
    case CPU_KVM_END_INTERNAL_ERROR:
    case CPU_KVM_END_FAIL_ENTRY:
    case CPU_KVM_END_UNHANDLED:
    case CPU_KVM_END_ERROR:
    default:
        /* Firecracker: vCPU GenericError -> FcExitCode 1. */
        hs_log("%s: exit status 1", end->text);
        cpu_kvm_describe_vcpu(k, end->vcpu);
        return 1;
    }
}

int firecracker_run(const struct hostsim_options *o)
{
    if (check_options(o) != 0)
        return HOSTSIM_EXIT_USAGE;
    static struct fc_vm vm; /* large (command line, tables); one per process */
    memset(&vm, 0, sizeof vm);
    double t0 = now_seconds();
    if (build(&vm, o) != 0) {
        cpu_kvm_close(&vm.kvm);
        return HOSTSIM_EXIT_SETUP;
    }
    double t1 = now_seconds();
    hs_debug("VM built in %.1f ms", (t1 - t0) * 1e3);

    if (cpu_kvm_catch_signals() != 0 || (o->timeout > 0 && arm_timeout(o->timeout) != 0) ||
        fc_virtio_start(&vm.virtio) != 0) {
        cpu_kvm_close(&vm.kvm);
        return HOSTSIM_EXIT_SETUP;
    }
    struct cpu_kvm_end_info end;
    cpu_kvm_run(&vm.kvm, &end);
    fc_virtio_stop(&vm.virtio);
    fflush(stdout);
    hs_debug("guest ran %.1f ms", (now_seconds() - t1) * 1e3);
    if (vm.kvm.unclaimed_pio || vm.kvm.unclaimed_mmio)
        hs_debug("%lu unclaimed port and %lu unclaimed MMIO accesses (reads returned 0)",
                 vm.kvm.unclaimed_pio, vm.kvm.unclaimed_mmio);
    int status = exit_status(&vm, &end, o);
    cpu_kvm_close(&vm.kvm);
    return status;
}
