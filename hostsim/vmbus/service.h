/* What a VMBus device back end (an integration service, later netvsc or
 * storvsc) gives the VMBus host: its identity for the offer and three
 * hooks. One file per service implements one of these; the host core
 * (server.c) knows none of them by name. */
#ifndef HOSTSIM_VMBUS_SERVICE_H
#define HOSTSIM_VMBUS_SERVICE_H

#include <stdint.h>

#include "hostsim/vmbus/ring.h"

struct vmbus_host_channel;

struct vmbus_host_service {
    const char *name;          /* "shutdown" */
    uint8_t class_guid[16];    /* on-the-wire byte order */
    uint8_t instance_guid[16]; /* on-the-wire byte order */
    /* The guest opened the channel: the rings are ready. */
    void (*opened)(struct vmbus_host_channel *ch);
    /* One packet the guest wrote (checked by ring.c). A packet that breaks
     * the service's protocol is reported with vmbus_host_violation. */
    void (*packet)(struct vmbus_host_channel *ch, const struct vmbus_host_packet *p);
    /* The channel was closed (by the guest, UNLOAD or a new contact). */
    void (*closed)(struct vmbus_host_channel *ch);
    void *ctx; /* the service's own state */
};

#endif
