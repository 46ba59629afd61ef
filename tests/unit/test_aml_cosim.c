/* Both sides of the DSDT, written independently: hostsim's AML writer builds
 * Firecracker's DSDT (hostsim/firecracker/dsdt.c, after Firecracker's
 * src/vmm/src/acpi/mod.rs build_dsdt) and the kernel's AML reader
 * (core/aml.h) finds its devices. A layout mistake on either side (a
 * PkgLength, a resource descriptor, the EISA ID encoding) fails here. */
#include <stdint.h>

#include "core/aml.h"
#include "hostsim/firecracker/dsdt.h"
#include "tests/unit/unit.h"

#define MAX_FOUND 24

static struct aml_device found[MAX_FOUND];
static unsigned nfound;

static void keep(const struct aml_device *d, void *ctx)
{
    (void)ctx;
    if (nfound < MAX_FOUND)
        found[nfound++] = *d;
}

static unsigned find(const uint8_t *aml, size_t len, const char *id)
{
    nfound = 0;
    memset(found, 0, sizeof found);
    return aml_find_devices(aml, len, "DSDT", "test", id, keep, NULL);
}

static uint8_t dsdt[8192];

TEST(virtio_windows_and_interrupts)
{
    /* Firecracker: one 4 KiB window per device from 0xC0001000, GSI 5 up,
     * edge-triggered and active high (device_manager/mmio.rs). */
    for (unsigned n = 0; n <= 19; n++) {
        size_t len = fc_dsdt_build(n, dsdt, sizeof dsdt);
        CHECK(len > 0);
        CHECK_EQ(find(dsdt, len, "LNRO0005"), n);
        for (unsigned i = 0; i < n; i++) {
            char name[5];
            snprintf(name, sizeof name, "V%03u", i);
            CHECK_STR(found[i].name, name);
            CHECK_EQ(found[i].res.nmem, 1u);
            CHECK_EQ(found[i].res.mem[0].base, 0xC0001000ull + 0x1000ull * i);
            CHECK_EQ(found[i].res.mem[0].size, 0x1000u);
            CHECK_EQ(found[i].res.nirq, 1u);
            CHECK_EQ(found[i].res.irq[0].number, 5u + i);
            CHECK(!found[i].res.irq[0].level && !found[i].res.irq[0].active_low);
            CHECK_EQ(found[i].res.nio, 0u);
        }
    }
    CHECK(!LOG_CONTAINS("skipped"));
}

TEST(com1_and_the_i8042)
{
    size_t len = fc_dsdt_build(2, dsdt, sizeof dsdt);
    CHECK(len > 0);
    /* COM1: EisaId ("PNP0501"), IO 0x3F8 (8 ports), Interrupt {4}. */
    CHECK_EQ(find(dsdt, len, "PNP0501"), 1u);
    CHECK_STR(found[0].name, "COM1");
    CHECK_EQ(found[0].res.nio, 1u);
    CHECK_EQ(found[0].res.io[0].base, 0x3f8);
    CHECK_EQ(found[0].res.io[0].size, 8);
    CHECK_EQ(found[0].res.nirq, 1u);
    CHECK_EQ(found[0].res.irq[0].number, 4u);
    /* The i8042: its _STA is a method (Return (0x0F)), which the reader
     * does not run: present unless a constant says otherwise. */
    CHECK_EQ(find(dsdt, len, "PNP0303"), 1u);
    CHECK_STR(found[0].name, "PS2_");
    CHECK_EQ(found[0].res.nio, 2u);
    CHECK_EQ(found[0].res.io[0].base, 0x60);
    CHECK_EQ(found[0].res.io[1].base, 0x64);
    CHECK_EQ(found[0].res.io[0].size, 1);
    CHECK_EQ(found[0].res.nirq, 1u);
    CHECK_EQ(found[0].res.irq[0].number, 1u);
    /* Nothing else is declared. */
    CHECK_EQ(find(dsdt, len, "VMBUS"), 0u);
    CHECK_EQ(find(dsdt, len, "ACPI0013"), 0u);
}

TEST(too_small_a_buffer_is_refused)
{
    size_t full = fc_dsdt_build(3, dsdt, sizeof dsdt);
    CHECK(full > 0);
    CHECK_EQ(fc_dsdt_build(3, dsdt, full - 1), 0u);
    CHECK_EQ(fc_dsdt_build(3, dsdt, full), full);
}

UNIT_MAIN();
