/* The kernel's device inventory, for apps (implemented in the kernel's
 * api/): every device of every bus, in the order they appeared, with the
 * driver that took it and its state. */
#ifndef ANYVM_DEVICES_H
#define ANYVM_DEVICES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANYVM_DEVICE_NAME_MAX 72

struct anyvm_device {
    char name[ANYVM_DEVICE_NAME_MAX];   /* "pci 00:03.0", "virtio-mmio@0xc0001000" */
    char bus[16];                       /* "pci", "virtio-mmio", "virtio" */
    char parent[ANYVM_DEVICE_NAME_MAX]; /* the device that carries it, "" for none */
    char driver[32];                    /* "" when none took it */
    char state[24];                     /* "bound", "no driver", "driver failed", "disabled" */
    char reason[96];                    /* why it was disabled or the driver failed, or "" */
};

/* Copies up to max entries of the inventory into out (out may be NULL when
 * max is 0); returns how many devices there are. */
size_t anyvm_devices(struct anyvm_device *out, size_t max);

/* Takes the named device (and what it carries) out of the kernel, as a hot
 * unplug would: its driver lets go, the classes forget it, the inventory
 * drops it. Returns 0, or -1 with errno ENOENT (no such device). */
int anyvm_device_remove(const char *name);

#ifdef __cplusplus
}
#endif

#endif
