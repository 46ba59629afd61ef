/* Driver binding: every function is offered to the registered PCI drivers
 * whose match table accepts it, most specific match first (an exact
 * vendor:device entry before a class-wide one), until one probe succeeds. */
#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "core/driver.h"
#include "core/log.h"

#define MAX_CANDIDATES 16

struct candidate {
    const struct driver *drv;
    const struct pci_device_id *id;
    int score;
};

static unsigned find_candidates(const struct pci_dev *d, struct candidate *c)
{
    uint32_t class24 = (uint32_t)d->class_code << 16 | (uint32_t)d->subclass << 8 | d->prog_if;
    unsigned n = 0;
    const struct driver *drv;
    for_each_driver(drv)
    {
        if (drv == NULL || drv->bus != DRIVER_BUS_PCI || drv->probe == NULL)
            continue;
        int score;
        const struct pci_device_id *id =
            pci_match_table(drv->match, d->vendor, d->device, class24, &score);
        if (id == NULL || n == MAX_CANDIDATES)
            continue;
        /* Insert keeping the order: higher score first, link order on ties. */
        unsigned pos = n;
        while (pos > 0 && c[pos - 1].score < score) {
            c[pos] = c[pos - 1];
            pos--;
        }
        c[pos] = (struct candidate){drv, id, score};
        n++;
    }
    return n;
}

unsigned pci_bind_drivers(void)
{
    unsigned bound = 0;
    for (struct pci_dev *d = pci_first(); d; d = d->next) {
        if (d->driver)
            continue;
        struct candidate c[MAX_CANDIDATES];
        unsigned n = find_candidates(d, c);
        for (unsigned i = 0; i < n; i++) {
            int rc = c[i].drv->probe(d, c[i].id);
            if (rc == 0) {
                d->driver = c[i].drv;
                bound++;
                break;
            }
            char name[16];
            kprintf("pci: %s: driver %s failed: %d\n", pci_dev_name(d, name), c[i].drv->name, rc);
            d->failed_driver = c[i].drv;
            d->probe_result = rc;
        }
    }
    return bound;
}
