/* The remove action: a device taken away at run time, as a VMBus rescind or
 * a hot unplug would, through the one bus core (core/device.h). The driver
 * lets go of the device, its class (blkdev, netdev) forgets it, the inventory
 * drops it, and the kernel carries on. */
#include <stdio.h>
#include <string.h>

#include "apps/devinfo/devinfo.h"
#include "core/device.h"

static bool in_inventory(const struct device *dev)
{
    for (struct device *d = device_first(); d; d = d->next)
        if (d == dev)
            return true;
    return false;
}

int devinfo_remove(const char *spec)
{
    struct blkdev *bd = devinfo_find_disk(spec);
    struct netdev *nd = bd ? NULL : netdev_find(spec);
    if (bd == NULL && nd == NULL) {
        printf("devinfo: FAIL remove: no disk or network device '%s'\n", spec);
        return -1;
    }
    struct device *dev = bd ? bd->dev : nd->dev;
    char name[16], devname[sizeof dev->name + 16];
    snprintf(name, sizeof name, "%s", bd ? bd->name : nd->name);
    if (dev == NULL) {
        printf("devinfo: FAIL remove %s: no device behind it\n", name);
        return -1;
    }
    snprintf(devname, sizeof devname, "%s %s", dev->bus->name, dev->name);
    unsigned before = device_count();
    device_remove(dev);
    /* bd and nd belonged to the driver, which freed them: only names now. */
    bool gone = bd ? blkdev_find(name) == NULL : netdev_find(name) == NULL;
    if (!gone || in_inventory(dev) || device_count() != before - 1) {
        printf("devinfo: FAIL remove %s: still known after removal (class %s, inventory %s, "
               "%u devices before, %u after)\n",
               name, gone ? "forgot it" : "still lists it",
               in_inventory(dev) ? "still lists it" : "dropped it", before, device_count());
        return -1;
    }
    printf("devinfo: PASS remove %s (%s): %u devices left\n", name, devname, device_count());
    return 0;
}
