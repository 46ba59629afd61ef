/* Message slots and event flags (hv/hyperv/synic_msg.h cites the TLFS). */
#include "hv/hyperv/synic_msg.h"

enum hv_message_take hv_message_take(volatile struct hv_message *slot, struct hv_message *out,
                                     bool *eom)
{
    *eom = false;
    if (slot->type == 0)
        return HV_MESSAGE_EMPTY;
    /* Copy with volatile reads: the slot is the hypervisor's until freed. */
    const volatile uint8_t *src = (const volatile uint8_t *)slot;
    uint8_t *dst = (uint8_t *)out;
    for (unsigned i = 0; i < sizeof *out; i++)
        dst[i] = src[i];
    slot->type = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *eom = (slot->flags & HV_MESSAGE_FLAG_PENDING) != 0;
    if (out->payload_size > HV_MESSAGE_PAYLOAD_BYTES)
        return HV_MESSAGE_MALFORMED;
    return HV_MESSAGE_TAKEN;
}

unsigned hv_event_flags_drain(volatile uint64_t *bitmap, void (*fn)(void *ctx, unsigned flag),
                              void *ctx)
{
    unsigned found = 0;
    for (unsigned w = 0; w < HV_EVENT_FLAG_WORDS; w++) {
        if (bitmap[w] == 0)
            continue;
        uint64_t bits = __atomic_exchange_n(&bitmap[w], 0, __ATOMIC_SEQ_CST);
        while (bits != 0) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            found++;
            fn(ctx, w * 64 + b);
        }
    }
    return found;
}
