/* The heartbeat IC (class 57164f39-9115-4e78-ab55-382f3bd5422d; Linux
 * hyperv.h struct heartbeat_msg_data: seq_num u64 @0, reserved u32[8]):
 * the host sends a sequence number about every 5 s, the guest answers it
 * plus 1. Versions 1.0 and 3.0 (Linux's list; openvmm has no heartbeat
 * device). The instance GUID is hostsim's own. */
#include <string.h>

#include "hostsim/vmbus/ic_services.h"

#define BODY 40
#define PERIOD_TICKS 5
#define SEQ 0   /* state[0]: the number sent */
#define BEATS 1 /* state[1]: answers */
#define TICKS 2 /* state[2]: ticks since the last beat */
#define FIRST_SEQ 0x100

static void beat(struct vmbus_ic *ic)
{
    uint8_t b[BODY] = {0};
    uint64_t seq = ic->state[SEQ] == 0 ? FIRST_SEQ : ic->state[SEQ] + 2;
    memcpy(b, &seq, 8);
    if (vmbus_ic_request(ic, b, sizeof b) == 0)
        ic->state[SEQ] = seq;
    ic->state[TICKS] = 0;
}

static void answer(struct vmbus_ic *ic, uint32_t status, const uint8_t *body, uint16_t len)
{
    uint64_t seq = 0;
    if (len >= 8)
        memcpy(&seq, body, 8);
    if (status != 0 || len < 8 || seq != ic->state[SEQ] + 1) {
        vmbus_host_violation(ic->channel->host,
                             "heartbeat IC: answer status 0x%x, %u bytes, "
                             "sequence %llu: expected status 0 and %llu",
                             status, len, (unsigned long long)seq,
                             (unsigned long long)ic->state[SEQ] + 1);
        return;
    }
    ic->state[BEATS]++;
}

static void tick(struct vmbus_ic *ic)
{
    if (++ic->state[TICKS] >= PERIOD_TICKS)
        beat(ic);
}

const struct vmbus_ic_kind vmbus_ic_heartbeat = {
    .name = "heartbeat",
    .class_guid = "57164f39-9115-4e78-ab55-382f3bd5422d",
    .instance_guid = "8e6b1c5a-4f7d-4a53-9e0b-1c2d3e4f5a6b",
    .msgtype = IC_MSG_HEARTBEAT,
    .versions = {{1, 0}, {3, 0}},
    .nversions = 2,
    .ready = beat,
    .answer = answer,
    .tick = tick,
};

uint64_t vmbus_ic_heartbeats(const struct vmbus_ic *ic)
{
    return ic->state[BEATS];
}
