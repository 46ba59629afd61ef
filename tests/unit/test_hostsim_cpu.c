/* hostsim's CPU-side dispatch without KVM: the MSR bus (cpu/msrbus.c), the
 * port/MMIO bus handing the calling vCPU to handlers (cpu/iobus.c), lazy
 * register access (cpu/vcpu.c) and MSI composition (cpu/msi.c). The
 * hypercall-by-port case is played through: a port handler reads RCX, RDX
 * and R8 and sets RAX, and exactly one register load and one store reach the
 * back end.
 * Links: hostsim/cpu/{msrbus,iobus,vcpu,msi,assist}.c hostsim/log.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/cpu/assist.h"
#include "hostsim/cpu/iobus.h"
#include "hostsim/cpu/msi.h"
#include "hostsim/cpu/msrbus.h"
#include "hostsim/cpu/vcpu.h"

/* ---- a fake vCPU back end: counts loads and stores ---- */
struct fake_cpu {
    uint64_t regs[HS_NREGS];
    int loads, stores;
    int fail_load, fail_store;
};

static int fake_load(void *ctx, uint64_t regs[HS_NREGS])
{
    struct fake_cpu *c = ctx;
    c->loads++;
    if (c->fail_load)
        return -1;
    memcpy(regs, c->regs, sizeof c->regs);
    return 0;
}

static int fake_store(void *ctx, const uint64_t regs[HS_NREGS])
{
    struct fake_cpu *c = ctx;
    c->stores++;
    if (c->fail_store)
        return -1;
    memcpy(c->regs, regs, sizeof c->regs);
    return 0;
}

static const struct hs_vcpu_ops fake_ops = {.load = fake_load, .store = fake_store};

TEST(vcpu_registers_are_lazy)
{
    struct fake_cpu c = {0};
    struct hs_vcpu v;
    hs_vcpu_init(&v, 3, &fake_ops, &c);
    CHECK_EQ(hs_vcpu_index(&v), 3u);
    /* A handler that touches no register costs nothing. */
    CHECK_EQ(hs_vcpu_sync(&v), 0);
    CHECK_EQ(c.loads + c.stores, 0);
    /* Reads load once; no write, no store. */
    c.regs[HS_RCX] = 11;
    c.regs[HS_RDX] = 22;
    CHECK_EQ(hs_vcpu_get(&v, HS_RCX), 11u);
    CHECK_EQ(hs_vcpu_get(&v, HS_RDX), 22u);
    CHECK_EQ(c.loads, 1);
    CHECK_EQ(hs_vcpu_sync(&v), 0);
    CHECK_EQ(c.stores, 0);
    /* After a sync the copy is forgotten: the next read loads again. */
    c.regs[HS_RCX] = 33;
    CHECK_EQ(hs_vcpu_get(&v, HS_RCX), 33u);
    CHECK_EQ(c.loads, 2);
    /* A write keeps the other registers as the vCPU has them. */
    c.regs[HS_RBX] = 0x55;
    hs_vcpu_set(&v, HS_RAX, 0x1234);
    CHECK_EQ(hs_vcpu_sync(&v), 0);
    CHECK_EQ(c.stores, 1);
    CHECK_EQ(c.regs[HS_RAX], 0x1234u);
    CHECK_EQ(c.regs[HS_RCX], 33u);
    CHECK_EQ(hs_vcpu_get(&v, HS_NREGS), 0u); /* out of range: 0, nothing else */
    CHECK_STR(hs_reg_name(HS_R8), "r8");
}

TEST(vcpu_failures_end_the_run)
{
    struct fake_cpu c = {.fail_load = 1};
    struct hs_vcpu v;
    hs_vcpu_init(&v, 0, &fake_ops, &c);
    CHECK_EQ(hs_vcpu_get(&v, HS_RAX), 0u);
    hs_vcpu_set(&v, HS_RAX, 1); /* nothing stored on top of unknown registers */
    CHECK_EQ(hs_vcpu_sync(&v), -1);
    CHECK_EQ(c.stores, 0);
    c.fail_load = 0;
    c.fail_store = 1;
    hs_vcpu_set(&v, HS_RAX, 1);
    CHECK_EQ(hs_vcpu_sync(&v), -1);
    c.fail_store = 0;
    CHECK_EQ(hs_vcpu_sync(&v), 0); /* the failure was reported once */
}

/* ---- a hypercall that traps with `out`: RCX control, RDX/R8 input ---- */
static int hypercalls;

static void hypercall_port(void *ctx, struct hs_vcpu *vcpu, uint64_t offset, const uint8_t *data,
                           unsigned size)
{
    (void)ctx;
    (void)offset;
    (void)data;
    (void)size;
    hypercalls++;
    uint64_t control = hs_vcpu_get(vcpu, HS_RCX);
    uint64_t in = hs_vcpu_get(vcpu, HS_RDX), out = hs_vcpu_get(vcpu, HS_R8);
    hs_vcpu_set(vcpu, HS_RAX, (control & 0xFFFF) == 0x5C && in && out ? 0 : 2);
}

TEST(io_handler_gets_the_vcpu)
{
    struct iobus pio = {0};
    CHECK_EQ(iobus_add(&pio, 0x500, 1, "hypercall", NULL, hypercall_port, NULL), 0);
    struct fake_cpu c = {0};
    c.regs[HS_RCX] = 0x5C;
    c.regs[HS_RDX] = 0x1000;
    c.regs[HS_R8] = 0x2000;
    c.regs[HS_RAX] = 0xFFFF;
    struct hs_vcpu v;
    hs_vcpu_init(&v, 0, &fake_ops, &c);
    uint8_t b = 0;
    CHECK(iobus_write(&pio, &v, 0x500, &b, 1));
    CHECK_EQ(hs_vcpu_sync(&v), 0);
    CHECK_EQ(hypercalls, 1);
    CHECK_EQ(c.regs[HS_RAX], 0u); /* HV_STATUS_SUCCESS */
    CHECK_EQ(c.loads, 1);
    CHECK_EQ(c.stores, 1);
    c.regs[HS_RCX] = 0x99;
    CHECK(iobus_write(&pio, &v, 0x500, &b, 1));
    CHECK_EQ(hs_vcpu_sync(&v), 0);
    CHECK_EQ(c.regs[HS_RAX], 2u);                /* HV_STATUS_INVALID_HYPERCALL_CODE */
    CHECK(!iobus_write(&pio, &v, 0x501, &b, 1)); /* unclaimed */
}

/* ---- the MSR bus ---- */
struct synic {
    uint64_t guest_os_id, hypercall;
    unsigned last_vcpu;
};

static int msr_read(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t *value)
{
    struct synic *s = ctx;
    s->last_vcpu = vcpu ? hs_vcpu_index(vcpu) : 99;
    if (msr == 0x40000000)
        *value = s->guest_os_id;
    else if (msr == 0x40000001)
        *value = s->hypercall;
    else
        return -1;
    return 0;
}

static int msr_write(void *ctx, struct hs_vcpu *vcpu, uint32_t msr, uint64_t value)
{
    struct synic *s = ctx;
    s->last_vcpu = vcpu ? hs_vcpu_index(vcpu) : 99;
    if (msr == 0x40000000) {
        s->guest_os_id = value;
        return 0;
    }
    /* HYPERCALL: Enable is ignored while the OS id is 0; reserved bits 11:2 #GP. */
    if (msr == 0x40000001 && (value & 0xFFC) == 0) {
        s->hypercall = s->guest_os_id ? value : (value & ~1ull);
        return 0;
    }
    return -1;
}

TEST(msr_bus_dispatch)
{
    struct msrbus bus = {0};
    struct synic s = {0};
    CHECK_EQ(msrbus_add(&bus, 0x40000000, 2, "hv", msr_read, msr_write, &s), 0);
    CHECK_EQ(msrbus_add(&bus, 0x40000080, 0x20, "synic", NULL, NULL, NULL), 0);
    struct fake_cpu c = {0};
    struct hs_vcpu v;
    hs_vcpu_init(&v, 1, &fake_ops, &c);
    uint64_t val = 7;
    CHECK_EQ(msrbus_write(&bus, &v, 0x40000001, 0x5001), MSRBUS_OK);
    CHECK_EQ(s.hypercall, 0x5000u); /* no OS id yet */
    CHECK_EQ(msrbus_write(&bus, &v, 0x40000000, 0x8100000000000000ull), MSRBUS_OK);
    CHECK_EQ(msrbus_write(&bus, &v, 0x40000001, 0x5001), MSRBUS_OK);
    CHECK_EQ(msrbus_read(&bus, &v, 0x40000001, &val), MSRBUS_OK);
    CHECK_EQ(val, 0x5001u);
    CHECK_EQ(s.last_vcpu, 1u);
    CHECK_EQ(msrbus_write(&bus, &v, 0x40000001, 0x5004), MSRBUS_FAULT); /* reserved bit */
    CHECK_EQ(msrbus_read(&bus, &v, 0x40000090, &val), MSRBUS_FAULT);    /* range without handler */
    CHECK_EQ(val, 0u);
    CHECK_EQ(msrbus_read(&bus, &v, 0x40000002, &val), MSRBUS_UNCLAIMED);
    CHECK_EQ(msrbus_write(&bus, &v, 0x3FFFFFFF, 1), MSRBUS_UNCLAIMED);
    CHECK_EQ(msrbus_read(&bus, &v, 0x400000A0, &val), MSRBUS_UNCLAIMED); /* just past */
    CHECK(msrbus_find(&bus, 0x4000009F) != NULL);
}

TEST(msr_bus_refuses_bad_ranges)
{
    struct msrbus bus = {0};
    CHECK_EQ(msrbus_add(&bus, 0x40000000, 0x100, "a", NULL, NULL, NULL), 0);
    CHECK_EQ(msrbus_add(&bus, 0x400000FF, 1, "overlap", NULL, NULL, NULL), -1);
    CHECK_EQ(msrbus_add(&bus, 0x3FFFFFFF, 2, "overlap", NULL, NULL, NULL), -1);
    CHECK_EQ(msrbus_add(&bus, 0x10, 0, "empty", NULL, NULL, NULL), -1);
    CHECK_EQ(msrbus_add(&bus, 0xFFFFFFFF, 2, "wraps", NULL, NULL, NULL), -1);
    CHECK_EQ(msrbus_add(&bus, 0xFFFFFFFF, 1, "last", NULL, NULL, NULL), 0);
    for (unsigned i = 2; i < MSRBUS_MAX_RANGES; i++)
        CHECK_EQ(msrbus_add(&bus, 0x1000 * i, 1, "more", NULL, NULL, NULL), 0);
    CHECK_EQ(msrbus_add(&bus, 0x100000, 1, "full", NULL, NULL, NULL), -1);
}

/* Intel SDM vol. 3A, 11.11.1-11.11.2. */
TEST(msi_message)
{
    struct msi_message m;
    CHECK_EQ(msi_compose(0, 0x40, &m), 0);
    CHECK_EQ(m.address_lo, 0xFEE00000u);
    CHECK_EQ(m.address_hi, 0u);
    CHECK_EQ(m.data, 0x40u);
    CHECK_EQ(msi_compose(3, 0xEF, &m), 0);
    CHECK_EQ(m.address_lo, 0xFEE03000u);
    CHECK_EQ(m.data, 0xEFu);
    CHECK_EQ(msi_compose(255, 16, &m), 0);
    CHECK_EQ(m.address_lo, 0xFEEFF000u);
    CHECK_EQ(msi_compose(256, 0x40, &m), -1);
    CHECK_EQ(msi_compose(0, 15, &m), -1);
    CHECK_EQ(msi_compose(0, 256, &m), -1);
}

TEST(assist_completes_only_int3_and_fwait)
{
    static const uint8_t int3[] = {0xCC}, fwait[] = {0x9B}, popcnt[] = {0xF3, 0x48, 0x0F, 0xB8};
    struct assist_decision d = assist_decide(int3, 1, 0x80050033);
    CHECK_EQ(d.action, ASSIST_INJECT_BP);
    CHECK_EQ(d.length, 1u);
    d = assist_decide(fwait, 1, 0x80050033);
    CHECK_EQ(d.action, ASSIST_SKIP);
    CHECK_EQ(assist_decide(fwait, 1, 0x80050033 | 0x8).action, ASSIST_NONE); /* TS: #NM */
    CHECK_EQ(assist_decide(fwait, 1, 0x80050033 | 0x4).action, ASSIST_NONE); /* EM */
    CHECK_EQ(assist_decide(int3, 1, 0x10).action, ASSIST_NONE);              /* real mode */
    CHECK_EQ(assist_decide(popcnt, 4, 0x80050033).action, ASSIST_NONE);
    CHECK_EQ(assist_decide(int3, 0, 0x80050033).action, ASSIST_NONE); /* unreadable */
}

UNIT_MAIN()
