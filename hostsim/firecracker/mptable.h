/* The Intel MultiProcessor table Firecracker writes at 0x9FC00
 * (arch/x86_64/mptable.rs; layouts from the Intel MP Specification 1.4,
 * chapter 4): floating pointer "_MP_", then the "PCMP" configuration table
 * with OEM "FC", one processor entry per vCPU (APIC id = index, BSP = 0), an
 * ISA bus, the IOAPIC with id vCPUs+1 at 0xFEC00000, ISA IRQ i -> IOAPIC pin
 * i for i = 0..23, ExtINT -> LAPIC 0 LINT0 and NMI -> all LAPICs LINT1.
 * Pure logic: builds the bytes for a given guest address. */
#ifndef HOSTSIM_FC_MPTABLE_H
#define HOSTSIM_FC_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes the table needs for ncpus vCPUs: 16 + 44 + 20*ncpus + 8 + 8 +
 * 24*8 + 2*8. */
size_t fc_mptable_size(unsigned ncpus);

/* Builds it into buf (cap >= fc_mptable_size) for placement at gpa.
 * ncpus 1..254. Returns the size, or 0 on bad arguments. */
size_t fc_mptable_build(uint8_t *buf, size_t cap, uint32_t gpa, unsigned ncpus);

#endif
