/* Ending the VM on x86. */
#ifndef ARCH_X86_64_POWER_H
#define ARCH_X86_64_POWER_H

/* Normal end: carry status to the host where possible (QEMU isa-debug-exit at
 * port 0xF4, hostsim --exit-port), else ACPI S5 (PM1 control or the
 * hardware-reduced sleep register), else the i8042 reset that Firecracker
 * treats as a clean exit, else the ACPI reset register, else a triple fault. */
void arch_power_off(int status) __attribute__((noreturn));

/* Failure end: the debug-exit port with status, then a triple fault (which
 * Firecracker reports as exit status 1 and QEMU -no-reboot as an exit). */
void arch_fail_stop(int status) __attribute__((noreturn));

void arch_irq_off_for_panic(void);

#endif
