/* The ACPI tables Firecracker writes (src/vmm/src/acpi/mod.rs, acpi/x86_64.rs,
 * src/acpi-tables/src/{rsdp,xsdt,fadt,madt,mcfg,dsdt}.rs; layouts from ACPI
 * 6.5 chapter 5). They are packed byte after byte (no alignment) into the
 * system area after the MP table, in the order DSDT, FADT, MADT, MCFG, XSDT;
 * the RSDP (revision 2, XSDT only) sits at 0xE0000. OEM id "FIRECK", creator
 * "FCAT" 0x20240119.
 *   FADT: revision 6.5, flags HW_REDUCED_ACPI | PWR_BUTTON | SLP_BUTTON, IAPC
 *         boot flags "VGA not present", X_DSDT only (the 32-bit DSDT field is
 *         0), no PM or sleep registers, hypervisor vendor "FIRECKVM".
 *   MADT: LAPIC address 0xFEE00000, flags 0; IOAPIC id 0 at 0xFEC00000 GSI
 *         base 0, then one enabled LAPIC per vCPU (UID = APIC id = index).
 *   MCFG: one ECAM window at 0xEEC00000, segment 0, buses 0..0 - written even
 *         without PCI (since Firecracker 1.13); nothing answers there.
 *   DSDT: the definition block the caller supplies (Firecracker's has COM1
 *         and the i8042 as devices; hostsim's is empty for now).
 * Pure logic: builds into a buffer that stands for guest memory at a given
 * address. */
#ifndef HOSTSIM_FC_ACPI_TABLES_H
#define HOSTSIM_FC_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define FC_RSDP_SIZE 36

struct fc_acpi_out {
    uint64_t dsdt, fadt, madt, mcfg, xsdt; /* where each table went */
    size_t used;                           /* bytes of area used */
    uint8_t rsdp[FC_RSDP_SIZE];            /* to be written at 0xE0000 */
};

/* area stands for guest memory [area_gpa, area_gpa + cap). Returns 0, or -1
 * when the tables do not fit. ncpus 1..255. */
int fc_acpi_build(uint8_t *area, uint64_t area_gpa, size_t cap, unsigned ncpus,
                  const uint8_t *dsdt_body, size_t dsdt_body_len, struct fc_acpi_out *out);

#endif
