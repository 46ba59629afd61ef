/* VMBus inside the Hyper-V machine: see vmbus_machine.h. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hostsim/hyperv/vmbus_machine.h"
#include "hostsim/log.h"
#include "hostsim/status.h"
#include "hostsim/vmbus/wire.h"

#define UNIX_TO_1601 116444736000000000ull /* 100 ns from 1601-01-01 to 1970-01-01 */

static void stop_vm(struct hvm_vmbus *b, int status, const char *reason)
{
    vm_stop_request(&b->vm->kvm.stop, status, reason);
    cpu_kvm_kick(&b->vm->kvm);
}

static int hook_post(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len)
{
    struct hvm_vmbus *b = ctx;
    return hvhost_synic_post(b->partition, vp, sint, VMBUS_MESSAGE_TYPE, msg, (unsigned)len);
}

static void hook_signal(void *ctx, unsigned vp, unsigned sint, uint32_t relid)
{
    struct hvm_vmbus *b = ctx;
    uint16_t st = hvhost_synic_signal(b->partition, vp, sint, relid);
    if (st != HV_STATUS_SUCCESS)
        hs_debug("vmbus: channel %u's event to VP %u SINT %u not delivered (status 0x%x)", relid,
                 vp, sint, st);
}

static void hook_violation(void *ctx, const char *what)
{
    struct hvm_vmbus *b = ctx;
    hs_log("VMBus protocol violation by the guest: %s: exit status %d", what, HOSTSIM_EXIT_VMBUS);
    stop_vm(b, HOSTSIM_EXIT_VMBUS, "the guest broke the VMBus protocol");
}

static void hook_misbehaving(void *ctx, const char *what)
{
    (void)ctx;
    hs_log("misbehaving now: %s", what);
}

/* HvPostMessage to connection 1 or 4: a channel message (type 1). */
static uint16_t channel_message(struct hvm_vmbus *b, uint32_t conn, uint32_t type,
                                const uint8_t *payload, uint32_t size)
{
    if (type != VMBUS_MESSAGE_TYPE)
        vmbus_host_violation(&b->host,
                             "HvPostMessage of type %u to VMBus connection %u: expected type 1",
                             type, conn);
    else
        vmbus_host_message(&b->host, conn, payload, size);
    return HV_STATUS_SUCCESS; /* taken: the host never runs out of buffers */
}

static uint16_t on_message_1(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                             uint32_t size)
{
    (void)vp;
    return channel_message(ctx, VMBUS_CONNECTION_ID, type, payload, size);
}

static uint16_t on_message_4(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                             uint32_t size)
{
    (void)vp;
    return channel_message(ctx, VMBUS_CONNECTION_ID_V5, type, payload, size);
}

/* HvSignalEvent on a channel's connection id: ctx is the channel. */
static uint16_t on_channel_event(void *ctx, unsigned vp, uint16_t flag)
{
    (void)vp;
    (void)flag;
    struct vmbus_host_channel *ch = ctx;
    vmbus_host_channel_signalled(ch->host, ch->relid);
    return HV_STATUS_SUCCESS;
}

static void env_log(void *ctx, const char *line)
{
    (void)ctx;
    hs_debug("vmbus: %s", line);
}

static void env_notice(void *ctx, const char *line)
{
    (void)ctx;
    hs_log("vmbus: %s", line);
}

static uint64_t env_wall(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u + UNIX_TO_1601;
}

/* The reference time now, from this thread: KVM_GET_MSRS cannot read a
 * vCPU that runs, so the guest TSC is the host's plus the difference
 * measured before the guest started (KVM keeps that offset). */
static uint64_t env_reference(void *ctx)
{
    struct hvm_vmbus *b = ctx;
    uint64_t tsc = __builtin_ia32_rdtsc() + b->tsc_offset;
    return (uint64_t)(((unsigned __int128)tsc * b->partition->tsc_scale) >> 64);
}

/* The first SIGTERM: ask the guest (cpu_kvm's sigterm hook, dev lock held). */
static void on_sigterm(void *ctx)
{
    struct hvm_vmbus *b = ctx;
    if (vmbus_ic_shutdown_request(&b->shutdown, 0, HVM_SHUTDOWN_TIMEOUT) != 0) {
        hs_log("SIGTERM: %s: ending the VM", b->shutdown.ready
                                                 ? "the shutdown service still owes an answer"
                                                 : "the guest has no working shutdown service");
        stop_vm(b, HOSTSIM_EXIT_SIGNAL + SIGTERM, "SIGTERM without a shutdown service");
        return;
    }
    hs_log("SIGTERM: asked the guest to shut down through the shutdown IC (a second SIGTERM, "
           "or no shutdown within %d s, ends the VM)",
           HVM_SHUTDOWN_TIMEOUT);
    b->shutdown_wait = 1;
}

static void on_tick(void *ctx, int fd, short revents)
{
    (void)revents;
    struct hvm_vmbus *b = ctx;
    uint64_t n;
    if (read(fd, &n, sizeof n) != sizeof n)
        return;
    b->ticks += n;
    vmbus_ic_tick(&b->heartbeat);
    vmbus_ic_tick(&b->timesync);
    vmbus_ic_tick(&b->kvp);
    if (b->rescind_relid != 0 && b->ticks >= b->rescind_at_tick) {
        uint32_t relid = b->rescind_relid;
        b->rescind_relid = 0;
        if (vmbus_host_rescind(&b->host, relid) == 0)
            hs_log("vmbus: rescinded channel %u (%s), as --vmbus-rescind asked", relid,
                   b->host.channel[relid - 1].service->name);
        else
            hs_log("vmbus: --vmbus-rescind: channel %u (%s) was not offered to the guest by "
                   "then; nothing rescinded",
                   relid, b->host.channel[relid - 1].service->name);
    }
    if (b->shutdown_wait > 0) {
        if (vmbus_ic_shutdown_answer(&b->shutdown) < 0) {
            hs_log("the guest refused the shutdown: ending the VM");
            stop_vm(b, HOSTSIM_EXIT_SIGNAL + SIGTERM, "the guest refused the shutdown");
        } else if ((b->shutdown_wait += (unsigned)n) > HVM_SHUTDOWN_TIMEOUT) {
            hs_log("the guest did not shut down within %d s of the request: ending the VM",
                   HVM_SHUTDOWN_TIMEOUT);
            stop_vm(b, HOSTSIM_EXIT_SIGNAL + SIGTERM, "no shutdown after the request");
        }
    }
}

int hvm_vmbus_attach(struct hvm_vmbus *b, struct hostsim_vm *vm, struct hvhost_partition *p,
                     uint32_t max_version)
{
    memset(b, 0, sizeof b[0]);
    b->vm = vm;
    b->partition = p;
    b->timer_fd = -1;
    uint64_t guest_tsc = 0;
    if (cpu_kvm_get_msr(&vm->kvm, 0, 0x10 /* IA32_TSC */, &guest_tsc) != 0)
        return -1;
    b->tsc_offset = guest_tsc - __builtin_ia32_rdtsc();
    b->env = (struct vmbus_ic_env){.log = env_log,
                                   .notice = env_notice,
                                   .wall_time = env_wall,
                                   .reference_time = env_reference,
                                   .ctx = b};
    struct vmbus_host_hooks hooks = {.post = hook_post,
                                     .signal = hook_signal,
                                     .violation = hook_violation,
                                     .misbehaving = hook_misbehaving,
                                     .ctx = b};
    vmbus_host_init(&b->host, &vm->kvm.mem, p->nvps, max_version, &hooks);
    struct vmbus_ic *ics[] = {&b->shutdown, &b->heartbeat, &b->timesync, &b->kvp};
    const struct vmbus_ic_kind *kinds[] = {&vmbus_ic_shutdown, &vmbus_ic_heartbeat,
                                           &vmbus_ic_timesync, &vmbus_ic_kvp};
    struct hvhost_port msg1 = {
        .connection_id = VMBUS_CONNECTION_ID, .message = on_message_1, .ctx = b};
    struct hvhost_port msg4 = {
        .connection_id = VMBUS_CONNECTION_ID_V5, .message = on_message_4, .ctx = b};
    if (hvhost_partition_add_port(p, &msg1) != 0 || hvhost_partition_add_port(p, &msg4) != 0)
        return -1;
    for (unsigned i = 0; i < 4; i++) {
        struct vmbus_host_channel *ch;
        if (vmbus_ic_init(ics[i], kinds[i], &b->env) != 0 ||
            (ch = vmbus_host_add_channel(&b->host, &ics[i]->service)) == NULL)
            return -1;
        /* Relid as the flag number's range: the guest signals with any. */
        struct hvhost_port ev = {.connection_id = ch->connection_id,
                                 .event = on_channel_event,
                                 .flag_count = 2048,
                                 .ctx = ch};
        if (hvhost_partition_add_port(p, &ev) != 0)
            return -1;
    }
    vm->kvm.sigterm_hook = on_sigterm;
    vm->kvm.sigterm_ctx = b;
    hs_debug("vmbus: versions up to 0x%x; channels: shutdown, heartbeat, timesync, kvp (relids "
             "1-4)",
             max_version);
    return 0;
}

struct vmbus_host_channel *hvm_vmbus_add_service(struct hvm_vmbus *b,
                                                 const struct vmbus_host_service *s)
{
    struct vmbus_host_channel *ch = vmbus_host_add_channel(&b->host, s);
    if (ch == NULL) {
        hs_log("vmbus: no room for another channel (%s)", s->name);
        return NULL;
    }
    /* Relid as the flag number's range: the guest signals with any. */
    struct hvhost_port ev = {.connection_id = ch->connection_id,
                             .event = on_channel_event,
                             .flag_count = 2048,
                             .ctx = ch};
    return hvhost_partition_add_port(b->partition, &ev) == 0 ? ch : NULL;
}

int hvm_vmbus_add_storvsc(struct hvm_vmbus *b, struct storvsc_host *s)
{
    s->channel = hvm_vmbus_add_service(b, &s->service);
    return s->channel != NULL ? 0 : -1;
}

int hvm_vmbus_rescind_later(struct hvm_vmbus *b, const char *name, unsigned seconds)
{
    for (unsigned i = 0; i < b->host.nchannels; i++) {
        if (strcmp(b->host.channel[i].service->name, name) == 0) {
            b->rescind_relid = b->host.channel[i].relid;
            b->rescind_at_tick = seconds;
            return 0;
        }
    }
    return -1;
}

int hvm_vmbus_start(struct hvm_vmbus *b)
{
    b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    struct itimerspec t = {.it_interval = {1, 0}, .it_value = {1, 0}};
    if (b->timer_fd < 0 || timerfd_settime(b->timer_fd, 0, &t, NULL) != 0 ||
        ioloop_add(&b->vm->loop, b->timer_fd, on_tick, b) != 0) {
        hs_log("vmbus: cannot start the services' timer: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void hvm_vmbus_stop(struct hvm_vmbus *b)
{
    if (b->timer_fd >= 0)
        close(b->timer_fd);
    b->timer_fd = -1;
    vmbus_host_destroy(&b->host);
}
