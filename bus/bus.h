/* Bringing up every bus: PCI/PCIe, virtio-mmio (from the command line and the
 * ACPI DSDT), later VMBus. Each bus enumerates its devices and probes the
 * drivers registered for it. Needs the heap, interrupts and the parsed
 * command line (kernel_cmdline()). */
#ifndef BUS_BUS_H
#define BUS_BUS_H

/* Weak: an image built without device layers (Makefile, NAME_DEVICES := no)
 * has none, and kernel_main then skips it. */
void buses_init(void) __attribute__((weak));

#endif
