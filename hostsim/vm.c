/* The run every machine model shares: see vm.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "hostsim/log.h"
#include "hostsim/status.h"
#include "hostsim/vm.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hostsim_vm_irq(void *ctx, unsigned line)
{
    struct hostsim_vm *vm = ctx;
    cpu_kvm_irq_pulse(&vm->kvm, line);
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

int hostsim_exit_status_by_event(struct hostsim_vm *vm, const struct cpu_kvm_end_info *end,
                                 const struct hostsim_options *o)
{
    (void)o;
    if (end->kind == CPU_KVM_END_SYSTEM_EVENT &&
        (end->detail == KVM_SYSTEM_EVENT_RESET || end->detail == KVM_SYSTEM_EVENT_SHUTDOWN)) {
        hs_debug("%s: exit status 0", end->text);
        return 0;
    }
    hs_log("%s: exit status 1", end->text);
    if (end->kind != CPU_KVM_END_SYSTEM_EVENT)
        cpu_kvm_describe_vcpu(&vm->kvm, end->vcpu);
    return 1;
}

/* hostsim's own endings; the rest is the model's. */
static int exit_status(struct hostsim_vm *vm, const struct cpu_kvm_end_info *end,
                       const struct hostsim_options *o)
{
    struct cpu_kvm *k = &vm->kvm;
    if (end->kind == CPU_KVM_END_STOP) {
        hs_debug("%s", end->text);
        return k->stop.status;
    }
    if (end->kind == CPU_KVM_END_SIGNAL) {
        if (end->signal == SIGALRM) {
            uint32_t st = 0;
            cpu_kvm_get_mp_state(k, 0, &st);
            hs_log("timeout: the guest did not end within %g s (vCPU 0 is %s): exit status %d",
                   o->timeout, cpu_kvm_mp_state_name(st), HOSTSIM_EXIT_TIMEOUT);
            for (unsigned i = 0; i < k->nvcpus; i++) {
                if (i > 0 && k->vcpu[i].thread_started)
                    continue; /* still inside KVM_RUN: cannot be read */
                if (i > 0 && cpu_kvm_get_mp_state(k, i, &st) == 0)
                    hs_log("vCPU %u is %s", i, cpu_kvm_mp_state_name(st));
                cpu_kvm_describe_vcpu(k, i);
            }
            return HOSTSIM_EXIT_TIMEOUT;
        }
        hs_log("stopped by %s: exit status %d", end->text, HOSTSIM_EXIT_SIGNAL + end->signal);
        return HOSTSIM_EXIT_SIGNAL + end->signal;
    }
    return vm->model->exit_status(vm, end, o);
}

int hostsim_vm_run(const struct hostsim_model *m, const struct hostsim_options *o)
{
    if (m->check != NULL && m->check(o) != 0)
        return HOSTSIM_EXIT_USAGE;
    static struct hostsim_vm vm; /* large (vCPU table, buses); one per process */
    memset(&vm, 0, sizeof vm);
    vm.model = m;
    double t0 = now_seconds();
    vm.loop.wake_fd = -1; /* ioloop_stop closes nothing before ioloop_init */
    if (cpu_kvm_open(&vm.kvm) != 0 || ioloop_init(&vm.loop, &vm.kvm.dev_lock) != 0 ||
        m->setup(&vm, o) != 0 || cpu_kvm_arm_msr_exits(&vm.kvm) != 0) {
        if (m->stop != NULL)
            m->stop(&vm);
        ioloop_stop(&vm.loop);
        cpu_kvm_close(&vm.kvm);
        return HOSTSIM_EXIT_SETUP;
    }
    double t1 = now_seconds();
    hs_debug("VM built in %.1f ms", (t1 - t0) * 1e3);

    int status = HOSTSIM_EXIT_SETUP;
    if (cpu_kvm_catch_signals() != 0 || (o->timeout > 0 && arm_timeout(o->timeout) != 0) ||
        (m->start != NULL && m->start(&vm) != 0) || ioloop_start(&vm.loop) != 0)
        goto out;
    struct cpu_kvm_end_info end;
    cpu_kvm_run(&vm.kvm, &end);
    ioloop_stop(&vm.loop);
    fflush(stdout);
    hs_debug("guest ran %.1f ms", (now_seconds() - t1) * 1e3);
    if (vm.kvm.unclaimed_pio || vm.kvm.unclaimed_mmio || vm.kvm.unclaimed_msr)
        hs_debug("%lu unclaimed port, %lu unclaimed MMIO accesses (reads returned 0), %lu "
                 "unclaimed MSR accesses (#GP)",
                 vm.kvm.unclaimed_pio, vm.kvm.unclaimed_mmio, vm.kvm.unclaimed_msr);
    status = exit_status(&vm, &end, o);
out:
    ioloop_stop(&vm.loop);
    if (m->stop != NULL)
        m->stop(&vm);
    fflush(stdout);
    cpu_kvm_close(&vm.kvm);
    return status;
}
