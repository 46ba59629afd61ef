/* The bus core (core/device.h): one inventory, one probe loop with ordering
 * and bookkeeping, the log lines, removal and quiescing. */
#include "core/device.h"

#include <stdarg.h>
#include "klib/format.h"
#include <stdint.h>

#include "core/log.h"

#define MAX_CANDIDATES 16

/* The linker tables (arch/x86_64/kernel.ld; GNU ld's __start_/__stop_
 * symbols in host builds). Declared weak: an image may register none. */
extern const struct bus *const __start_anyvm_buses[] __attribute__((weak));
extern const struct bus *const __stop_anyvm_buses[] __attribute__((weak));
extern const struct driver *const __start_anyvm_drivers[] __attribute__((weak));
extern const struct driver *const __stop_anyvm_drivers[] __attribute__((weak));

static struct device *inventory;
static struct device **inventory_tail = &inventory;
static unsigned ndevices;

struct candidate {
    const struct driver *drv;
    const void *id;
    int score;
};

const char *device_state_name(enum device_state s)
{
    switch (s) {
    case DEVICE_NEW:
        return "new";
    case DEVICE_BOUND:
        return "bound";
    case DEVICE_NO_DRIVER:
        return "no driver";
    case DEVICE_FAILED:
        return "driver failed";
    case DEVICE_DISABLED:
        return "disabled";
    }
    return "?";
}

const struct bus *const *bus_table(unsigned *count)
{
    *count = (unsigned)(__stop_anyvm_buses - __start_anyvm_buses);
    return __start_anyvm_buses;
}

void buses_start(void)
{
    unsigned n;
    const struct bus *const *t = bus_table(&n);
    if (n > 64) {
        kprintf("device: %u buses registered; only the first 64 start\n", n);
        n = 64;
    }
    /* Ascending order, link order among equals: the table is short. */
    uint64_t started = 0;
    for (unsigned k = 0; k < n; k++) {
        int best = -1;
        for (unsigned i = 0; i < n; i++)
            if (!(started >> i & 1) && (best < 0 || t[i]->order < t[best]->order))
                best = (int)i;
        started |= 1ull << best;
        if (t[best]->start)
            t[best]->start();
    }
}

/* Every driver of dev's bus that matches, best score first, link order on ties. */
static unsigned candidates(struct device *dev, struct candidate *c)
{
    unsigned n = 0;
    for (const struct driver *const *it = __start_anyvm_drivers; it < __stop_anyvm_drivers; it++) {
        const struct driver *drv = *it;
        if (drv == NULL || drv->bus != dev->bus)
            continue;
        const void *id = NULL;
        int score = dev->bus->match(dev, drv, &id);
        if (score < 0)
            continue;
        if (n == MAX_CANDIDATES) {
            kprintf("%s %s: more than %u matching drivers; driver %s not tried\n", dev->bus->name,
                    dev->name, MAX_CANDIDATES, drv->name);
            continue;
        }
        unsigned pos = n++;
        while (pos > 0 && c[pos - 1].score < score) {
            c[pos] = c[pos - 1];
            pos--;
        }
        c[pos] = (struct candidate){drv, id, score};
    }
    return n;
}

static void probe(struct device *dev)
{
    struct candidate c[MAX_CANDIDATES];
    unsigned n = candidates(dev, c);
    dev->state = DEVICE_NO_DRIVER;
    for (unsigned i = 0; i < n; i++) {
        dev->driver = c[i].drv;
        dev->state = DEVICE_NEW;
        dev->reason[0] = '\0';
        int rc = dev->bus->probe(dev, c[i].drv, c[i].id);
        if (rc == 0 && dev->state != DEVICE_DISABLED) {
            dev->state = DEVICE_BOUND;
            return;
        }
        dev->probe_result = rc ? rc : -1;
        if (dev->state == DEVICE_DISABLED) {
            /* It broke its protocol (logged by device_disable): no other
             * driver gets it. */
            kprintf("%s %s: driver %s gave up on the device\n", dev->bus->name, dev->name,
                    c[i].drv->name);
            return;
        }
        kprintf("%s %s: driver %s failed (%d)\n", dev->bus->name, dev->name, c[i].drv->name, rc);
        dev->state = DEVICE_FAILED;
    }
}

void device_add(struct device *dev)
{
    dev->next = NULL;
    dev->driver = NULL;
    dev->state = DEVICE_NEW;
    *inventory_tail = dev;
    inventory_tail = &dev->next;
    ndevices++;
    probe(dev);
    if (dev->state == DEVICE_NO_DRIVER && dev->bus->report_no_driver)
        kprintf("%s %s: no driver\n", dev->bus->name, dev->name);
}

void device_remove(struct device *dev)
{
    /* Children first: a transport's devices go before the transport. */
    for (struct device *d = inventory, *next; d; d = next) {
        next = d->next;
        if (d->parent == dev) {
            device_remove(d);
            next = inventory; /* the list changed under us */
        }
    }
    if (dev->state == DEVICE_BOUND && dev->bus->remove)
        dev->bus->remove(dev);
    for (struct device **p = &inventory; *p; p = &(*p)->next) {
        if (*p == dev) {
            *p = dev->next;
            if (inventory_tail == &dev->next)
                inventory_tail = p;
            ndevices--;
            break;
        }
    }
    dev->next = NULL;
    dev->driver = NULL;
}

void device_disable(struct device *dev, const char *fmt, ...)
{
    if (dev->state == DEVICE_DISABLED)
        return;    /* reported already */
    char why[200]; /* the whole reason in the log; the device keeps a prefix */
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    ksnprintf(dev->reason, sizeof dev->reason, "%.*s", (int)sizeof dev->reason - 1, why);
    dev->state = DEVICE_DISABLED;
    kprintf("%s %s: disabled: %s\n", dev->bus ? dev->bus->name : "device", dev->name, why);
}

/* Later devices first: children were added after the transports that
 * carry them. */
static void quiesce_from(struct device *d)
{
    if (d == NULL)
        return;
    quiesce_from(d->next);
    if (d->state == DEVICE_BOUND && d->bus->quiesce)
        d->bus->quiesce(d);
}

void devices_quiesce(void)
{
    quiesce_from(inventory);
}

struct device *device_first(void)
{
    return inventory;
}

unsigned device_count(void)
{
    return ndevices;
}
