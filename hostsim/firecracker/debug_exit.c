/* hostsim's --exit-port: QEMU's isa-debug-exit semantics (hw/misc/debugexit.c:
 * a write of V ends the process with status (V << 1) | 1), so a test can
 * carry the guest's own status out. Firecracker has no such device; with the
 * option off (the default) the port is unclaimed like any other. Claims two
 * ports like QEMU's default iosize; a write of any size counts, its value
 * taken little-endian; reads return 0. */
#include <string.h>

#include "hostsim/firecracker/devices.h"

#define DEBUG_EXIT_PORTS 2

int fc_debug_exit_register(struct fc_debug_exit *d, uint16_t port, struct vm_stop *stop,
                           struct iobus *pio)
{
    d->port = port;
    d->stop = stop;
    return iobus_add(pio, port, DEBUG_EXIT_PORTS, "exit port", NULL, fc_debug_exit_write, d);
}

void fc_debug_exit_write(void *ctx, uint64_t offset, const uint8_t *data, unsigned size)
{
    struct fc_debug_exit *d = ctx;
    (void)offset;
    uint64_t v = 0;
    memcpy(&v, data, size <= sizeof v ? size : sizeof v);
    int status = (int)(((v << 1) | 1) & 0xFF);
    char reason[96];
    snprintf(reason, sizeof reason, "guest wrote 0x%llx to exit port 0x%x: exit status %d",
             (unsigned long long)v, d->port, status);
    vm_stop_request(d->stop, status, reason);
}
