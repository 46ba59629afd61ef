/* The kernel's register accessors (virtio_regs.h): uncached memory loads
 * and stores of the access's width, or in/out instructions. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "drivers/virtio/virtio_regs.h"

static uint32_t mem_read(void *ctx, unsigned off, unsigned size)
{
    uintptr_t a = (uintptr_t)ctx + off;
    switch (size) {
    case 1:
        return *(volatile uint8_t *)a;
    case 2:
        return *(volatile uint16_t *)a;
    default:
        return mmio_read32(a);
    }
}

static void mem_write(void *ctx, unsigned off, unsigned size, uint32_t v)
{
    uintptr_t a = (uintptr_t)ctx + off;
    switch (size) {
    case 1:
        *(volatile uint8_t *)a = (uint8_t)v;
        break;
    case 2:
        *(volatile uint16_t *)a = (uint16_t)v;
        break;
    default:
        mmio_write32(a, v);
        break;
    }
}

static uint32_t port_read(void *ctx, unsigned off, unsigned size)
{
    uint16_t port = (uint16_t)((uintptr_t)ctx + off);
    switch (size) {
    case 1:
        return inb(port);
    case 2:
        return inw(port);
    default:
        return inl(port);
    }
}

static void port_write(void *ctx, unsigned off, unsigned size, uint32_t v)
{
    uint16_t port = (uint16_t)((uintptr_t)ctx + off);
    switch (size) {
    case 1:
        outb(port, (uint8_t)v);
        break;
    case 2:
        outw(port, (uint16_t)v);
        break;
    default:
        outl(port, v);
        break;
    }
}

struct virtio_regs virtio_regs_mmio(uintptr_t base)
{
    return (struct virtio_regs){mem_read, mem_write, (void *)base};
}

struct virtio_regs virtio_regs_port(uint16_t port)
{
    return (struct virtio_regs){port_read, port_write, (void *)(uintptr_t)port};
}
