/* Per-function accessors for drivers: configuration reads and writes,
 * capability lookup, command-register enables, names. */
#include "bus/pci/pci.h"
#include "bus/pci/pci_internal.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/log.h"

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
    return (uint8_t)pci_config_read(d->segment, d->bus, d->slot, d->fn, off, 1);
}
uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
    return (uint16_t)pci_config_read(d->segment, d->bus, d->slot, d->fn, off, 2);
}
uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
    return pci_config_read(d->segment, d->bus, d->slot, d->fn, off, 4);
}
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v)
{
    pci_config_write(d->segment, d->bus, d->slot, d->fn, off, 1, v);
}
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
    pci_config_write(d->segment, d->bus, d->slot, d->fn, off, 2, v);
}
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v)
{
    pci_config_write(d->segment, d->bus, d->slot, d->fn, off, 4, v);
}

static uint8_t cap_read8(void *ctx, uint16_t off)
{
    return pci_read8(ctx, off);
}

static uint8_t find_cap(const struct pci_dev *d, uint8_t cap_id, uint8_t from, bool after)
{
    bool malformed;
    uint8_t off =
        pci_cap_walk(cap_read8, (void *)d, d->header_type, cap_id, from, after, &malformed);
    if (malformed) {
        char name[16];
        kprintf("pci: %s: capability list is malformed (loop or bad pointer); walk stopped\n",
                pci_dev_name(d, name));
    }
    return off;
}

uint8_t pci_find_capability(const struct pci_dev *d, uint8_t cap_id, uint8_t start)
{
    return find_cap(d, cap_id, start, false);
}

uint8_t pci_find_next_capability(const struct pci_dev *d, uint8_t cap_id, uint8_t prev)
{
    return find_cap(d, cap_id, prev, true);
}

void pci_enable(struct pci_dev *d, bool memory, bool io, bool bus_master)
{
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    uint16_t want = cmd | (memory ? PCI_COMMAND_MEMORY : 0) | (io ? PCI_COMMAND_IO : 0) |
                    (bus_master ? PCI_COMMAND_MASTER : 0);
    if (want != cmd)
        pci_write16(d, PCI_COMMAND, want);
}

const char *pci_dev_name(const struct pci_dev *d, char buf[16])
{
    return pci_format_name(buf, d->segment, d->bus, d->slot, d->fn);
}
