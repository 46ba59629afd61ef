/* libFuzzer harness: hostsim's 16550 UART and i8042 (hostsim/devices/),
 * reached through the port bus (hostsim/cpu/iobus.c) as a guest reaches
 * them, with any port, width and value the input says. Checks, after every
 * access, against the harness's own reading of the NS16550A data sheet and
 * Firecracker's i8042 (devices/legacy/i8042.rs):
 *   - UART: LSR always has THRE and TEMT (the output never blocks); every
 *     byte written to THR (DLAB clear) reaches the output unless loopback is
 *     on; in loopback the bytes come back from RBR in order while the 64-byte
 *     FIFO has room, and LSR.DR says whether any remain; IIR reads 0xC1 or
 *     0xC0 with THRE (0x02) and/or RDA (0x04) pending; DLL/DLM read back
 *     what was written with DLAB set;
 *   - i8042: status bit 0 says whether the output buffer holds data; a 0x20
 *     command makes the next data read the control register; 0xFE ends the
 *     VM with the reset status and nothing else does;
 *   - accesses other than 1 byte change nothing.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_legacy.c hostsim/devices/{serial16550,i8042}.c \
 *     hostsim/cpu/iobus.c hostsim/log.c */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/devices/legacy.h"
#include "tests/fuzz/fuzz_input.h"

#define COM1 0x3F8
static unsigned irqs;

static void irq(void *ctx, unsigned line)
{
    (void)ctx;
    (void)line;
    irqs++;
}

static uint8_t in8(struct iobus *pio, uint16_t port)
{
    uint8_t v = 0xEE;
    iobus_read(pio, NULL, port, &v, 1);
    return v;
}

static void out8(struct iobus *pio, uint16_t port, uint8_t v)
{
    iobus_write(pio, NULL, port, &v, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *outbuf;
    static size_t outlen;
    FILE *out = open_memstream(&outbuf, &outlen);
    BROKEN_IF(out == NULL);
    struct iobus pio;
    memset(&pio, 0, sizeof pio);
    struct serial16550 uart;
    struct i8042 kbd;
    struct vm_stop stop;
    memset(&stop, 0, sizeof stop);
    serial16550_init(&uart, out, irq, NULL, 4);
    i8042_init(&kbd, &stop, 7, irq, NULL, 1);
    BROKEN_IF(serial16550_register(&uart, &pio, COM1) != 0 || i8042_register(&kbd, &pio) != 0);

    /* The harness's model of what must hold. */
    size_t sent = 0;  /* bytes that must have reached the output */
    uint8_t loop[64]; /* loopback bytes not yet read back */
    unsigned loop_head = 0, loop_len = 0;
    uint8_t dll = 0x0C, dlm = 0;
    int expect_ctr = 0; /* the next i8042 data read is the control register */

    for (size_t i = 0; i + 2 < size; i += 3) {
        uint8_t op = data[i], arg = data[i + 1], val = data[i + 2];
        int is_uart = !(op & 0x80);
        uint16_t port = is_uart ? (uint16_t)(COM1 + (arg & 7)) : (uint16_t)(0x60 + arg % 5);
        int write = op & 0x40;
        unsigned width = (op & 0x30) == 0x30 ? 2 + (op & 2) : 1; /* sometimes 2 or 4 bytes */
        uint8_t lcr = uart.lcr, mcr = uart.mcr;
        int dlab = lcr & 0x80, loopback = mcr & 0x10;
        if (width != 1) {
            struct serial16550 u0 = uart;
            struct i8042 k0 = kbd;
            uint32_t v = val * 0x01010101u;
            if (write)
                iobus_write(&pio, NULL, port, (uint8_t *)&v, width);
            else
                iobus_read(&pio, NULL, port, (uint8_t *)&v, width);
            BROKEN_IF(memcmp(&u0, &uart, sizeof uart) != 0 || memcmp(&k0, &kbd, sizeof kbd) != 0);
            uint32_t mask = width == 4 ? 0xFFFFFFFFu : 0xFFFFu;
            BROKEN_IF(!write && (v & mask) != 0); /* reads of other widths return zeroes */
            continue;
        }
        if (is_uart) {
            unsigned reg = arg & 7;
            if (write) {
                out8(&pio, port, val);
                if (reg == 0 && !dlab && !loopback)
                    sent++;
                else if (reg == 0 && !dlab && loopback && loop_len < 64)
                    loop[(loop_head + loop_len++) % 64] = val;
                else if (reg == 0 && dlab)
                    dll = val;
                else if (reg == 1 && dlab)
                    dlm = val;
                else if (reg == 2 && (val & 2))
                    loop_head = loop_len = 0; /* FCR: clear the receive FIFO */
            } else {
                uint8_t v = in8(&pio, port);
                if (reg == 0 && dlab) {
                    BROKEN_IF(v != dll);
                } else if (reg == 0) {
                    uint8_t want = 0;
                    if (loop_len > 0) {
                        want = loop[loop_head];
                        loop_head = (loop_head + 1) % 64;
                        loop_len--;
                    }
                    BROKEN_IF(v != want);
                } else if (reg == 1 && dlab) {
                    BROKEN_IF(v != dlm);
                } else if (reg == 2) {
                    /* vm-superio ORs pending causes (add_interrupt), so 0xC6 is
                     * possible where a 16550 would show only the higher one. */
                    BROKEN_IF(v != 0xC1 && (v & ~0x06) != 0xC0);
                } else if (reg == 5) {
                    BROKEN_IF((v & 0x60) != 0x60);
                    BROKEN_IF(((v & 1) != 0) != (loop_len > 0));
                }
            }
        } else {
            unsigned reg = arg % 5;
            if (write) {
                out8(&pio, port, val);
                if (reg == 4 && val == 0xFE)
                    BROKEN_IF(!vm_stop_requested(&stop) || stop.status != 7);
                if (reg == 4)
                    expect_ctr = val == 0x20;
                else if (reg == 0)
                    expect_ctr = 0;
            } else {
                uint8_t status = kbd.status;
                uint8_t v = in8(&pio, port);
                if (reg == 4) {
                    BROKEN_IF(v != status);
                    BROKEN_IF(((v & 1) != 0) != (kbd.len > 0));
                } else if (reg == 0) {
                    if (expect_ctr)
                        BROKEN_IF(v != kbd.control);
                    expect_ctr = 0;
                } else {
                    BROKEN_IF(v != 0); /* 0x61-0x63: nothing there */
                }
            }
            BROKEN_IF(kbd.len > I8042_BUF);
        }
        BROKEN_IF(uart.fifo_len > SERIAL16550_FIFO);
        BROKEN_IF((uart.lsr & 0x60) != 0x60);
    }
    BROKEN_IF(!vm_stop_requested(&stop) && stop.claimed);
    fflush(out);
    BROKEN_IF(outlen != sent || uart.bytes_out != sent);
    fclose(out);
    free(outbuf);
    outbuf = NULL;
    return 0;
}
