/* The ACPI tables of hostsim's Hyper-V machine (layouts: ACPI 6.5 chapter 5,
 * through hostsim/acpi/tables.h; AML through hostsim/acpi/aml.h): RSDP at
 * 0xE0000, then DSDT, FADT, MADT and XSDT, OEM id "VRTUAL" (Hyper-V's
 * tables say "VRTUAL"/"MICROSFT"). The DSDT holds COM1 and the VMBus device
 * under the names and ids a real VM of each generation uses:
 *
 *   Gen1:  Device (\_SB.VMB8) { _HID "VMBus", _UID 0, _CRS { IRQ 5 } }
 *   Gen2:  Device (\_SB.VMOD) { _HID "ACPI0004", _UID 0,
 *                               _CRS { Memory32Fixed (the VMBus MMIO window) }
 *              Device (VMBS) { _HID "VMBUS", _UID 0, _CRS { IRQ 5 } } }
 *
 * Linux's VMBus driver matches both ids (drivers/hv/vmbus_drv.c
 * vmbus_acpi_device_ids: "VMBUS", "VMBus") and takes MMIO ranges from the
 * ACPI0004 parent. A real Gen1 VM puts VMB8 under its PCI-ISA bridge
 * (\_SB.PCI0.SBRG); this machine has no PCI, so it sits in \_SB (recalled,
 * not verified against a real Gen1 DSDT: docs/hyperv.md).
 *
 * Gen1 declares the 8259 PICs in the MADT (PCAT_COMPAT); Gen2 does not.
 * Neither FADT is hardware-reduced; both name the PM1a control register
 * and the DSDT the \_S5_ sleep type the guest powers off with (pm.h).
 * Pure logic. */
#ifndef HOSTSIM_HYPERV_ACPI_H
#define HOSTSIM_HYPERV_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "hostsim/acpi/tables.h"

struct hvm_acpi {
    uint64_t rsdp, dsdt, fadt, madt, xsdt; /* guest addresses */
    size_t used;                           /* bytes of the area */
};

/* The DSDT's definition block for generation gen (1 or 2): its length, or 0
 * when it does not fit. */
size_t hvm_dsdt_build(unsigned gen, uint8_t *buf, size_t cap);

/* All tables into area (guest memory [area_gpa, area_gpa + cap)), the RSDP
 * first. Returns 0, or -1 when they do not fit or gen/ncpus is out of range. */
int hvm_acpi_build(unsigned gen, unsigned ncpus, uint8_t *area, uint64_t area_gpa, size_t cap,
                   struct hvm_acpi *out);

#endif
