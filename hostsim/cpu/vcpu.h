/* The vCPU a device handler runs on behalf of: its number, and its general
 * registers, read and written lazily. A handler that needs no register costs
 * nothing; the first read fetches all of them once (KVM_GET_REGS), a write
 * marks them dirty, and the run loop stores them back (KVM_SET_REGS) before
 * the vCPU re-enters the guest. A Hyper-V hypercall page that traps with an
 * `out` is served this way: the port handler reads RCX, RDX and R8 and sets
 * RAX (the hypercall ABI, TLFS "Hypercall Interface").
 *
 * Pure logic over a load/store pair, so that tests drive it without KVM. */
#ifndef HOSTSIM_CPU_VCPU_H
#define HOSTSIM_CPU_VCPU_H

#include <stdbool.h>
#include <stdint.h>

enum hs_reg {
    HS_RAX,
    HS_RBX,
    HS_RCX,
    HS_RDX,
    HS_RSI,
    HS_RDI,
    HS_RSP,
    HS_RBP,
    HS_R8,
    HS_R9,
    HS_R10,
    HS_R11,
    HS_R12,
    HS_R13,
    HS_R14,
    HS_R15,
    HS_RIP,
    HS_RFLAGS,
    HS_NREGS,
};

struct hs_vcpu_ops {
    /* Fill / store all HS_NREGS registers; 0, or -1 after saying why. */
    int (*load)(void *ctx, uint64_t regs[HS_NREGS]);
    int (*store)(void *ctx, const uint64_t regs[HS_NREGS]);
};

struct hs_vcpu {
    unsigned index; /* the vCPU's number, also its APIC id */
    const struct hs_vcpu_ops *ops;
    void *ctx;
    uint64_t regs[HS_NREGS];
    bool loaded; /* regs hold the vCPU's registers */
    bool dirty;  /* regs were changed: store before the vCPU runs again */
    bool failed; /* a load or store failed: the run must end */
};

void hs_vcpu_init(struct hs_vcpu *v, unsigned index, const struct hs_vcpu_ops *ops, void *ctx);
unsigned hs_vcpu_index(const struct hs_vcpu *v);
/* A register's value (0 after a failed load, with v->failed set). */
uint64_t hs_vcpu_get(struct hs_vcpu *v, enum hs_reg r);
void hs_vcpu_set(struct hs_vcpu *v, enum hs_reg r, uint64_t value);
/* Before the vCPU runs again: stores dirty registers and forgets the copy.
 * Returns 0, or -1 when a load or store failed since the last sync. */
int hs_vcpu_sync(struct hs_vcpu *v);
const char *hs_reg_name(enum hs_reg r);

#endif
