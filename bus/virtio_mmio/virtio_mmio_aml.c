/* virtio-mmio devices in ACPI AML: QEMU microvm describes each device in its
 * DSDT as
 *
 *   Device (VR23) {
 *       Name (_HID, "LNRO0005")
 *       Name (_UID, 0x17)
 *       Name (_CCA, One)
 *       Name (_CRS, ResourceTemplate () {
 *           Memory32Fixed (ReadWrite, 0xFEB02E00, 0x200)
 *           Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 47 }
 *       })
 *   }
 *
 * The kernel's AML reader (core/aml.h) finds the devices and decodes their
 * _CRS; this file takes the register window and the interrupt from it and
 * applies what the transport needs. Pure logic. */
#include "bus/virtio_mmio/virtio_mmio.h"

#include <string.h>

#include "core/acpi.h"
#include "core/aml.h"
#include "core/log.h"

#define VIRTIO_MMIO_HID "LNRO0005"

struct collect {
    struct virtio_mmio_desc *out;
    unsigned *n, max, added;
};

static bool overlaps(const struct virtio_mmio_desc *a, const struct virtio_mmio_desc *b)
{
    return a->base < b->base + b->size && b->base < a->base + a->size;
}

static void take(const struct aml_device *dev, void *ctx)
{
    struct collect *c = ctx;
    if (dev->res.nmem == 0) {
        aml_skip(dev, "_CRS has no Memory32Fixed range");
        return;
    }
    if (dev->res.nirq == 0) {
        aml_skip(dev, "_CRS has no interrupt");
        return;
    }
    struct virtio_mmio_desc d;
    memset(&d, 0, sizeof d);
    memcpy(d.name, dev->name, sizeof d.name);
    d.base = dev->res.mem[0].base;
    d.size = dev->res.mem[0].size;
    d.irq = dev->res.irq[0].number;
    char err[96];
    if (virtio_mmio_check(&d, err, sizeof err) != 0) {
        aml_skip(dev, "%s", err);
        return;
    }
    for (unsigned i = 0; i < *c->n; i++) {
        if (overlaps(&d, &c->out[i])) {
            aml_skip(dev, "its range overlaps the device at %#llx",
                     (unsigned long long)c->out[i].base);
            return;
        }
    }
    if (*c->n >= c->max) {
        aml_skip(dev, "more than %u devices", c->max);
        return;
    }
    c->out[(*c->n)++] = d;
    c->added++;
}

unsigned virtio_mmio_scan_aml(const uint8_t *aml, size_t len, const char *table,
                              struct virtio_mmio_desc *out, unsigned *n, unsigned max)
{
    struct collect c = {out, n, max, 0};
    aml_find_devices(aml, len, table, "virtio-mmio", VIRTIO_MMIO_HID, take, &c);
    return c.added;
}

unsigned virtio_mmio_from_acpi(const struct phys_window *w, const struct acpi_info *info,
                               struct virtio_mmio_desc *out, unsigned max)
{
    unsigned n = 0;
    struct collect c = {out, &n, max, 0};
    acpi_find_devices(w, info, VIRTIO_MMIO_HID, "virtio-mmio", take, &c);
    return n;
}
