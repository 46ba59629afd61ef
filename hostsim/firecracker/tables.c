/* Firecracker's MP and ACPI tables: see tables.h. */
#include <string.h>

#include "hostsim/acpi/mptable.h"
#include "hostsim/firecracker/dsdt.h"
#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/tables.h"

#define CREATOR_REVISION 0x20240119u
#define DSDT_MAX 8192

static const struct acpi_ids fc_ids = {
    .oem_id = {'F', 'I', 'R', 'E', 'C', 'K'},
    .oem_revision = 0,
    .creator_id = {'F', 'C', 'A', 'T'},
    .creator_revision = CREATOR_REVISION,
};

int fc_tables_build(uint8_t *area, uint64_t area_gpa, size_t cap, unsigned ncpus, unsigned nvirtio,
                    struct fc_tables *out)
{
    memset(out, 0, sizeof *out);
    struct mptable_params mp = {
        .ncpus = ncpus,
        .ioapic_id = (uint8_t)(ncpus + 1),
        .ioapic_addr = FC_IOAPIC_ADDR,
        .lapic_addr = FC_LAPIC_ADDR,
        .nirqs = FC_GSI_LEGACY_END + 1,
        .oem = "FC",
        .product = "000000000000",
        .count_floating_pointer = true,
    };
    out->mptable_len = mptable_build(area, cap, (uint32_t)area_gpa, &mp);
    if (out->mptable_len == 0)
        return -1;

    static uint8_t dsdt[DSDT_MAX];
    size_t dsdt_len = fc_dsdt_build(nvirtio, dsdt, sizeof dsdt);
    if (dsdt_len == 0)
        return -1;
    struct hs_acpi_area a;
    hs_acpi_area_init(&a, area + out->mptable_len, area_gpa + out->mptable_len,
                      cap - out->mptable_len, &fc_ids);
    out->dsdt = hs_acpi_add_dsdt(&a, "FCVMDSDT", dsdt, dsdt_len);
    out->fadt =
        out->dsdt ? hs_acpi_add_fadt(&a, "FCVMFADT", 5, out->dsdt,
                                     FADT_F_HW_REDUCED_ACPI | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON,
                                     FADT_IAPC_VGA_NOT_PRESENT, "FIRECKVM")
                  : 0;
    out->madt = out->fadt ? hs_acpi_add_madt(&a, "FCVMMADT", FC_LAPIC_ADDR, 0 /* no PC-AT 8259s */,
                                             0, FC_IOAPIC_ADDR, ncpus)
                          : 0;
    out->mcfg = out->madt ? hs_acpi_add_mcfg(&a, "FCMVMCFG", FC_PCI_MMCONFIG_START, 0, 0, 0) : 0;
    uint64_t listed[3] = {out->fadt, out->madt, out->mcfg};
    out->xsdt = out->mcfg ? hs_acpi_add_xsdt(&a, "FCMVXSDT", listed, 3) : 0;
    if (out->xsdt == 0)
        return -1;
    out->used = out->mptable_len + a.used;
    hs_acpi_rsdp(out->rsdp, fc_ids.oem_id, out->xsdt);
    return 0;
}
