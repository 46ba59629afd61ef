/* Hypercalls as the hypercall page's `out` delivers them (TLFS "Hypercall
 * Interface": the control word in RCX, "Hypercall Inputs", "Fast
 * Hypercalls", "Hypercall Status Codes"; HvCallPostMessage.md,
 * HvCallSignalEvent.md).
 *   Control word: 15:0 call code, 16 fast, 26:17 variable header size
 * (QWORDs), 30:27 RsvdZ, 31 nested, 43:32 rep count, 47:44 RsvdZ, 59:48 rep
 * start, 63:60 RsvdZ. Both calls here are simple (not rep) and take no
 * variable header: a rep count, rep start, header size or reserved bit →
 * INVALID_HYPERCALL_INPUT; the nested bit (a call to the L0 hypervisor of a
 * nested guest) is refused the same way, there being no nesting.
 *   RAX: 15:0 status, 43:32 reps completed (0 for simple calls).
 *   Memory form: RDX is the input GPA, 8-byte aligned (else
 * INVALID_ALIGNMENT), and the input block may not cross a page; a block
 * outside guest RAM is INVALID_PARAMETER (the TLFS names no status for it).
 *   Fast form: RDX and R8 hold the input. HvSignalEvent's 8-byte input fits
 * (Linux uses it: RDX = connection id | flag << 32); HvPostMessage's 256
 * bytes do not fit two registers, and XMM input is not offered (CPUID
 * 0x40000003 EDX bit 4), so a fast HvPostMessage is INVALID_HYPERCALL_INPUT.
 *   HvPostMessage input: ConnectionId u32 @0, RsvdZ u32 @4, MessageType u32
 * @8 (nonzero, bit 31 clear), PayloadSize u32 @12 (<= 240), payload @16.
 *   HvSignalEvent input: ConnectionId u32 @0, FlagNumber u16 @4, RsvdZ u16
 * @6.
 * Checking CPL 0 (else #UD) needs the vCPU's segment registers, which a port
 * exit does not carry: not checked. */
#include <string.h>

#include "hostsim/hyperv/partition.h"

#define CTL_CODE(c) ((uint16_t)((c)&0xFFFF))
#define CTL_FAST (1ull << 16)
#define CTL_VARHDR_SHIFT 17
#define CTL_VARHDR_MASK 0x3FFull
/* 30:27, 31 (nested, refused), 43:32 rep count, 63:44 rep start and RsvdZ */
#define CTL_NOT_SIMPLE (0xFFFFFFFF80000000ull | (0xFull << 27))
#define POST_MESSAGE_INPUT 256
#define SIGNAL_EVENT_INPUT 8
#define CONNECTION_ID_RESERVED 0xFF000000u
#define MESSAGE_TYPE_HYPERVISOR 0x80000000u /* types with bit 31 are the hypervisor's */

static uint16_t post_message(struct hvhost_partition *p, unsigned vp, const uint8_t *in)
{
    uint32_t conn, rsvd, type, size;
    memcpy(&conn, in, 4);
    memcpy(&rsvd, in + 4, 4);
    memcpy(&type, in + 8, 4);
    memcpy(&size, in + 12, 4);
    if (rsvd != 0)
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    if (type == 0 || (type & MESSAGE_TYPE_HYPERVISOR) || size > HV_MESSAGE_PAYLOAD_MAX)
        return HV_STATUS_INVALID_PARAMETER;
    const struct hvhost_port *port =
        (conn & CONNECTION_ID_RESERVED) ? NULL : hvhost_partition_port(p, conn);
    if (port == NULL || port->message == NULL)
        return HV_STATUS_INVALID_CONNECTION_ID;
    return port->message(port->ctx, vp, type, in + 16, size);
}

static uint16_t signal_event(struct hvhost_partition *p, unsigned vp, uint64_t in)
{
    uint32_t conn = (uint32_t)in;
    uint16_t flag = (uint16_t)(in >> 32);
    if ((in >> 48) != 0)
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    const struct hvhost_port *port =
        (conn & CONNECTION_ID_RESERVED) ? NULL : hvhost_partition_port(p, conn);
    if (port == NULL || port->event == NULL)
        return HV_STATUS_INVALID_CONNECTION_ID;
    if (flag >= port->flag_count)
        return HV_STATUS_INVALID_PARAMETER;
    return port->event(port->ctx, vp, flag);
}

/* The memory-form input block of len bytes at gpa, or a status. */
static uint16_t input_block(struct hvhost_partition *p, uint64_t gpa, unsigned len,
                            const uint8_t **in)
{
    if (gpa % 8 != 0)
        return HV_STATUS_INVALID_ALIGNMENT;
    if ((gpa & (HV_PAGE_SIZE - 1)) + len > HV_PAGE_SIZE)
        return HV_STATUS_INVALID_ALIGNMENT; /* "must not cross a page boundary" */
    *in = guest_mem_ptr(p->mem, gpa, len);
    return *in == NULL ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
}

uint64_t hvhost_hypercall(struct hvhost_partition *p, unsigned vp, uint64_t rcx, uint64_t rdx,
                          uint64_t r8)
{
    (void)r8; /* neither call has output, and SignalEvent's input is one word */
    p->hypercalls++;
    uint16_t code = CTL_CODE(rcx);
    bool fast = (rcx & CTL_FAST) != 0;
    if (code != HV_CALL_POST_MESSAGE && code != HV_CALL_SIGNAL_EVENT)
        return HV_STATUS_INVALID_HYPERCALL_CODE;
    if ((rcx & CTL_NOT_SIMPLE) || ((rcx >> CTL_VARHDR_SHIFT) & CTL_VARHDR_MASK))
        return HV_STATUS_INVALID_HYPERCALL_INPUT;
    if (vp >= p->nvps)
        return HV_STATUS_INVALID_PARAMETER;
    const uint8_t *in = NULL;
    uint16_t st;
    if (code == HV_CALL_POST_MESSAGE) {
        if (fast)
            return HV_STATUS_INVALID_HYPERCALL_INPUT;
        st = input_block(p, rdx, POST_MESSAGE_INPUT, &in);
        if (st != HV_STATUS_SUCCESS)
            return st;
        /* One copy: the guest may rewrite the block while it is checked. */
        uint8_t copy[POST_MESSAGE_INPUT];
        memcpy(copy, in, sizeof copy);
        return post_message(p, vp, copy);
    }
    if (fast)
        return signal_event(p, vp, rdx);
    st = input_block(p, rdx, SIGNAL_EVENT_INPUT, &in);
    if (st != HV_STATUS_SUCCESS)
        return st;
    uint64_t word;
    memcpy(&word, in, 8);
    return signal_event(p, vp, word);
}
