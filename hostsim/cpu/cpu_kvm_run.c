/* KVM back end, the run loop: KVM_RUN on every vCPU, I/O and MSR exits handed
 * to the buses with the calling vCPU, registers a handler changed stored back
 * before the vCPU runs again, the first ending (a device's stop request, a triple fault, a KVM
 * error, a signal) recorded and returned. See cpu_kvm.h. */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "hostsim/cpu/assist.h"
#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/log.h"
#include "hostsim/run_signals.h"

#define UNCLAIMED_LOG_LIMIT 32 /* with --verbose, report this many unclaimed accesses */

/* Signal state: the handler may only touch these. */
static volatile sig_atomic_t pending_signal;
static __thread struct kvm_run *thread_run; /* the vCPU this thread runs */

static void on_signal(int sig)
{
    if (sig != SIGUSR1) /* SIGUSR1 only kicks the BSP out of KVM_RUN */
        pending_signal = sig;
    if (thread_run != NULL)
        thread_run->immediate_exit = 1; /* also covers a signal just before KVM_RUN */
}

int cpu_kvm_catch_signals(void)
{
    sigset_t sigs;
    hs_run_signals(&sigs);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigismember(&sigs, sig) == 1 && sigaction(sig, &sa, NULL) != 0) {
            hs_log("sigaction: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Records the first ending; a later one (another vCPU, a late signal) is
 * dropped. Kicks the BSP out of KVM_RUN when an AP ended the run. */
static void end_run(struct cpu_kvm *k, const struct cpu_kvm_end_info *info)
{
    pthread_mutex_lock(&k->end_lock);
    int first = !k->ended;
    if (first) {
        k->end = *info;
        __atomic_store_n(&k->ended, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&k->end_lock);
    if (first && !pthread_equal(pthread_self(), k->bsp_thread))
        pthread_kill(k->bsp_thread, SIGUSR1);
}

static void end_with(struct cpu_kvm *k, unsigned vcpu, enum cpu_kvm_end kind, uint32_t reason,
                     uint64_t detail, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void end_with(struct cpu_kvm *k, unsigned vcpu, enum cpu_kvm_end kind, uint32_t reason,
                     uint64_t detail, const char *fmt, ...)
{
    struct cpu_kvm_end_info info = {
        .kind = kind, .vcpu = vcpu, .exit_reason = reason, .detail = detail};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info.text, sizeof info.text, fmt, ap);
    va_end(ap);
    end_run(k, &info);
}

static void note_unclaimed(unsigned long *counter, const char *space, uint64_t addr, unsigned size,
                           int is_write, const uint8_t *data)
{
    (*counter)++;
    if (!hs_verbose || *counter > UNCLAIMED_LOG_LIMIT)
        return;
    uint64_t v = 0;
    memcpy(&v, data, size <= 8 ? size : 8);
    if (is_write)
        hs_log("unclaimed %s write 0x%llx size %u value 0x%llx (dropped)%s", space,
               (unsigned long long)addr, size, (unsigned long long)v,
               *counter == UNCLAIMED_LOG_LIMIT ? "; further ones not shown" : "");
    else
        hs_log("unclaimed %s read 0x%llx size %u (returns 0)%s", space, (unsigned long long)addr,
               size, *counter == UNCLAIMED_LOG_LIMIT ? "; further ones not shown" : "");
}

/* KVM_EXIT_IO: count accesses of size bytes each, data inside the run area. */
static int handle_pio(struct cpu_kvm *k, unsigned vcpu, struct kvm_run *run)
{
    unsigned size = run->io.size, count = run->io.count;
    uint64_t off = run->io.data_offset;
    if ((size != 1 && size != 2 && size != 4) || count == 0 || off >= k->run_size ||
        (uint64_t)size * count > k->run_size - off) {
        end_with(k, vcpu, CPU_KVM_END_ERROR, KVM_EXIT_IO, 0,
                 "KVM reported a malformed port access (port 0x%x size %u count %u)", run->io.port,
                 size, count);
        return -1;
    }
    uint8_t *data = (uint8_t *)run + off;
    int out = run->io.direction == KVM_EXIT_IO_OUT;
    struct hs_vcpu *v = &k->vcpu[vcpu].hs;
    pthread_mutex_lock(&k->dev_lock);
    for (unsigned i = 0; i < count; i++, data += size) {
        int claimed = out ? iobus_write(&k->pio, v, run->io.port, data, size)
                          : iobus_read(&k->pio, v, run->io.port, data, size);
        if (!claimed)
            note_unclaimed(&k->unclaimed_pio, "port", run->io.port, size, out, data);
    }
    pthread_mutex_unlock(&k->dev_lock);
    return 0;
}

static int handle_mmio(struct cpu_kvm *k, unsigned vcpu, struct kvm_run *run)
{
    unsigned len = run->mmio.len;
    if (len == 0 || len > sizeof run->mmio.data) {
        end_with(k, vcpu, CPU_KVM_END_ERROR, KVM_EXIT_MMIO, 0,
                 "KVM reported a malformed MMIO access (0x%llx len %u)",
                 (unsigned long long)run->mmio.phys_addr, len);
        return -1;
    }
    struct hs_vcpu *v = &k->vcpu[vcpu].hs;
    pthread_mutex_lock(&k->dev_lock);
    int claimed = run->mmio.is_write
                      ? iobus_write(&k->mmio, v, run->mmio.phys_addr, run->mmio.data, len)
                      : iobus_read(&k->mmio, v, run->mmio.phys_addr, run->mmio.data, len);
    if (!claimed)
        note_unclaimed(&k->unclaimed_mmio, "MMIO", run->mmio.phys_addr, len, run->mmio.is_write,
                       run->mmio.data);
    pthread_mutex_unlock(&k->dev_lock);
    return 0;
}

/* KVM_EXIT_X86_RDMSR / WRMSR (KVM api.rst, KVM_CAP_X86_USER_SPACE_MSR):
 * answer through run->msr; error = 1 makes KVM inject #GP(0). */
static int handle_msr(struct cpu_kvm *k, unsigned vcpu, struct kvm_run *run)
{
    struct hs_vcpu *v = &k->vcpu[vcpu].hs;
    int is_write = run->exit_reason == KVM_EXIT_X86_WRMSR;
    enum msrbus_result res;
    pthread_mutex_lock(&k->dev_lock);
    if (is_write) {
        res = msrbus_write(&k->msr, v, run->msr.index, run->msr.data);
    } else {
        uint64_t value;
        res = msrbus_read(&k->msr, v, run->msr.index, &value);
        run->msr.data = value;
    }
    pthread_mutex_unlock(&k->dev_lock);
    run->msr.error = res != MSRBUS_OK;
    if (res == MSRBUS_UNCLAIMED) {
        k->unclaimed_msr++;
        if (hs_verbose && k->unclaimed_msr <= UNCLAIMED_LOG_LIMIT)
            hs_log("unclaimed %s of MSR 0x%x on vCPU %u: #GP", is_write ? "wrmsr" : "rdmsr",
                   run->msr.index, vcpu);
    }
    return 0;
}

/* KVM gave up emulating an instruction: complete it when assist.h says a
 * CPU would have. Returns 1 when the vCPU can go on. */
static int assist(struct cpu_kvm *k, unsigned vcpu)
{
    int fd = k->vcpu[vcpu].fd;
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(fd, KVM_GET_REGS, &r) < 0 || ioctl(fd, KVM_GET_SREGS, &s) < 0)
        return 0;
    uint8_t insn[1];
    size_t n = 0;
    struct kvm_translation t = {.linear_address = s.cs.base + r.rip};
    if (ioctl(fd, KVM_TRANSLATE, &t) == 0 && t.valid) {
        /* One byte decides (assist.h). */
        n = guest_mem_read(&k->mem, t.physical_address, insn, 1) == 0 ? 1 : 0;
    }
    struct assist_decision d = assist_decide(insn, n, s.cr0);
    if (d.action == ASSIST_NONE)
        return 0;
    r.rip += d.length;
    if (ioctl(fd, KVM_SET_REGS, &r) < 0)
        return 0;
    if (d.action == ASSIST_INJECT_BP) {
        struct kvm_vcpu_events ev;
        if (ioctl(fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
            return 0;
        ev.exception.injected = 1;
        ev.exception.nr = 3;
        ev.exception.has_error_code = 0;
        ev.exception.error_code = 0;
        ev.flags = 0;
        if (ioctl(fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
            return 0;
    }
    if (__atomic_fetch_add(&k->assisted, 1, __ATOMIC_RELAXED) < UNCLAIMED_LOG_LIMIT)
        hs_debug("vCPU %u: KVM could not emulate %s at rip 0x%llx; hostsim completed it", vcpu,
                 d.what, (unsigned long long)(r.rip - d.length));
    return 1;
}

static const char *system_event_name(uint32_t type)
{
    switch (type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        return "shutdown";
    case KVM_SYSTEM_EVENT_RESET:
        return "reset";
    case KVM_SYSTEM_EVENT_CRASH:
        return "crash";
    default:
        return "other";
    }
}

/* Handles one exit; returns 1 to keep running, 0 once the run has ended. */
static int handle_exit(struct cpu_kvm *k, unsigned vcpu, struct kvm_run *run)
{
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return handle_pio(k, vcpu, run) == 0;
    case KVM_EXIT_MMIO:
        return handle_mmio(k, vcpu, run) == 0;
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR:
        return handle_msr(k, vcpu, run) == 0;
    case KVM_EXIT_SHUTDOWN:
        end_with(k, vcpu, CPU_KVM_END_SHUTDOWN, run->exit_reason, 0,
                 "triple fault (KVM_EXIT_SHUTDOWN) on vCPU %u", vcpu);
        return 0;
    case KVM_EXIT_SYSTEM_EVENT:
        end_with(k, vcpu, CPU_KVM_END_SYSTEM_EVENT, run->exit_reason, run->system_event.type,
                 "KVM_EXIT_SYSTEM_EVENT %s (type %u) on vCPU %u",
                 system_event_name(run->system_event.type), run->system_event.type, vcpu);
        return 0;
    case KVM_EXIT_INTERNAL_ERROR: {
        if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION && assist(k, vcpu))
            return 1;
        char words[128] = "";
        size_t used = 0;
        for (unsigned i = 0; i < run->internal.ndata && i < 4; i++)
            used += (size_t)snprintf(words + used, sizeof words - used, " 0x%llx",
                                     (unsigned long long)run->internal.data[i]);
        end_with(k, vcpu, CPU_KVM_END_INTERNAL_ERROR, run->exit_reason, run->internal.suberror,
                 "KVM internal error, suberror %u%s, data:%s on vCPU %u", run->internal.suberror,
                 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                     ? " (instruction emulation failed)"
                     : "",
                 used ? words : " none", vcpu);
        return 0;
    }
    case KVM_EXIT_FAIL_ENTRY:
        end_with(k, vcpu, CPU_KVM_END_FAIL_ENTRY, run->exit_reason,
                 run->fail_entry.hardware_entry_failure_reason,
                 "KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx on vCPU %u",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason, vcpu);
        return 0;
    case KVM_EXIT_INTR:
        return 1; /* the EINTR path below looks at signals */
    default:
        end_with(k, vcpu, CPU_KVM_END_UNHANDLED, run->exit_reason, 0,
                 "unhandled KVM exit reason %u on vCPU %u", run->exit_reason, vcpu);
        return 0;
    }
}

static void vcpu_loop(struct cpu_kvm *k, unsigned vcpu)
{
    struct kvm_run *run = k->vcpu[vcpu].run;
    thread_run = run;
    while (!__atomic_load_n(&k->ended, __ATOMIC_ACQUIRE)) {
        if (ioctl(k->vcpu[vcpu].fd, KVM_RUN, 0) < 0) {
            int err = errno;
            run->immediate_exit = 0;
            if (err == EINTR || err == EAGAIN) {
                int sig = pending_signal;
                if (sig == SIGTERM && vcpu == 0 && k->sigterm_hook != NULL && !k->sigterm_hooked) {
                    k->sigterm_hooked = 1;
                    pending_signal = 0;
                    pthread_mutex_lock(&k->dev_lock);
                    k->sigterm_hook(k->sigterm_ctx);
                    pthread_mutex_unlock(&k->dev_lock);
                    sig = 0;
                }
                if (sig != 0 && vcpu == 0) {
                    struct cpu_kvm_end_info info = {
                        .kind = CPU_KVM_END_SIGNAL, .vcpu = vcpu, .signal = sig};
                    snprintf(info.text, sizeof info.text, "signal %d (%s)", sig, strsignal(sig));
                    end_run(k, &info);
                }
                /* A device thread's stop request kicks vCPU 0 out of KVM_RUN. */
                if (vm_stop_requested(&k->stop)) {
                    end_with(k, vcpu, CPU_KVM_END_STOP, 0, (uint64_t)k->stop.status, "%s",
                             k->stop.reason);
                    return;
                }
                continue;
            }
            end_with(k, vcpu, CPU_KVM_END_ERROR, 0, (uint64_t)err, "KVM_RUN on vCPU %u: %s", vcpu,
                     strerror(err));
            return;
        }
        if (!handle_exit(k, vcpu, run))
            return;
        /* Registers a handler changed go back before the vCPU runs again. */
        if (hs_vcpu_sync(&k->vcpu[vcpu].hs) != 0) {
            end_with(k, vcpu, CPU_KVM_END_ERROR, run->exit_reason, 0,
                     "a device handler could not access the registers of vCPU %u", vcpu);
            return;
        }
        if (vm_stop_requested(&k->stop)) {
            end_with(k, vcpu, CPU_KVM_END_STOP, run->exit_reason, (uint64_t)k->stop.status, "%s",
                     k->stop.reason);
            return;
        }
    }
}

/* Whether the realtime clock is still before *until. */
static int step_before(const struct timespec *until)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec < until->tv_sec ||
           (now.tv_sec == until->tv_sec && now.tv_nsec < until->tv_nsec);
}

static void *ap_thread(void *arg)
{
    struct cpu_kvm_vcpu *v = arg;
    /* SIGUSR1 alone reaches an AP: it brings it out of KVM_RUN once the run
     * has ended (stop_aps), so its registers can be read and its fd closed. */
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    vcpu_loop(v->owner, v->index);
    return NULL;
}

/* After the ending: each AP leaves KVM_RUN (a halted AP sleeps there until
 * a signal comes) and its thread ends; one that does not within a second
 * is left to the process exit. */
static void stop_aps(struct cpu_kvm *k)
{
    for (unsigned i = 1; i < k->nvcpus; i++) {
        if (!k->vcpu[i].thread_started)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        int rc;
        do {
            pthread_kill(k->vcpu[i].thread, SIGUSR1);
            struct timespec step;
            clock_gettime(CLOCK_REALTIME, &step);
            step.tv_nsec += 10 * 1000 * 1000;
            if (step.tv_nsec >= 1000000000) {
                step.tv_sec++;
                step.tv_nsec -= 1000000000;
            }
            rc = pthread_timedjoin_np(k->vcpu[i].thread, NULL, &step);
        } while (rc == ETIMEDOUT && (step_before(&until)));
        if (rc == 0)
            k->vcpu[i].thread_started = 0;
    }
}

void cpu_kvm_run(struct cpu_kvm *k, struct cpu_kvm_end_info *end)
{
    k->bsp_thread = pthread_self();

    /* APs must not take the process-wide signals (the BSP handles them). */
    sigset_t old;
    hs_block_run_signals(&old);
    for (unsigned i = 1; i < k->nvcpus; i++) {
        k->vcpu[i].thread_started = 1;
        if (pthread_create(&k->vcpu[i].thread, NULL, ap_thread, &k->vcpu[i]) != 0) {
            k->vcpu[i].thread_started = 0;
            hs_log("cannot start a thread for vCPU %u; it stays stopped", i);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    vcpu_loop(k, 0);
    stop_aps(k);
    pthread_mutex_lock(&k->end_lock);
    *end = k->end;
    pthread_mutex_unlock(&k->end_lock);
}

void cpu_kvm_describe_vcpu(struct cpu_kvm *k, unsigned vcpu)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (vcpu >= k->nvcpus || ioctl(k->vcpu[vcpu].fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(k->vcpu[vcpu].fd, KVM_GET_SREGS, &s) < 0)
        return;
    hs_log("vCPU %u: rip=0x%llx rsp=0x%llx rbp=0x%llx rflags=0x%llx", vcpu,
           (unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)r.rbp,
           (unsigned long long)r.rflags);
    hs_log("vCPU %u: rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx", vcpu,
           (unsigned long long)r.rax, (unsigned long long)r.rbx, (unsigned long long)r.rcx,
           (unsigned long long)r.rdx, (unsigned long long)r.rsi, (unsigned long long)r.rdi);
    hs_log("vCPU %u: cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx cs=0x%x%s", vcpu,
           (unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
           (unsigned long long)s.cr4, (unsigned long long)s.efer, s.cs.selector,
           s.cs.l    ? " (64-bit)"
           : s.cs.db ? " (32-bit)"
                     : " (16-bit)");
    hs_log("vCPU %u: gdt=0x%llx/0x%x idt=0x%llx/0x%x", vcpu, (unsigned long long)s.gdt.base,
           s.gdt.limit, (unsigned long long)s.idt.base, s.idt.limit);

    /* The bytes at CS:RIP, through the guest's own page tables. */
    struct kvm_translation t = {.linear_address = s.cs.base + r.rip};
    if (ioctl(k->vcpu[vcpu].fd, KVM_TRANSLATE, &t) == 0 && t.valid) {
        uint8_t bytes[16];
        unsigned n = sizeof bytes;
        while (n > 0 && guest_mem_read(&k->mem, t.physical_address, bytes, n) != 0)
            n--;
        char hex[3 * sizeof bytes + 1] = "";
        for (unsigned i = 0; i < n; i++)
            snprintf(hex + 3 * i, sizeof hex - 3 * i, " %02x", bytes[i]);
        hs_log("vCPU %u: bytes at rip (gpa 0x%llx):%s", vcpu,
               (unsigned long long)t.physical_address, n ? hex : " (not in RAM)");
    }
}

void cpu_kvm_kick(struct cpu_kvm *k)
{
    if (!pthread_equal(pthread_self(), k->bsp_thread))
        pthread_kill(k->bsp_thread, SIGUSR1);
}
