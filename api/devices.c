/* anyvm/devices.h on the bus core (core/device.h): the inventory copied out
 * in the app's own structures (the app keeps no pointer into the kernel's
 * list, which changes when devices come and go), the buses, and removal. */
#include <anyvm/devices.h>

#include <string.h>

#include "api/app_errno.h"
#include "api/device_name.h"
#include "api/net_receiving.h"
#include "core/device.h"
#include "klib/format.h"

static void describe(const struct device *d, struct anyvm_device *out)
{
    memset(out, 0, sizeof *out);
    api_device_name(d, out->name, sizeof out->name);
    ksnprintf(out->bus, sizeof out->bus, "%s", d->bus ? d->bus->name : "");
    api_device_name(d->parent, out->parent, sizeof out->parent);
    ksnprintf(out->driver, sizeof out->driver, "%s", d->driver ? d->driver->name : "");
    ksnprintf(out->state, sizeof out->state, "%s", device_state_name(d->state));
    if (d->state == DEVICE_DISABLED)
        ksnprintf(out->reason, sizeof out->reason, "%s", d->reason);
    else if (d->state == DEVICE_FAILED)
        ksnprintf(out->reason, sizeof out->reason, "probe failed (%d)", d->probe_result);
}

size_t anyvm_devices(struct anyvm_device *out, size_t max)
{
    size_t n = 0;
    for (const struct device *d = device_first(); d; d = d->next, n++)
        if (out != NULL && n < max)
            describe(d, &out[n]);
    return n;
}

/* A bus drivers bind on (it has a match function), or one that holds
 * devices; not a discovery helper that adds its devices to another bus. */
static bool listed(const struct bus *b)
{
    if (b->match != NULL)
        return true;
    for (const struct device *d = device_first(); d; d = d->next)
        if (d->bus == b)
            return true;
    return false;
}

size_t anyvm_device_buses(struct anyvm_bus *out, size_t max)
{
    unsigned count;
    const struct bus *const *buses = bus_table(&count);
    size_t n = 0;
    for (unsigned i = 0; i < count; i++) {
        if (buses[i] == NULL || !listed(buses[i]))
            continue;
        if (out != NULL && n < max)
            ksnprintf(out[n].name, sizeof out[n].name, "%s", buses[i]->name);
        n++;
    }
    return n;
}

int anyvm_device_remove(const char *name)
{
    if (name == NULL)
        return app_fail(APP_EINVAL);
    /* A receive callback runs inside its driver's receive loop: removing
     * that device there would free what the loop is walking. */
    if (api_net_receiving())
        return app_fail(APP_EBUSY);
    char have[ANYVM_DEVICE_NAME_MAX];
    for (struct device *d = device_first(); d; d = d->next) {
        api_device_name(d, have, sizeof have);
        if (strcmp(have, name) == 0) {
            device_remove(d);
            return 0;
        }
    }
    return app_fail(APP_ENOENT);
}
