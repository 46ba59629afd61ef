/* An Intel MultiProcessor table (Intel MP Specification 1.4, chapter 4):
 * floating pointer "_MP_", then the "PCMP" configuration table with one
 * processor entry per vCPU (APIC id = index, BSP = 0), an ISA bus, one I/O
 * APIC, ISA IRQ i -> I/O APIC pin i for i < nirqs, ExtINT -> LAPIC 0 LINT0
 * and NMI -> all LAPICs LINT1: the table Firecracker writes at 0x9FC00
 * (arch/x86_64/mptable.rs) when given its values. Pure logic: builds the
 * bytes for a given guest address. */
#ifndef HOSTSIM_ACPI_MPTABLE_H
#define HOSTSIM_ACPI_MPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mptable_params {
    unsigned ncpus;    /* 1..254 */
    uint8_t ioapic_id; /* must not be a vCPU's APIC id */
    uint32_t ioapic_addr, lapic_addr;
    unsigned nirqs;      /* ISA IRQs routed, 1..256 */
    const char *oem;     /* up to 8 characters, space-padded */
    const char *product; /* up to 12 characters, space-padded */
    /* Count the floating pointer in the header's entry count, so the count
     * is one more than the entries that follow (Firecracker's mptable.rs
     * does: mp_num_entries). */
    bool count_floating_pointer;
};

/* Bytes the table needs: 16 + 44 + 20*ncpus + 8 (bus) + 8 (IOAPIC) +
 * 8*nirqs + 2*8. */
size_t mptable_size(const struct mptable_params *p);

/* Builds it into buf (cap >= mptable_size) for placement at gpa. Returns
 * the size, or 0 on bad parameters. */
size_t mptable_build(uint8_t *buf, size_t cap, uint32_t gpa, const struct mptable_params *p);

#endif
