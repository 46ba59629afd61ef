/* The early console: what the platform offers. Today COM1 (QEMU, Firecracker,
 * Hyper-V Gen1 and Gen2 with a COM port configured, VMware). Machines without
 * one (Hyper-V Gen2, UEFI) will get a console on the framebuffer the platform
 * describes (platform_framebuffer) or on VMBus, registered once the boot
 * information is parsed; core/console.c keeps the output until then. A port
 * nobody decodes reads as all ones, a 16550's line status register never
 * does (PC16550D data sheet, LSR bit 7 is 0 in the non-FIFO and normal FIFO
 * states). */
#include "arch/x86_64/cpu.h"
#include "drivers/uart/uart16550.h"
#include "init/init.h"

#define COM1 0x3F8
#define UART_LSR 5

void console_select_early(void)
{
    if (inb(COM1 + UART_LSR) != 0xFF)
        uart16550_console_init(COM1);
}
