/* Dispatch of the guest's port I/O and MMIO accesses to the machine model's
 * devices: a small table of address ranges, each with a read and a write
 * handler. One iobus serves ports, another MMIO. The handler gets the vCPU
 * that made the access (its number and lazily its registers: vcpu.h; NULL
 * when a test calls it), the offset into its range and the access size (1,
 * 2, 4 or 8 bytes, whatever the guest chose); the range only guarantees that
 * the access *starts* inside it, so a handler checks offset + size itself.
 * Pure logic, no KVM. */
#ifndef HOSTSIM_CPU_IOBUS_H
#define HOSTSIM_CPU_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/cpu/vcpu.h"

#define IOBUS_MAX_RANGES 32
#define IOBUS_MAX_ACCESS 8 /* the widest access KVM reports (MMIO: 8 bytes) */

/* data holds size bytes, little-endian. A read handler starts from zeroes
 * (what Firecracker returns for bytes a device does not fill). */
typedef void (*iobus_read_fn)(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data,
                              unsigned size);
typedef void (*iobus_write_fn)(void *ctx, struct hs_vcpu *vcpu, uint64_t offset,
                               const uint8_t *data, unsigned size);

struct iobus_range {
    uint64_t base, len;
    const char *name;
    iobus_read_fn read;   /* NULL: reads return zeroes */
    iobus_write_fn write; /* NULL: writes are dropped */
    void *ctx;
};

struct iobus {
    struct iobus_range range[IOBUS_MAX_RANGES];
    unsigned count;
};

/* Returns 0, or -1 (with a message on stderr) when the table is full, len is
 * 0, the range wraps or overlaps an existing one. */
int iobus_add(struct iobus *bus, uint64_t base, uint64_t len, const char *name, iobus_read_fn read,
              iobus_write_fn write, void *ctx);

/* The range holding addr, or NULL. */
const struct iobus_range *iobus_find(const struct iobus *bus, uint64_t addr);

/* Dispatch one access. Unclaimed reads return zeroes and unclaimed writes are
 * dropped, as in Firecracker (arch/x86_64/vcpu.rs run_arch_emulation: the
 * buffer is zero-filled before the bus is asked). size must be 1..8; data of
 * a read is always fully written. Return true when a device claimed it. */
bool iobus_read(const struct iobus *bus, struct hs_vcpu *vcpu, uint64_t addr, uint8_t *data,
                unsigned size);
bool iobus_write(const struct iobus *bus, struct hs_vcpu *vcpu, uint64_t addr, const uint8_t *data,
                 unsigned size);

#endif
