/* The Hyper-V guest interface on the machine: the guest OS identity, the
 * hypercall page and the SynIC of the boot CPU (the one CPU the kernel
 * runs on; a second CPU would repeat hyperv_synic_init on itself). Used by
 * bus/vmbus; nothing here runs unless hv_has(HV_CAP_HYPERV_HYPERCALL).
 * The encodings are pure logic in hypercall_abi.h and synic_msg.h. */
#ifndef HV_HYPERV_HYPERV_H
#define HV_HYPERV_HYPERV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "hv/hyperv/synic_msg.h"

#define HV_MSR_GUEST_OS_ID 0x40000000u
#define HV_MSR_HYPERCALL 0x40000001u
#define HV_MSR_SCONTROL 0x40000080u
#define HV_MSR_SVERSION 0x40000081u
#define HV_MSR_SIEFP 0x40000082u
#define HV_MSR_SIMP 0x40000083u
#define HV_MSR_EOM 0x40000084u
#define HV_MSR_SINT0 0x40000090u

/* The SINT VMBus uses (Linux drivers/hv/hyperv_vmbus.h VMBUS_MESSAGE_SINT;
 * openvmm VMBUS_SINT). */
#define HV_VMBUS_SINT 2u

/* Writes the guest OS identity and enables the hypercall page. 0, or -1
 * with a log line (Hyper-V features then stay off). Idempotent. */
int hyperv_hypercall_init(void);
bool hyperv_hypercall_ready(void);

/* HvPostMessage of payload (at most 240 bytes) to connection_id; returns
 * the hypercall status (HV_STATUS_*), or HV_STATUS_INVALID_PARAMETER
 * without a call for arguments the TLFS refuses. */
uint16_t hyperv_post_message(uint32_t connection_id, uint32_t message_type, const void *payload,
                             size_t len);
/* HvSignalEvent, fast form; returns the status. */
uint16_t hyperv_signal_event(uint32_t connection_id, uint16_t flag);

/* Enables the SynIC of this CPU with message and event-flag pages and
 * SINT HV_VMBUS_SINT on a vector of its own (not AutoEOI). The interrupt
 * handler only queues work; hyperv_synic_take and hyperv_synic_events do
 * the rest in thread context, and also work by polling before interrupts
 * are on. 0, or -1 with a log line. */
int hyperv_synic_init(struct work *on_interrupt);
/* Takes the next message of sint (EOM written when one is pending): true
 * with *out filled; false when the slot is empty. A malformed message is
 * logged and dropped. */
bool hyperv_synic_take(unsigned sint, struct hv_message *out);
/* Drains sint's event flags, calling fn for each set flag. */
unsigned hyperv_synic_events(unsigned sint, void (*fn)(void *ctx, unsigned flag), void *ctx);

#endif
