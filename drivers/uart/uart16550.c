/* 16550 UART, polled transmit only: the boot console on every target (COM1 at
 * 0x3F8 on QEMU, Firecracker, Hyper-V Gen1 and VMware). Register offsets from
 * the PC16550D data sheet. */
#include "drivers/uart/uart16550.h"

#include "arch/x86_64/cpu.h"
#include "core/console.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLH 1
#define UART_FCR 2
#define UART_IIR 2
#define IIR_FIFO_ENABLED 0xC0
#define UART_FIFO_DEPTH 16 /* 16550A transmit FIFO */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20

/* A UART that never drains (absent, or a stuck model) must not hang the
 * kernel: give up on a byte after this many polls and count it as dropped. */
#define UART_POLL_LIMIT 100000

struct uart16550 {
    struct console console;
    uint16_t base;
    int dead;            /* stopped draining: further output is dropped at once */
    unsigned fifo_depth; /* bytes that fit after THR-empty is seen (1 without FIFO) */
    unsigned room;       /* bytes we may still write without polling LSR */
};

static struct uart16550 com1;

static void uart_putc(struct uart16550 *u, char c)
{
    if (u->dead) {
        u->console.dropped++;
        return;
    }
    /* Each register access is a VM exit, so poll LSR only once per FIFO's
     * worth of bytes: THR-empty means the whole transmit FIFO is free. */
    if (u->room == 0) {
        for (unsigned i = 0; !(inb(u->base + UART_LSR) & LSR_THR_EMPTY); i++) {
            if (i == UART_POLL_LIMIT) {
                u->dead = 1;
                u->console.dropped++;
                return;
            }
            cpu_pause();
        }
        u->room = u->fifo_depth;
    }
    u->room--;
    outb(u->base + UART_THR, (uint8_t)c);
}

static void uart_write(struct console *c, const char *buf, size_t n)
{
    struct uart16550 *u = (struct uart16550 *)c;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n')
            uart_putc(u, '\r');
        uart_putc(u, buf[i]);
    }
}

void uart16550_write_raw(uint16_t base, const char *s)
{
    for (; *s; s++) {
        for (unsigned i = 0; i < UART_POLL_LIMIT && !(inb(base + UART_LSR) & LSR_THR_EMPTY); i++)
            cpu_pause();
        outb(base + UART_THR, (uint8_t)*s);
    }
}

void uart16550_console_init(uint16_t base)
{
    com1.base = base;
    com1.console.name = "com1";
    com1.console.write = uart_write;
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x80); /* DLAB: divisor 1 = 115200 baud */
    outb(base + UART_DLL, 0x01);
    outb(base + UART_DLH, 0x00);
    outb(base + UART_LCR, 0x03); /* 8N1 */
    outb(base + UART_FCR, 0x07); /* enable and clear FIFOs */
    outb(base + UART_MCR, 0x03); /* DTR, RTS */
    com1.fifo_depth =
        (inb(base + UART_IIR) & IIR_FIFO_ENABLED) == IIR_FIFO_ENABLED ? UART_FIFO_DEPTH : 1;
    com1.room = 0;
    console_register(&com1.console);
}
