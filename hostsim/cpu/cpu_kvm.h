/* The CPU back end of hostsim: a VM on the Linux KVM API (/dev/kvm) and the
 * vCPU run loop. It knows nothing of any machine model: the model decides the
 * memory layout, the CPUID edits and MSR values, the boot registers, and
 * registers its devices on the port, MMIO and MSR buses; the run loop hands
 * every I/O and MSR exit to those buses, with the calling vCPU (vcpu.h), and
 * reports how the guest ended. The model then turns that ending into its
 * monitor's process exit status. Interrupts reach the guest by GSI (an edge
 * on an IOAPIC/PIC input) or by vector to one vCPU (an MSI).
 *
 * Threads: vCPU 0 (the bootstrap processor) runs in the thread that calls
 * cpu_kvm_run(); every other vCPU runs in a thread of its own and, with the
 * in-kernel LAPIC, sleeps inside KVM_RUN until the guest sends it INIT/SIPI.
 * Device handlers are called with dev_lock held, so a device model never sees
 * two accesses at once. */
#ifndef HOSTSIM_CPU_CPU_KVM_H
#define HOSTSIM_CPU_CPU_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/cpu/iobus.h"
#include "hostsim/cpu/msrbus.h"
#include "hostsim/cpu/vcpu.h"
#include "hostsim/guest_mem.h"
#include "hostsim/vm_stop.h"

#define CPU_KVM_MAX_VCPUS 64
#define CPU_KVM_MAX_CPUID 512 /* entries; KVM returns well under 100 */

struct cpu_kvm;

struct cpu_kvm_vcpu {
    int fd;
    unsigned index;
    struct kvm_run *run;
    struct cpu_kvm *owner; /* for the vCPU's thread */
    pthread_t thread;
    int thread_started;
    struct hs_vcpu hs; /* what device handlers get: index, lazy registers */
};

/* How the run ended. */
enum cpu_kvm_end {
    CPU_KVM_END_STOP,           /* a device asked (struct vm_stop) */
    CPU_KVM_END_SHUTDOWN,       /* KVM_EXIT_SHUTDOWN: triple fault */
    CPU_KVM_END_SYSTEM_EVENT,   /* KVM_EXIT_SYSTEM_EVENT; detail = type */
    CPU_KVM_END_INTERNAL_ERROR, /* KVM_EXIT_INTERNAL_ERROR; detail = suberror */
    CPU_KVM_END_FAIL_ENTRY,     /* KVM_EXIT_FAIL_ENTRY; detail = hardware reason */
    CPU_KVM_END_UNHANDLED,      /* any other exit reason */
    CPU_KVM_END_SIGNAL,         /* SIGALRM, SIGINT or SIGTERM reached hostsim */
    CPU_KVM_END_ERROR,          /* KVM_RUN failed, or KVM reported nonsense */
};

struct cpu_kvm_end_info {
    enum cpu_kvm_end kind;
    unsigned vcpu;        /* which vCPU ended the run */
    uint32_t exit_reason; /* KVM_EXIT_* when the kind comes from one */
    uint64_t detail;
    int signal;     /* CPU_KVM_END_SIGNAL */
    char text[320]; /* one line for humans */
};

struct cpu_kvm_msr {
    uint32_t index;
    uint64_t value;
};

/* Called once per vCPU with a private copy of KVM_GET_SUPPORTED_CPUID: edit
 * entries in place; *n may grow up to cap. */
typedef void (*cpu_kvm_cpuid_edit_fn)(void *ctx, unsigned vcpu, struct kvm_cpuid_entry2 *entries,
                                      unsigned *n, unsigned cap);

struct cpu_kvm {
    int kvm_fd, vm_fd;
    size_t run_size;
    unsigned slots;
    struct guest_mem mem;
    struct iobus pio, mmio;
    struct msrbus msr; /* MSRs the model emulates: armed by cpu_kvm_arm_msr_exits */
    struct vm_stop stop;
    struct cpu_kvm_vcpu vcpu[CPU_KVM_MAX_VCPUS];
    unsigned nvcpus;
    struct kvm_cpuid2 *supported_cpuid; /* fetched once */

    pthread_mutex_t dev_lock; /* held around every device handler */
    pthread_mutex_t end_lock;
    int ended; /* the first ending wins */
    struct cpu_kvm_end_info end;
    pthread_t bsp_thread;

    unsigned long unclaimed_pio, unclaimed_mmio; /* accesses no device took */
    unsigned long unclaimed_msr;                 /* MSR exits no range took (#GP) */
    unsigned long assisted; /* instructions KVM could not emulate, completed (assist.h) */
    int no_vmcall;          /* the PVM host: a guest's vmcall never returns */
    /* When set, the first SIGTERM calls this (with dev_lock held) instead
     * of ending the run, so a model can ask its guest to shut down; a
     * second SIGTERM ends the run as usual. */
    void (*sigterm_hook)(void *ctx);
    void *sigterm_ctx;
    int sigterm_hooked; /* the hook ran */
};

/* Each returns 0, or -1 after saying why on stderr. */
int cpu_kvm_open(struct cpu_kvm *k);
void cpu_kvm_close(struct cpu_kvm *k);
int cpu_kvm_set_tss_address(struct cpu_kvm *k, uint64_t gpa);
int cpu_kvm_create_irqchip(struct cpu_kvm *k); /* full in-kernel PIC + IOAPIC + LAPICs */
int cpu_kvm_create_pit(struct cpu_kvm *k, uint32_t flags);
/* Anonymous host memory (zero-filled, committed lazily) as guest RAM. */
int cpu_kvm_add_ram(struct cpu_kvm *k, uint64_t gpa, uint64_t size);
/* Creates the next vCPU (index = the count so far, also its APIC id). */
int cpu_kvm_create_vcpu(struct cpu_kvm *k);

int cpu_kvm_set_cpuid(struct cpu_kvm *k, unsigned vcpu, cpu_kvm_cpuid_edit_fn edit, void *ctx);
int cpu_kvm_set_msrs(struct cpu_kvm *k, unsigned vcpu, const struct cpu_kvm_msr *msrs, unsigned n);
/* One MSR of a vCPU that is not in KVM_RUN (its own thread, in an exit
 * handler): KVM_GET_MSRS. */
int cpu_kvm_get_msr(struct cpu_kvm *k, unsigned vcpu, uint32_t index, uint64_t *value);
/* The vCPU's TSC rate (KVM_GET_TSC_KHZ) in Hz, or 0 after saying why. */
uint64_t cpu_kvm_tsc_hz(struct cpu_kvm *k, unsigned vcpu);
/* LAPIC LVT0 delivery mode ExtINT, LVT1 NMI; other bits kept (the wiring a
 * PC-compatible board has, and what Firecracker sets in interrupts.rs). */
int cpu_kvm_set_lint(struct cpu_kvm *k, unsigned vcpu);
int cpu_kvm_set_fpu(struct cpu_kvm *k, unsigned vcpu, uint16_t fcw, uint32_t mxcsr);
int cpu_kvm_get_sregs(struct cpu_kvm *k, unsigned vcpu, struct kvm_sregs *s);
int cpu_kvm_set_sregs(struct cpu_kvm *k, unsigned vcpu, const struct kvm_sregs *s);
int cpu_kvm_set_regs(struct cpu_kvm *k, unsigned vcpu, const struct kvm_regs *r);
int cpu_kvm_get_regs(struct cpu_kvm *k, unsigned vcpu, struct kvm_regs *r);
int cpu_kvm_get_mp_state(struct cpu_kvm *k, unsigned vcpu, uint32_t *state);
int cpu_kvm_set_mp_state(struct cpu_kvm *k, unsigned vcpu, uint32_t state);
const char *cpu_kvm_mp_state_name(uint32_t state);

/* An edge on an IOAPIC/PIC input (level 1 then 0), as an irqfd delivers it.
 * Safe from any thread. */
void cpu_kvm_irq_pulse(struct cpu_kvm *k, unsigned gsi);

/* Interrupts the vCPU whose APIC id is apic_id with vector (16-255), fixed
 * delivery, edge: KVM_SIGNAL_MSI with the message msi.h composes. Safe from
 * any thread. Returns 1 when delivered, 0 when the guest blocked it (its
 * LAPIC is software-disabled), -1 after saying why. */
int cpu_kvm_signal_msi(struct cpu_kvm *k, uint32_t apic_id, unsigned vector);

/* Has KVM hand the guest's rdmsr/wrmsr of every MSR on k->msr to user space
 * (KVM_CAP_X86_USER_SPACE_MSR with the FILTER and UNKNOWN reasons, and a
 * KVM_X86_SET_MSR_FILTER that denies those ranges to KVM), where the run
 * loop dispatches them on k->msr; an MSR no range holds gets #GP, as KVM
 * itself would give. Call after the model registered its MSRs, before the
 * run; does nothing when k->msr is empty. Returns 0, or -1 after saying why. */
int cpu_kvm_arm_msr_exits(struct cpu_kvm *k);

/* KVM_IOEVENTFD: a guest write of len bytes equal to datamatch at MMIO
 * address addr signals fd inside KVM instead of exiting (assign), or stops
 * doing so. Returns 0, or -1 (errno kept; not logged). */
int cpu_kvm_ioeventfd(struct cpu_kvm *k, uint64_t addr, unsigned len, uint64_t datamatch, int fd,
                      int assign);

/* For threads other than the vCPUs' (device I/O threads): after a
 * vm_stop_request on k->stop, makes vCPU 0 leave KVM_RUN so the run ends
 * even while the guest computes or halts. */
void cpu_kvm_kick(struct cpu_kvm *k);

/* SIGALRM, SIGINT and SIGTERM end the run (CPU_KVM_END_SIGNAL) instead of
 * killing the process, so the guest's output is flushed and the caller can
 * say what happened. Call before cpu_kvm_run(). */
int cpu_kvm_catch_signals(void);

/* Runs every vCPU until the first ending, which it returns in *end. */
void cpu_kvm_run(struct cpu_kvm *k, struct cpu_kvm_end_info *end);

/* Logs the registers of a vCPU that is not running (the one that ended the
 * run) and the bytes at its RIP. */
void cpu_kvm_describe_vcpu(struct cpu_kvm *k, unsigned vcpu);

#endif
