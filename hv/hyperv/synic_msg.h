/* The SynIC's message slots and event flags as pure logic, so that host
 * tests can play the hypervisor's side (hv/hyperv/synic.c is the machine
 * part).
 *
 * Hyper-V TLFS, "Inter-Partition Communication": "SynIC Message Page" (16
 * slots of 256 bytes, slot n for SINTn), "Message Buffers" and "Message
 * Flags" (a slot whose type is not 0 is full; the guest empties it by
 * writing type 0, and if MessagePending was set it writes HV_X64_MSR_EOM so
 * the hypervisor delivers the next queued message), "SynIC Event Flags Page"
 * (16 bitmaps of 2048 flags, set atomically by the hypervisor, cleared
 * atomically by the guest); datatypes/hv_message.md for the header: type
 * u32 @0, payload size u8 @4, flags u8 @5 (bit 0 MessagePending), reserved
 * u16 @6, sender u64 @8, payload @16. */
#ifndef HV_HYPERV_SYNIC_MSG_H
#define HV_HYPERV_SYNIC_MSG_H

#include <stdbool.h>
#include <stdint.h>

#define HV_SINT_COUNT 16u
#define HV_MESSAGE_SIZE 256u
#define HV_MESSAGE_PAYLOAD_BYTES 240u
#define HV_MESSAGE_FLAG_PENDING 0x01u
#define HV_EVENT_FLAGS_PER_SINT 2048u
#define HV_EVENT_FLAG_WORDS (HV_EVENT_FLAGS_PER_SINT / 64u)

struct hv_message {
    uint32_t type;
    uint8_t payload_size;
    uint8_t flags;
    uint16_t reserved;
    uint64_t sender;
    uint8_t payload[HV_MESSAGE_PAYLOAD_BYTES];
};
_Static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE, "TLFS hv_message");

enum hv_message_take {
    HV_MESSAGE_EMPTY,     /* nothing in the slot */
    HV_MESSAGE_TAKEN,     /* *out holds it, the slot is free again */
    HV_MESSAGE_MALFORMED, /* payload size above 240: the slot is freed, *out is not valid */
};

/* Takes the message in slot (type != 0) out: copies it, writes type 0, a
 * full barrier, then reads MessagePending, which the hypervisor may set at
 * any time after delivery. *eom is true when the caller must write
 * HV_X64_MSR_EOM (also for a malformed message: it left the slot). */
enum hv_message_take hv_message_take(volatile struct hv_message *slot, struct hv_message *out,
                                     bool *eom);

/* Clears every set flag of one SINT's bitmap with atomic exchanges and
 * calls fn for each, in increasing order. Flag 0 is passed on too: the
 * caller decides what it means (VMBus never uses relid 0). Returns the
 * number of flags found. */
unsigned hv_event_flags_drain(volatile uint64_t *bitmap, void (*fn)(void *ctx, unsigned flag),
                              void *ctx);

#endif
