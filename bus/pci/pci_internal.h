/* Shared between the kernel-side files of bus/pci/ (not for drivers: they
 * use bus/pci/pci.h). */
#ifndef BUS_PCI_PCI_INTERNAL_H
#define BUS_PCI_PCI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"

#define PCI_MAX_ROOTS 8 /* segments: one per distinct MCFG segment, or segment 0 */

enum pci_mech { PCI_MECH_NONE, PCI_MECH_PORT, PCI_MECH_ECAM };

/* A segment to scan: from bus_start, bus numbers up to bus_end. */
struct pci_root {
    uint16_t segment;
    uint8_t bus_start, bus_end;
};

/* pci_config.c: finds the configuration mechanisms (probes CONFIG_ADDRESS,
 * checks and maps the MCFG regions, cross-checks ECAM against port I/O) and
 * fills roots. Returns the number of roots, 0 when there is no PCI. */
unsigned pci_config_init(struct pci_root roots[PCI_MAX_ROOTS]);
enum pci_mech pci_config_mech(uint16_t segment, uint8_t bus);
/* size 1, 2 or 4 at an offset aligned to it; all ones (of that size) when
 * the register cannot be reached. Writes there are dropped. */
uint32_t pci_config_read(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                         unsigned size);
void pci_config_write(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                      unsigned size, uint32_t v);

/* pci_scan.c: enumerates every root into the device list. */
void pci_scan(const struct pci_root *roots, unsigned nroots);
/* Frees the device list and forgets the scan (host fuzzers run many scans
 * in one process; the kernel scans once and keeps the list). */
void pci_scan_release(void);
unsigned pci_bus_count(void);
bool pci_used_mech(enum pci_mech m);

/* pci_bar.c: sizes the BARs of a function into d->bar. */
void pci_bars_size(struct pci_dev *d);

/* The scan's result, in enumeration order (pci_scan.c). */
struct pci_dev *pci_scan_first(void);

/* pci_list.c: the pci.list output. */
void pci_print_list(void);

#endif
