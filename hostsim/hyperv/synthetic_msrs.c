/* The synthetic MSRs (TLFS "Partition Properties": GUEST_OS_ID, HYPERCALL,
 * VP_INDEX; "Timers": TIME_REF_COUNT, REFERENCE_TSC; "Synthetic Interrupt
 * Controller": SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINT0-15; the frequency
 * MSRs by number from Linux's hvgdk_mini.h). Rules kept:
 *   - read-only MSRs (VP_INDEX, TIME_REF_COUNT, SVERSION, the frequencies)
 *     fault on a write, EOM reads 0, an MSR of the range that is not
 *     emulated faults both ways (#GP);
 *   - RsvdP bits ("preserve") are ignored on write and read back as 0;
 *   - HYPERCALL: Enable is ignored while GUEST_OS_ID is 0, and writing
 *     GUEST_OS_ID 0 disables the page; Locked (bit 1) makes later writes
 *     no-ops until reset; a GPFN outside guest RAM faults;
 *   - a SIMP, SIEFP or REFERENCE_TSC page outside guest RAM faults (the TLFS
 *     says so for the hypercall page only; hostsim applies it to every
 *     overlay it must write);
 *   - SINTx: a vector below 16 faults when the SINT is unmasked (the reset
 *     value, masked with vector 0, can be written back).
 * Overlay pages are guest RAM here: hostsim writes the hypercall code and
 * the TSC page into the guest's page, and clears a SIM or SIEF page when it
 * is enabled, as a fresh overlay reads. */
#include <string.h>

#include "hostsim/hyperv/layout.h"
#include "hostsim/hyperv/partition.h"

#define HYPERCALL_ENABLE 0x1ull
#define HYPERCALL_LOCKED 0x2ull
#define PAGE_ENABLE 0x1ull /* SIMP, SIEFP, REFERENCE_TSC, SCONTROL bit 0 */
#define PAGE_MASK (~0xFFFull)
#define SINT_DEFINED (HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI | HV_SINT_POLLING)
#define TSC_PAGE_SEQUENCE 0
#define TSC_PAGE_SCALE 8
#define TSC_PAGE_OFFSET 16

uint64_t hvhost_tsc_scale(uint64_t tsc_hz)
{
    /* 10^7 ticks of 100 ns per second: scale = 2^64 * 10^7 / tsc_hz, which
     * is below 2^64 for any TSC faster than 10 MHz. */
    return (uint64_t)(((unsigned __int128)10000000u << 64) / tsc_hz);
}

uint64_t hvhost_reference_time(struct hvhost_partition *p, unsigned vp)
{
    uint64_t tsc = p->env.guest_tsc(p->env.ctx, vp);
    return (uint64_t)(((unsigned __int128)tsc * p->tsc_scale) >> 64);
}

void hvhost_hypercall_page(uint8_t page[HV_PAGE_SIZE], uint8_t port)
{
    memset(page, 0xCC, HV_PAGE_SIZE); /* int3 */
    page[0] = 0xE6;                   /* out imm8, al */
    page[1] = port;
    page[2] = 0xC3; /* ret */
}

static int page_in_ram(const struct hvhost_partition *p, uint64_t value)
{
    return guest_mem_ptr(p->mem, value & PAGE_MASK, HV_PAGE_SIZE) != NULL;
}

static int write_hypercall(struct hvhost_partition *p, uint64_t value)
{
    if (p->hypercall & HYPERCALL_LOCKED)
        return 0;
    uint64_t v = value & (PAGE_MASK | HYPERCALL_ENABLE | HYPERCALL_LOCKED);
    if ((v & HYPERCALL_ENABLE) && !page_in_ram(p, v))
        return -1;
    if (p->guest_os_id == 0)
        v &= ~HYPERCALL_ENABLE;
    if (v & HYPERCALL_ENABLE) {
        uint8_t page[HV_PAGE_SIZE];
        hvhost_hypercall_page(page, HVM_HYPERCALL_PORT);
        guest_mem_write(p->mem, v & PAGE_MASK, page, sizeof page);
    }
    p->hypercall = v;
    return 0;
}

/* The reference TSC page: a new sequence (never 0, which tells the guest
 * to use TIME_REF_COUNT, nor 0xFFFFFFFF, which KVM's writer also avoids),
 * scale and offset; the guest's TSC starts at 0 with the partition, so the
 * offset is 0 and the page agrees with TIME_REF_COUNT. */
static int write_reference_tsc(struct hvhost_partition *p, uint64_t value)
{
    uint64_t v = value & (PAGE_MASK | PAGE_ENABLE);
    if ((v & PAGE_ENABLE) && !page_in_ram(p, v))
        return -1;
    p->reference_tsc = v;
    if (!(v & PAGE_ENABLE))
        return 0;
    uint64_t gpa = v & PAGE_MASK;
    p->tsc_sequence++;
    if (p->tsc_sequence == 0 || p->tsc_sequence == 0xFFFFFFFFu)
        p->tsc_sequence = 1;
    guest_mem_fill(p->mem, gpa, 0, HV_PAGE_SIZE);
    guest_mem_write_u64(p->mem, gpa + TSC_PAGE_SCALE, p->tsc_scale);
    guest_mem_write_u64(p->mem, gpa + TSC_PAGE_OFFSET, 0);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    guest_mem_write_u32(p->mem, gpa + TSC_PAGE_SEQUENCE, p->tsc_sequence);
    return 0;
}

/* SIMP and SIEFP: a page turned on (or moved) starts empty. */
static int write_synic_page(struct hvhost_partition *p, uint64_t *reg, uint64_t value)
{
    uint64_t v = value & (PAGE_MASK | PAGE_ENABLE);
    if ((v & PAGE_ENABLE) && !page_in_ram(p, v))
        return -1;
    if ((v & PAGE_ENABLE) && v != *reg)
        guest_mem_fill(p->mem, v & PAGE_MASK, 0, HV_PAGE_SIZE);
    *reg = v;
    return 0;
}

int hvhost_msr_read(struct hvhost_partition *p, unsigned vp, uint32_t msr, uint64_t *value)
{
    if (vp >= p->nvps)
        return -1;
    struct hvhost_vp *v = &p->vp[vp];
    if (msr >= HV_MSR_SINT0 && msr < HV_MSR_SINT0 + HV_SINT_COUNT) {
        *value = v->sint[msr - HV_MSR_SINT0];
        return 0;
    }
    switch (msr) {
    case HV_MSR_GUEST_OS_ID:
        *value = p->guest_os_id;
        return 0;
    case HV_MSR_HYPERCALL:
        *value = p->hypercall;
        return 0;
    case HV_MSR_VP_INDEX:
        *value = vp;
        return 0;
    case HV_MSR_TIME_REF_COUNT:
        *value = hvhost_reference_time(p, vp);
        return 0;
    case HV_MSR_REFERENCE_TSC:
        *value = p->reference_tsc;
        return 0;
    case HV_MSR_TSC_FREQUENCY:
        *value = p->tsc_hz;
        return 0;
    case HV_MSR_APIC_FREQUENCY:
        *value = p->apic_hz;
        return 0;
    case HV_MSR_SCONTROL:
        *value = v->scontrol;
        return 0;
    case HV_MSR_SVERSION:
        *value = HV_SYNIC_VERSION;
        return 0;
    case HV_MSR_SIEFP:
        *value = v->siefp;
        return 0;
    case HV_MSR_SIMP:
        *value = v->simp;
        return 0;
    case HV_MSR_EOM:
        *value = 0;
        return 0;
    case HV_MSR_VP_ASSIST_PAGE:
        *value = v->vp_assist;
        return 0;
    }
    return -1;
}

int hvhost_msr_write(struct hvhost_partition *p, unsigned vp, uint32_t msr, uint64_t value)
{
    if (vp >= p->nvps)
        return -1;
    struct hvhost_vp *v = &p->vp[vp];
    if (msr >= HV_MSR_SINT0 && msr < HV_MSR_SINT0 + HV_SINT_COUNT) {
        uint64_t s = value & SINT_DEFINED;
        if (!(s & HV_SINT_MASKED) && (s & HV_SINT_VECTOR_MASK) < 16)
            return -1;
        v->sint[msr - HV_MSR_SINT0] = s;
        hvhost_synic_rescan(p, vp);
        return 0;
    }
    int rc;
    switch (msr) {
    case HV_MSR_GUEST_OS_ID:
        p->guest_os_id = value;
        if (value == 0)
            p->hypercall &= ~HYPERCALL_ENABLE;
        return 0;
    case HV_MSR_HYPERCALL:
        return write_hypercall(p, value);
    case HV_MSR_REFERENCE_TSC:
        return write_reference_tsc(p, value);
    case HV_MSR_SCONTROL:
        v->scontrol = value & PAGE_ENABLE;
        hvhost_synic_rescan(p, vp);
        return 0;
    case HV_MSR_SIEFP:
        return write_synic_page(p, &v->siefp, value);
    case HV_MSR_SIMP:
        rc = write_synic_page(p, &v->simp, value);
        if (rc == 0)
            hvhost_synic_rescan(p, vp);
        return rc;
    case HV_MSR_EOM:
        hvhost_synic_rescan(p, vp);
        return 0;
    case HV_MSR_VP_ASSIST_PAGE:
        /* TLFS "Virtual Processor Assist Page": enable bit 0, the page's
         * GPA above bit 12. Linux 6.1 writes it on every vCPU whether or not
         * the partition may use the page's features; hostsim offers none of
         * them (no lazy EOI, no enlightened VMCS), so the page is only
         * checked and kept, as a host that grants nothing through it. */
        if ((value & PAGE_ENABLE) && !page_in_ram(p, value & (PAGE_MASK | PAGE_ENABLE)))
            return -1;
        v->vp_assist = value & (PAGE_MASK | PAGE_ENABLE);
        return 0;
    }
    /* VP_INDEX, TIME_REF_COUNT, the frequencies, SVERSION: read-only. */
    return -1;
}
