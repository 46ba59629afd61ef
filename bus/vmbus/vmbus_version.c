/* VMBus version negotiation (bus/vmbus/vmbus_version.h). */
#include "bus/vmbus/vmbus_version.h"

#define CONTACT_CONN_ID_V5 4u
#define CONTACT_CONN_ID_OLD 1u

const uint32_t vmbus_versions[] = {
    VMBUS_VERSION_V6_0,       VMBUS_VERSION_WIN10_V5_3, VMBUS_VERSION_WIN10_V5_2,
    VMBUS_VERSION_WIN10_V5_1, VMBUS_VERSION_WIN10_V5,   VMBUS_VERSION_WIN10_V4_1,
    VMBUS_VERSION_WIN10,      VMBUS_VERSION_WIN8_1,     VMBUS_VERSION_WIN8,
};
const unsigned vmbus_version_count = sizeof vmbus_versions / sizeof vmbus_versions[0];

void vmbus_negotiation_start(struct vmbus_negotiation *n)
{
    *n = (struct vmbus_negotiation){0};
}

enum vmbus_negotiation_step vmbus_negotiation_next(struct vmbus_negotiation *n)
{
    if (n->done || n->next >= vmbus_version_count)
        return VMBUS_NEGOTIATION_FAILED;
    n->offered = vmbus_versions[n->next++];
    return VMBUS_NEGOTIATION_OFFER;
}

uint32_t vmbus_contact_connection_id(uint32_t version)
{
    return version >= VMBUS_VERSION_WIN10_V5 ? CONTACT_CONN_ID_V5 : CONTACT_CONN_ID_OLD;
}

enum vmbus_negotiation_step vmbus_negotiation_answer(struct vmbus_negotiation *n,
                                                     const struct vmbus_version_response *r,
                                                     const char **why)
{
    *why = NULL;
    if (n->done || n->offered == 0) {
        *why = "a version response nobody asked for";
        return VMBUS_NEGOTIATION_FAILED;
    }
    if (!r->supported)
        return vmbus_negotiation_next(n);
    if (r->connection_state != 0) {
        *why = r->connection_state == 1 ? "the host is low on resources"
                                        : "the host refused the connection";
        return VMBUS_NEGOTIATION_FAILED;
    }
    uint32_t conn = CONTACT_CONN_ID_OLD;
    if (n->offered >= VMBUS_VERSION_WIN10_V5) {
        if (r->msg_conn_id == 0 || (r->msg_conn_id & ~VMBUS_CONNECTION_ID_MASK) != 0) {
            *why = "a message connection id of 0 or wider than 24 bits";
            return VMBUS_NEGOTIATION_FAILED;
        }
        conn = r->msg_conn_id;
    }
    n->version = n->offered;
    n->msg_conn_id = conn;
    n->done = true;
    return VMBUS_NEGOTIATION_DONE;
}
