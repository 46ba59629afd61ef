/* The hypervisor side of one Hyper-V partition as hostsim emulates it: the
 * synthetic MSRs (synthetic_msrs.c), the hypercalls that reach it through
 * the hypercall page's `out` (hypercall.c) and the synthetic interrupt
 * controller's message and event delivery (synic.c). Pure logic over guest
 * memory and two callbacks (the guest's TSC, an interrupt to one vCPU), so
 * host tests drive it without KVM; the machine model wires it
 * to the MSR and port buses.
 *
 * Threads: every entry point is called with the VM's device lock held
 * (cpu_kvm.h dev_lock), so the state needs no lock of its own; the guest
 * pages it writes are shared with running vCPUs and are written with
 * ordered stores (synic.c). */
#ifndef HOSTSIM_HYPERV_PARTITION_H
#define HOSTSIM_HYPERV_PARTITION_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"
#include "hostsim/hyperv/tlfs.h"

#define HVHOST_MAX_VPS 64
#define HVHOST_MAX_PORTS 16
#define HVHOST_SINT_QUEUE 16 /* messages waiting per VP and SINT */

struct hvhost_env {
    /* The TSC vCPU vp reads now (all vCPUs share one TSC). */
    uint64_t (*guest_tsc)(void *ctx, unsigned vp);
    /* A fixed, edge interrupt with vector to vCPU vp. */
    void (*interrupt)(void *ctx, unsigned vp, unsigned vector);
    void *ctx;
};

/* A message waiting for its SIM slot. */
struct hvhost_message {
    uint32_t type;
    uint8_t size;
    uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};

struct hvhost_sint_queue {
    struct hvhost_message msg[HVHOST_SINT_QUEUE];
    unsigned head, count;
};

struct hvhost_vp {
    uint64_t scontrol, siefp, simp;
    uint64_t vp_assist; /* HV_X64_MSR_VP_ASSIST_PAGE as written (kept, never used) */
    uint64_t sint[HV_SINT_COUNT];
    struct hvhost_sint_queue queue[HV_SINT_COUNT];
};

/* A connection the guest posts messages or signals events to (TLFS
 * "Connections and Ports"): HvPostMessage hands the message to `message`,
 * HvSignalEvent hands the flag number (< flag_count) to `event`. Each
 * returns an HV_STATUS_* value. */
struct hvhost_port {
    uint32_t connection_id;
    uint16_t (*message)(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                        uint32_t size);
    uint16_t (*event)(void *ctx, unsigned vp, uint16_t flag);
    unsigned flag_count;
    void *ctx;
};

struct hvhost_partition {
    const struct guest_mem *mem;
    struct hvhost_env env;
    unsigned nvps;
    uint64_t tsc_hz;    /* the guest TSC's rate */
    uint64_t apic_hz;   /* the LAPIC timer's input clock */
    uint64_t tsc_scale; /* reference TSC page: 100 ns per TSC tick, as a 0.64 fraction */
    uint64_t guest_os_id, hypercall, reference_tsc;
    uint32_t tsc_sequence; /* the last sequence published */
    struct hvhost_vp vp[HVHOST_MAX_VPS];
    struct hvhost_port port[HVHOST_MAX_PORTS];
    unsigned nports;
    unsigned long hypercalls, messages_delivered, events_signalled;
};

/* A partition of nvps VPs in its reset state. tsc_hz must be nonzero.
 * Returns 0, or -1 when nvps or tsc_hz is out of range. */
int hvhost_partition_init(struct hvhost_partition *p, const struct guest_mem *mem, unsigned nvps,
                          uint64_t tsc_hz, uint64_t apic_hz, const struct hvhost_env *env);

/* Registers a port (connection ids must be unique, 23:0). 0 or -1. */
int hvhost_partition_add_port(struct hvhost_partition *p, const struct hvhost_port *port);
const struct hvhost_port *hvhost_partition_port(const struct hvhost_partition *p, uint32_t id);

/* ---- synthetic_msrs.c ---- */
/* The MSR range this host claims: 0x40000000-0x400000FF. */
#define HVHOST_MSR_FIRST 0x40000000u
#define HVHOST_MSR_COUNT 0x100u
/* rdmsr/wrmsr of a synthetic MSR by VP vp: 0, or -1 for #GP (an MSR that is
 * not emulated, a write to a read-only one, a value the TLFS refuses). */
int hvhost_msr_read(struct hvhost_partition *p, unsigned vp, uint32_t msr, uint64_t *value);
int hvhost_msr_write(struct hvhost_partition *p, unsigned vp, uint32_t msr, uint64_t value);
/* The partition reference time (100 ns units) as vCPU vp sees it:
 * TIME_REF_COUNT, and what the reference TSC page yields. */
uint64_t hvhost_reference_time(struct hvhost_partition *p, unsigned vp);
/* floor(2^64 * 10^7 / tsc_hz): the TscScale of the reference TSC page
 * (TLFS "Partition Reference TSC Mechanism"). */
uint64_t hvhost_tsc_scale(uint64_t tsc_hz);

/* The hypercall page's code, HVHOST_HYPERCALL_CODE_SIZE bytes at offset 0:
 * `out imm8, al` to port `port` (E6 ib), then a near `ret` (C3); the rest
 * of the page is `int3`. */
#define HVHOST_HYPERCALL_CODE_SIZE 3
void hvhost_hypercall_page(uint8_t page[HV_PAGE_SIZE], uint8_t port);

/* ---- hypercall.c ---- */
/* One hypercall by VP vp with the x64 register ABI (TLFS "Hypercall
 * Interface"): RCX control, RDX and R8 input and output GPAs (memory form)
 * or input words (fast form). Returns RAX. */
uint64_t hvhost_hypercall(struct hvhost_partition *p, unsigned vp, uint64_t rcx, uint64_t rdx,
                          uint64_t r8);

/* ---- synic.c ---- */
/* Queues a message of `type` (nonzero) and size <= 240 for SINT `sint` of
 * VP vp and delivers what fits. Returns 0, or -1 when the queue is full
 * (nothing queued). */
int hvhost_synic_post(struct hvhost_partition *p, unsigned vp, unsigned sint, uint32_t type,
                      const void *payload, unsigned size);
/* Sets event flag `flag` (< 2048) of SINT `sint` in VP vp's SIEF page and
 * interrupts on a 0->1 change. Returns HV_STATUS_SUCCESS, or
 * HV_STATUS_INVALID_SYNIC_STATE when the SIEF page is off or the SINT is
 * masked (nothing set). */
uint16_t hvhost_synic_signal(struct hvhost_partition *p, unsigned vp, unsigned sint, unsigned flag);
/* Delivers what waits for VP vp's free slots (after an EOM, or when SIMP or
 * a SINT is enabled). */
void hvhost_synic_rescan(struct hvhost_partition *p, unsigned vp);
/* Messages waiting for a slot of (vp, sint). */
unsigned hvhost_synic_queued(const struct hvhost_partition *p, unsigned vp, unsigned sint);

#endif
