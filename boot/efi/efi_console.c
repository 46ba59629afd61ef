/* The console of the UEFI entry, chosen from what the platform said rather
 * than by probing legacy ports (docs/uefi.md): COM1 when the firmware listed
 * it (efi_main.c read_serial) and its line status register answers (a port
 * nobody decodes reads all ones: init/console_select.c); otherwise a text
 * console on the GOP framebuffer, as on Hyper-V Gen2 without a COM port.
 * With neither, output stays in the console's early buffer. */
#include "arch/x86_64/cpu.h"
#include "boot/bootinfo.h"
#include "drivers/fbcon/fbcon.h"
#include "drivers/uart/uart16550.h"

#define UART_LSR 5

void efi_console_start(const struct bootinfo *bi);
void efi_console_start(const struct bootinfo *bi)
{
    if (bi->serial_port != 0 && inb(bi->serial_port + UART_LSR) != 0xFF) {
        uart16550_console_init(bi->serial_port);
        return;
    }
    if (bi->framebuffer.kind == FRAMEBUFFER_RGB)
        fbcon_console_start(&bi->framebuffer);
}
