/* The PCI bus in the device model: enumeration at start (the configuration
 * mechanisms, the scan, every function added to the inventory, where the bus
 * core binds drivers), matching against a driver's table of struct
 * pci_device_id, and the typed calls into struct pci_driver. See
 * bus/pci/pci.h and docs/pci.md. */
#include "klib/format.h"

#include "bus/pci/pci.h"
#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "core/log.h"
#include "core/param.h"

KERNEL_PARAM(param_pci_list, "pci.list", "print every PCI function, its BARs and its driver");

static const struct pci_driver *pci_driver_of(const struct driver *drv)
{
    return container_of(drv, const struct pci_driver, drv);
}

static int pci_bus_match(struct device *dev, const struct driver *drv, const void **id)
{
    const struct pci_dev *d = pci_dev_of(dev);
    uint32_t class24 = (uint32_t)d->class_code << 16 | (uint32_t)d->subclass << 8 | d->prog_if;
    int score;
    const struct pci_device_id *e =
        pci_match_table(pci_driver_of(drv)->ids, d->vendor, d->device, class24, &score);
    *id = e;
    if (e != NULL && pci_driver_of(drv)->match != NULL && !pci_driver_of(drv)->match(d))
        return -1;
    return e ? score : -1;
}

static int pci_bus_probe(struct device *dev, const struct driver *drv, const void *id)
{
    const struct pci_driver *pd = pci_driver_of(drv);
    return pd->probe ? pd->probe(pci_dev_of(dev), id) : -1;
}

static void pci_bus_remove(struct device *dev)
{
    const struct pci_driver *pd = pci_driver_of(dev->driver);
    if (pd->remove)
        pd->remove(pci_dev_of(dev));
}

static void pci_bus_quiesce(struct device *dev)
{
    const struct pci_driver *pd = pci_driver_of(dev->driver);
    if (pd->quiesce)
        pd->quiesce(pci_dev_of(dev));
}

static void pci_bus_start(void)
{
    struct pci_root roots[PCI_MAX_ROOTS];
    unsigned nroots = pci_config_init(roots);
    if (nroots == 0) {
        kprintf("pci: no configuration mechanism (no PCI)\n");
        return;
    }
    pci_scan(roots, nroots);
    unsigned bound = 0;
    for (struct pci_dev *d = pci_scan_first(); d; d = d->scan_next) {
        d->dev.bus = &pci_bus;
        d->dev.parent = d->parent ? &d->parent->dev : NULL;
        char name[16];
        ksnprintf(d->dev.name, sizeof d->dev.name, "%s", pci_dev_name(d, name));
        device_add(&d->dev);
        bound += d->dev.state == DEVICE_BOUND;
    }
    bool ecam = pci_used_mech(PCI_MECH_ECAM), port = pci_used_mech(PCI_MECH_PORT);
    const char *how = ecam && port ? "ECAM and port I/O"
                      : ecam       ? "ECAM"
                      : port       ? "port I/O"
                                   : "nothing found";
    unsigned n = pci_count(), buses = pci_bus_count();
    kprintf("pci: %u function%s on %u bus%s (%s), %u with a driver\n", n, n == 1 ? "" : "s", buses,
            buses == 1 ? "" : "es", how, bound);
    if (param_present(&param_pci_list))
        pci_print_list();
}

const struct bus pci_bus = {
    .name = "pci",
    .order = 10,
    .start = pci_bus_start,
    .match = pci_bus_match,
    .probe = pci_bus_probe,
    .remove = pci_bus_remove,
    .quiesce = pci_bus_quiesce,
};
BUS_REGISTER(pci_bus);
