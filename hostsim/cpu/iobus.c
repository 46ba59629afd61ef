#include <string.h>

#include "hostsim/cpu/iobus.h"
#include "hostsim/log.h"

int iobus_add(struct iobus *bus, uint64_t base, uint64_t len, const char *name, iobus_read_fn read,
              iobus_write_fn write, void *ctx)
{
    if (bus->count >= IOBUS_MAX_RANGES) {
        hs_log("too many devices on one bus (at %s)", name);
        return -1;
    }
    if (len == 0 || base + len < base) {
        hs_log("%s: bad range 0x%llx+0x%llx", name, (unsigned long long)base,
               (unsigned long long)len);
        return -1;
    }
    for (unsigned i = 0; i < bus->count; i++) {
        const struct iobus_range *r = &bus->range[i];
        if (base < r->base + r->len && r->base < base + len) {
            hs_log("%s at 0x%llx-0x%llx overlaps %s at 0x%llx-0x%llx", name,
                   (unsigned long long)base, (unsigned long long)(base + len - 1), r->name,
                   (unsigned long long)r->base, (unsigned long long)(r->base + r->len - 1));
            return -1;
        }
    }
    bus->range[bus->count++] = (struct iobus_range){
        .base = base, .len = len, .name = name, .read = read, .write = write, .ctx = ctx};
    return 0;
}

const struct iobus_range *iobus_find(const struct iobus *bus, uint64_t addr)
{
    for (unsigned i = 0; i < bus->count; i++) {
        const struct iobus_range *r = &bus->range[i];
        if (addr >= r->base && addr - r->base < r->len)
            return r;
    }
    return NULL;
}

bool iobus_read(const struct iobus *bus, struct hs_vcpu *vcpu, uint64_t addr, uint8_t *data,
                unsigned size)
{
    if (size > IOBUS_MAX_ACCESS)
        size = IOBUS_MAX_ACCESS;
    memset(data, 0, size);
    const struct iobus_range *r = iobus_find(bus, addr);
    if (r == NULL)
        return false;
    if (r->read != NULL && size > 0)
        r->read(r->ctx, vcpu, addr - r->base, data, size);
    return true;
}

bool iobus_write(const struct iobus *bus, struct hs_vcpu *vcpu, uint64_t addr, const uint8_t *data,
                 unsigned size)
{
    const struct iobus_range *r = iobus_find(bus, addr);
    if (r == NULL)
        return false;
    if (r->write != NULL && size > 0 && size <= IOBUS_MAX_ACCESS)
        r->write(r->ctx, vcpu, addr - r->base, data, size);
    return true;
}
