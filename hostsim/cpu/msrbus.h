/* Dispatch of the guest's rdmsr/wrmsr of the model-specific registers a
 * machine model emulates (Hyper-V's synthetic MSRs 0x40000000 and up, TLFS
 * "Partition Properties" and "Synthetic Interrupt Controller"): a table of
 * MSR ranges, each with a read and a write handler that get the calling
 * vCPU. The CPU back end asks KVM to hand exactly these MSRs to user space
 * (KVM_CAP_X86_USER_SPACE_MSR, KVM_X86_SET_MSR_FILTER; cpu_kvm.c) and brings
 * each exit here. Pure logic, no KVM. */
#ifndef HOSTSIM_CPU_MSRBUS_H
#define HOSTSIM_CPU_MSRBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/cpu/vcpu.h"

#define MSRBUS_MAX_RANGES 16 /* KVM_MSR_FILTER_MAX_RANGES */

/* Return 0, or -1 to have the guest take #GP(0) (an MSR or value the
 * hardware would refuse: Intel SDM vol. 2B, RDMSR/WRMSR, "Protected Mode
 * Exceptions"). */
typedef int (*msrbus_read_fn)(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t *value);
typedef int (*msrbus_write_fn)(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t value);

struct msrbus_range {
    uint32_t first, count; /* MSRs [first, first + count) */
    const char *name;
    msrbus_read_fn read;   /* NULL: reads fault (#GP) */
    msrbus_write_fn write; /* NULL: writes fault (#GP) */
    void *ctx;
};

struct msrbus {
    struct msrbus_range range[MSRBUS_MAX_RANGES];
    unsigned count;
};

/* Returns 0, or -1 (with a message on stderr) when the table is full, count
 * is 0, the range wraps past 0xFFFFFFFF or overlaps one already there. */
int msrbus_add(struct msrbus *bus, uint32_t first, uint32_t count, const char *name,
               msrbus_read_fn read, msrbus_write_fn write, void *ctx);

const struct msrbus_range *msrbus_find(const struct msrbus *bus, uint32_t msr);

enum msrbus_result {
    MSRBUS_OK,        /* handled; a read's value is in *value */
    MSRBUS_FAULT,     /* a handler refused it, or the range has no handler: #GP */
    MSRBUS_UNCLAIMED, /* no range holds the MSR: #GP, as for an MSR the CPU lacks */
};

/* *value is 0 unless a read handler says otherwise. */
enum msrbus_result msrbus_read(const struct msrbus *bus, struct hs_vcpu *vcpu, uint32_t msr,
                               uint64_t *value);
enum msrbus_result msrbus_write(const struct msrbus *bus, struct hs_vcpu *vcpu, uint32_t msr,
                                uint64_t value);

#endif
