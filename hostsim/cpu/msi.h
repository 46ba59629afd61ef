/* The message a PCI-style MSI writes to reach a local APIC: what
 * KVM_SIGNAL_MSI takes to interrupt one vCPU with one vector (Intel SDM
 * vol. 3A, 11.11.1 "Message Address Register Format" and 11.11.2 "Message
 * Data Register Format"): address 0xFEE00000 with the destination APIC id in
 * bits 19:12, physical destination mode (bit 2 = 0), no redirection hint
 * (bit 3 = 0); data = the vector in bits 7:0, fixed delivery (bits 10:8 =
 * 0), edge-triggered (bit 15 = 0). Pure logic. */
#ifndef HOSTSIM_CPU_MSI_H
#define HOSTSIM_CPU_MSI_H

#include <stdint.h>

#define MSI_ADDRESS_BASE 0xFEE00000u
#define MSI_VECTOR_MIN 16 /* 0-15 are reserved: a LAPIC refuses them (SDM 11.5.3) */

struct msi_message {
    uint32_t address_lo, address_hi, data;
};

/* Returns 0, or -1 when apic_id does not fit the 8-bit destination field or
 * the vector is reserved. */
int msi_compose(uint32_t apic_id, unsigned vector, struct msi_message *m);

#endif
