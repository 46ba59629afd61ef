/* Driver registration (DESIGN.md "Registration, not lists of calls"). A driver
 * declares itself once with DRIVER_REGISTER in its own file; the linker
 * collects the declarations into one table (.drivers in kernel.ld), and each
 * bus walks the table for drivers of its kind and matches them against the
 * devices it enumerates. Adding a driver touches its folder and nothing else. */
#ifndef CORE_DRIVER_H
#define CORE_DRIVER_H

#include <stddef.h>

enum driver_bus {
    DRIVER_BUS_PCI = 1, /* match: const struct pci_device_id[] (bus/pci/pci.h) */
    DRIVER_BUS_VIRTIO,  /* match: const struct virtio_device_id[] (drivers/virtio/virtio.h);
                           any transport: virtio-mmio or virtio-pci */
    DRIVER_BUS_VMBUS,   /* later: match by class GUID */
};

struct driver {
    const char *name;
    enum driver_bus bus;
    const void *match; /* bus-specific table, ended by an all-zero entry */
    /* dev: the bus's device structure; id: the entry of match that matched.
     * Returns 0 when the driver took the device, negative otherwise (the bus
     * then reports the device as "driver X failed"). */
    int (*probe)(void *dev, const void *id);
};

#define DRIVER_REGISTER(drv)                                                                       \
    static const struct driver *const drv##_registration                                           \
        __attribute__((used, section(".drivers"), aligned(8))) = &(drv)

/* The table, in link order. */
extern const struct driver *const __drivers_start[];
extern const struct driver *const __drivers_end[];

#define for_each_driver(d)                                                                         \
    for (const struct driver *const *d##_it = __drivers_start;                                     \
         d##_it < __drivers_end && ((d) = *d##_it, 1); d##_it++)

#endif
