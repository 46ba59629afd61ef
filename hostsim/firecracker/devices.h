/* Firecracker's legacy devices (src/vmm/src/device_manager/legacy.rs,
 * src/vmm/src/devices/legacy/; fact sheet §6) and hostsim's debug-exit port.
 * Each is pure logic behind iobus handlers: it gets the access, an
 * interrupt line to pulse and a vm_stop to end the VM. */
#ifndef HOSTSIM_FC_DEVICES_H
#define HOSTSIM_FC_DEVICES_H

#include <stdint.h>
#include <stdio.h>

#include "hostsim/iobus.h"
#include "hostsim/vm_stop.h"

/* An edge on interrupt input gsi. */
typedef void (*fc_irq_fn)(void *ctx, unsigned gsi);

/* ---- serial.c: COM1, a 16550A at 0x3F8-0x3FF, GSI 4 ---- */
#define FC_SERIAL_FIFO 64

struct fc_serial {
    uint8_t dll, dlm, ier, iir, lcr, mcr, lsr, msr, scr;
    uint8_t fifo[FC_SERIAL_FIFO]; /* receive FIFO; only loopback fills it */
    unsigned fifo_head, fifo_len;
    FILE *out; /* the guest's output: stdout */
    fc_irq_fn irq;
    void *irq_ctx;
};

void fc_serial_init(struct fc_serial *s, FILE *out, fc_irq_fn irq, void *irq_ctx);
int fc_serial_register(struct fc_serial *s, struct iobus *pio);
void fc_serial_read(void *ctx, uint64_t offset, uint8_t *data, unsigned size);
void fc_serial_write(void *ctx, uint64_t offset, const uint8_t *data, unsigned size);

/* ---- i8042.c: keyboard controller at 0x60-0x64, GSI 1 ---- */
#define FC_I8042_BUF 16

struct fc_i8042 {
    uint8_t status, control, outp, cmd;
    uint8_t buf[FC_I8042_BUF];
    unsigned head, len;
    struct vm_stop *stop; /* 0xFE on port 0x64 ends the VM with status 0 */
    fc_irq_fn irq;
    void *irq_ctx;
};

void fc_i8042_init(struct fc_i8042 *d, struct vm_stop *stop, fc_irq_fn irq, void *irq_ctx);
int fc_i8042_register(struct fc_i8042 *d, struct iobus *pio);
void fc_i8042_read(void *ctx, uint64_t offset, uint8_t *data, unsigned size);
void fc_i8042_write(void *ctx, uint64_t offset, const uint8_t *data, unsigned size);

/* ---- debug_exit.c: not Firecracker's; QEMU isa-debug-exit semantics ---- */
struct fc_debug_exit {
    uint16_t port;
    struct vm_stop *stop;
};

int fc_debug_exit_register(struct fc_debug_exit *d, uint16_t port, struct vm_stop *stop,
                           struct iobus *pio);
void fc_debug_exit_write(void *ctx, uint64_t offset, const uint8_t *data, unsigned size);

#endif
