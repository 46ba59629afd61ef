/* The VMBus host (hostsim/vmbus/server.h) and its integration services
 * inside the Hyper-V machine: channel messages arrive by HvPostMessage on
 * connection ids 1 and 4 and leave as SynIC messages; each channel's
 * HvSignalEvent reaches its ring; the host signals a channel with its event
 * flag. A protocol violation is logged with what was expected and ends
 * hostsim with HOSTSIM_EXIT_VMBUS. A one-second timer drives the periodic
 * services (heartbeat, timesync) and the shutdown timeout; the first
 * SIGTERM asks the guest to shut down through the shutdown IC. */
#ifndef HOSTSIM_HYPERV_VMBUS_MACHINE_H
#define HOSTSIM_HYPERV_VMBUS_MACHINE_H

#include <stdint.h>

#include "hostsim/hyperv/partition.h"
#include "hostsim/vm.h"
#include "hostsim/vmbus/ic_services.h"
#include "hostsim/vmbus/server.h"
#include "hostsim/vmbus/storvsc.h"

#define HVM_SHUTDOWN_TIMEOUT 30 /* seconds the guest has to answer a SIGTERM */

struct hvm_vmbus {
    struct hostsim_vm *vm;
    struct hvhost_partition *partition;
    struct vmbus_host host;
    struct vmbus_ic shutdown, heartbeat, timesync, kvp;
    struct vmbus_ic_env env;
    int timer_fd;
    unsigned shutdown_wait; /* seconds since a SIGTERM asked for a shutdown, 0: none */
    unsigned long ticks;
    uint64_t tsc_offset;           /* guest TSC - host TSC */
    uint32_t rescind_relid;        /* --vmbus-rescind: 0 none */
    unsigned long rescind_at_tick; /* seconds into the run */
};

/* After hvhost_partition_attach. 0, or -1 after saying why. */
int hvm_vmbus_attach(struct hvm_vmbus *b, struct hostsim_vm *vm, struct hvhost_partition *p,
                     uint32_t max_version);
/* Offers one more channel for service s (a device back end: netvsc,
 * storvsc), with its signal port; after hvm_vmbus_attach, before the guest
 * starts. The channel, or NULL after saying why. */
struct vmbus_host_channel *hvm_vmbus_add_service(struct hvm_vmbus *b,
                                                 const struct vmbus_host_service *s);
/* Offers a storvsc controller (after the integration services: relids 5
 * on). 0, or -1 after saying why. */
int hvm_vmbus_add_storvsc(struct hvm_vmbus *b, struct storvsc_host *s);
/* --vmbus-rescind NAME@SECONDS: the channel of service NAME is rescinded
 * that long into the run. 0, or -1 when no service has that name. */
int hvm_vmbus_rescind_later(struct hvm_vmbus *b, const char *name, unsigned seconds);
/* Starts the timer (from the model's start hook). */
int hvm_vmbus_start(struct hvm_vmbus *b);
void hvm_vmbus_stop(struct hvm_vmbus *b);

#endif
