/* The shutdown IC (class 0e0b6031-5213-4934-818b-38d90ced39db, Linux
 * hyperv.h struct shutdown_msg_data; openvmm hyperv_ic_protocol
 * shutdown.rs): the host's request body is reason u32 @0, timeout_secs u32
 * @4, flags u32 @8 (bit 0 force, bit 1 restart), display message[2048]
 * @12; the guest answers status 0 to accept and 0x80004005 to refuse.
 * Versions 1.0, 3.0, 3.1, 3.2 (openvmm and Linux both). Instance GUID: the
 * one openvmm offers. */
#include <string.h>

#include "hostsim/vmbus/ic_services.h"

#define SHUTDOWN_BODY (12 + 2048)
#define REASON_PLANNED 0x80000000u
#define ANSWER 0 /* state[0]: 0 none, 1 accepted, 2 refused */

static void answer(struct vmbus_ic *ic, uint32_t status, const uint8_t *body, uint16_t len)
{
    (void)body;
    (void)len;
    ic->state[ANSWER] = status == 0 ? 1 : 2;
    vmbus_ic_logf(ic, "the guest %s the shutdown (status 0x%x)",
                  status == 0 ? "accepted" : "refused", status);
}

const struct vmbus_ic_kind vmbus_ic_shutdown = {
    .name = "shutdown",
    .class_guid = "0e0b6031-5213-4934-818b-38d90ced39db",
    .instance_guid = "b6650ff7-33bc-4840-8048-e0676786f393",
    .msgtype = IC_MSG_SHUTDOWN,
    .versions = {{1, 0}, {3, 0}, {3, 1}, {3, 2}},
    .nversions = 4,
    .answer = answer,
};

int vmbus_ic_shutdown_request(struct vmbus_ic *ic, uint32_t flags, uint32_t timeout_secs)
{
    static uint8_t b[SHUTDOWN_BODY];
    memset(b, 0, sizeof b);
    uint32_t reason = REASON_PLANNED;
    memcpy(b, &reason, 4);
    memcpy(b + 4, &timeout_secs, 4);
    memcpy(b + 8, &flags, 4);
    static const char text[] = "hostsim: the host asks for a shutdown";
    memcpy(b + 12, text, sizeof text);
    ic->state[ANSWER] = 0;
    return vmbus_ic_request(ic, b, sizeof b);
}

int vmbus_ic_shutdown_answer(const struct vmbus_ic *ic)
{
    return ic->state[ANSWER] == 0 ? 0 : ic->state[ANSWER] == 1 ? 1 : -1;
}
