/* A transport's register block as the transport logic sees it: reads and
 * writes of 1, 2 or 4 bytes at an offset. In the kernel they are loads and
 * stores to a mapped window (virtio-mmio, virtio-pci memory BARs) or port
 * I/O (the legacy virtio-pci I/O BAR), virtio_regs_hw.c; host tests and
 * fuzzers put a simulated device behind them, so the register sequences of
 * the transports are tested without hardware. Little-endian, like the CPU
 * (the registers are, 4.1.3 and 4.2.2; the legacy interfaces use the guest's
 * order, 2.5.3 and 2.7.3, which on x86 is the same). */
#ifndef DRIVERS_VIRTIO_VIRTIO_REGS_H
#define DRIVERS_VIRTIO_VIRTIO_REGS_H

#include <stdint.h>

struct virtio_regs {
    uint32_t (*read)(void *ctx, unsigned offset, unsigned size);
    void (*write)(void *ctx, unsigned offset, unsigned size, uint32_t value);
    void *ctx;
};

static inline uint8_t vregs_read8(const struct virtio_regs *r, unsigned off)
{
    return (uint8_t)r->read(r->ctx, off, 1);
}
static inline uint16_t vregs_read16(const struct virtio_regs *r, unsigned off)
{
    return (uint16_t)r->read(r->ctx, off, 2);
}
static inline uint32_t vregs_read32(const struct virtio_regs *r, unsigned off)
{
    return r->read(r->ctx, off, 4);
}
static inline void vregs_write8(const struct virtio_regs *r, unsigned off, uint8_t v)
{
    r->write(r->ctx, off, 1, v);
}
static inline void vregs_write16(const struct virtio_regs *r, unsigned off, uint16_t v)
{
    r->write(r->ctx, off, 2, v);
}
static inline void vregs_write32(const struct virtio_regs *r, unsigned off, uint32_t v)
{
    r->write(r->ctx, off, 4, v);
}

/* An access of size bytes (1, 2 or 4): a device-specific configuration
 * field, read with its own width (4.1.3.1, 4.2.2.2). */
static inline uint32_t vregs_read(const struct virtio_regs *r, unsigned off, unsigned size)
{
    return r->read(r->ctx, off, size);
}
static inline void vregs_write(const struct virtio_regs *r, unsigned off, unsigned size, uint32_t v)
{
    r->write(r->ctx, off, size, v);
}

/* 64 feature bits behind a 32-bit window and the select register that
 * picks its half (the virtio-pci common configuration, 4.1.4.3; virtio-mmio
 * Version 2, 4.2.2): bits 32-63 with select 1, bits 0-31 with select 0. */
static inline uint64_t vregs_read_features(const struct virtio_regs *r, unsigned select,
                                           unsigned window)
{
    vregs_write32(r, select, 1);
    uint64_t hi = vregs_read32(r, window);
    vregs_write32(r, select, 0);
    return hi << 32 | vregs_read32(r, window);
}
static inline void vregs_write_features(const struct virtio_regs *r, unsigned select,
                                        unsigned window, uint64_t features)
{
    vregs_write32(r, select, 0);
    vregs_write32(r, window, (uint32_t)features);
    vregs_write32(r, select, 1);
    vregs_write32(r, window, (uint32_t)(features >> 32));
}

/* Kernel accessors (virtio_regs_hw.c): a memory window at base, or an I/O
 * port range at port. */
struct virtio_regs virtio_regs_mmio(uintptr_t base);
struct virtio_regs virtio_regs_port(uint16_t port);

#endif
