/* PCI and PCI Express: enumeration through configuration mechanism #1 (ports
 * 0xCF8/0xCFC) or ECAM (base from the ACPI MCFG), recursive scan behind
 * PCI-to-PCI bridges and PCIe root ports, BAR sizing and mapping, capability
 * walk, and interrupts (MSI-X, then MSI, then INTx through the IOAPIC).
 * References: PCI Local Bus 3.0 ch. 6, PCI-to-PCI Bridge 1.2, PCIe Base 4.0
 * 7.2.2 (ECAM), PCI Firmware 3.2 4.1.2 (MCFG). */
#ifndef BUS_PCI_PCI_H
#define BUS_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/device.h"
#include "core/irq.h"

#define PCI_ANY_ID 0xFFFF

/* A driver's match table entry; vendor 0 ends the table. class_mask selects
 * which bits of (class << 16 | subclass << 8 | prog_if) must equal class_code;
 * 0 means "any class". */
struct pci_device_id {
    uint16_t vendor, device;
    uint32_t class_code, class_mask;
};

struct pci_bar {
    uint64_t base; /* physical address, or I/O port for io BARs; 0 = unused */
    uint64_t size;
    bool io, is64, prefetchable;
};

enum pci_irq_mode { PCI_IRQ_NONE, PCI_IRQ_MSIX, PCI_IRQ_MSI, PCI_IRQ_INTX };

struct pci_dev {
    struct device dev; /* name "00:03.0" (with the segment when not 0) */
    uint16_t segment;
    uint8_t bus, slot, fn; /* slot: the device number of bus:device.function */
    uint16_t vendor, device, subsys_vendor, subsys_device;
    uint8_t class_code, subclass, prog_if, revision, header_type;
    uint8_t irq_pin, irq_line;
    struct pci_bar bar[6];
    enum pci_irq_mode irq_mode;
    uint8_t irq_vector;        /* the first vector */
    uint8_t irq_nvectors;      /* vectors in use (MSI-X entries 0..n-1, else 1) */
    struct pci_dev *scan_next; /* enumeration order (bus/pci/pci_scan.c) */

    /* header_type above holds the layout only (0 endpoint, 1 PCI-to-PCI
     * bridge, 2 CardBus), without the multi-function bit. */
    struct pci_dev *parent; /* upstream bridge, NULL on a root bus */
    /* Bridges: the bus numbers behind it. */
    uint8_t secondary_bus, subordinate_bus;
    /* PCIe device/port type (PCIe Base 4.0, 7.5.3.2) + 1; 0 = not PCIe. */
    uint8_t pcie_type;
    /* Bit n: BAR n was mapped above 4 GiB by pci_map_bar. */
    uint8_t bar_mapped;
    /* Bit n: BAR n is malformed, ignored (pci.list says so). */
    uint8_t bar_bad;
    /* MSI-X: the table, mapped, and its size (for teardown). */
    volatile uint32_t *msix_table;
    uint16_t msix_entries;
    uint8_t msix_cap;
    struct irq_action *irq_actions; /* the caller's, one per vector */
};

/* A PCI driver. The bus core matches ids (most specific entry first: an
 * exact vendor:device before a class-wide one) and calls probe; remove and
 * quiesce may be NULL. Register with PCI_DRIVER_REGISTER. */
struct pci_driver {
    struct driver drv;
    const struct pci_device_id *ids; /* ended by vendor 0 */
    /* Optional: decides among the functions the table matched (a driver
     * that owns a range of device IDs); false is no match. */
    bool (*match)(const struct pci_dev *d);
    int (*probe)(struct pci_dev *d, const struct pci_device_id *id);
    void (*remove)(struct pci_dev *d);
    void (*quiesce)(struct pci_dev *d);
};
extern const struct bus pci_bus;
#define PCI_DRIVER_REGISTER(pd) DRIVER_REGISTER(pd, &(pd).drv)

static inline struct pci_dev *pci_dev_of(struct device *d)
{
    return container_of(d, struct pci_dev, dev);
}

/* The PCI bus (registered with the bus core, core/device.h): enumerates every
 * segment/bus (ECAM when the MCFG describes it, else port I/O) and adds each
 * function to the inventory. With `pci.list` on the command line prints each
 * function: bus:dev.fn vendor:device class, BARs, and the driver bound or
 * "no driver". */

uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);

/* Offset of the first capability with this id at or after start (0 = from
 * the beginning), 0 when absent. Loops and out-of-range pointers are caught. */
uint8_t pci_find_capability(const struct pci_dev *d, uint8_t cap_id, uint8_t start);
/* Enables memory and/or I/O decoding and bus mastering in the command register. */
void pci_enable(struct pci_dev *d, bool memory, bool io, bool bus_master);
/* Pointer to a memory BAR (identity-mapped, uncached; above 4 GiB mapped on
 * demand), NULL for an I/O or absent BAR or one that cannot be mapped. */
volatile void *pci_map_bar(struct pci_dev *d, unsigned bar);

/* Interrupts for the device, in interrupt context (acknowledge and signal
 * only, core/irq.h). With MSI-X (and at least n table entries) entry i
 * delivers to actions[i] for i < n; otherwise one vector, MSI or the INTx pin
 * through the IOAPIC (shared, level), delivers to actions[0], which must
 * then serve every source. Each action's fn and ctx are set by the caller.
 * Returns the number of vectors set up (n with MSI-X, else 1), 0 on failure
 * with a log line; d->irq_mode says which mode. */
unsigned pci_irq_setup(struct pci_dev *d, struct irq_action *actions, unsigned n);
/* The same, trying no mode better than best (PCI_IRQ_MSIX: all; PCI_IRQ_MSI:
 * MSI, else INTx; PCI_IRQ_INTX: INTx only), for a device that says which
 * mode it wants (vmxnet3's GET_CONF_INTR). */
unsigned pci_irq_setup_upto(struct pci_dev *d, struct irq_action *actions, unsigned n,
                            enum pci_irq_mode best);
/* Undoes pci_irq_setup (device removal): MSI-X/MSI disabled, INTx masked in
 * the command register, handlers detached. */
void pci_irq_teardown(struct pci_dev *d);

/* Human-readable "00:03.0". */
const char *pci_dev_name(const struct pci_dev *d, char buf[16]);
/* "msix", "msi", "intx" or "none", as pci.list and drivers print it. */
const char *pci_irq_mode_name(enum pci_irq_mode m);

/* The next capability with this id strictly after the one at offset prev in
 * list order (prev = 0: the first one), 0 when there is none. Use it to visit
 * every capability of an id (virtio-pci has several vendor capabilities):
 *   for (uint8_t c = pci_find_capability(d, id, 0); c; c = pci_find_next_capability(d, id, c)) */
uint8_t pci_find_next_capability(const struct pci_dev *d, uint8_t cap_id, uint8_t prev);
/* Number of functions enumerated. */
unsigned pci_count(void);
/* Capability IDs and register offsets: bus/pci/pci_regs.h. */

#endif
