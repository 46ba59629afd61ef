/* MSI message composition: see msi.h. */
#include "hostsim/cpu/msi.h"

int msi_compose(uint32_t apic_id, unsigned vector, struct msi_message *m)
{
    if (apic_id > 0xFF || vector < MSI_VECTOR_MIN || vector > 0xFF)
        return -1;
    m->address_lo = MSI_ADDRESS_BASE | (apic_id << 12);
    m->address_hi = 0;
    m->data = vector;
    return 0;
}
