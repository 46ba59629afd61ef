/* Ending the VM on x86: core/arch.h declares arch_power_off, arch_fail_stop
 * and arch_irq_off_for_panic; power.c implements them.
 * Normal end: carry status to the host where possible (QEMU isa-debug-exit at
 * port 0xF4, hostsim --exit-port), else ACPI S5 (PM1 control or the
 * hardware-reduced sleep register), else the i8042 reset that Firecracker
 * treats as a clean exit, else the ACPI reset register, else a triple fault.
 * Failure end: the debug-exit port with status, then a triple fault (which
 * Firecracker reports as exit status 1 and QEMU -no-reboot as an exit). */
#ifndef ARCH_X86_64_POWER_H
#define ARCH_X86_64_POWER_H

#include "core/arch.h"

#endif
