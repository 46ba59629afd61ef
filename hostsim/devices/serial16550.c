/* A 16550A UART as Firecracker models COM1: vm-superio 0.8 Serial
 * (src/serial.rs) behind Firecracker's SerialWrapper (devices/legacy/
 * serial.rs). Register map: the NS16550A data sheet. What the guest sees:
 *   - only 1-byte accesses count (others read 0 and are dropped);
 *   - reset values DLL 0x0C DLM 0 (9600 baud), IER 0, IIR 0x01, LCR 0x03,
 *     MCR 0x08 (OUT2), LSR 0x60 (THR and transmitter empty, always), MSR
 *     0xB0 (DCD, DSR, CTS), SCR 0;
 *   - a THR write goes straight to the output and, when IER bit 1 is set and
 *     no THR-empty interrupt is pending, raises one (IIR 0x02) on its line;
 *   - reading IIR returns it with the FIFO bits (0xC0) and clears it to 0x01;
 *   - MCR bit 4 (loopback) sends THR bytes to the 64-byte receive FIFO
 *     instead, with DR in LSR and a received-data interrupt (IIR 0x04) when
 *     IER bit 0 is set; FCR bit 1 empties that FIFO.
 * Not reproduced: input from stdin (Firecracker feeds stdin to the receive
 * FIFO); hostsim's guest never receives bytes except through loopback. Every
 * byte is checked where it lands: offsets outside the 8 ports and accesses
 * wider than a byte are ignored. */
#include <string.h>

#include "hostsim/devices/legacy.h"
#include "hostsim/registry.h"

static const struct hostsim_backend serial16550_backend = {
    .name = "serial16550",
    .summary =
        "16550A UART: output to stdout, loopback FIFO (vm-superio 0.8 as Firecracker uses it)",
};
HOSTSIM_REGISTER_BACKEND(serial16550_backend);

#define REG_DATA 0 /* RBR / THR, or DLL with DLAB */
#define REG_IER 1  /* or DLM with DLAB */
#define REG_IIR 2  /* read: IIR, write: FCR */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_VALID 0x0F
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xC0
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_IDLE 0x60 /* THRE | TEMT */
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

void serial16550_init(struct serial16550 *s, FILE *out, legacy_irq_fn irq, void *irq_ctx,
                      unsigned line)
{
    memset(s, 0, sizeof *s);
    s->dll = 0x0C;
    s->iir = IIR_NONE;
    s->lcr = 0x03;
    s->mcr = MCR_OUT2;
    s->lsr = LSR_IDLE;
    s->msr = MSR_DSR | MSR_CTS | MSR_DCD;
    s->out = out;
    s->irq = irq;
    s->irq_ctx = irq_ctx;
    s->line = line;
}

int serial16550_register(struct serial16550 *s, struct iobus *pio, uint16_t base)
{
    return iobus_add(pio, base, SERIAL16550_PORTS, "serial", serial16550_read, serial16550_write,
                     s);
}

/* Raise an interrupt kind unless it is already pending (not yet read). */
static void raise(struct serial16550 *s, uint8_t enable_bit, uint8_t iir_bit)
{
    if (!(s->ier & enable_bit) || (s->iir & iir_bit))
        return;
    s->iir = (uint8_t)((s->iir & ~IIR_NONE) | iir_bit);
    if (s->irq != NULL)
        s->irq(s->irq_ctx, s->line);
}

static void transmit(struct serial16550 *s, uint8_t byte)
{
    if (s->mcr & MCR_LOOP) {
        if (s->fifo_len < SERIAL16550_FIFO) {
            s->fifo[(s->fifo_head + s->fifo_len++) % SERIAL16550_FIFO] = byte;
            s->lsr |= LSR_DR;
            raise(s, IER_RDA, IIR_RDA);
        }
        return;
    }
    s->bytes_out++;
    if (s->out != NULL) {
        fputc(byte, s->out);
        if (byte == '\n')
            fflush(s->out);
    }
    /* The byte is gone at once, so THR is empty again. */
    raise(s, IER_THRE, IIR_THRE);
}

void serial16550_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                       unsigned size)
{
    struct serial16550 *s = ctx;
    (void)vcpu;
    if (size != 1 || offset >= SERIAL16550_PORTS)
        return;
    uint8_t v = data[0];
    int dlab = (s->lcr & LCR_DLAB) != 0;
    switch (offset) {
    case REG_DATA:
        if (dlab)
            s->dll = v;
        else
            transmit(s, v);
        break;
    case REG_IER:
        if (dlab)
            s->dlm = v;
        else
            s->ier = v & IER_VALID;
        break;
    case REG_IIR: /* FCR */
        if (v & FCR_CLEAR_RX) {
            s->fifo_head = s->fifo_len = 0;
            s->lsr &= (uint8_t)~LSR_DR;
        }
        break;
    case REG_LCR:
        s->lcr = v;
        break;
    case REG_MCR:
        s->mcr = v;
        break;
    case REG_SCR:
        s->scr = v;
        break;
    default: /* LSR and MSR are read-only */
        break;
    }
}

void serial16550_read(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, uint8_t *data,
                      unsigned size)
{
    struct serial16550 *s = ctx;
    (void)vcpu;
    if (size != 1 || offset >= SERIAL16550_PORTS)
        return;
    int dlab = (s->lcr & LCR_DLAB) != 0;
    uint8_t v = 0;
    switch (offset) {
    case REG_DATA:
        if (dlab) {
            v = s->dll;
            break;
        }
        s->iir &= (uint8_t)~IIR_RDA;
        if (s->iir == 0)
            s->iir = IIR_NONE;
        if (s->fifo_len > 0) {
            v = s->fifo[s->fifo_head];
            s->fifo_head = (s->fifo_head + 1) % SERIAL16550_FIFO;
            s->fifo_len--;
        }
        if (s->fifo_len == 0)
            s->lsr &= (uint8_t)~LSR_DR;
        break;
    case REG_IER:
        v = dlab ? s->dlm : s->ier;
        break;
    case REG_IIR:
        v = s->iir | IIR_FIFO;
        s->iir = IIR_NONE;
        break;
    case REG_LCR:
        v = s->lcr;
        break;
    case REG_MCR:
        v = s->mcr;
        break;
    case REG_LSR:
        v = s->lsr;
        break;
    case REG_MSR:
        if (s->mcr & MCR_LOOP) {
            /* Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
            v = s->msr & (uint8_t) ~(MSR_DSR | MSR_CTS | MSR_RI | MSR_DCD);
            v |= (s->mcr & MCR_DTR) ? MSR_DSR : 0;
            v |= (s->mcr & MCR_RTS) ? MSR_CTS : 0;
            v |= (s->mcr & MCR_OUT1) ? MSR_RI : 0;
            v |= (s->mcr & MCR_OUT2) ? MSR_DCD : 0;
        } else {
            v = s->msr;
        }
        break;
    case REG_SCR:
        v = s->scr;
        break;
    }
    data[0] = v;
}
