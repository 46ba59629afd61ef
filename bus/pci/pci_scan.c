/* Enumeration: a depth-first scan of every root bus, through PCI-to-PCI
 * bridges and PCIe root and downstream ports, into the list of struct
 * pci_dev. Bus numbers are the firmware's; bridges the firmware left
 * unconfigured are numbered afterwards from bus numbers no configured bridge
 * owns (PCI-to-PCI Bridge 1.2, 3.2.5.3-5). Loops, depth and the number of
 * functions are bounded: the devices are untrusted input. */
#include <stdlib.h>
#include <string.h>

#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/log.h"

#define MAX_FUNCTIONS 4096
#define MAX_DEPTH 32
#define MAX_PENDING 64
#define MAX_RANGES 256

struct pending_bridge {
    struct pci_dev *bridge;
    unsigned depth, limit;
};

/* Buses a firmware-configured bridge owns: not free for other bridges. */
struct bus_range {
    const struct pci_dev *owner;
    unsigned secondary, subordinate;
};

struct scan {
    uint16_t segment;
    unsigned bus_end; /* highest bus number of the segment */
    uint8_t visited[256 / 8];
    struct bus_range ranges[MAX_RANGES]; /* of bridges found configured */
    unsigned nranges;
    unsigned high; /* highest bus number seen below the bridge being numbered */
    struct pending_bridge pending[MAX_PENDING];
    unsigned npending;
};

static struct pci_dev *list_head;
static struct pci_dev **list_tail = &list_head;
static unsigned nfunctions, nbuses;
static bool used_port, used_ecam, limit_logged;

static void scan_bus(struct scan *s, unsigned bus, struct pci_dev *parent, unsigned depth,
                     unsigned limit, bool assign);

struct pci_dev *pci_scan_first(void)
{
    return list_head;
}

unsigned pci_count(void)
{
    return nfunctions;
}

unsigned pci_bus_count(void)
{
    return nbuses;
}

bool pci_used_mech(enum pci_mech m)
{
    return m == PCI_MECH_ECAM ? used_ecam : m == PCI_MECH_PORT ? used_port : false;
}

static bool present(uint32_t id)
{
    uint16_t vendor = (uint16_t)id;
    return vendor != 0xFFFF && vendor != 0x0000;
}

/* Below a PCIe root or downstream port only device 0 exists unless ARI
 * forwarding is on (PCIe Base 4.0, 7.3.1); scanning the other 31 would cost
 * a VM exit each for nothing. */
static bool only_device0(const struct pci_dev *parent)
{
    if (parent == NULL || parent->pcie_type == 0)
        return false;
    unsigned type = parent->pcie_type - 1u;
    if (type != PCI_PCIE_TYPE_ROOT_PORT && type != PCI_PCIE_TYPE_DOWNSTREAM)
        return false;
    uint8_t cap = pci_find_capability(parent, PCI_CAP_ID_PCIE, 0);
    return cap && !(pci_read16(parent, (uint16_t)(cap + PCI_PCIE_DEVCTL2)) & PCI_PCIE_DEVCTL2_ARI);
}

static struct pci_dev *add_function(struct scan *s, unsigned bus, unsigned dev, unsigned fn,
                                    uint32_t id, struct pci_dev *parent)
{
    if (nfunctions >= MAX_FUNCTIONS) {
        if (!limit_logged)
            kprintf("pci: more than %u functions; the rest are ignored\n", MAX_FUNCTIONS);
        limit_logged = true;
        return NULL;
    }
    struct pci_dev *d = calloc(1, sizeof *d);
    if (d == NULL) {
        kprintf("pci: out of memory at %02x:%02x.%u; scan stopped\n", bus, dev, fn);
        return NULL;
    }
    d->segment = s->segment;
    d->bus = (uint8_t)bus;
    d->slot = (uint8_t)dev;
    d->fn = (uint8_t)fn;
    d->parent = parent;
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    uint32_t rev = pci_read32(d, PCI_REVISION);
    d->revision = (uint8_t)rev;
    d->prog_if = (uint8_t)(rev >> 8);
    d->subclass = (uint8_t)(rev >> 16);
    d->class_code = (uint8_t)(rev >> 24);
    d->header_type = pci_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_LAYOUT;
    if (d->header_type == PCI_HEADER_ENDPOINT) {
        d->subsys_vendor = pci_read16(d, PCI_SUBSYS_VENDOR);
        d->subsys_device = pci_read16(d, PCI_SUBSYS_ID);
    } else if (d->header_type == PCI_HEADER_CARDBUS) {
        d->subsys_vendor = pci_read16(d, PCI_CARDBUS_SUBSYS_VENDOR);
        d->subsys_device = pci_read16(d, PCI_CARDBUS_SUBSYS_ID);
    }
    char name[16];
    if (d->header_type <= PCI_HEADER_CARDBUS) {
        d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
        d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
        if (d->irq_pin > 4) {
            kprintf("pci: %s: interrupt pin %u out of range; ignored\n", pci_dev_name(d, name),
                    d->irq_pin);
            d->irq_pin = 0;
        }
        uint8_t cap = pci_find_capability(d, PCI_CAP_ID_PCIE, 0);
        if (cap)
            d->pcie_type =
                (uint8_t)(((pci_read16(d, (uint16_t)(cap + PCI_PCIE_FLAGS)) >> 4) & 0xF) + 1);
        pci_bars_size(d);
    } else {
        kprintf("pci: %s: unknown header type %u; BARs and capabilities not read\n",
                pci_dev_name(d, name), d->header_type);
    }
    if (pci_config_mech(d->segment, d->bus) == PCI_MECH_ECAM)
        used_ecam = true;
    else
        used_port = true;
    *list_tail = d;
    list_tail = &d->scan_next;
    nfunctions++;
    return d;
}

static void write_bus_numbers(struct pci_dev *b, unsigned secondary, unsigned subordinate)
{
    pci_write8(b, PCI_BRIDGE_PRIMARY_BUS, b->bus);
    pci_write8(b, PCI_BRIDGE_SECONDARY_BUS, (uint8_t)secondary);
    pci_write8(b, PCI_BRIDGE_SUBORDINATE_BUS, (uint8_t)subordinate);
}

static bool is_set(const uint8_t *map, unsigned bus)
{
    return map[bus / 8] & (1u << (bus % 8));
}

static void set_bit(uint8_t *map, unsigned bus)
{
    map[bus / 8] |= (uint8_t)(1u << (bus % 8));
}

static bool is_ancestor(const struct pci_dev *a, const struct pci_dev *d)
{
    for (const struct pci_dev *p = d->parent; p; p = p->parent)
        if (p == a)
            return true;
    return false;
}

/* Bus n can go to a bridge below b's bus: nobody scanned it, and no
 * configured bridge other than b's ancestors (whose ranges hold b) owns it. */
static bool bus_free(const struct scan *s, const struct pci_dev *b, unsigned n)
{
    if (is_set(s->visited, n))
        return false;
    for (unsigned i = 0; i < s->nranges; i++)
        if (n >= s->ranges[i].secondary && n <= s->ranges[i].subordinate &&
            !is_ancestor(s->ranges[i].owner, b))
            return false;
    return true;
}

/* Numbers an unconfigured bridge with the first run of bus numbers below its
 * parent that nobody claims, and scans behind it; its subordinate number
 * ends at the highest bus found below. */
static void assign_bridge(struct scan *s, struct pci_dev *b, unsigned depth, unsigned limit)
{
    char name[16];
    if (limit > s->bus_end)
        limit = s->bus_end;
    unsigned secondary = b->bus + 1u;
    while (secondary <= limit && !bus_free(s, b, secondary))
        secondary++;
    if (secondary > limit) {
        kprintf("pci: %s: bridge without bus numbers and none free below its parent; "
                "not scanned\n",
                pci_dev_name(b, name));
        return;
    }
    unsigned run_end = secondary;
    while (run_end < limit && bus_free(s, b, run_end + 1))
        run_end++;
    /* Subordinate = the end of the free run while scanning, so that
     * configuration cycles for any bus numbered below reach it without
     * overlapping a range another bridge owns. */
    write_bus_numbers(b, secondary, run_end);
    if (pci_read8(b, PCI_BRIDGE_SECONDARY_BUS) != secondary) {
        kprintf("pci: %s: bridge does not take bus number %u; not scanned\n", pci_dev_name(b, name),
                secondary);
        write_bus_numbers(b, 0, 0);
        return;
    }
    unsigned outer_high = s->high;
    s->high = secondary;
    scan_bus(s, secondary, b, depth + 1, run_end, true);
    unsigned subordinate = s->high;
    if (outer_high > s->high)
        s->high = outer_high;
    write_bus_numbers(b, secondary, subordinate);
    b->secondary_bus = (uint8_t)secondary;
    b->subordinate_bus = (uint8_t)subordinate;
    /* Its range is now taken, like a configured bridge's: a bridge numbered
     * later must not get a bus inside it (configuration cycles for those
     * buses go down this bridge). */
    if (s->nranges < MAX_RANGES)
        s->ranges[s->nranges++] = (struct bus_range){b, secondary, subordinate};
    kprintf("pci: %s: unconfigured bridge given buses %02x-%02x\n", pci_dev_name(b, name),
            secondary, subordinate);
}

static void scan_bridge(struct scan *s, struct pci_dev *b, unsigned depth, unsigned limit,
                        bool assign)
{
    char name[16];
    unsigned secondary = pci_read8(b, PCI_BRIDGE_SECONDARY_BUS);
    unsigned subordinate = pci_read8(b, PCI_BRIDGE_SUBORDINATE_BUS);
    b->secondary_bus = (uint8_t)secondary;
    b->subordinate_bus = (uint8_t)subordinate;
    if (depth + 1 >= MAX_DEPTH) {
        kprintf("pci: %s: bridges nested deeper than %u; not scanned\n", pci_dev_name(b, name),
                MAX_DEPTH);
        return;
    }
    if (secondary != 0 && secondary > b->bus && subordinate >= secondary && subordinate <= limit) {
        if (s->nranges < MAX_RANGES)
            s->ranges[s->nranges++] = (struct bus_range){b, secondary, subordinate};
        if (subordinate > s->high)
            s->high = subordinate;
        scan_bus(s, secondary, b, depth + 1, subordinate, assign);
        return;
    }
    if (secondary != 0)
        kprintf("pci: %s: bridge bus numbers %02x-%02x do not fit below bus %02x (limit %02x); "
                "renumbering\n",
                pci_dev_name(b, name), secondary, subordinate, b->bus, limit);
    if (assign) {
        assign_bridge(s, b, depth, limit);
    } else if (s->npending < MAX_PENDING) {
        s->pending[s->npending++] = (struct pending_bridge){b, depth, limit};
    } else {
        kprintf("pci: %s: too many unconfigured bridges; not scanned\n", pci_dev_name(b, name));
    }
}

static void scan_bus(struct scan *s, unsigned bus, struct pci_dev *parent, unsigned depth,
                     unsigned limit, bool assign)
{
    if (bus > s->bus_end)
        return;
    if (is_set(s->visited, bus)) {
        kprintf("pci: bus %02x reached twice (bridge loop or overlap); second visit skipped\n",
                bus);
        return;
    }
    set_bit(s->visited, bus);
    if (bus > s->high)
        s->high = bus;
    nbuses++;
    unsigned ndev = only_device0(parent) ? 1 : 32;
    for (unsigned dev = 0; dev < ndev; dev++) {
        uint32_t id = pci_config_read(s->segment, (uint8_t)bus, (uint8_t)dev, 0, PCI_VENDOR_ID, 4);
        if (!present(id))
            continue;
        uint8_t header =
            (uint8_t)pci_config_read(s->segment, (uint8_t)bus, (uint8_t)dev, 0, PCI_HEADER_TYPE, 1);
        unsigned nfn = header & PCI_HEADER_MULTIFUNCTION ? 8 : 1;
        for (unsigned fn = 0; fn < nfn; fn++) {
            if (fn > 0) {
                id = pci_config_read(s->segment, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn,
                                     PCI_VENDOR_ID, 4);
                if (!present(id))
                    continue;
            }
            struct pci_dev *d = add_function(s, bus, dev, fn, id, parent);
            if (d == NULL)
                return;
            if (d->header_type == PCI_HEADER_BRIDGE)
                scan_bridge(s, d, depth, limit, assign);
        }
    }
}

void pci_scan_release(void)
{
    while (list_head) {
        struct pci_dev *d = list_head;
        list_head = d->scan_next;
        free(d);
    }
    list_tail = &list_head;
    nfunctions = nbuses = 0;
    used_port = used_ecam = limit_logged = false;
}

void pci_scan(const struct pci_root *roots, unsigned nroots)
{
    for (unsigned r = 0; r < nroots; r++) {
        static struct scan s; /* 5 KiB: kept off the stack */
        memset(&s, 0, sizeof s);
        s.segment = roots[r].segment;
        s.bus_end = roots[r].bus_end;
        /* First the hierarchy as the firmware numbered it, then the bridges
         * it left unnumbered, with bus numbers none of that hierarchy owns. */
        scan_bus(&s, roots[r].bus_start, NULL, 0, roots[r].bus_end, false);
        for (unsigned i = 0; i < s.npending; i++)
            assign_bridge(&s, s.pending[i].bridge, s.pending[i].depth, s.pending[i].limit);
    }
}
