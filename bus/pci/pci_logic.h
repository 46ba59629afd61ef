/* The pure logic of the PCI bus: no port or memory access, so tests/unit and
 * tests/fuzz compile these files for the host unchanged. The
 * kernel side (pci_config.c, pci_scan.c, pci_irq.c, ...) does the hardware
 * access and asks these functions what the values it read mean.
 *
 * Files: pci_addr.c (mechanism #1 and ECAM addresses, MCFG entry checks),
 * pci_bar_decode.c (BAR sizing arithmetic), pci_cap_walk.c (capability
 * list), pci_match.c (driver match tables), pci_irq_logic.c (MSI/MSI-X
 * messages, MSI-X table location, INTx routing), pci_format.c (pci.list text). */
#ifndef BUS_PCI_PCI_LOGIC_H
#define BUS_PCI_PCI_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/acpi.h"

/* ---- addresses (pci_addr.c) ---- */

/* CONFIG_ADDRESS for configuration mechanism #1 (PCI Local Bus 3.0,
 * 3.2.2.3.2): enable bit, bus, device, function, dword-aligned register.
 * 0 when dev > 31, fn > 7 or off > 255. */
uint32_t pci_cf8_address(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);

/* Physical address of a configuration register through ECAM (PCIe Base 4.0,
 * 7.2.2): the MCFG base is the address of bus 0 of the segment (also when
 * the entry starts at a later bus), bus in bits 27:20, device 19:15,
 * function 14:12, register 11:0. 0 when the bus is outside the entry's
 * range or dev > 31, fn > 7, off > 4095. */
uint64_t pci_ecam_address(const struct acpi_mcfg_entry *e, uint8_t bus, uint8_t dev, uint8_t fn,
                          uint16_t off);

/* NULL when an MCFG entry can be used, else why not: base 0, base not
 * 1 MiB aligned, or a region that wraps or reaches past the 48-bit address
 * space. */
const char *pci_ecam_entry_problem(const struct acpi_mcfg_entry *e);

/* Index of the first of n entries covering (segment, bus), -1 when none. */
int pci_ecam_lookup(const struct acpi_mcfg_entry *e, unsigned n, uint16_t segment, uint8_t bus);

/* ---- BARs (pci_bar_decode.c) ---- */

/* True when a BAR value is a 64-bit memory BAR (the next BAR register holds
 * the upper 32 bits of address and mask). */
bool pci_bar_is_mem64(uint32_t value);

/* Decodes a BAR (PCI Local Bus 3.0, 6.2.5.1) from its value before sizing
 * (orig) and what it read back after all ones were written (probe); for a
 * 64-bit memory BAR also the upper register's two values. has_next: there is
 * a BAR register after this one (a 64-bit BAR needs it). Returns the number
 * of BAR registers used (1, or 2 for a 64-bit BAR) with *out filled (size 0:
 * the BAR is not implemented; base 0 with size > 0: unassigned), or -1 for a
 * malformed BAR (reserved memory type, 64-bit BAR in the last register, an
 * I/O range beyond port 0xFFFF, a memory range that wraps) with *out zeroed. */
int pci_bar_decode(uint32_t orig, uint32_t probe, uint32_t orig_hi, uint32_t probe_hi,
                   bool has_next, struct pci_bar *out);

/* ---- capabilities (pci_cap_walk.c) ---- */

typedef uint8_t (*pci_read8_fn)(void *ctx, uint16_t off);

/* Walks the capability list (PCI Local Bus 3.0, 6.7) of a function whose
 * configuration space reads through rd: from the Capabilities Pointer (0x34,
 * or 0x14 for a CardBus header) when the Status register has the
 * Capabilities List bit. Returns the offset of the first capability with id
 * cap_id at or after the capability at offset from in list order (strictly
 * after it when after is true); from = 0 starts at the head. 0 when absent
 * or from is not in the list. The low two bits of each pointer are masked
 * (6.7: reserved, software masks them); the walk stops at a pointer below
 * 0x40, after 48 steps or on a pointer seen before, and then sets *malformed
 * (when non-NULL) unless the list ended normally with a 0 pointer. */
uint8_t pci_cap_walk(pci_read8_fn rd, void *ctx, uint8_t header_type, uint8_t cap_id, uint8_t from,
                     bool after, bool *malformed);

/* ---- driver matching (pci_match.c) ---- */

#define PCI_MATCH_MAX_ENTRIES 1024 /* a table without its terminator stops here */

/* The entry of table that matches the function best, NULL when none does.
 * An entry matches when vendor and device are equal or PCI_ANY_ID and
 * (class24 & class_mask) == (class_code & class_mask); the table ends at an
 * entry with vendor 0. Specificity (*score when non-NULL): exact vendor 4,
 * exact device 2, a class mask 1; the first entry wins a tie. */
const struct pci_device_id *pci_match_table(const struct pci_device_id *table, uint16_t vendor,
                                            uint16_t device, uint32_t class24, int *score);

/* ---- interrupts (pci_irq_logic.c) ---- */

/* MSI/MSI-X message address for an xAPIC destination (Intel SDM vol. 3A,
 * 11.11.1): 0xFEE00000 | apic_id << 12, physical mode; 0 when the APIC ID
 * does not fit in 8 bits (x2APIC IDs need interrupt remapping). */
uint32_t pci_msi_address(uint32_t apic_id);
/* Message data: the vector, fixed delivery mode, edge triggered (11.11.2). */
uint32_t pci_msi_data(uint8_t vector);

/* Locates the MSI-X table (PCI Local Bus 3.0, 6.8.2.4) from the Table
 * Offset/BIR register and Message Control: the BAR must be an assigned
 * memory BAR large enough for every entry. Returns 0 with the physical
 * address of entry 0 in *addr and the entry count in *entries, or -1 with
 * the reason in *why. */
int pci_msix_table(uint32_t table_reg, uint16_t control, const struct pci_bar bar[6],
                   uint64_t *addr, unsigned *entries, const char **why);

struct pci_intx_route {
    uint32_t gsi;
    bool level, active_low;
};

/* Where an INTx pin arrives at the IOAPIC, from the Interrupt Line register
 * the firmware wrote (SeaBIOS and OVMF on QEMU pc/q35: the ISA IRQ of the
 * PIRQ the pin is routed to, or a GSI >= 16). An ISA IRQ goes through the
 * MADT interrupt source overrides (ACPI 6.5, 5.2.12.5; QEMU marks IRQs 5,
 * 9, 10 and 11 level, active high); otherwise PCI interrupts are level,
 * active low. Returns 0, or -1 with the reason in *why: no pin, pin > 4,
 * line 0 or 0xFF (not routed by firmware). */
int pci_intx_route(uint8_t pin, uint8_t line, const struct acpi_irq_override *ov, unsigned nov,
                   struct pci_intx_route *out, const char **why);

/* ---- text (pci_format.c) ---- */

/* Short name of a class/subclass pair ("ethernet", "pci bridge", "nvme"...),
 * the base class name when the subclass is not known, "unknown class" past
 * the table. */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);

/* "00:03.0", or "0001:00:03.0" on a segment other than 0. */
char *pci_format_name(char buf[16], uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn);

/* One BAR for pci.list: "bar0 io 0xc000 size 0x20",
 * "bar1 mem32 0xfeb80000 size 0x1000", "bar4 mem64 pref 0x800000000 size
 * 0x4000", "bar2 mem32 unassigned size 0x1000". Returns snprintf's count. */
int pci_format_bar(char *buf, size_t len, unsigned index, const struct pci_bar *b);

#endif
