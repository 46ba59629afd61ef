/* The key-value pair exchange IC (class a9a0f4e7-5a45-4d96-b827-
 * 8a841e8c03e6, Linux hyperv.h HV_KVP_GUID; versions from Linux hv_kvp.c,
 * 3.0, 4.0 and 5.0): only the framework and version negotiation is done;
 * hostsim sends no KVP operations (GET, SET, ENUMERATE, ...) yet, so an
 * answer can only come to a request it never sent. The instance GUID is
 * hostsim's own. */
#include "hostsim/vmbus/ic_services.h"

static void answer(struct vmbus_ic *ic, uint32_t status, const uint8_t *body, uint16_t len)
{
    (void)body;
    vmbus_ic_logf(ic, "an answer (status 0x%x, %u bytes) to a KVP operation", status, len);
}

const struct vmbus_ic_kind vmbus_ic_kvp = {
    .name = "kvp",
    .class_guid = "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6",
    .instance_guid = "242ff919-07db-4180-9c2e-b86cb68c8c55",
    .msgtype = IC_MSG_KVP,
    .versions = {{3, 0}, {4, 0}, {5, 0}},
    .nversions = 3,
    .answer = answer,
};
