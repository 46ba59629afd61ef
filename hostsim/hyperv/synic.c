/* Message and event delivery of the synthetic interrupt controller (TLFS
 * "Synthetic Interrupt Controller (SynIC)": "SIM and SIEF", "Message
 * Buffers", "Event Flags"; hv_message.md). A VP takes messages and events
 * only while SCONTROL.Enable is set; messages need SIMP enabled, events
 * SIEFP.
 *   Messages wait in a queue per VP and SINT and move into the SINT's slot
 * of the SIM page (16 slots of 256 bytes: type u32 @0, size u8 @4, flags u8
 * @5, reserved u16 @6, sender u64 @8, payload @16) only while the slot's
 * type is 0. The payload is written first, the type last, so a guest that
 * sees the type sees the message. A message that finds the slot busy sets
 * MessagePending (flags bit 0) in it: the guest, having emptied the slot,
 * then writes EOM, which brings the next one (so do a new message and an
 * SINT or SIMP write). An APIC EOI should rescan too, but the in-kernel LAPIC
 * does not report EOIs, so here only EOM does.
 *   Each delivery raises the SINT's vector at the VP, unless the SINT is
 * masked (the interrupt is lost; the message stays in the slot) or polling.
 *   Event flag n of SINT s is bit n%8 of byte s*256 + n/8 of the SIEF page;
 * it is set with an atomic OR and interrupts only on a 0->1 change.
 * The guest can write these pages at any time: the slot's type is re-read
 * from guest memory each time, never trusted from a copy. */
#include <string.h>

#include "hostsim/hyperv/partition.h"

#define SLOT_TYPE 0
#define SLOT_SIZE 4
#define SLOT_FLAGS 5
#define SLOT_PAYLOAD 16
#define PAGE_MASK (~0xFFFull)
#define ENABLED 0x1ull

static uint8_t *page(const struct hvhost_partition *p, uint64_t reg)
{
    if (!(reg & ENABLED))
        return NULL;
    return guest_mem_ptr(p->mem, reg & PAGE_MASK, HV_PAGE_SIZE);
}

static void raise(struct hvhost_partition *p, unsigned vp, unsigned sint)
{
    uint64_t s = p->vp[vp].sint[sint];
    if (s & (HV_SINT_MASKED | HV_SINT_POLLING))
        return;
    p->env.interrupt(p->env.ctx, vp, (unsigned)(s & HV_SINT_VECTOR_MASK));
}

/* Moves the head of (vp, sint)'s queue into its slot when the slot is free;
 * marks the slot MessagePending when more wait. */
static void deliver(struct hvhost_partition *p, unsigned vp, unsigned sint)
{
    struct hvhost_vp *v = &p->vp[vp];
    struct hvhost_sint_queue *q = &v->queue[sint];
    uint8_t *sim = (v->scontrol & ENABLED) ? page(p, v->simp) : NULL;
    if (q->count == 0 || sim == NULL)
        return;
    uint8_t *slot = sim + sint * HV_MESSAGE_SIZE;
    uint32_t *type = (uint32_t *)(void *)(slot + SLOT_TYPE);
    if (__atomic_load_n(type, __ATOMIC_ACQUIRE) != 0) {
        __atomic_fetch_or(slot + SLOT_FLAGS, HV_MESSAGE_FLAG_PENDING, __ATOMIC_SEQ_CST);
        return;
    }
    const struct hvhost_message *m = &q->msg[q->head];
    memset(slot + SLOT_SIZE, 0, HV_MESSAGE_SIZE - SLOT_SIZE);
    slot[SLOT_SIZE] = m->size;
    memcpy(slot + SLOT_PAYLOAD, m->payload, m->size);
    q->head = (q->head + 1) % HVHOST_SINT_QUEUE;
    q->count--;
    if (q->count > 0)
        slot[SLOT_FLAGS] = HV_MESSAGE_FLAG_PENDING;
    __atomic_store_n(type, m->type, __ATOMIC_RELEASE);
    p->messages_delivered++;
    raise(p, vp, sint);
}

int hvhost_synic_post(struct hvhost_partition *p, unsigned vp, unsigned sint, uint32_t type,
                      const void *payload, unsigned size)
{
    if (vp >= p->nvps || sint >= HV_SINT_COUNT || type == 0 || size > HV_MESSAGE_PAYLOAD_MAX)
        return -1;
    struct hvhost_sint_queue *q = &p->vp[vp].queue[sint];
    if (q->count == HVHOST_SINT_QUEUE)
        return -1;
    struct hvhost_message *m = &q->msg[(q->head + q->count) % HVHOST_SINT_QUEUE];
    m->type = type;
    m->size = (uint8_t)size;
    memset(m->payload, 0, sizeof m->payload);
    memcpy(m->payload, payload, size);
    q->count++;
    deliver(p, vp, sint);
    return 0;
}

uint16_t hvhost_synic_signal(struct hvhost_partition *p, unsigned vp, unsigned sint, unsigned flag)
{
    if (vp >= p->nvps || sint >= HV_SINT_COUNT || flag >= HV_EVENT_FLAGS_BYTES * 8)
        return HV_STATUS_INVALID_PARAMETER;
    struct hvhost_vp *v = &p->vp[vp];
    uint8_t *sief = (v->scontrol & ENABLED) ? page(p, v->siefp) : NULL;
    if (sief == NULL || (v->sint[sint] & HV_SINT_MASKED))
        return HV_STATUS_INVALID_SYNIC_STATE;
    uint8_t *byte = sief + sint * HV_EVENT_FLAGS_BYTES + flag / 8;
    uint8_t bit = (uint8_t)(1u << (flag % 8));
    uint8_t old = __atomic_fetch_or(byte, bit, __ATOMIC_SEQ_CST);
    p->events_signalled++;
    if (!(old & bit))
        raise(p, vp, sint);
    return HV_STATUS_SUCCESS;
}

void hvhost_synic_rescan(struct hvhost_partition *p, unsigned vp)
{
    if (vp >= p->nvps)
        return;
    for (unsigned s = 0; s < HV_SINT_COUNT; s++)
        deliver(p, vp, s);
}

unsigned hvhost_synic_queued(const struct hvhost_partition *p, unsigned vp, unsigned sint)
{
    if (vp >= p->nvps || sint >= HV_SINT_COUNT)
        return 0;
    return p->vp[vp].queue[sint].count;
}
