/* PC legacy devices shared by every machine model: a 16550A UART, the i8042
 * keyboard controller, the CMOS real-time clock and a debug-exit port. Each is pure logic behind
 * iobus handlers: it gets the access, an interrupt line to pulse and a vm_stop to end the VM; the
 * model chooses the ports and interrupt lines (Firecracker: COM1 0x3F8 on GSI 4, the i8042 at
 * 0x60-0x64 on GSI 1, device_manager/ legacy.rs). */
#ifndef HOSTSIM_DEVICES_LEGACY_H
#define HOSTSIM_DEVICES_LEGACY_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "hostsim/cpu/iobus.h"
#include "hostsim/vm_stop.h"

/* An edge on interrupt input `line`. */
typedef void (*legacy_irq_fn)(void *ctx, unsigned line);

/* ---- serial16550.c: a 16550A UART, 8 ports ---- */
#define SERIAL16550_PORTS 8
#define SERIAL16550_FIFO 64

struct serial16550 {
    uint8_t dll, dlm, ier, iir, lcr, mcr, lsr, msr, scr;
    uint8_t fifo[SERIAL16550_FIFO]; /* receive FIFO; only loopback fills it */
    unsigned fifo_head, fifo_len;
    FILE *out; /* the guest's output */
    legacy_irq_fn irq;
    void *irq_ctx;
    unsigned line; /* its interrupt input */
    uint64_t bytes_out;
};

void serial16550_init(struct serial16550 *s, FILE *out, legacy_irq_fn irq, void *irq_ctx,
                      unsigned line);
int serial16550_register(struct serial16550 *s, struct iobus *pio, uint16_t base);
void serial16550_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data,
                      unsigned size);
void serial16550_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                       unsigned size);

/* ---- i8042.c: keyboard controller, data port 0x60, command port 0x64 ---- */
#define I8042_BASE 0x60
#define I8042_PORTS 5
#define I8042_BUF 16

struct i8042 {
    uint8_t status, control, outp, cmd;
    uint8_t buf[I8042_BUF];
    unsigned head, len;
    struct vm_stop *stop; /* 0xFE on port 0x64 ends the VM with reset_status */
    int reset_status;
    legacy_irq_fn irq;
    void *irq_ctx;
    unsigned line;
};

void i8042_init(struct i8042 *d, struct vm_stop *stop, int reset_status, legacy_irq_fn irq,
                void *irq_ctx, unsigned line);
int i8042_register(struct i8042 *d, struct iobus *pio);
void i8042_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size);
void i8042_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                 unsigned size);

/* ---- cmos_rtc.c: the CMOS real-time clock, index 0x70, data 0x71 ---- */
#define CMOS_RTC_BASE 0x70
#define CMOS_RTC_PORTS 2
#define CMOS_RTC_CENTURY 0x32

struct cmos_rtc {
    uint8_t index;
    time_t (*now)(void); /* the host's clock; NULL: time(NULL) */
};

int cmos_rtc_register_ports(struct cmos_rtc *c, struct iobus *pio);
/* Register reg's value now (BCD, 24-hour). */
uint8_t cmos_rtc_register(const struct cmos_rtc *c, uint8_t reg);
void cmos_rtc_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size);
void cmos_rtc_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                    unsigned size);

/* ---- debug_exit.c: QEMU isa-debug-exit semantics; no monitor hostsim
 * models has it, it carries a test's status out ---- */
#define DEBUG_EXIT_PORTS 2

struct debug_exit {
    uint16_t port;
    struct vm_stop *stop;
};

int debug_exit_register(struct debug_exit *d, uint16_t port, struct vm_stop *stop,
                        struct iobus *pio);
void debug_exit_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                      unsigned size);

#endif
