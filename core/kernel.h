/* Kernel entry, exit and panic. */
#ifndef CORE_KERNEL_H
#define CORE_KERNEL_H

#include "boot/bootinfo.h"
#include "core/acpi.h"

#define PANIC_STATUS 127 /* exit status reported for a kernel panic */
#define CMDLINE_ERROR_STATUS 2

/* Called once by arch code with the boot information filled in. */
void kernel_main(struct bootinfo *bi) __attribute__((noreturn));

/* Prints `anyvm: exit status N` and ends the VM, carrying N to the host where
 * the VMM can (arch_power_off). */
void kernel_exit(int status) __attribute__((noreturn));

/* Prints `anyvm: panic: <reason>` and ends the VM as a failure. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Physical memory visible through the identity map (core/phys.h). */
extern const struct phys_window kernel_phys;
/* What ACPI told us; zeroed (found = false) when there are no tables. */
extern struct acpi_info kernel_acpi;

/* The parsed kernel command line (valid once kernel_main has parsed it). */
struct cmdline;
const struct cmdline *kernel_cmdline(void);

/* The application's entry point (apps/NAME/main.c). */
int main(int argc, char **argv);

#endif
