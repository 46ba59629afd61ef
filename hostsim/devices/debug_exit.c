/* hostsim's --exit-port: QEMU's isa-debug-exit semantics (hw/misc/debugexit.c:
 * a write of V ends the process with status (V << 1) | 1), so a test can
 * carry the guest's own status out. No monitor hostsim models has such a
 * device; with the option off (the default) the port is unclaimed like any
 * other. Claims two
 * ports like QEMU's default iosize; a write of any size counts, its value
 * taken little-endian; reads return 0. */
#include <string.h>

#include "hostsim/devices/legacy.h"
#include "hostsim/registry.h"

static const struct hostsim_backend debug_exit_backend = {
    .name = "debug-exit",
    .summary = "--exit-port: a write of V ends hostsim with (2V+1)&0xff (QEMU isa-debug-exit)",
};
HOSTSIM_REGISTER_BACKEND(debug_exit_backend);

int debug_exit_register(struct debug_exit *d, uint16_t port, struct vm_stop *stop,
                        struct iobus *pio)
{
    d->port = port;
    d->stop = stop;
    return iobus_add(pio, port, DEBUG_EXIT_PORTS, "exit port", NULL, debug_exit_write, d);
}

void debug_exit_write(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                      unsigned size)
{
    struct debug_exit *d = ctx;
    (void)vcpu;
    (void)offset;
    uint64_t v = 0;
    memcpy(&v, data, size <= sizeof v ? size : sizeof v);
    int status = (int)(((v << 1) | 1) & 0xFF);
    char reason[96];
    snprintf(reason, sizeof reason, "guest wrote 0x%llx to exit port 0x%x: exit status %d",
             (unsigned long long)v, d->port, status);
    vm_stop_request(d->stop, status, reason);
}
