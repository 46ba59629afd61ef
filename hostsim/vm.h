/* What every machine model shares: the KVM VM, the device lock's I/O loop,
 * and the run from set-up to exit status (hostsim_vm_run). A model keeps its
 * own state behind model_state. */
#ifndef HOSTSIM_VM_H
#define HOSTSIM_VM_H

#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/ioloop.h"
#include "hostsim/options.h"
#include "hostsim/registry.h"

struct hostsim_vm {
    struct cpu_kvm kvm;
    struct ioloop loop; /* back ends' file descriptors; runs with kvm.dev_lock */
    const struct hostsim_model *model;
    void *model_state;
};

/* An irq callback for devices (legacy_irq_fn, vio_machine.irq): an edge on
 * GSI `line` of the VM ctx (a struct hostsim_vm). */
void hostsim_vm_irq(void *ctx, unsigned line);

/* Builds the VM with the model's hooks, runs it, and returns the process
 * exit status: the model's for how the guest ended, or hostsim's own (2 bad
 * options for this model, 4 set-up failure, 124 timeout, 128+N signal N, a
 * device's vm_stop status). */
int hostsim_vm_run(const struct hostsim_model *m, const struct hostsim_options *o);

/* A model's exit status as Firecracker reports how the guest ended
 * (src/vmm/src/lib.rs FcExitCode, vstate/vcpu.rs handle_kvm_exit): 0 after
 * a reset or shutdown system event (the i8042 reset, an ACPI power-off), 1
 * after a triple fault, an internal error or any other end, with the vCPU's
 * state in the log. The Hyper-V model reports the same way. */
int hostsim_exit_status_by_event(struct hostsim_vm *vm, const struct cpu_kvm_end_info *end,
                                 const struct hostsim_options *o);

#endif
