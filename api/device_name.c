/* See device_name.h. */
#include "api/device_name.h"

#include "core/device.h"
#include "klib/format.h"

void api_device_name(const struct device *dev, char *out, size_t size)
{
    if (size == 0)
        return;
    if (dev == NULL)
        out[0] = '\0';
    else
        ksnprintf(out, size, "%s %s", dev->bus ? dev->bus->name : "device", dev->name);
}
