/* Bringing up every bus: PCI/PCIe, virtio-mmio (from the command line and the
 * ACPI DSDT), later VMBus. Each bus enumerates its devices and probes the
 * drivers registered for it. */
#ifndef BUS_BUS_H
#define BUS_BUS_H

#include "core/acpi.h"
#include "core/cmdline.h"

void buses_init(const struct cmdline *cl, const struct acpi_info *acpi);

#endif
