/* The boot CPU's SynIC (Hyper-V TLFS, "Inter-Partition Communication":
 * "SynIC MSRs", "SINTx Registers", "SIMP Register", "SIEFP Register", "EOM
 * Register"; MSR numbers from Linux include/hyperv/hvgdk_mini.h):
 *  - SIMP and SIEFP: bit 0 Enable, 11:1 RsvdP (kept), 63:12 the page;
 *  - SINTx: 7:0 vector (16-255), 16 Masked, 17 AutoEOI, 18 Polling, the
 *    rest RsvdP (kept); the VMBus SINT is unmasked, without AutoEOI (the
 *    kernel's interrupt path EOIs the Local APIC itself) and not polling;
 *  - SCONTROL: bit 0 Enable.
 * The interrupt handler only queues the user's work; messages and flags are
 * taken in thread context (synic_msg.c), which also works by polling before
 * interrupts are on. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "core/dma.h"
#include "core/irq.h"
#include "core/log.h"
#include "hv/hv.h"
#include "hv/hyperv/hyperv.h"

#define PAGE 4096u
#define PAGE_ENABLE 1ull
#define PAGE_RSVD_MASK 0xFFEull /* 11:1 RsvdP */
#define SINT_VECTOR_MASK 0xFFull
#define SINT_MASKED (1ull << 16)
#define SINT_AUTO_EOI (1ull << 17)
#define SINT_POLLING (1ull << 18)
#define SCONTROL_ENABLE 1ull
#define SINT_VECTOR_MIN 16u

static volatile struct hv_message *message_page; /* 16 slots */
static volatile uint64_t *event_page;            /* 16 bitmaps of 2048 flags */
static struct irq_action synic_irq;
static unsigned long malformed_messages;

static void synic_interrupt(void *ctx)
{
    work_queue(ctx);
}

static uint64_t page_msr_value(uint32_t msr, uint64_t gpa)
{
    return gpa | (rdmsr(msr) & PAGE_RSVD_MASK) | PAGE_ENABLE;
}

int hyperv_synic_init(struct work *on_interrupt)
{
    if (message_page != NULL)
        return 0;
    if (!hv_has(HV_CAP_HYPERV_SYNIC, NULL)) {
        kprintf("hyperv: no SynIC access\n");
        return -1;
    }
    uint64_t simp_gpa, siefp_gpa;
    void *simp = dma_alloc(PAGE, PAGE, &simp_gpa);
    void *siefp = dma_alloc(PAGE, PAGE, &siefp_gpa);
    uint8_t vector = irq_alloc_vector();
    if (simp == NULL || siefp == NULL || vector < SINT_VECTOR_MIN) {
        kprintf("hyperv: no memory or vector for the SynIC\n");
        return -1;
    }
    synic_irq = (struct irq_action){.fn = synic_interrupt, .ctx = on_interrupt, .name = "synic"};
    if (irq_attach(vector, &synic_irq) != 0)
        return -1;
    wrmsr(HV_MSR_SIMP, page_msr_value(HV_MSR_SIMP, simp_gpa));
    wrmsr(HV_MSR_SIEFP, page_msr_value(HV_MSR_SIEFP, siefp_gpa));
    uint32_t sint_msr = HV_MSR_SINT0 + HV_VMBUS_SINT;
    uint64_t sint = rdmsr(sint_msr);
    sint &= ~(SINT_VECTOR_MASK | SINT_MASKED | SINT_AUTO_EOI | SINT_POLLING);
    wrmsr(sint_msr, sint | vector);
    wrmsr(HV_MSR_SCONTROL, rdmsr(HV_MSR_SCONTROL) | SCONTROL_ENABLE);
    message_page = simp;
    event_page = siefp;
    kprintf("hyperv: SynIC version %u, SINT%u on vector %u\n", (unsigned)rdmsr(HV_MSR_SVERSION),
            HV_VMBUS_SINT, vector);
    return 0;
}

bool hyperv_synic_take(unsigned sint, struct hv_message *out)
{
    if (message_page == NULL || sint >= HV_SINT_COUNT)
        return false;
    for (;;) {
        bool eom;
        enum hv_message_take r = hv_message_take(&message_page[sint], out, &eom);
        if (eom)
            wrmsr(HV_MSR_EOM, 0);
        if (r == HV_MESSAGE_TAKEN)
            return true;
        if (r == HV_MESSAGE_EMPTY)
            return false;
        if (malformed_messages++ < 10)
            kprintf("hyperv: SINT%u message type %#x with payload size %u (> 240) dropped\n", sint,
                    (unsigned)out->type, out->payload_size);
    }
}

unsigned hyperv_synic_events(unsigned sint, void (*fn)(void *ctx, unsigned flag), void *ctx)
{
    if (event_page == NULL || sint >= HV_SINT_COUNT)
        return 0;
    return hv_event_flags_drain(event_page + sint * HV_EVENT_FLAG_WORDS, fn, ctx);
}
