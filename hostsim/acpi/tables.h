/* Writers of the static ACPI tables a monitor hands its guest, packed one
 * after another into an area that stands for guest memory (layouts from ACPI
 * 6.5 chapter 5: 5.2.5.3 RSDP, 5.2.6 table header, 5.2.8 XSDT, 5.2.9 FADT,
 * 5.2.11.1 DSDT, 5.2.12 MADT; MCFG from the PCI Firmware Specification 3.0,
 * 4.1.2). Each call appends one table with its checksum and returns its
 * guest address (0 when it does not fit). The identities and the values
 * that differ between monitors are the caller's (Firecracker's:
 * firecracker/acpi.c). Pure logic. */
#ifndef HOSTSIM_ACPI_TABLES_H
#define HOSTSIM_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_SDT_HEADER_SIZE 36
#define ACPI_RSDP_SIZE 36
#define ACPI_FADT_SIZE 276 /* revision 6 */

/* OEM and creator fields of every table header. */
struct acpi_ids {
    char oem_id[6];
    uint32_t oem_revision;
    char creator_id[4];
    uint32_t creator_revision;
};

/* A bump allocator over the area: tables packed with alignment 1 (as
 * Firecracker's allocation of its system memory behaves). */
struct hs_acpi_area {
    uint8_t *base;
    uint64_t gpa;
    size_t cap, used;
    const struct acpi_ids *ids;
};

void hs_acpi_area_init(struct hs_acpi_area *a, uint8_t *base, uint64_t gpa, size_t cap,
                       const struct acpi_ids *ids);

/* DSDT (revision 2) holding the definition block aml. */
uint64_t hs_acpi_add_dsdt(struct hs_acpi_area *a, const char table_id[8], const uint8_t *aml,
                          size_t hs_aml_len);

/* FADT revision 6 with minor version `minor`: X_DSDT only (the 32-bit DSDT
 * field 0), `flags` (5.2.9 table 5.10), IAPC_BOOT_ARCH, hypervisor vendor
 * identity (8 bytes); no PM or sleep registers. */
#define FADT_F_PWR_BUTTON (1u << 4)
#define FADT_F_SLP_BUTTON (1u << 5)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)
#define FADT_IAPC_VGA_NOT_PRESENT (1u << 2)
uint64_t hs_acpi_add_fadt(struct hs_acpi_area *a, const char table_id[8], uint8_t minor,
                          uint64_t dsdt, uint32_t flags, uint16_t iapc_boot_arch,
                          const char vendor[8]);

/* MADT revision 6: LAPIC address, flags (5.2.12 table 5.20: bit 0
 * PCAT_COMPAT, dual 8259 PICs present), one I/O APIC (id, address, GSI
 * base 0), then one enabled processor local APIC per vCPU with ACPI UID =
 * APIC id = index. ncpus 1..255. */
uint64_t hs_acpi_add_madt(struct hs_acpi_area *a, const char table_id[8], uint32_t lapic_addr,
                          uint32_t flags, uint8_t ioapic_id, uint32_t ioapic_addr, unsigned ncpus);

/* MCFG revision 1 with one ECAM window. */
uint64_t hs_acpi_add_mcfg(struct hs_acpi_area *a, const char table_id[8], uint64_t ecam,
                          uint16_t segment, uint8_t bus_start, uint8_t bus_end);

/* XSDT revision 1 listing n tables. */
uint64_t hs_acpi_add_xsdt(struct hs_acpi_area *a, const char table_id[8], const uint64_t *tables,
                          unsigned n);

/* RSDP revision 2 (XSDT only, no RSDT) into out. */
void hs_acpi_rsdp(uint8_t out[ACPI_RSDP_SIZE], const char oem_id[6], uint64_t xsdt);

#endif
