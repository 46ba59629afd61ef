/* The name apps know a device by (anyvm/devices.h): its bus's name and its
 * name on that bus, "pci 00:03.0", as the kernel's log lines write it.
 * Names are unique within a bus, so these are unique among all devices. */
#ifndef API_DEVICE_NAME_H
#define API_DEVICE_NAME_H

#include <stddef.h>

struct device;

/* Writes dev's name into out (size bytes, cut if need be); "" for NULL. */
void api_device_name(const struct device *dev, char *out, size_t size);

#endif
