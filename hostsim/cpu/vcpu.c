/* Lazy register access for device handlers: see vcpu.h. */
#include <stddef.h>
#include <string.h>

#include "hostsim/cpu/vcpu.h"

void hs_vcpu_init(struct hs_vcpu *v, unsigned index, const struct hs_vcpu_ops *ops, void *ctx)
{
    memset(v, 0, sizeof *v);
    v->index = index;
    v->ops = ops;
    v->ctx = ctx;
}

unsigned hs_vcpu_index(const struct hs_vcpu *v)
{
    return v->index;
}

static bool load(struct hs_vcpu *v)
{
    if (v->loaded)
        return true;
    if (v->failed || v->ops == NULL || v->ops->load(v->ctx, v->regs) != 0) {
        v->failed = true;
        return false;
    }
    v->loaded = true;
    return true;
}

uint64_t hs_vcpu_get(struct hs_vcpu *v, enum hs_reg r)
{
    if ((unsigned)r >= HS_NREGS || !load(v))
        return 0;
    return v->regs[r];
}

void hs_vcpu_set(struct hs_vcpu *v, enum hs_reg r, uint64_t value)
{
    /* Loaded first: KVM_SET_REGS writes every register, so the others must
     * hold the vCPU's values. */
    if ((unsigned)r >= HS_NREGS || !load(v))
        return;
    v->regs[r] = value;
    v->dirty = true;
}

int hs_vcpu_sync(struct hs_vcpu *v)
{
    if (v->dirty && !v->failed && v->ops->store(v->ctx, v->regs) != 0)
        v->failed = true;
    v->loaded = v->dirty = false;
    if (v->failed) {
        v->failed = false;
        return -1;
    }
    return 0;
}

const char *hs_reg_name(enum hs_reg r)
{
    static const char *const names[HS_NREGS] = {
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8",
        "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
    };
    return (unsigned)r < HS_NREGS ? names[r] : "?";
}
