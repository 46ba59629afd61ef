/* The device model: one struct device embedded in every bus's device
 * (struct pci_dev, struct virtio_dev, later VMBus channels), one inventory of
 * every device of every bus, and one bus core that matches, probes, removes
 * and records the result. A bus registers itself with BUS_REGISTER (its
 * start function enumerates, its match function compares a device with a
 * driver's table); a driver registers with its bus's typed macro
 * (PCI_DRIVER_REGISTER, VIRTIO_DRIVER_REGISTER ...), so a probe function of
 * the wrong type is a compile error. Devices may be added and removed at any
 * time after the buses start (VMBus offers and rescinds). */
#ifndef CORE_DEVICE_H
#define CORE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

struct device;
struct driver;

enum device_state {
    DEVICE_NEW,       /* added, not probed yet */
    DEVICE_BOUND,     /* a driver took it */
    DEVICE_NO_DRIVER, /* no registered driver matches */
    DEVICE_FAILED,    /* every matching driver's probe failed */
    DEVICE_DISABLED,  /* its driver gave up on it after a protocol violation */
};

struct bus {
    const char *name; /* "pci", "virtio", "virtio-mmio", "vmbus" */
    int order;        /* buses start in increasing order */
    /* Enumerates the bus (device_add for each device found). NULL for a bus
     * whose devices are added by others (virtio: by its transports). */
    void (*start)(void);
    /* How well drv fits dev: -1 no match, otherwise a score (more specific
     * matches score higher); *id gets the matching entry of the driver's
     * table. */
    int (*match)(struct device *dev, const struct driver *drv, const void **id);
    /* Calls the driver's typed probe / remove / quiesce. */
    int (*probe)(struct device *dev, const struct driver *drv, const void *id);
    void (*remove)(struct device *dev);
    void (*quiesce)(struct device *dev);
    bool report_no_driver; /* log devices no driver takes (not for PCI's bridges) */
};

struct driver {
    const char *name;
    const struct bus *bus;
};

struct device {
    char name[72]; /* unique within the bus: "00:03.0", "mmio 0xfeb00e00 irq 12" */
    const struct bus *bus;
    struct device *parent;       /* the device that carries it (a transport), or NULL */
    const struct driver *driver; /* bound, or the last whose probe failed */
    enum device_state state;
    int probe_result; /* the failed probe's return */
    char reason[96];  /* why it was disabled */
    struct device *next;
};

#define BUS_REGISTER(b)                                                                            \
    static const struct bus *const b##_registration                                                \
        __attribute__((used, section("anyvm_buses"), aligned(8))) = &(b)
/* ident names the registration; drv points at the struct driver embedded in
 * the bus's typed driver structure. */
#define DRIVER_REGISTER(ident, drv)                                                                \
    static const struct driver *const ident##_registration                                         \
        __attribute__((used, section("anyvm_drivers"), aligned(8))) = (drv)

/* The containing structure of a member pointer (typed by the caller). */
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Starts every registered bus in order (kernel_main, once). */
void buses_start(void);
/* Adds dev (bus, name and parent set) to the inventory and probes the
 * drivers that match, best match first, until one takes it. Logs the result
 * when nothing took it. Thread context. */
void device_add(struct device *dev);
/* Unbinds (driver remove) and takes dev out of the inventory; the bus frees
 * it afterwards. */
void device_remove(struct device *dev);
/* For drivers: the device broke its protocol. Logs "<bus> <name>: disabled:
 * <reason>" once and marks it; the driver stops using it. */
void device_disable(struct device *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Asks every bound driver to stop its devices' DMA (before the VM ends). */
void devices_quiesce(void);

/* The inventory, in the order devices were added. */
struct device *device_first(void);
unsigned device_count(void);
const char *device_state_name(enum device_state s);
/* Registered buses (for the inventory's headings). */
const struct bus *const *bus_table(unsigned *count);

#endif
