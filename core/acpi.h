/* ACPI table discovery and parsing (ACPI 6.5 spec, chapter 5): RSDP, RSDT or
 * XSDT, MADT (5.2.12), FADT (5.2.9), MCFG (PCI Firmware spec 4.1.2) and the
 * \_S5 sleep type from the DSDT. Pure logic: tables are read through a
 * phys_window, every checksum and length is verified, and a malformed table is
 * reported with kprintf and skipped, never trusted. */
#ifndef CORE_ACPI_H
#define CORE_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "core/aml.h"
#include "core/phys.h"

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_MCFG 8

/* Generic Address Structure (5.2.3.2), decoded. */
struct acpi_gas {
    uint8_t space; /* 0 = system memory, 1 = system I/O */
    uint8_t bit_width;
    uint64_t address; /* 0 = absent */
};

struct acpi_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

/* Interrupt Source Override (5.2.12.5): ISA irq -> GSI with polarity/trigger. */
struct acpi_irq_override {
    uint8_t isa_irq;
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags: bits 0-1 polarity, 2-3 trigger */
};

struct acpi_mcfg_entry {
    uint64_t base;
    uint16_t segment;
    uint8_t bus_start, bus_end;
};

struct acpi_info {
    bool found;       /* an RSDP with a valid checksum was found */
    uint64_t rsdp;    /* where */
    uint8_t revision; /* RSDP revision: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
    char oem_id[7];
    uint64_t root_sdt; /* the XSDT or RSDT in use, 0 = none usable */
    bool root_is_xsdt; /* entries are 64-bit (XSDT) rather than 32-bit (RSDT) */

    bool have_madt;
    uint32_t lapic_address;
    unsigned cpu_count; /* enabled or online-capable Local APIC / x2APIC entries */
    uint32_t apic_ids[ACPI_MAX_CPUS];
    bool pcat_compat; /* MADT flag: legacy 8259 PICs present (must be masked) */
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    unsigned nioapics;
    struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
    unsigned noverrides;

    bool have_fadt;
    uint8_t fadt_revision;  /* header revision: 1 = ACPI 1.0, 3+ = ACPI 2.0 and later */
    bool hw_reduced;        /* FADT flag HW_REDUCED_ACPI (bit 20) */
    uint32_t pm1a_cnt_port; /* 0 = absent */
    uint32_t pm1b_cnt_port;
    uint32_t smi_cmd_port;
    uint8_t acpi_enable_value;
    struct acpi_gas sleep_control; /* hardware-reduced sleep register (FADT 5.0+) */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    bool reset_supported;      /* FADT flag RESET_REG_SUP (bit 10) */
    uint16_t iapc_boot_arch;   /* bit 1: 8042 present, bit 5: no CMOS RTC; 0 when
                                * fadt_revision < 3 (no field) */
    uint8_t rtc_century_index; /* CMOS register holding the century, 0 = none */
    uint64_t dsdt;             /* physical address of the DSDT, 0 = none */
    uint32_t dsdt_length;

    bool have_s5; /* \_S5_ package found in the DSDT */
    uint8_t s5_slp_typa, s5_slp_typb;

    struct acpi_mcfg_entry mcfg[ACPI_MAX_MCFG];
    unsigned nmcfg;

    unsigned tables_rejected; /* tables skipped for bad checksum or length */
};

/* Finds the RSDP: at rsdp_hint when non-zero, else by scanning the first KiB of
 * the EBDA (segment at 0x40E) and 0xE0000-0xFFFFF on 16-byte boundaries
 * (5.2.5.1). Returns its physical address or 0. */
uint64_t acpi_find_rsdp(const struct phys_window *w, uint64_t rsdp_hint);

/* Parses everything reachable from the RSDP into out (zeroed first).
 * Returns 0 when an RSDP was found (even if some tables were rejected),
 * -1 when there is none. */
int acpi_parse(const struct phys_window *w, uint64_t rsdp_hint, struct acpi_info *out);

/* Finds the table with the given signature (e.g. "DSDT", "SSDT" index n):
 * returns its physical address and length, validated; 0 when absent. */
uint64_t acpi_find_table(const struct phys_window *w, const struct acpi_info *info,
                         const char sig[4], unsigned index, uint32_t *length);

/* Calls found() for every device of the DSDT and the SSDTs whose _HID or
 * _CID is id (core/aml.h: aml_find_devices); who prefixes the messages about
 * malformed ones. Returns the number of calls. */
unsigned acpi_find_devices(const struct phys_window *w, const struct acpi_info *info,
                           const char *id, const char *who,
                           void (*found)(const struct aml_device *d, void *ctx), void *ctx);

#endif
