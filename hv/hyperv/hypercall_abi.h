/* The Hyper-V hypercall ABI as data: the control word, the result word, the
 * status codes and the HvPostMessage / HvSignalEvent inputs. Pure logic, so
 * that host tests pin every bit to the TLFS. hv/hyperv/hypercall.c makes the
 * calls.
 *
 * Hyper-V TLFS, "Hypercall Interface": "Hypercall Inputs" (control word:
 * 15:0 call code, 16 Fast, 26:17 variable header size, 31 Nested, 43:32 rep
 * count, 59:48 rep start index; the rest RsvdZ), "Hypercall Outputs" (result
 * 15:0 status, 43:32 reps completed), "Hypercall Status Codes";
 * hypercalls/HvCallPostMessage.md and HvCallSignalEvent.md for the inputs;
 * status values also in Linux include/hyperv/hvgdk_mini.h (HV_STATUS_*). */
#ifndef HV_HYPERV_HYPERCALL_ABI_H
#define HV_HYPERV_HYPERCALL_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HVCALL_POST_MESSAGE 0x005Cu
#define HVCALL_SIGNAL_EVENT 0x005Du

#define HV_STATUS_SUCCESS 0x0u
#define HV_STATUS_INVALID_HYPERCALL_CODE 0x2u
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3u
#define HV_STATUS_INVALID_ALIGNMENT 0x4u
#define HV_STATUS_INVALID_PARAMETER 0x5u
#define HV_STATUS_ACCESS_DENIED 0x6u
#define HV_STATUS_INVALID_PARTITION_STATE 0x7u
#define HV_STATUS_INSUFFICIENT_MEMORY 0xBu
#define HV_STATUS_INVALID_VP_INDEX 0xEu
#define HV_STATUS_INVALID_PORT_ID 0x11u
#define HV_STATUS_INVALID_CONNECTION_ID 0x12u
#define HV_STATUS_INSUFFICIENT_BUFFERS 0x13u
#define HV_STATUS_INVALID_SYNIC_STATE 0x18u

/* HvPostMessage's payload limit and the connection id's width (TLFS
 * hv_connection_id: 23:0 id, 31:24 zero). */
#define HV_MESSAGE_PAYLOAD_MAX 240u
#define HV_CONNECTION_ID_MASK 0x00FFFFFFu

/* The control word of a simple (rep count 0) call. */
uint64_t hv_hypercall_control(uint16_t code, bool fast);
/* The control word of a rep call; 0 when count or start does not fit its
 * 12-bit field. */
uint64_t hv_hypercall_control_rep(uint16_t code, bool fast, unsigned count, unsigned start);
/* The fields of RAX after a call. */
static inline uint16_t hv_hypercall_status(uint64_t result)
{
    return (uint16_t)result;
}
static inline unsigned hv_hypercall_reps_done(uint64_t result)
{
    return (unsigned)(result >> 32) & 0xFFFu;
}
/* "INSUFFICIENT_BUFFERS" ...; "unknown" for codes not listed above. */
const char *hv_status_name(uint16_t status);

/* HvPostMessage's input block (8-byte aligned, within one page). */
struct hv_post_message_input {
    uint32_t connection_id;
    uint32_t reserved;
    uint32_t message_type;
    uint32_t payload_size;
    uint8_t payload[HV_MESSAGE_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct hv_post_message_input) == 256, "TLFS HvPostMessage input");

/* Fills in; -1 (nothing written) when the id has bits above 23, the type is
 * 0 or has its top bit set (those are the hypervisor's), or len > 240. */
int hv_post_message_build(struct hv_post_message_input *in, uint32_t connection_id,
                          uint32_t message_type, const void *payload, size_t len);

/* HvSignalEvent's fast-form input word (RDX): connection id in 31:0, flag
 * number in 47:32 (the memory form's layout, TLFS HvCallSignalEvent.md).
 * False for an id with bits above 23. */
bool hv_signal_event_input(uint32_t connection_id, uint16_t flag, uint64_t *word);

/* Guest OS identity (TLFS "Hypercall Interface", "Reporting the Guest OS
 * Identity", open-source encoding): bit 63 open source, 62:56 OS type,
 * 55:48 OS id, 47:16 kernel version, 15:0 build. Microsoft allocates OS
 * types and none is allocated for anyvm, so type and id are 0 (the value is
 * still nonzero, as the hypercall page requires). */
uint64_t hv_guest_os_id(uint32_t kernel_version, uint16_t build);

#endif
