#ifndef DRIVERS_UART_UART16550_H
#define DRIVERS_UART_UART16550_H

#include <stdint.h>

/* Sets up the 16550 UART at the given I/O base (COM1 = 0x3F8) for 115200 8N1
 * polled output and registers it as a console. */
void uart16550_console_init(uint16_t base);

/* Writes s with no use of memory beyond the stack: for messages before the
 * kernel can trust its own .bss (arch_boot's memory check). */
void uart16550_write_raw(uint16_t base, const char *s);

#endif
