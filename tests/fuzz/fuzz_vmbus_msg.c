/* libFuzzer harness: the parser of VMBus host messages
 * (bus/vmbus/vmbus_msg.c, vmbus_msg_parse) on arbitrary bytes, and the
 * SynIC slot taker (hv/hyperv/synic_msg.c) on an arbitrary slot. Invariants:
 * an accepted message has a type the host sends and at least that type's
 * size; every relid it names is 1..2047 and every connection id fits 24
 * bits; a refusal always says why; the same bytes parse the same way twice;
 * a taken slot is always emptied, and only a payload size above 240 is
 * refused.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_vmbus_msg.c bus/vmbus/vmbus_msg.c hv/hyperv/synic_msg.c klib/format.c */
#include <stdint.h>
#include <string.h>

#include "bus/vmbus/vmbus_msg.h"
#include "hv/hyperv/synic_msg.h"
#include "tests/fuzz/fuzz_input.h"

static size_t min_size(unsigned type)
{
    switch (type) {
    case VMBUS_OFFERCHANNEL:
        return 196;
    case VMBUS_RESCIND_CHANNELOFFER:
    case VMBUS_GPADL_TORNDOWN:
        return 12;
    case VMBUS_ALLOFFERS_DELIVERED:
    case VMBUS_UNLOAD_RESPONSE:
        return 8;
    case VMBUS_OPENCHANNEL_RESULT:
    case VMBUS_GPADL_CREATED:
        return 20;
    case VMBUS_VERSION_RESPONSE:
        return 16;
    }
    return SIZE_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vmbus_host_msg a, b;
    const char *why_a, *why_b;
    int ra = vmbus_msg_parse(data, size, &a, &why_a);
    int rb = vmbus_msg_parse(data, size, &b, &why_b);
    BROKEN_IF(ra != rb || memcmp(&a, &b, sizeof a) != 0);
    BROKEN_IF(ra != 0 && why_a == NULL);
    if (ra == 0) {
        BROKEN_IF(size > VMBUS_MSG_MAX || size < min_size(a.type));
        uint32_t type = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
                        (uint32_t)data[3] << 24;
        BROKEN_IF(type != (uint32_t)a.type);
        uint32_t relid = 1;
        if (a.type == VMBUS_OFFERCHANNEL) {
            relid = a.u.offer.child_relid;
            BROKEN_IF(a.u.offer.connection_id > 0xFFFFFFu);
        } else if (a.type == VMBUS_RESCIND_CHANNELOFFER) {
            relid = a.u.relid;
        } else if (a.type == VMBUS_OPENCHANNEL_RESULT) {
            relid = a.u.open_result.relid;
        } else if (a.type == VMBUS_GPADL_CREATED) {
            relid = a.u.gpadl_created.relid;
        }
        BROKEN_IF(relid == 0 || relid >= VMBUS_RELID_LIMIT);
    }
    /* The same bytes as a SynIC slot (zero-filled beyond the input). */
    static struct hv_message slot;
    memset(&slot, 0, sizeof slot);
    memcpy(&slot, data, size < sizeof slot ? size : sizeof slot);
    struct hv_message out;
    bool eom;
    uint32_t type = slot.type;
    uint8_t psize = slot.payload_size, flags = slot.flags;
    enum hv_message_take t = hv_message_take(&slot, &out, &eom);
    if (type == 0) {
        BROKEN_IF(t != HV_MESSAGE_EMPTY || eom);
    } else {
        BROKEN_IF(slot.type != 0);
        BROKEN_IF(eom != ((flags & HV_MESSAGE_FLAG_PENDING) != 0));
        BROKEN_IF((t == HV_MESSAGE_MALFORMED) != (psize > HV_MESSAGE_PAYLOAD_BYTES));
    }
    return 0;
}
