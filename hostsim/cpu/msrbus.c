/* The MSR bus: see msrbus.h. */
#include <stddef.h>

#include "hostsim/cpu/msrbus.h"
#include "hostsim/log.h"

int msrbus_add(struct msrbus *bus, uint32_t first, uint32_t count, const char *name,
               msrbus_read_fn read, msrbus_write_fn write, void *ctx)
{
    if (bus->count >= MSRBUS_MAX_RANGES) {
        hs_log("too many MSR ranges (at %s; KVM's filter takes %d)", name, MSRBUS_MAX_RANGES);
        return -1;
    }
    if (count == 0 || (uint64_t)first + count > 0x100000000ull) {
        hs_log("%s: bad MSR range 0x%x+0x%x", name, first, count);
        return -1;
    }
    for (unsigned i = 0; i < bus->count; i++) {
        const struct msrbus_range *r = &bus->range[i];
        if ((uint64_t)first < (uint64_t)r->first + r->count &&
            (uint64_t)r->first < (uint64_t)first + count) {
            hs_log("%s MSRs 0x%x-0x%x overlap %s at 0x%x-0x%x", name, first, first + count - 1,
                   r->name, r->first, r->first + r->count - 1);
            return -1;
        }
    }
    bus->range[bus->count++] = (struct msrbus_range){
        .first = first, .count = count, .name = name, .read = read, .write = write, .ctx = ctx};
    return 0;
}

const struct msrbus_range *msrbus_find(const struct msrbus *bus, uint32_t msr)
{
    for (unsigned i = 0; i < bus->count; i++) {
        const struct msrbus_range *r = &bus->range[i];
        if (msr >= r->first && msr - r->first < r->count)
            return r;
    }
    return NULL;
}

enum msrbus_result msrbus_read(const struct msrbus *bus, struct hs_vcpu *vcpu, uint32_t msr,
                               uint64_t *value)
{
    *value = 0;
    const struct msrbus_range *r = msrbus_find(bus, msr);
    if (r == NULL)
        return MSRBUS_UNCLAIMED;
    if (r->read == NULL || r->read(r->ctx, vcpu, msr, value) != 0) {
        *value = 0;
        return MSRBUS_FAULT;
    }
    return MSRBUS_OK;
}

enum msrbus_result msrbus_write(const struct msrbus *bus, struct hs_vcpu *vcpu, uint32_t msr,
                                uint64_t value)
{
    const struct msrbus_range *r = msrbus_find(bus, msr);
    if (r == NULL)
        return MSRBUS_UNCLAIMED;
    if (r->write == NULL || r->write(r->ctx, vcpu, msr, value) != 0)
        return MSRBUS_FAULT;
    return MSRBUS_OK;
}
