/* The `pci.list` output: one line per function, then one line per BAR.
 *   pci: 00:02.0 1af4:1041 class 02.00.00 ethernet, pin A line 10, irq msix vector 0x40, driver
 * virtio-pci pci:   00:02.0 bar4 mem64 pref 0xfe000000 size 0x4000 docs/pci.md describes every
 * field. */
#include "klib/format.h"

#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/log.h"

static void print_function(const struct pci_dev *d)
{
    char name[16], line[200];
    int n = ksnprintf(line, sizeof line, "%s %04x:%04x class %02x.%02x.%02x %s",
                      pci_dev_name(d, name), d->vendor, d->device, d->class_code, d->subclass,
                      d->prog_if, pci_class_name(d->class_code, d->subclass));
    if (d->header_type == PCI_HEADER_BRIDGE && n > 0 && (size_t)n < sizeof line)
        n += ksnprintf(line + n, sizeof line - (size_t)n, ", buses %02x-%02x", d->secondary_bus,
                       d->subordinate_bus);
    if (d->irq_pin && n > 0 && (size_t)n < sizeof line)
        n += ksnprintf(line + n, sizeof line - (size_t)n, ", pin %c line %u", 'A' + d->irq_pin - 1,
                       d->irq_line);
    if (d->irq_mode != PCI_IRQ_NONE && n > 0 && (size_t)n < sizeof line)
        n += ksnprintf(line + n, sizeof line - (size_t)n, ", irq %s vector 0x%02x",
                       pci_irq_mode_name(d->irq_mode), d->irq_vector);
    if (d->irq_nvectors > 1 && n > 0 && (size_t)n < sizeof line)
        n += ksnprintf(line + n, sizeof line - (size_t)n, " (%u vectors)", d->irq_nvectors);
    if (n > 0 && (size_t)n < sizeof line) {
        const struct device *dv = &d->dev;
        if (dv->state == DEVICE_BOUND)
            ksnprintf(line + n, sizeof line - (size_t)n, ", driver %s", dv->driver->name);
        else if (dv->state == DEVICE_FAILED)
            ksnprintf(line + n, sizeof line - (size_t)n, ", driver %s failed: %d", dv->driver->name,
                      dv->probe_result);
        else if (dv->state == DEVICE_DISABLED)
            ksnprintf(line + n, sizeof line - (size_t)n, ", driver %s, disabled", dv->driver->name);
        else
            ksnprintf(line + n, sizeof line - (size_t)n, ", no driver");
    }
    kprintf("pci: %s\n", line);
    for (unsigned i = 0; i < 6; i++) {
        if (d->bar_bad & (1u << i)) {
            kprintf("pci:   %s bar%u malformed (ignored)\n", name, i);
            continue;
        }
        if (d->bar[i].size == 0)
            continue;
        pci_format_bar(line, sizeof line, i, &d->bar[i]);
        kprintf("pci:   %s %s\n", name, line);
    }
}

void pci_print_list(void)
{
    for (struct device *dv = device_first(); dv; dv = dv->next)
        if (dv->bus == &pci_bus)
            print_function(pci_dev_of(dv));
}
