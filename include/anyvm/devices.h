/* The kernel's device inventory, for apps (implemented in the kernel's
 * api/): every device of every bus, in the order they appeared, with the
 * driver that took it and its state. */
#ifndef ANYVM_DEVICES_H
#define ANYVM_DEVICES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A device's name is its bus's name and its name on that bus, as the
 * kernel's log lines write it, unique among all devices: "pci 00:03.0",
 * "virtio mmio 0xfeb00e00 irq 12 device 2 (block)". */
#define ANYVM_DEVICE_NAME_MAX 96
#define ANYVM_BUS_NAME_MAX 16

/* The driver is the one bound, or for "driver failed" the last one tried;
 * "" when none matched. */
struct anyvm_device {
    char name[ANYVM_DEVICE_NAME_MAX];
    char bus[ANYVM_BUS_NAME_MAX];       /* "pci", "virtio" */
    char parent[ANYVM_DEVICE_NAME_MAX]; /* the device that carries it, "" for none */
    char driver[32];
    char state[24];  /* "bound", "no driver", "driver failed", "disabled" */
    char reason[96]; /* why it was disabled or the driver failed, or "" */
};

/* Copies up to max entries of the inventory into out (out may be NULL when
 * max is 0); returns how many devices there are. */
size_t anyvm_devices(struct anyvm_device *out, size_t max);

/* The buses devices are listed under ("pci", "virtio"), in the kernel's
 * order, those without a device included; not the discovery helpers that
 * add their devices to another bus (virtio-mmio's windows are virtio
 * devices). Copies up to max names into out (NULL when max is 0); returns
 * how many there are. */
struct anyvm_bus {
    char name[ANYVM_BUS_NAME_MAX];
};
size_t anyvm_device_buses(struct anyvm_bus *out, size_t max);

/* Takes the named device (and what it carries) out of the kernel, as a hot
 * unplug would: its driver lets go (a disk's requests in flight fail), the
 * classes forget it (handles on it fail with ENODEV from then on), the
 * inventory drops it. Returns 0, or -1 with errno ENOENT (no such device)
 * or EBUSY (called from a network receive callback: a driver is running,
 * and the device could be its own). */
int anyvm_device_remove(const char *name);

#ifdef __cplusplus
}
#endif

#endif
