/* hostsim's Hyper-V partition without KVM (hostsim/hyperv/{partition,
 * synthetic_msrs,hypercall,synic}.c): the synthetic MSRs with the TLFS's
 * rules, the hypercall page's bytes, the reference TSC page, HvPostMessage
 * and HvSignalEvent from golden input blocks and control words (TLFS
 * "Hypercall Interface", HvCallPostMessage.md, HvCallSignalEvent.md) with
 * every status they can return, and SynIC delivery into the SIM and SIEF
 * pages (TLFS "SIM and SIEF": slot layout, MessagePending, EOM, masked
 * SINTs, 0->1 event interrupts).
 * Links: hostsim/hyperv/{partition,synthetic_msrs,hypercall,synic}.c
 *        hostsim/guest_mem.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/hyperv/partition.h"

#define RAM_SIZE (64u * 4096u)
#define TSC_HZ 2500000000ull
#define SIMP_GPA 0x10000ull
#define SIEFP_GPA 0x11000ull
#define INPUT_GPA 0x12000ull
#define HCALL_GPA 0x13000ull
#define TSC_GPA 0x14000ull

static uint8_t ram[RAM_SIZE];
static struct guest_mem mem;
static struct hvhost_partition part;
static uint64_t tsc_now;
static unsigned irqs, irq_vp, irq_vector;

static uint64_t fake_tsc(void *ctx, unsigned vp)
{
    (void)ctx;
    (void)vp;
    return tsc_now;
}

static void fake_interrupt(void *ctx, unsigned vp, unsigned vector)
{
    (void)ctx;
    irqs++;
    irq_vp = vp;
    irq_vector = vector;
}

/* A VMBus-like port: records what it got, answers `answer`. */
static struct {
    unsigned messages, events, vp;
    uint32_t type, size;
    uint8_t payload[240];
    uint16_t flag, answer;
} port_log;

static uint16_t port_message(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                             uint32_t size)
{
    (void)ctx;
    port_log.messages++;
    port_log.vp = vp;
    port_log.type = type;
    port_log.size = size;
    memcpy(port_log.payload, payload, size);
    return port_log.answer;
}

static uint16_t port_event(void *ctx, unsigned vp, uint16_t flag)
{
    (void)ctx;
    port_log.events++;
    port_log.vp = vp;
    port_log.flag = flag;
    return port_log.answer;
}

/* A fresh partition of 2 VPs on 256 KiB of RAM with port 1. */
static int reset(void)
{
    memset(ram, 0, sizeof ram);
    memset(&mem, 0, sizeof mem);
    memset(&port_log, 0, sizeof port_log);
    guest_mem_add(&mem, 0, RAM_SIZE, ram);
    tsc_now = 0;
    irqs = irq_vp = irq_vector = 0;
    struct hvhost_env env = {.guest_tsc = fake_tsc, .interrupt = fake_interrupt};
    if (hvhost_partition_init(&part, &mem, 2, TSC_HZ, 1000000000ull, &env) != 0)
        return -1;
    struct hvhost_port port = {
        .connection_id = 1, .message = port_message, .event = port_event, .flag_count = 2048};
    return hvhost_partition_add_port(&part, &port);
}

static uint64_t rd(unsigned vp, uint32_t msr)
{
    uint64_t v = 0xDEAD;
    if (hvhost_msr_read(&part, vp, msr, &v) != 0)
        return 0xFA017FA017ull;
    return v;
}

TEST(msr_reset_values_and_read_only_registers)
{
    CHECK_EQ(reset(), 0);
    CHECK_EQ(rd(0, HV_MSR_GUEST_OS_ID), 0u);
    CHECK_EQ(rd(0, HV_MSR_HYPERCALL), 0u);
    CHECK_EQ(rd(1, HV_MSR_VP_INDEX), 1u);
    CHECK_EQ(rd(0, HV_MSR_SVERSION), 1u);
    CHECK_EQ(rd(0, HV_MSR_SINT0 + 15), 0x10000u);
    CHECK_EQ(rd(0, HV_MSR_EOM), 0u);
    CHECK_EQ(rd(0, HV_MSR_TSC_FREQUENCY), TSC_HZ);
    CHECK_EQ(rd(0, HV_MSR_APIC_FREQUENCY), 1000000000u);
    /* Writes to read-only MSRs, and MSRs of the range not emulated: #GP. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_VP_INDEX, 0), -1);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_TIME_REF_COUNT, 0), -1);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SVERSION, 1), -1);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_TSC_FREQUENCY, 1), -1);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_APIC_FREQUENCY, 1), -1);
    uint64_t v;
    CHECK_EQ(hvhost_msr_read(&part, 0, 0x400000B0u, &v), -1); /* STIMER0_CONFIG */
    CHECK_EQ(hvhost_msr_write(&part, 0, 0x400000B0u, 0), -1);
    CHECK_EQ(hvhost_msr_read(&part, 2, HV_MSR_VP_INDEX, &v), -1); /* no VP 2 */
    /* EOM is write-only and harmless on empty queues. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_EOM, 0), 0);
    /* The VP assist page: kept per VP when it lies in RAM, refused past it. */
    CHECK_EQ(hvhost_msr_write(&part, 1, HV_MSR_VP_ASSIST_PAGE, 0x2000 | 1), 0);
    CHECK_EQ(rd(1, HV_MSR_VP_ASSIST_PAGE), 0x2001u);
    CHECK_EQ(rd(0, HV_MSR_VP_ASSIST_PAGE), 0u);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_VP_ASSIST_PAGE, (1ull << 40) | 1), -1);
}

TEST(hypercall_page_needs_the_os_id_and_ram)
{
    CHECK_EQ(reset(), 0);
    /* Enable is ignored while the OS id is 0. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_HYPERCALL, HCALL_GPA | 1), 0);
    CHECK_EQ(rd(0, HV_MSR_HYPERCALL), HCALL_GPA);
    CHECK_EQ(ram[HCALL_GPA], 0);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_GUEST_OS_ID, 0x8100000000000000ull), 0);
    /* RsvdP bits 11:2 are dropped. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_HYPERCALL, HCALL_GPA | 0xFFC | 1), 0);
    CHECK_EQ(rd(0, HV_MSR_HYPERCALL), HCALL_GPA | 1);
    /* out 0xE6, al; ret; then int3. */
    static const uint8_t code[] = {0xE6, 0xE6, 0xC3, 0xCC};
    CHECK(memcmp(ram + HCALL_GPA, code, sizeof code) == 0);
    CHECK_EQ(ram[HCALL_GPA + 4095], 0xCC);
    /* A GPFN outside guest RAM: #GP, the MSR unchanged. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_HYPERCALL, (RAM_SIZE + 0x1000ull) | 1), -1);
    CHECK_EQ(rd(0, HV_MSR_HYPERCALL), HCALL_GPA | 1);
    /* OS id 0 disables the page. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_GUEST_OS_ID, 0), 0);
    CHECK_EQ(rd(0, HV_MSR_HYPERCALL), HCALL_GPA);
    /* Locked: later writes change nothing. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_GUEST_OS_ID, 1), 0);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_HYPERCALL, HCALL_GPA | 3), 0);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_HYPERCALL, 0), 0);
    CHECK_EQ(rd(0, HV_MSR_HYPERCALL), HCALL_GPA | 3);
}

TEST(reference_time_and_tsc_page)
{
    CHECK_EQ(reset(), 0);
    /* 2^64 * 10^7 / 2.5 GHz = 2^64 / 250. */
    CHECK_EQ(hvhost_tsc_scale(TSC_HZ), 73786976294838206ull);
    tsc_now = TSC_HZ; /* one second */
    CHECK_EQ(rd(0, HV_MSR_TIME_REF_COUNT), 9999999u);
    tsc_now = 25;
    CHECK_EQ(rd(1, HV_MSR_TIME_REF_COUNT), 0u); /* 10 ns: below one 100 ns tick */
    memset(ram + TSC_GPA, 0x5A, 4096);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_REFERENCE_TSC, TSC_GPA | 0xFFE | 1), 0);
    CHECK_EQ(rd(0, HV_MSR_REFERENCE_TSC), TSC_GPA | 1);
    uint32_t seq;
    uint64_t scale;
    int64_t offset;
    memcpy(&seq, ram + TSC_GPA, 4);
    memcpy(&scale, ram + TSC_GPA + 8, 8);
    memcpy(&offset, ram + TSC_GPA + 16, 8);
    CHECK_EQ(seq, 1u);
    CHECK_EQ(scale, 73786976294838206ull);
    CHECK_EQ(offset, 0);
    CHECK_EQ(ram[TSC_GPA + 24], 0);
    CHECK_EQ(ram[TSC_GPA + 4095], 0);
    /* The guest's formula gives TIME_REF_COUNT. */
    tsc_now = 123456789012ull;
    uint64_t t = (uint64_t)(((unsigned __int128)tsc_now * scale) >> 64) + (uint64_t)offset;
    CHECK_EQ(t, rd(0, HV_MSR_TIME_REF_COUNT));
    /* Each enable publishes a new sequence, never 0 or 0xFFFFFFFF. */
    part.tsc_sequence = 0xFFFFFFFEu;
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_REFERENCE_TSC, TSC_GPA | 1), 0);
    memcpy(&seq, ram + TSC_GPA, 4);
    CHECK_EQ(seq, 1u);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_REFERENCE_TSC, RAM_SIZE | 1), -1);
}

TEST(sint_rules)
{
    CHECK_EQ(reset(), 0);
    /* Unmasked with a vector below 16: #GP. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SINT0 + 2, 0x0F), -1);
    CHECK_EQ(rd(0, HV_MSR_SINT0 + 2), 0x10000u);
    /* The reset value can be written back; reserved bits are dropped. */
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SINT0 + 2, 0x10000), 0);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SINT0 + 2, 0xFFFFFFFFFFF80030ull), 0);
    CHECK_EQ(rd(0, HV_MSR_SINT0 + 2), 0x30u);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SCONTROL, 0xFFFF), 0);
    CHECK_EQ(rd(0, HV_MSR_SCONTROL), 1u);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SIMP, RAM_SIZE | 1), -1);
    CHECK_EQ(hvhost_msr_write(&part, 0, HV_MSR_SIEFP, SIEFP_GPA | 0x7FE | 1), 0);
    CHECK_EQ(rd(0, HV_MSR_SIEFP), SIEFP_GPA | 1);
}

static uint64_t call(uint64_t rcx, uint64_t rdx)
{
    return hvhost_hypercall(&part, 1, rcx, rdx, 0);
}

/* An HvPostMessage input block at INPUT_GPA. */
static void post_input(uint32_t conn, uint32_t rsvd, uint32_t type, uint32_t size)
{
    uint8_t *in = ram + INPUT_GPA;
    memset(in, 0, 256);
    memcpy(in, &conn, 4);
    memcpy(in + 4, &rsvd, 4);
    memcpy(in + 8, &type, 4);
    memcpy(in + 12, &size, 4);
    for (unsigned i = 0; i < 240; i++)
        in[16 + i] = (uint8_t)(i + 1);
}

TEST(post_message_statuses)
{
    CHECK_EQ(reset(), 0);
    /* Golden: the first 16 bytes of Linux's INITIATE_CONTACT post to
     * connection 4, type 1 (VMBus), 32 + 8 bytes of payload. */
    post_input(4, 0, 1, 40);
    static const uint8_t head[16] = {4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 40, 0, 0, 0};
    CHECK(memcmp(ram + INPUT_GPA, head, 16) == 0);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INVALID_CONNECTION_ID);
    post_input(1, 0, 1, 40);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_SUCCESS);
    CHECK_EQ(port_log.messages, 1u);
    CHECK_EQ(port_log.vp, 1u);
    CHECK_EQ(port_log.type, 1u);
    CHECK_EQ(port_log.size, 40u);
    CHECK_EQ(port_log.payload[0], 1);
    CHECK_EQ(port_log.payload[39], 40);
    /* The port's own status comes back (no buffers left). */
    port_log.answer = HV_STATUS_INSUFFICIENT_BUFFERS;
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INSUFFICIENT_BUFFERS);
    port_log.answer = 0;
    post_input(1, 0, 1, 240);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_SUCCESS);
    post_input(1, 0, 1, 241);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INVALID_PARAMETER);
    post_input(1, 0, 0, 8);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INVALID_PARAMETER);
    post_input(1, 0, 0x80000001u, 8);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INVALID_PARAMETER);
    post_input(1, 7, 1, 8);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    post_input(0x01000001u, 0, 1, 8);
    CHECK_EQ(call(0x5C, INPUT_GPA), HV_STATUS_INVALID_CONNECTION_ID);
    post_input(1, 0, 1, 8);
    CHECK_EQ(call(0x5C, INPUT_GPA + 4), HV_STATUS_INVALID_ALIGNMENT);
    CHECK_EQ(call(0x5C, INPUT_GPA + 4096 - 128), HV_STATUS_INVALID_ALIGNMENT); /* crosses */
    CHECK_EQ(call(0x5C, RAM_SIZE), HV_STATUS_INVALID_PARAMETER);
    /* Control words: fast, rep count, rep start, header size, reserved,
     * nested, unknown code. */
    CHECK_EQ(call(0x1005C, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x5C | 1ull << 32, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x5C | 1ull << 48, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x5C | 1ull << 17, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x5C | 1ull << 27, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x5C | 1ull << 31, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x5C | 1ull << 63, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x99, INPUT_GPA), HV_STATUS_INVALID_HYPERCALL_CODE);
    CHECK_EQ(port_log.messages, 3u);
}

TEST(signal_event_fast_and_memory)
{
    CHECK_EQ(reset(), 0);
    /* Linux's fast form: RCX = 0x5D | fast, RDX = connection | flag << 32. */
    CHECK_EQ(call(0x1005D, 1 | 7ull << 32), HV_STATUS_SUCCESS);
    CHECK_EQ(port_log.events, 1u);
    CHECK_EQ(port_log.flag, 7u);
    CHECK_EQ(call(0x1005D, 1 | 2048ull << 32), HV_STATUS_INVALID_PARAMETER);
    CHECK_EQ(call(0x1005D, 1 | 1ull << 48), HV_STATUS_INVALID_HYPERCALL_INPUT);
    CHECK_EQ(call(0x1005D, 9), HV_STATUS_INVALID_CONNECTION_ID);
    /* Memory form: {01 00 00 00, 05 00, 00 00}. */
    static const uint8_t in[8] = {1, 0, 0, 0, 5, 0, 0, 0};
    memcpy(ram + INPUT_GPA, in, 8);
    CHECK_EQ(call(0x5D, INPUT_GPA), HV_STATUS_SUCCESS);
    CHECK_EQ(port_log.flag, 5u);
    CHECK_EQ(call(0x5D, INPUT_GPA + 2), HV_STATUS_INVALID_ALIGNMENT);
    CHECK_EQ(port_log.events, 2u);
}

static void synic_on(unsigned vp, unsigned sint, uint64_t sint_value)
{
    hvhost_msr_write(&part, vp, HV_MSR_SIMP, SIMP_GPA | 1);
    hvhost_msr_write(&part, vp, HV_MSR_SIEFP, SIEFP_GPA | 1);
    hvhost_msr_write(&part, vp, HV_MSR_SINT0 + sint, sint_value);
    hvhost_msr_write(&part, vp, HV_MSR_SCONTROL, 1);
}

TEST(messages_fill_the_slot_then_wait_for_eom)
{
    CHECK_EQ(reset(), 0);
    static const uint8_t a[] = {0x0F, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 1, 0};
    static const uint8_t b[] = {0x04, 0, 0, 0, 0, 0, 0, 0};
    /* SIMP off: the message waits. */
    CHECK_EQ(hvhost_synic_post(&part, 0, 2, 1, a, sizeof a), 0);
    CHECK_EQ(hvhost_synic_queued(&part, 0, 2), 1u);
    CHECK_EQ(irqs, 0u);
    synic_on(0, 2, 0x40);
    CHECK_EQ(hvhost_synic_queued(&part, 0, 2), 0u);
    CHECK_EQ(irqs, 1u);
    CHECK_EQ(irq_vp, 0u);
    CHECK_EQ(irq_vector, 0x40u);
    /* Slot 2: type 1, size 12, flags 0, sender 0, payload. */
    const uint8_t *slot = ram + SIMP_GPA + 2 * 256;
    static const uint8_t want[16] = {1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(memcmp(slot, want, 16) == 0);
    CHECK(memcmp(slot + 16, a, sizeof a) == 0);
    /* The slot is busy: the next waits and MessagePending is set. */
    CHECK_EQ(hvhost_synic_post(&part, 0, 2, 1, b, sizeof b), 0);
    CHECK_EQ(slot[5], 1);
    CHECK_EQ(irqs, 1u);
    /* EOM before the guest emptied the slot changes nothing. */
    hvhost_msr_write(&part, 0, HV_MSR_EOM, 0);
    CHECK_EQ(hvhost_synic_queued(&part, 0, 2), 1u);
    /* The guest empties the slot and writes EOM: the next arrives. */
    memset(ram + SIMP_GPA + 2 * 256, 0, 4);
    hvhost_msr_write(&part, 0, HV_MSR_EOM, 0);
    CHECK_EQ(hvhost_synic_queued(&part, 0, 2), 0u);
    CHECK_EQ(slot[0], 1);
    CHECK_EQ(slot[4], 8);
    CHECK_EQ(slot[5], 0);
    CHECK_EQ(slot[16], 4);
    CHECK_EQ(slot[24], 0); /* the rest of the slot is cleared */
    CHECK_EQ(irqs, 2u);
}

TEST(masked_and_polling_sints_get_no_interrupt)
{
    CHECK_EQ(reset(), 0);
    synic_on(1, 3, 0x10050); /* masked */
    uint8_t m[4] = {1, 2, 3, 4};
    CHECK_EQ(hvhost_synic_post(&part, 1, 3, 7, m, 4), 0);
    CHECK_EQ(ram[SIMP_GPA + 3 * 256], 7); /* delivered into the slot */
    CHECK_EQ(irqs, 0u);
    memset(ram + SIMP_GPA + 3 * 256, 0, 4);
    hvhost_msr_write(&part, 1, HV_MSR_SINT0 + 3, HV_SINT_POLLING | 0x50);
    CHECK_EQ(hvhost_synic_post(&part, 1, 3, 7, m, 4), 0);
    CHECK_EQ(irqs, 0u);
    /* Bad posts are refused, a full queue too. */
    CHECK_EQ(hvhost_synic_post(&part, 1, 3, 0, m, 4), -1);
    CHECK_EQ(hvhost_synic_post(&part, 1, 3, 7, m, 241), -1);
    CHECK_EQ(hvhost_synic_post(&part, 2, 3, 7, m, 4), -1);
    for (unsigned i = 0; i < HVHOST_SINT_QUEUE; i++)
        CHECK_EQ(hvhost_synic_post(&part, 1, 3, 7, m, 4), 0);
    CHECK_EQ(hvhost_synic_post(&part, 1, 3, 7, m, 4), -1);
}

TEST(event_flags_interrupt_on_zero_to_one)
{
    CHECK_EQ(reset(), 0);
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 5), HV_STATUS_INVALID_SYNIC_STATE);
    synic_on(0, 2, 0x41);
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 5), HV_STATUS_SUCCESS);
    CHECK_EQ(ram[SIEFP_GPA + 2 * 256], 0x20);
    CHECK_EQ(irqs, 1u);
    CHECK_EQ(irq_vector, 0x41u);
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 5), HV_STATUS_SUCCESS);
    CHECK_EQ(irqs, 1u);
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 2047), HV_STATUS_SUCCESS);
    CHECK_EQ(ram[SIEFP_GPA + 2 * 256 + 255], 0x80);
    CHECK_EQ(irqs, 2u);
    ram[SIEFP_GPA + 2 * 256] = 0; /* the guest clears the flag */
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 5), HV_STATUS_SUCCESS);
    CHECK_EQ(irqs, 3u);
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 2048), HV_STATUS_INVALID_PARAMETER);
    hvhost_msr_write(&part, 0, HV_MSR_SINT0 + 2, 0x10041);
    CHECK_EQ(hvhost_synic_signal(&part, 0, 2, 6), HV_STATUS_INVALID_SYNIC_STATE);
    CHECK_EQ(ram[SIEFP_GPA + 2 * 256], 0x20);
}

UNIT_MAIN()
