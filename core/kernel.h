/* Kernel entry, exit and panic. */
#ifndef CORE_KERNEL_H
#define CORE_KERNEL_H

#include "boot/bootinfo.h"

#define PANIC_STATUS 127 /* exit status reported for a kernel panic */
#define CMDLINE_ERROR_STATUS 2

/* Called once by the entry code with the boot information filled in
 * (init/main.c). */
void kernel_main(struct bootinfo *bi) __attribute__((noreturn));

/* Prints `anyvm: exit status N`, stops every device's DMA and ends the VM,
 * carrying N to the host where the VMM can (arch_power_off). */
void kernel_exit(int status) __attribute__((noreturn));

/* Prints `anyvm: panic: <reason>` and ends the VM as a failure. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
