/* A partition's reset state and its ports: see partition.h. Reset values
 * from the TLFS: every synthetic MSR 0 except the SINTs, 0x10000 (masked,
 * vector 0) ("SINTx Registers"). */
#include <string.h>

#include "hostsim/hyperv/partition.h"

#define CONNECTION_ID_MASK 0x00FFFFFFu /* hv_connection_id: 23:0 id, 31:24 reserved */

int hvhost_partition_init(struct hvhost_partition *p, const struct guest_mem *mem, unsigned nvps,
                          uint64_t tsc_hz, uint64_t apic_hz, const struct hvhost_env *env)
{
    memset(p, 0, sizeof *p);
    if (nvps == 0 || nvps > HVHOST_MAX_VPS || tsc_hz < 10000000u)
        return -1; /* a TSC slower than the 10 MHz reference clock has no scale below 1 */
    p->mem = mem;
    p->env = *env;
    p->nvps = nvps;
    p->tsc_hz = tsc_hz;
    p->apic_hz = apic_hz;
    p->tsc_scale = hvhost_tsc_scale(tsc_hz);
    for (unsigned v = 0; v < nvps; v++)
        for (unsigned s = 0; s < HV_SINT_COUNT; s++)
            p->vp[v].sint[s] = HV_SINT_RESET;
    return 0;
}

int hvhost_partition_add_port(struct hvhost_partition *p, const struct hvhost_port *port)
{
    if (p->nports == HVHOST_MAX_PORTS || (port->connection_id & ~CONNECTION_ID_MASK) != 0 ||
        hvhost_partition_port(p, port->connection_id) != NULL)
        return -1;
    p->port[p->nports++] = *port;
    return 0;
}

const struct hvhost_port *hvhost_partition_port(const struct hvhost_partition *p, uint32_t id)
{
    for (unsigned i = 0; i < p->nports; i++)
        if (p->port[i].connection_id == id)
            return &p->port[i];
    return NULL;
}
