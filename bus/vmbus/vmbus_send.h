/* The bus's own: one framed packet onto a channel's outbound ring. */
#ifndef BUS_VMBUS_VMBUS_SEND_H
#define BUS_VMBUS_VMBUS_SEND_H

#include "bus/vmbus/vmbus.h"
#include "bus/vmbus/vmbus_ring.h"

/* Writes the parts (descriptor first) as one packet and signals the host
 * when the ring says it waits (bus/vmbus/vmbus_channel.c). Returns as
 * vmbus_send: 0, 1 when the ring is full for now, -1 when the channel is
 * not open, failed, or the packet can never fit. */
int vmbus_send_parts(struct vmbus_dev *vd, const struct vmbus_sg *parts, unsigned nparts);

#endif
