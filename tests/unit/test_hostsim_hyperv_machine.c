/* hostsim's Hyper-V machine without KVM: the CPUID leaves a Hyper-V guest
 * sees (hostsim/hyperv/cpuid.c) against the TLFS "Feature Discovery" values
 * ("Microsoft Hv" in 0x40000000 EBX:ECX:EDX, "Hv#1" in 0x40000001 EAX, the
 * HV_PARTITION_PRIVILEGE_MASK bits of datatypes/hv_partition_privilege_mask
 * .md), the edit that replaces KVM's leaves, and the ACPI tables
 * (hostsim/hyperv/acpi.c): the VMBus device's AML byte for byte, checksums,
 * links, the MADT's PCAT_COMPAT flag per generation, and the ACPI S5
 * power-off (FADT PM1a_CNT_BLK, \_S5_, the register's write).
 * Links: hostsim/hyperv/{cpuid,acpi,pm}.c *        hostsim/acpi/{aml,tables}.c */
#include <stdint.h>
#include <string.h>

#include "tests/unit/unit.h"

#include "hostsim/hyperv/acpi.h"
#include "hostsim/hyperv/cpuid.h"
#include "hostsim/hyperv/pm.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static const uint8_t *find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

TEST(cpuid_leaves_as_the_tlfs_defines)
{
    struct hvhost_cpuid_params p = {.ncpus = 2, .phys_bits = 46};
    struct hvhost_cpuid_leaf l[HVHOST_CPUID_NLEAVES];
    hvhost_cpuid_leaves(&p, l);
    for (unsigned i = 0; i < HVHOST_CPUID_NLEAVES; i++)
        CHECK_EQ(l[i].function, 0x40000000u + i);
    CHECK_EQ(l[0].eax, 0x4000000Au);
    char vendor[13] = {0};
    memcpy(vendor, &l[0].ebx, 4);
    memcpy(vendor + 4, &l[0].ecx, 4);
    memcpy(vendor + 8, &l[0].edx, 4);
    CHECK_STR(vendor, "Microsoft Hv");
    CHECK(memcmp(&l[1].eax, "Hv#1", 4) == 0);
    /* Privileges: TIME_REF_COUNT 1, SynIC 2, hypercall 5, VP_INDEX 6,
     * reference TSC 9, frequency 11; no synthetic timers (3). */
    CHECK_EQ(l[3].eax, 0x00000A66u);
    CHECK_EQ(l[3].ebx, 0x30u);   /* PostMessages 4, SignalEvents 5 */
    CHECK_EQ(l[3].edx, 0x100u);  /* frequency MSRs available */
    CHECK_EQ(l[4].eax, 1u << 9); /* AutoEOI deprecated */
    CHECK_EQ(l[4].ebx, 0xFFFFFFFFu);
    CHECK_EQ(l[4].ecx, 46u);
    CHECK_EQ(l[5].ebx, 2u);
    for (unsigned i = 6; i < HVHOST_CPUID_NLEAVES; i++)
        CHECK(l[i].eax == 0 && l[i].ebx == 0 && l[i].ecx == 0 && l[i].edx == 0);
}

TEST(cpuid_edit_replaces_kvm_leaves)
{
    struct kvm_cpuid_entry2 e[40];
    memset(e, 0, sizeof e);
    unsigned n = 0;
    e[n++] = (struct kvm_cpuid_entry2){.function = 0, .eax = 0xD};
    e[n++] = (struct kvm_cpuid_entry2){.function = 1};
    e[n++] = (struct kvm_cpuid_entry2){.function = 0x40000000,
                                       .eax = 0x40000001,
                                       .ebx = 0x4B4D564B,
                                       .ecx = 0x564B4D56,
                                       .edx = 0x4D};
    e[n++] = (struct kvm_cpuid_entry2){.function = 0x40000001, .eax = 0x01007AFB};
    e[n++] = (struct kvm_cpuid_entry2){.function = 0x80000008, .eax = 0x3027};
    struct hvhost_cpuid_params p = {.ncpus = 1};
    hvhost_cpuid_replace(&p, e, &n, 40);
    CHECK_EQ(n, 3u + HVHOST_CPUID_NLEAVES);
    unsigned hv = 0;
    for (unsigned i = 0; i < n; i++) {
        if (e[i].function == 0x40000000) {
            CHECK_EQ(e[i].ebx, 0x7263694Du);
            hv++;
        }
        if (e[i].function == 0x40000001)
            CHECK_EQ(e[i].eax, 0x31237648u);
        if (e[i].function == 0x40000004)
            CHECK_EQ(e[i].ecx, 0x27u); /* from 0x80000008 EAX 7:0 */
    }
    CHECK_EQ(hv, 1u);
}

/* Device (\_SB_.VMB8) { Name (_HID, "VMBus") Name (_UID, Zero)
 *   Name (_CRS, ResourceTemplate () { IRQNoFlags () { 5 } }) }
 * ACPI 6.5: DeviceOp 5B 82 (20.2.5.2), RootChar 5C + DualNamePrefix 2E,
 * NameOp 08, StringPrefix 0D, ZeroOp 00, BufferOp 11 with BufferSize 0A 05,
 * IRQ descriptor without flags 22 mask16 (6.4.2.1), End Tag 79 00. */
static const uint8_t gen1_vmbus[] = {
    0x5B, 0x82, 0x2B, 0x5C, 0x2E, '_',  'S',  'B',  '_',  'V',  'M',  'B',  '8', /* */
    0x08, '_',  'H',  'I',  'D',  0x0D, 'V',  'M',  'B',  'u',  's',  0x00,      /* */
    0x08, '_',  'U',  'I',  'D',  0x00,                                          /* */
    0x08, '_',  'C',  'R',  'S',  0x11, 0x08, 0x0A, 0x05, 0x22, 0x20, 0x00, 0x79, 0x00,
};

/* Device (VMBS) inside \_SB_.VMOD, the same body with "VMBUS". */
static const uint8_t gen2_vmbs[] = {
    0x5B, 0x82, 0x25, 'V', 'M', 'B',  'S',                                /* */
    0x08, '_',  'H',  'I', 'D', 0x0D, 'V',  'M',  'B',  'U',  'S',  0x00, /* */
    0x08, '_',  'U',  'I', 'D', 0x00,                                     /* */
    0x08, '_',  'C',  'R', 'S', 0x11, 0x08, 0x0A, 0x05, 0x22, 0x20, 0x00, 0x79, 0x00,
};

TEST(dsdt_vmbus_device_per_generation)
{
    uint8_t buf[1024];
    size_t n = hvm_dsdt_build(1, buf, sizeof buf);
    CHECK(n > 0);
    CHECK(find(buf, n, gen1_vmbus, sizeof gen1_vmbus) != NULL);
    CHECK(find(buf, n, (const uint8_t *)"ACPI0004", 8) == NULL);
    n = hvm_dsdt_build(2, buf, sizeof buf);
    CHECK(n > 0);
    CHECK(find(buf, n, gen2_vmbs, sizeof gen2_vmbs) != NULL);
    /* VMBS is the last object inside VMOD, whose _HID is ACPI0004. */
    const uint8_t *vmod = find(buf, n, (const uint8_t *)"VMOD", 4);
    CHECK(vmod != NULL);
    CHECK(find(vmod, n - (size_t)(vmod - buf),
               (const uint8_t *)"\x0D"
                                "ACPI0004",
               9) != NULL);
    CHECK(find(buf, n, (const uint8_t *)"VMBus", 5) == NULL);
    /* Both have COM1 (PNP0501 = 41 D0 05 01 as an EISA id). */
    CHECK(find(buf, n, (const uint8_t *)"\x0C\x41\xD0\x05\x01", 5) != NULL);
    CHECK_EQ(hvm_dsdt_build(3, buf, sizeof buf), 0u);
    CHECK_EQ(hvm_dsdt_build(2, buf, 40), 0u);
}

static uint8_t area[0x10000];

static const uint8_t *at(uint64_t gpa)
{
    return area + (gpa - 0xE0000);
}

TEST(tables_linked_checksummed_and_pcat_per_generation)
{
    for (unsigned gen = 1; gen <= 2; gen++) {
        memset(area, 0, sizeof area);
        struct hvm_acpi t;
        CHECK_EQ(hvm_acpi_build(gen, 3, area, 0xE0000, sizeof area, &t), 0);
        CHECK_EQ(t.rsdp, 0xE0000u);
        CHECK(memcmp(area, "RSD PTR ", 8) == 0);
        CHECK_EQ(sum(area, 20), 0);
        CHECK_EQ(sum(area, 36), 0);
        CHECK_EQ(le64(area + 24), t.xsdt);
        CHECK_EQ(t.dsdt % 16, 0u);
        const uint64_t tables[] = {t.dsdt, t.fadt, t.madt, t.xsdt};
        static const char *const sigs[] = {"DSDT", "FACP", "APIC", "XSDT"};
        for (unsigned i = 0; i < 4; i++) {
            const uint8_t *p = at(tables[i]);
            CHECK(memcmp(p, sigs[i], 4) == 0);
            CHECK_EQ(sum(p, le32(p + 4)), 0);
            CHECK(memcmp(p + 10, "VRTUAL", 6) == 0);
        }
        const uint8_t *fadt = at(t.fadt);
        CHECK_EQ(le64(fadt + 140), t.dsdt);
        CHECK_EQ(le32(fadt + 112) & (1u << 20), 0u); /* not hardware-reduced */
        const uint8_t *madt = at(t.madt);
        CHECK_EQ(le32(madt + 40), gen == 1 ? 1u : 0u); /* PCAT_COMPAT */
        CHECK_EQ(le32(madt + 4), 36u + 8 + 12 + 3 * 8);
        /* PM1a_CNT_BLK 0x404, 2 bytes, and X_PM1a_CNT_BLK as an I/O GAS. */
        CHECK_EQ(le32(fadt + 64), 0x404u);
        CHECK_EQ(fadt[89], 2);
        static const uint8_t gas[12] = {1, 16, 0, 2, 0x04, 0x04, 0, 0, 0, 0, 0, 0};
        CHECK(memcmp(fadt + 172, gas, 12) == 0);
        /* The PM1a event block Linux needs for its fixed events: 0x400, 4
         * bytes, as an I/O GAS of 32 bits; the SCI on IRQ 9. */
        CHECK_EQ(le32(fadt + 56), 0x400u);
        CHECK_EQ(fadt[88], 4);
        static const uint8_t evt[12] = {1, 32, 0, 3, 0x00, 0x04, 0, 0, 0, 0, 0, 0};
        CHECK(memcmp(fadt + 148, evt, 12) == 0);
        CHECK_EQ(fadt[46] | fadt[47] << 8, 9);
        const uint8_t *xsdt = at(t.xsdt);
        CHECK_EQ(le64(xsdt + 36), t.fadt);
        CHECK_EQ(le64(xsdt + 44), t.madt);
    }
    struct hvm_acpi t;
    CHECK_EQ(hvm_acpi_build(1, 1, area, 0xE0000, 100, &t), -1);
    CHECK_EQ(hvm_acpi_build(1, 0, area, 0xE0000, sizeof area, &t), -1);
}

/* Name (\_S5_, Package (2) { Zero, Zero }): NameOp 08, RootChar 5C,
 * PackageOp 12, PkgLength 4, NumElements 2, ZeroOp 00 twice. */
static const uint8_t s5_package[] = {0x08, 0x5C, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00};

TEST(s5_power_off)
{
    uint8_t buf[1024];
    for (unsigned gen = 1; gen <= 2; gen++) {
        size_t n = hvm_dsdt_build(gen, buf, sizeof buf);
        CHECK(find(buf, n, s5_package, sizeof s5_package) != NULL);
    }
    struct vm_stop stop;
    memset(&stop, 0, sizeof stop);
    struct hvm_pm pm = {.stop = &stop};
    hvm_pm_write(&pm, 1u << 10 | 1u << 13); /* SLP_TYP 1 (not offered) */
    CHECK(!vm_stop_requested(&stop));
    hvm_pm_write(&pm, 0); /* SLP_TYP 0 without SLP_EN */
    CHECK(!vm_stop_requested(&stop));
    hvm_pm_write(&pm, 1u << 13); /* S5 */
    CHECK(vm_stop_requested(&stop));
    CHECK_EQ(stop.status, 0);
}

UNIT_MAIN()
