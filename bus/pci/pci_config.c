/* Configuration-space access: ECAM for the buses the ACPI MCFG covers,
 * configuration mechanism #1 (ports 0xCF8/0xCFC) otherwise. Every access is
 * checked for size, alignment and range before it reaches the hardware. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "bus/pci/pci_internal.h"
#include "core/arch.h"
#include "bus/pci/pci_logic.h"
#include "bus/pci/pci_regs.h"
#include "core/platform.h"
#include "core/log.h"

#define PORT_CONFIG_SIZE 256
#define ECAM_CONFIG_SIZE 4096

static bool port_ok;
static struct acpi_mcfg_entry ecam[ACPI_MAX_MCFG];
static unsigned necam;
static unsigned bad_accesses;

/* Mechanism #1 exists when CONFIG_ADDRESS keeps what is written to it: only
 * dword accesses reach it (a byte write to 0xCF9 is the reset register on
 * many chipsets). Without PCI the port reads all ones (QEMU microvm) or
 * zeroes (Firecracker). */
static bool port_probe(void)
{
    uint64_t flags = arch_irq_save();
    uint32_t old = inl(PCI_CONFIG_ADDRESS);
    outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE);
    uint32_t seen = inl(PCI_CONFIG_ADDRESS);
    outl(PCI_CONFIG_ADDRESS, old);
    arch_irq_restore(flags);
    return seen == PCI_CONFIG_ENABLE;
}

static uint32_t port_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned size)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
    uint64_t flags = arch_irq_save();
    outl(PCI_CONFIG_ADDRESS, pci_cf8_address(bus, dev, fn, off));
    uint32_t v = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
    arch_irq_restore(flags);
    return v;
}

static void port_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned size,
                       uint32_t v)
{
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
    uint64_t flags = arch_irq_save();
    outl(PCI_CONFIG_ADDRESS, pci_cf8_address(bus, dev, fn, off));
    if (size == 1)
        outb(port, (uint8_t)v);
    else if (size == 2)
        outw(port, (uint16_t)v);
    else
        outl(port, v);
    arch_irq_restore(flags);
}

static uint32_t ecam_read(uint64_t addr, unsigned size)
{
    uintptr_t p = (uintptr_t)addr;
    if (size == 1)
        return *(volatile uint8_t *)p;
    if (size == 2)
        return *(volatile uint16_t *)p;
    return *(volatile uint32_t *)p;
}

static void ecam_write(uint64_t addr, unsigned size, uint32_t v)
{
    uintptr_t p = (uintptr_t)addr;
    if (size == 1)
        *(volatile uint8_t *)p = (uint8_t)v;
    else if (size == 2)
        *(volatile uint16_t *)p = (uint16_t)v;
    else
        *(volatile uint32_t *)p = v;
}

enum pci_mech pci_config_mech(uint16_t segment, uint8_t bus)
{
    if (pci_ecam_lookup(ecam, necam, segment, bus) >= 0)
        return PCI_MECH_ECAM;
    if (segment == 0 && port_ok)
        return PCI_MECH_PORT;
    return PCI_MECH_NONE;
}

/* Where the access goes: ECAM address, or 1 for port I/O, or 0 for none. */
static uint64_t route(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                      unsigned size, bool *port)
{
    *port = false;
    if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)) || dev > 31 || fn > 7) {
        if (bad_accesses++ < 5)
            kprintf("pci: bad configuration access: %u bytes at 0x%x of %02x:%02x.%u\n", size, off,
                    bus, dev, fn);
        return 0;
    }
    int i = pci_ecam_lookup(ecam, necam, segment, bus);
    if (i >= 0)
        return off < ECAM_CONFIG_SIZE ? pci_ecam_address(&ecam[i], bus, dev, fn, off) : 0;
    if (segment == 0 && port_ok && off < PORT_CONFIG_SIZE) {
        *port = true;
        return 1;
    }
    return 0; /* extended space without ECAM, or no mechanism: absent */
}

uint32_t pci_config_read(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                         unsigned size)
{
    bool port;
    uint64_t a = route(segment, bus, dev, fn, off, size, &port);
    if (a == 0)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return port ? port_read(bus, dev, fn, off, size) : ecam_read(a, size);
}

void pci_config_write(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
                      unsigned size, uint32_t v)
{
    bool port;
    uint64_t a = route(segment, bus, dev, fn, off, size, &port);
    if (a == 0)
        return;
    if (port)
        port_write(bus, dev, fn, off, size, v);
    else
        ecam_write(a, size, v);
}

/* Checks one MCFG entry and maps its region; true when it can be used. */
static bool ecam_accept(const struct acpi_mcfg_entry *e)
{
    const char *why = pci_ecam_entry_problem(e);
    if (why == NULL) {
        uint64_t start = e->base + ((uint64_t)e->bus_start << 20);
        uint64_t len = ((uint64_t)e->bus_end - e->bus_start + 1) << 20;
        /* Mapped (above 4 GiB) or made uncached (below it). */
        if (paging_identity_map(start, len, true) != 0)
            why = "cannot map the region";
    }
    if (why) {
        kprintf("pci: MCFG segment %u buses %02x-%02x at 0x%llx not used: %s\n", e->segment,
                e->bus_start, e->bus_end, (unsigned long long)e->base, why);
        return false;
    }
    /* Cross-check with port I/O where both reach: a wrong MCFG base would
     * otherwise make every read return whatever memory lies there. */
    if (port_ok && e->segment == 0 && e->bus_start == 0) {
        uint32_t by_port = port_read(0, 0, 0, PCI_VENDOR_ID, 4);
        uint32_t by_ecam = ecam_read(pci_ecam_address(e, 0, 0, 0, PCI_VENDOR_ID), 4);
        if (by_port != by_ecam) {
            kprintf("pci: MCFG region at 0x%llx reads %08x for 00:00.0, port I/O %08x: "
                    "not used\n",
                    (unsigned long long)e->base, by_ecam, by_port);
            return false;
        }
    }
    return true;
}

static void add_root(struct pci_root *roots, unsigned *n, uint16_t segment, uint8_t start,
                     uint8_t end)
{
    for (unsigned i = 0; i < *n; i++) {
        if (roots[i].segment != segment)
            continue;
        if (start < roots[i].bus_start)
            roots[i].bus_start = start;
        if (end > roots[i].bus_end)
            roots[i].bus_end = end;
        return;
    }
    if (*n < PCI_MAX_ROOTS)
        roots[(*n)++] = (struct pci_root){segment, start, end};
    else
        kprintf("pci: more than %u segments; segment %u ignored\n", PCI_MAX_ROOTS, segment);
}

unsigned pci_config_init(struct pci_root roots[PCI_MAX_ROOTS])
{
    port_ok = port_probe();
    necam = 0;
    const struct acpi_info *acpi = platform_acpi();
    unsigned n = acpi->nmcfg < ACPI_MAX_MCFG ? acpi->nmcfg : ACPI_MAX_MCFG;
    for (unsigned i = 0; i < n; i++)
        if (ecam_accept(&acpi->mcfg[i]))
            ecam[necam++] = acpi->mcfg[i];

    unsigned nroots = 0;
    if (port_ok)
        add_root(roots, &nroots, 0, 0, 255);
    for (unsigned i = 0; i < necam; i++)
        add_root(roots, &nroots, ecam[i].segment, ecam[i].bus_start, ecam[i].bus_end);
    return nroots;
}
