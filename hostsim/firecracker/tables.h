/* Everything Firecracker writes into its system area [0x9FC00, 0xE0000)
 * and at 0xE0000 (src/vmm/src/arch/x86_64/mod.rs configure_system_for_boot,
 * mptable.rs, src/vmm/src/acpi/mod.rs create_acpi_tables, acpi/x86_64.rs):
 * the MP table at 0x9FC00, then the ACPI tables packed right after it in the
 * order DSDT, FADT, MADT, MCFG, XSDT, and the RSDP at 0xE0000. OEM id
 * "FIRECK", creator "FCAT" 0x20240119, OEM revision 0.
 *   MP table: OEM "FC", product "000000000000", IOAPIC id vCPUs+1, ISA IRQs
 *         0..23, the floating pointer counted in the entry count;
 *   FADT: revision 6.5, HW_REDUCED_ACPI | PWR_BUTTON | SLP_BUTTON, IAPC boot
 *         flags "VGA not present", X_DSDT only, vendor "FIRECKVM";
 *   MADT: LAPIC 0xFEE00000, IOAPIC id 0 at 0xFEC00000 GSI base 0, one
 *         enabled LAPIC per vCPU;
 *   MCFG: ECAM 0xEEC00000, segment 0, buses 0..0 (since Firecracker 1.13,
 *         even without PCI; nothing answers there);
 *   DSDT: dsdt.c. */
#ifndef HOSTSIM_FC_TABLES_H
#define HOSTSIM_FC_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "hostsim/acpi/tables.h"

struct fc_tables {
    size_t mptable_len;
    uint64_t dsdt, fadt, madt, mcfg, xsdt; /* where each table went */
    size_t used;                           /* bytes of the system area used */
    uint8_t rsdp[ACPI_RSDP_SIZE];          /* to be written at 0xE0000 */
};

/* area stands for guest memory [area_gpa, area_gpa + cap). Returns 0, or -1
 * when something does not fit. ncpus 1..32, nvirtio 0..19. */
int fc_tables_build(uint8_t *area, uint64_t area_gpa, size_t cap, unsigned ncpus, unsigned nvirtio,
                    struct fc_tables *out);

#endif
