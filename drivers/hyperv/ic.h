/* The integration services' common driver: one VMBus channel per service,
 * the framework and service version negotiation, and the request/response
 * turn-around (drivers/hyperv/ic_msg.h has the formats). Each service says
 * its versions and what it does with a request; ic.c does the rest. */
#ifndef DRIVERS_HYPERV_IC_H
#define DRIVERS_HYPERV_IC_H

#include "bus/vmbus/vmbus.h"
#include "drivers/hyperv/ic_msg.h"

struct ic_service {
    const char *name;
    enum ic_msgtype type;
    const struct ic_version *versions; /* newest first */
    unsigned nversions;
    /* Handles a request of the negotiated version (m->version); returns the
     * status for the response (IC_STATUS_FAIL is logged with *why), after
     * which, on IC_STATUS_OK, `after` (may be NULL) runs. */
    uint32_t (*handle)(struct ic_message *m, const char **why);
    void (*after)(void);
};

/* The VMBus probe of a service's driver. */
int ic_probe(struct vmbus_dev *vd, const struct ic_service *svc);

#endif
