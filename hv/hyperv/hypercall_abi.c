/* The hypercall control and result words and the input blocks
 * (hv/hyperv/hypercall_abi.h, which cites the TLFS sections). */
#include "hv/hyperv/hypercall_abi.h"

#include <string.h>

#define CONTROL_FAST (1ull << 16)
#define REP_COUNT_SHIFT 32
#define REP_START_SHIFT 48
#define REP_FIELD_MAX 0xFFFu
#define MESSAGE_TYPE_HYPERVISOR (1u << 31)

uint64_t hv_hypercall_control(uint16_t code, bool fast)
{
    return code | (fast ? CONTROL_FAST : 0);
}

uint64_t hv_hypercall_control_rep(uint16_t code, bool fast, unsigned count, unsigned start)
{
    if (count == 0 || count > REP_FIELD_MAX || start > REP_FIELD_MAX || start >= count)
        return 0;
    return hv_hypercall_control(code, fast) | (uint64_t)count << REP_COUNT_SHIFT |
           (uint64_t)start << REP_START_SHIFT;
}

const char *hv_status_name(uint16_t status)
{
    switch (status) {
    case HV_STATUS_SUCCESS:
        return "SUCCESS";
    case HV_STATUS_INVALID_HYPERCALL_CODE:
        return "INVALID_HYPERCALL_CODE";
    case HV_STATUS_INVALID_HYPERCALL_INPUT:
        return "INVALID_HYPERCALL_INPUT";
    case HV_STATUS_INVALID_ALIGNMENT:
        return "INVALID_ALIGNMENT";
    case HV_STATUS_INVALID_PARAMETER:
        return "INVALID_PARAMETER";
    case HV_STATUS_ACCESS_DENIED:
        return "ACCESS_DENIED";
    case HV_STATUS_INVALID_PARTITION_STATE:
        return "INVALID_PARTITION_STATE";
    case HV_STATUS_INSUFFICIENT_MEMORY:
        return "INSUFFICIENT_MEMORY";
    case HV_STATUS_INVALID_VP_INDEX:
        return "INVALID_VP_INDEX";
    case HV_STATUS_INVALID_PORT_ID:
        return "INVALID_PORT_ID";
    case HV_STATUS_INVALID_CONNECTION_ID:
        return "INVALID_CONNECTION_ID";
    case HV_STATUS_INSUFFICIENT_BUFFERS:
        return "INSUFFICIENT_BUFFERS";
    case HV_STATUS_INVALID_SYNIC_STATE:
        return "INVALID_SYNIC_STATE";
    }
    return "unknown";
}

int hv_post_message_build(struct hv_post_message_input *in, uint32_t connection_id,
                          uint32_t message_type, const void *payload, size_t len)
{
    if ((connection_id & ~HV_CONNECTION_ID_MASK) != 0 || message_type == 0 ||
        (message_type & MESSAGE_TYPE_HYPERVISOR) != 0 || len > HV_MESSAGE_PAYLOAD_MAX)
        return -1;
    memset(in, 0, sizeof *in);
    in->connection_id = connection_id;
    in->message_type = message_type;
    in->payload_size = (uint32_t)len;
    if (len != 0)
        memcpy(in->payload, payload, len);
    return 0;
}

bool hv_signal_event_input(uint32_t connection_id, uint16_t flag, uint64_t *word)
{
    if ((connection_id & ~HV_CONNECTION_ID_MASK) != 0)
        return false;
    *word = connection_id | (uint64_t)flag << 32;
    return true;
}

uint64_t hv_guest_os_id(uint32_t kernel_version, uint16_t build)
{
    return 1ull << 63 | (uint64_t)kernel_version << 16 | build;
}
