/* The integration services hostsim's VMBus host offers, one file each:
 * ic_shutdown.c, ic_heartbeat.c, ic_timesync.c, ic_kvp.c. Class GUIDs from
 * Linux include/linux/hyperv.h (HV_SHUTDOWN_GUID, HV_TS_GUID,
 * HV_HEART_BEAT_GUID, HV_KVP_GUID); message versions as openvmm's
 * hyperv_ic_protocol and Linux's hv_util.c / hv_kvp.c lists meet. */
#ifndef HOSTSIM_VMBUS_IC_SERVICES_H
#define HOSTSIM_VMBUS_IC_SERVICES_H

#include "hostsim/vmbus/ic.h"

extern const struct vmbus_ic_kind vmbus_ic_shutdown, vmbus_ic_heartbeat, vmbus_ic_timesync,
    vmbus_ic_kvp;

/* Shutdown body flags (openvmm ShutdownFlags). */
#define IC_SHUTDOWN_FORCE 0x1u
#define IC_SHUTDOWN_RESTART 0x2u
/* Asks the guest to shut down (reason 0x80000000: planned, as openvmm).
 * 0, or -1 when the service is not ready or a request waits. */
int vmbus_ic_shutdown_request(struct vmbus_ic *ic, uint32_t flags, uint32_t timeout_secs);
/* The guest's answer: 0 none yet, 1 accepted, -1 refused. */
int vmbus_ic_shutdown_answer(const struct vmbus_ic *ic);
/* Heartbeats the guest answered. */
uint64_t vmbus_ic_heartbeats(const struct vmbus_ic *ic);
/* Time samples the guest answered. */
uint64_t vmbus_ic_time_samples(const struct vmbus_ic *ic);

#endif
