/* Brings up every bus in turn; each enumerates its devices and binds the
 * drivers registered for it (core/driver.h). */
#include "bus/bus.h"

#include "bus/pci/pci.h"
#include "bus/virtio_mmio/virtio_mmio.h"

void buses_init(void)
{
    pci_init();
    virtio_mmio_init();
}
