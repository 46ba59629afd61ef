/* Ending the VM on x86: carries out the plan of power_policy.h. core/arch.h
 * declares arch_power_off, arch_fail_stop and arch_irq_off_for_panic (normal
 * end with the app's status; a failure end: both follow the plan: the exit
 * port if one was named, then Firecracker's reset or triple fault, or ACPI
 * S5, or interrupts off and halt for good). */
#ifndef ARCH_X86_64_POWER_H
#define ARCH_X86_64_POWER_H

#include <stddef.h>
#include <stdint.h>

#include "core/acpi.h"
#include "core/arch.h"
#include "core/phys.h"

/* Learns what the platform offers to end the VM: an ACPI sleep control, and
 * whether this is Firecracker (ACPI OEM ID, else the MP table, found through
 * the BIOS data area: call before the null page is unmapped). */
void arch_power_init(const struct acpi_info *acpi, const struct phys_window *w);

/* The port named by anyvm.exit_port (0: none). */
void arch_set_exit_port(uint16_t port);

/* The banner's "exit: ..." text. */
void arch_describe_exit(char *buf, size_t len);

#endif
