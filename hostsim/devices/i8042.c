/* The i8042 keyboard controller as Firecracker models it
 * (src/vmm/src/devices/legacy/i8042.rs, src/vmm/src/lib.rs FcExitCode). Claims ports
 * 0x60-0x64; only 1-byte accesses to 0x60 (data) and 0x64 (status/command)
 * do anything, everything else reads 0 and is dropped.
 *   - reset: status 0x10 (keyboard enabled), control 0x05 (POST ok, keyboard
 *     interrupt), output port 0;
 *   - 0x64 <- 0xFE (pulse reset): the VM ends with the model's reset status
 *     (Firecracker exits with 0), at once;
 *   - 0x64 <- 0x20 / 0xD0: the control register / output port becomes the
 *     next byte of 0x60 (buffer emptied first);
 *   - 0x64 <- 0x60 / 0xD1: the next byte written to 0x60 sets the control
 *     register / output port (status bit 3 set meanwhile);
 *   - any other byte to 0x60 is a keyboard command: answered 0xFA (ACK) and
 *     IRQ 1 when the control register enables it;
 *   - 0x60 reads pop the 16-byte buffer (0 when empty; IRQ 1 again while
 *     bytes remain); status bit 0 says the buffer holds data. */
#include <string.h>

#include "hostsim/devices/legacy.h"
#include "hostsim/registry.h"

static const struct hostsim_backend i8042_backend = {
    .name = "i8042",
    .summary = "i8042 keyboard controller: control register, output port, reset 0xFE",
};
HOSTSIM_REGISTER_BACKEND(i8042_backend);

#define OFS_DATA 0
#define OFS_STATUS 4
#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_READ_OUTP 0xD0
#define CMD_WRITE_OUTP 0xD1
#define CMD_RESET_CPU 0xFE
#define SB_OUT_DATA_AVAIL 0x01
#define SB_I8042_CMD_DATA 0x08
#define SB_KBD_ENABLED 0x10
#define CB_KBD_INT 0x01
#define CB_POST_OK 0x04
#define KBD_ACK 0xFA

void i8042_init(struct i8042 *d, struct vm_stop *stop, int reset_status, legacy_irq_fn irq,
                void *irq_ctx, unsigned line)
{
    memset(d, 0, sizeof *d);
    d->status = SB_KBD_ENABLED;
    d->control = CB_POST_OK | CB_KBD_INT;
    d->stop = stop;
    d->reset_status = reset_status;
    d->irq = irq;
    d->irq_ctx = irq_ctx;
    d->line = line;
}

int i8042_register(struct i8042 *d, struct iobus *pio)
{
    return iobus_add(pio, I8042_BASE, I8042_PORTS, "i8042", i8042_read, i8042_write, d);
}

static void kbd_interrupt(struct i8042 *d)
{
    if ((d->control & CB_KBD_INT) && d->irq != NULL)
        d->irq(d->irq_ctx, d->line);
}

static void flush(struct i8042 *d)
{
    d->head = d->len = 0;
    d->status &= (uint8_t)~SB_OUT_DATA_AVAIL;
}

static void push(struct i8042 *d, uint8_t byte)
{
    d->status |= SB_OUT_DATA_AVAIL;
    if (d->len < I8042_BUF)
        d->buf[(d->head + d->len++) % I8042_BUF] = byte;
}

void i8042_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data, unsigned size)
{
    struct i8042 *d = ctx;
    (void)vcpu;
    if (size != 1)
        return;
    if (offset == OFS_STATUS) {
        data[0] = d->status;
    } else if (offset == OFS_DATA) {
        uint8_t v = 0;
        if (d->len > 0) {
            v = d->buf[d->head];
            d->head = (d->head + 1) % I8042_BUF;
            if (--d->len == 0)
                d->status &= (uint8_t)~SB_OUT_DATA_AVAIL;
        }
        data[0] = v;
        if (d->status & SB_OUT_DATA_AVAIL)
            kbd_interrupt(d);
    }
}

void i8042_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                 unsigned size)
{
    struct i8042 *d = ctx;
    (void)vcpu;
    if (size != 1)
        return;
    uint8_t v = data[0];
    if (offset == OFS_STATUS) {
        switch (v) {
        case CMD_RESET_CPU:
            vm_stop_request(d->stop, d->reset_status,
                            "guest reset the machine (0xFE to i8042 port 0x64)");
            break;
        case CMD_READ_CTR:
            flush(d);
            push(d, d->control);
            break;
        case CMD_WRITE_CTR:
            flush(d);
            d->status |= SB_I8042_CMD_DATA;
            d->cmd = v;
            break;
        case CMD_READ_OUTP:
            flush(d);
            push(d, d->outp);
            break;
        case CMD_WRITE_OUTP:
            d->status |= SB_I8042_CMD_DATA;
            d->cmd = v;
            break;
        default: /* other controller commands are ignored */
            break;
        }
    } else if (offset == OFS_DATA) {
        if (d->status & SB_I8042_CMD_DATA) {
            if (d->cmd == CMD_WRITE_CTR)
                d->control = v;
            else if (d->cmd == CMD_WRITE_OUTP)
                d->outp = v;
            d->status &= (uint8_t)~SB_I8042_CMD_DATA;
        } else {
            flush(d);
            push(d, KBD_ACK);
            kbd_interrupt(d);
        }
    }
}
