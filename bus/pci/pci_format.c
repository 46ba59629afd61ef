/* Text for pci.list and log lines: class names, BARs, bus:dev.fn. Pure
 * logic, see pci_logic.h. Class codes: PCI Code and ID Assignment 1.11, 1. */
#include "klib/format.h"

#include "bus/pci/pci_logic.h"

struct class_name {
    uint8_t class_code, subclass;
    const char *name;
};

/* 0xFF as subclass: the base class name. */
static const struct class_name class_names[] = {
    {0x00, 0xFF, "unclassified"},
    {0x01, 0x00, "scsi"},
    {0x01, 0x01, "ide"},
    {0x01, 0x05, "ata"},
    {0x01, 0x06, "sata"},
    {0x01, 0x07, "sas"},
    {0x01, 0x08, "nvme"},
    {0x01, 0xFF, "storage"},
    {0x02, 0x00, "ethernet"},
    {0x02, 0xFF, "network"},
    {0x03, 0x00, "vga"},
    {0x03, 0xFF, "display"},
    {0x04, 0x01, "audio"},
    {0x04, 0x03, "hd audio"},
    {0x04, 0xFF, "multimedia"},
    {0x05, 0xFF, "memory"},
    {0x06, 0x00, "host bridge"},
    {0x06, 0x01, "isa bridge"},
    {0x06, 0x04, "pci bridge"},
    {0x06, 0x07, "cardbus bridge"},
    {0x06, 0xFF, "bridge"},
    {0x07, 0x00, "serial"},
    {0x07, 0xFF, "communication"},
    {0x08, 0xFF, "system"},
    {0x09, 0xFF, "input"},
    {0x0C, 0x03, "usb"},
    {0x0C, 0x05, "smbus"},
    {0x0C, 0xFF, "serial bus"},
    {0x0D, 0xFF, "wireless"},
    {0x10, 0xFF, "crypto"},
    {0x11, 0xFF, "signal processing"},
    {0x12, 0xFF, "accelerator"},
    {0xFF, 0xFF, "vendor specific"},
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
    const char *base = NULL;
    for (unsigned i = 0; i < sizeof class_names / sizeof class_names[0]; i++) {
        const struct class_name *c = &class_names[i];
        if (c->class_code != class_code)
            continue;
        if (c->subclass == subclass && c->subclass != 0xFF)
            return c->name;
        if (c->subclass == 0xFF)
            base = c->name;
    }
    return base ? base : "unknown class";
}

char *pci_format_name(char buf[16], uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn)
{
    if (segment)
        ksnprintf(buf, 16, "%04x:%02x:%02x.%u", segment, bus, dev & 31u, fn & 7u);
    else
        ksnprintf(buf, 16, "%02x:%02x.%u", bus, dev & 31u, fn & 7u);
    return buf;
}

int pci_format_bar(char *buf, size_t len, unsigned index, const struct pci_bar *b)
{
    const char *kind = b->io ? "io" : b->is64 ? "mem64" : "mem32";
    const char *pref = b->prefetchable ? " pref" : "";
    if (b->base == 0)
        return ksnprintf(buf, len, "bar%u %s%s unassigned size 0x%llx", index, kind, pref,
                         (unsigned long long)b->size);
    return ksnprintf(buf, len, "bar%u %s%s 0x%llx size 0x%llx", index, kind, pref,
                     (unsigned long long)b->base, (unsigned long long)b->size);
}

const char *pci_irq_mode_name(enum pci_irq_mode m)
{
    switch (m) {
    case PCI_IRQ_MSIX:
        return "msix";
    case PCI_IRQ_MSI:
        return "msi";
    case PCI_IRQ_INTX:
        return "intx";
    default:
        return "none";
    }
}
