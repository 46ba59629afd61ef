/* pci_init: finds the configuration mechanisms, enumerates, binds drivers,
 * prints the summary line and, with `pci.list` on the command line, every
 * function (pci_list.c). See bus/pci/pci.h and docs/pci.md. */
#include "bus/pci/pci.h"
#include "bus/pci/pci_internal.h"
#include "core/cmdline.h"
#include "core/kernel.h"
#include "core/log.h"

void pci_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;

    struct pci_root roots[PCI_MAX_ROOTS];
    unsigned nroots = pci_config_init(roots);
    if (nroots == 0) {
        kprintf("pci: no configuration mechanism (no PCI)\n");
        return;
    }
    pci_scan(roots, nroots);
    unsigned bound = pci_bind_drivers();

    bool ecam = pci_used_mech(PCI_MECH_ECAM), port = pci_used_mech(PCI_MECH_PORT);
    const char *how = ecam && port ? "ECAM and port I/O"
                      : ecam       ? "ECAM"
                      : port       ? "port I/O"
                                   : "nothing found";
    unsigned n = pci_count(), buses = pci_bus_count();
    kprintf("pci: %u function%s on %u bus%s (%s), %u with a driver\n", n, n == 1 ? "" : "s", buses,
            buses == 1 ? "" : "es", how, bound);
    if (cmdline_has(kernel_cmdline(), "pci.list"))
        pci_print_list();
}
