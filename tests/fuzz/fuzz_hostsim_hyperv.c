/* libFuzzer harness: hostsim's Hyper-V partition (hostsim/hyperv/{partition,
 * synthetic_msrs,hypercall,synic}.c) under a guest the input shapes: wrmsr
 * and rdmsr of any synthetic MSR with any value on either VP, hypercalls
 * with any control word and input block (its GPA mostly inside RAM), host
 * messages and event flags for any SINT, and the guest emptying message
 * slots and writing EOM. Checked after every step:
 *   - RAX carries only a status the TLFS defines for these calls (0, 2, 3,
 *     4, 5, 0x12, 0x13, 0x18) and nothing above bit 15;
 *   - the port sees only messages of type 1-0x7FFFFFFF, at most 240 bytes,
 *     on its own connection id, and flags below its count;
 *   - what an MSR reads back keeps the TLFS's layout: SINTs only bits
 *     7:0, 16, 17, 18; SIMP, SIEFP, REFERENCE_TSC and HYPERCALL no RsvdP bits;
 *     VP_INDEX the VP; SVERSION 1; read-only MSRs refuse writes;
 *   - interrupts go to an existing VP with a vector of 16 or more, and
 *     only for an unmasked, non-polling SINT;
 *   - nothing outside guest RAM is touched (PROT_NONE guard pages).
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_hostsim_hyperv.c hostsim/hyperv/{partition,
 *     synthetic_msrs,hypercall,synic}.c hostsim/guest_mem.c */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "hostsim/guest_mem.h"
#include "hostsim/hyperv/partition.h"
#include "tests/fuzz/fuzz_input.h"

#define PAGE 4096u
#define RAM_PAGES 16
#define NVPS 2
#define MAX_STEPS 96

static uint8_t *ram;
static struct guest_mem mem;
static struct hvhost_partition part;

static uint64_t fake_tsc(void *ctx, unsigned vp)
{
    (void)ctx;
    BROKEN_IF(vp >= NVPS);
    return 123456789;
}

static void on_interrupt(void *ctx, unsigned vp, unsigned vector)
{
    (void)ctx;
    BROKEN_IF(vp >= NVPS || vector < 16 || vector > 255);
    bool armed = false;
    for (unsigned s = 0; s < 16; s++) {
        uint64_t v = part.vp[vp].sint[s];
        armed |= !(v & (HV_SINT_MASKED | HV_SINT_POLLING)) && (v & 0xFF) == vector;
    }
    BROKEN_IF(!armed);
}

static uint16_t on_message(void *ctx, unsigned vp, uint32_t type, const uint8_t *payload,
                           uint32_t size)
{
    (void)ctx;
    (void)payload;
    BROKEN_IF(vp >= NVPS || type == 0 || (type & 0x80000000u) || size > 240);
    return size & 1 ? HV_STATUS_INSUFFICIENT_BUFFERS : HV_STATUS_SUCCESS;
}

static uint16_t on_event(void *ctx, unsigned vp, uint16_t flag)
{
    (void)ctx;
    BROKEN_IF(vp >= NVPS || flag >= 64);
    return HV_STATUS_SUCCESS;
}

static uint32_t any_msr(struct fuzz_input *in)
{
    static const uint32_t msrs[] = {0x40000000, 0x40000001, 0x40000002, 0x40000020, 0x40000021,
                                    0x40000022, 0x40000023, 0x40000080, 0x40000081, 0x40000082,
                                    0x40000083, 0x40000084, 0x40000090, 0x40000092, 0x4000009F,
                                    0x400000B0, 0x40000010};
    uint32_t pick = fuzz_take(in, 1);
    return pick < 0xF0 ? msrs[pick % (sizeof msrs / sizeof msrs[0])]
                       : 0x40000000u + fuzz_take(in, 1);
}

/* A GPA: mostly a page of RAM with a small offset, sometimes anything. */
static uint64_t any_gpa(struct fuzz_input *in)
{
    uint32_t kind = fuzz_take(in, 1);
    if (kind < 0xE0)
        return (uint64_t)(kind % RAM_PAGES) * PAGE + (fuzz_take(in, 2) & 0xFFF);
    return (uint64_t)fuzz_take(in, 4) << (kind & 0x1F);
}

static void check_msrs(unsigned vp)
{
    uint64_t v;
    for (unsigned s = 0; s < 16; s++) {
        BROKEN_IF(hvhost_msr_read(&part, vp, HV_MSR_SINT0 + s, &v) != 0);
        BROKEN_IF(v & ~0x700FFull);
        BROKEN_IF(!(v & HV_SINT_MASKED) && (v & 0xFF) < 16);
    }
    static const uint32_t pages[] = {HV_MSR_SIMP, HV_MSR_SIEFP, HV_MSR_REFERENCE_TSC};
    for (unsigned i = 0; i < 3; i++) {
        BROKEN_IF(hvhost_msr_read(&part, vp, pages[i], &v) != 0);
        BROKEN_IF(v & 0xFFEull);
        BROKEN_IF((v & 1) && guest_mem_ptr(&mem, v & ~0xFFFull, PAGE) == NULL);
    }
    BROKEN_IF(hvhost_msr_read(&part, vp, HV_MSR_HYPERCALL, &v) != 0 || (v & 0xFFCull));
    BROKEN_IF(hvhost_msr_read(&part, vp, HV_MSR_VP_INDEX, &v) != 0 || v != vp);
    BROKEN_IF(hvhost_msr_read(&part, vp, HV_MSR_SVERSION, &v) != 0 || v != 1);
    BROKEN_IF(hvhost_msr_read(&part, vp, HV_MSR_SCONTROL, &v) != 0 || v > 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ram == NULL) {
        uint8_t *all =
            mmap(NULL, (RAM_PAGES + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (all == MAP_FAILED)
            abort();
        ram = all + PAGE;
        mprotect(ram, RAM_PAGES * PAGE, PROT_READ | PROT_WRITE);
    }
    memset(ram, 0, RAM_PAGES * PAGE);
    memset(&mem, 0, sizeof mem);
    guest_mem_add(&mem, 0, RAM_PAGES * PAGE, ram);
    struct hvhost_env env = {.guest_tsc = fake_tsc, .interrupt = on_interrupt};
    BROKEN_IF(hvhost_partition_init(&part, &mem, NVPS, 2500000000ull, 1000000000ull, &env) != 0);
    struct hvhost_port port = {
        .connection_id = 1, .message = on_message, .event = on_event, .flag_count = 64};
    BROKEN_IF(hvhost_partition_add_port(&part, &port) != 0);
    struct fuzz_input in = {data, size};
    for (unsigned step = 0; step < MAX_STEPS && in.n > 0; step++) {
        unsigned vp = fuzz_take(&in, 1) % (NVPS + 1); /* VP 2 does not exist */
        switch (fuzz_take(&in, 1) % 7) {
        case 0: {
            uint32_t msr = any_msr(&in);
            uint64_t value = (uint64_t)fuzz_take(&in, 4) << 32 | fuzz_take(&in, 4);
            if (fuzz_take(&in, 1) & 1)
                value = any_gpa(&in) | (value & 1);
            int rc = hvhost_msr_write(&part, vp, msr, value);
            BROKEN_IF(rc == 0 && (msr == HV_MSR_VP_INDEX || msr == HV_MSR_TIME_REF_COUNT ||
                                  msr == HV_MSR_SVERSION || vp >= NVPS));
            break;
        }
        case 1: {
            uint64_t v;
            hvhost_msr_read(&part, vp, any_msr(&in), &v);
            break;
        }
        case 2: {
            uint64_t rcx = (uint64_t)fuzz_take(&in, 4) << 32 | fuzz_take(&in, 4);
            if (fuzz_take(&in, 1) < 0xC0) /* mostly a plausible control word */
                rcx = (rcx & 0x10000u) | (fuzz_take(&in, 1) & 1 ? 0x5C : 0x5D);
            uint64_t rdx = fuzz_take(&in, 1) & 1
                               ? any_gpa(&in)
                               : ((uint64_t)fuzz_take(&in, 4) << 32 | fuzz_take(&in, 4));
            uint64_t rax = hvhost_hypercall(&part, vp, rcx, rdx, 0);
            BROKEN_IF(rax > 0xFFFF);
            BROKEN_IF(rax != 0 && rax != 2 && rax != 3 && rax != 4 && rax != 5 && rax != 0x12 &&
                      rax != 0x13 && rax != 0x18);
            break;
        }
        case 3: {
            uint8_t payload[240];
            unsigned n = fuzz_take(&in, 1) % 250;
            memset(payload, (int)n, sizeof payload);
            hvhost_synic_post(&part, vp, fuzz_take(&in, 1) % 17, fuzz_take(&in, 4), payload, n);
            break;
        }
        case 4:
            hvhost_synic_signal(&part, vp, fuzz_take(&in, 1) % 17, fuzz_take(&in, 2) % 2100);
            break;
        case 5: { /* the guest empties a slot (or scribbles on any byte) */
            uint32_t off = fuzz_take(&in, 2) % (RAM_PAGES * PAGE);
            ram[off & ~3u] = (uint8_t)fuzz_take(&in, 1);
            break;
        }
        case 6:
            hvhost_msr_write(&part, vp, HV_MSR_EOM, 0);
            break;
        }
        for (unsigned v = 0; v < NVPS; v++)
            check_msrs(v);
    }
    return 0;
}
