/* VMBus version negotiation, as pure logic: the guest offers its versions
 * newest first, one INITIATE_CONTACT each, and takes the first the host
 * answers with version_supported = 1 (Linux drivers/hv/connection.c,
 * vmbus_versions and vmbus_connect; openvmm's host accepts exact matches
 * only). Versions before WIN8 need the pre-Win8 interrupt page signalling
 * and are not offered.
 *
 * Connection ids (Linux drivers/hv/hyperv_vmbus.h, VMBUS_MESSAGE_CONNECTION_ID
 * 1 and _4 4; connection.c vmbus_try_connection_id): INITIATE_CONTACT goes to
 * id 4 from WIN10_V5 on and to id 1 before; once connected, from V5 on the
 * guest posts to the msg_conn_id of the VERSION_RESPONSE, before V5 to 1. */
#ifndef BUS_VMBUS_VMBUS_VERSION_H
#define BUS_VMBUS_VMBUS_VERSION_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/vmbus/vmbus_msg.h"

struct vmbus_negotiation {
    unsigned next;    /* index of the version to offer next */
    uint32_t offered; /* the version of the INITIATE_CONTACT in flight */
    uint32_t version; /* the agreed version, once done */
    uint32_t msg_conn_id;
    bool done;
};

enum vmbus_negotiation_step {
    VMBUS_NEGOTIATION_OFFER,  /* send INITIATE_CONTACT for n->offered */
    VMBUS_NEGOTIATION_DONE,   /* n->version and n->msg_conn_id hold */
    VMBUS_NEGOTIATION_FAILED, /* no shared version, or the host refused */
};

void vmbus_negotiation_start(struct vmbus_negotiation *n);
/* The next version to offer: OFFER, or FAILED when every one was tried. */
enum vmbus_negotiation_step vmbus_negotiation_next(struct vmbus_negotiation *n);
/* The host's answer to the version in flight: DONE, OFFER (try the next
 * older version: n->offered is set), or FAILED with *why (supported but
 * the connection state is not 0, or a V5+ answer whose msg_conn_id does not
 * fit 24 bits). */
enum vmbus_negotiation_step vmbus_negotiation_answer(struct vmbus_negotiation *n,
                                                     const struct vmbus_version_response *r,
                                                     const char **why);
/* Where INITIATE_CONTACT for a version goes. */
uint32_t vmbus_contact_connection_id(uint32_t version);
/* The offered versions, newest first. */
extern const uint32_t vmbus_versions[];
extern const unsigned vmbus_version_count;

#endif
