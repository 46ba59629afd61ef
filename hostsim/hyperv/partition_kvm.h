/* The partition (partition.h) wired to hostsim's KVM back end: its MSRs on
 * the MSR bus, its hypercall port on the port bus, the guest TSC read with
 * KVM_GET_MSRS and interrupts sent with KVM_SIGNAL_MSI. */
#ifndef HOSTSIM_HYPERV_PARTITION_KVM_H
#define HOSTSIM_HYPERV_PARTITION_KVM_H

#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/hyperv/partition.h"

/* After the vCPUs exist. Returns 0, or -1 after saying why. */
int hvhost_partition_attach(struct hvhost_partition *p, struct cpu_kvm *k);

#endif
