/* hostsim's Hyper-V ACPI tables: see acpi.h. */
#include <string.h>

#include "hostsim/acpi/aml.h"
#include "hostsim/hyperv/acpi.h"
#include "hostsim/hyperv/layout.h"
#include "hostsim/hyperv/pm.h"

#define DSDT_MAX 1024
#define COM1_PORTS 8
#define MADT_PCAT_COMPAT 1u /* ACPI 6.5, 5.2.12 table 5.20 */

/* FADT "Hypervisor Vendor Identity": Hyper-V's value is not known here. */
static const char no_vendor[8] = {0};

static const struct acpi_ids hvm_ids = {
    .oem_id = {'V', 'R', 'T', 'U', 'A', 'L'},
    .oem_revision = 1,
    .creator_id = {'M', 'S', 'F', 'T'},
    .creator_revision = 0x01000013u,
};

static void com1(struct hs_aml *a)
{
    hs_aml_device(a, "\\_SB_.UAR1");
    hs_aml_name(a, "_HID");
    hs_aml_eisa_id(a, "PNP0501");
    hs_aml_name(a, "_UID");
    hs_aml_integer(a, 1);
    hs_aml_name(a, "_CRS");
    hs_aml_resources(a);
    hs_aml_rd_io(a, HVM_COM1_PORT, HVM_COM1_PORT, 1, COM1_PORTS);
    hs_aml_rd_irq_noflags(a, 1u << HVM_COM1_GSI);
    hs_aml_end(a);
    hs_aml_end(a);
}

/* The VMBus device proper: _HID, _UID 0, one edge interrupt. */
static void vmbus_body(struct hs_aml *a, const char *hid)
{
    hs_aml_name(a, "_HID");
    hs_aml_string(a, hid);
    hs_aml_name(a, "_UID");
    hs_aml_integer(a, 0);
    hs_aml_name(a, "_CRS");
    hs_aml_resources(a);
    hs_aml_rd_irq_noflags(a, 1u << HVM_VMBUS_GSI);
    hs_aml_end(a);
}

/* Name (\_S5_, Package () { SLP_TYPa, SLP_TYPb }): S5's value (pm.h). */
static void s5(struct hs_aml *a)
{
    hs_aml_name(a, "\\_S5_");
    hs_aml_package(a, 2);
    hs_aml_integer(a, HVM_S5_SLP_TYP);
    hs_aml_integer(a, HVM_S5_SLP_TYP);
    hs_aml_end(a);
}

/* An I/O-space Generic Address Structure (5.2.3.2) of `bits` at port. */
static void io_gas(uint8_t *gas, uint8_t bits, uint8_t access, uint64_t port)
{
    gas[0] = 1; /* system I/O */
    gas[1] = bits;
    gas[2] = 0;
    gas[3] = access;
    memcpy(gas + 4, &port, 8);
}

/* The FADT's SCI line and PM1a blocks (5.2.9 table 5.9: SCI_INT @46,
 * PM1a_EVT_BLK @56, PM1a_CNT_BLK @64, PM1_EVT_LEN @88, PM1_CNT_LEN @89,
 * X_PM1a_EVT_BLK @148 and X_PM1a_CNT_BLK @172 as GASes), then its checksum
 * again. */
static void fadt_pm1a(uint8_t *fadt)
{
    uint16_t sci = HVM_SCI_IRQ;
    memcpy(fadt + 46, &sci, 2);
    uint32_t evt = HVM_PM1A_EVT_PORT, port = HVM_PM1A_CNT_PORT;
    memcpy(fadt + 56, &evt, 4);
    memcpy(fadt + 64, &port, 4);
    fadt[88] = HVM_PM1_EVT_LEN;
    fadt[89] = HVM_PM1_CNT_LEN;
    io_gas(fadt + 148, 32, 3, evt);  /* dword access */
    io_gas(fadt + 172, 16, 2, port); /* word access */
    uint32_t len;
    memcpy(&len, fadt + 4, 4);
    fadt[9] = 0;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + fadt[i]);
    fadt[9] = (uint8_t)-sum;
}

size_t hvm_dsdt_build(unsigned gen, uint8_t *buf, size_t cap)
{
    if (gen != 1 && gen != 2)
        return 0;
    struct hs_aml a;
    hs_aml_init(&a, buf, cap);
    s5(&a);
    com1(&a);
    if (gen == 1) {
        hs_aml_device(&a, "\\_SB_.VMB8");
        vmbus_body(&a, "VMBus");
        hs_aml_end(&a);
    } else {
        hs_aml_device(&a, "\\_SB_.VMOD");
        hs_aml_name(&a, "_HID");
        hs_aml_string(&a, "ACPI0004");
        hs_aml_name(&a, "_UID");
        hs_aml_integer(&a, 0);
        hs_aml_name(&a, "_CRS");
        hs_aml_resources(&a);
        hs_aml_rd_memory32_fixed(&a, true, HVM_VMOD_MMIO_START, HVM_VMOD_MMIO_SIZE);
        hs_aml_end(&a);
        hs_aml_device(&a, "VMBS");
        vmbus_body(&a, "VMBUS");
        hs_aml_end(&a);
        hs_aml_end(&a);
    }
    return hs_aml_finish(&a);
}

int hvm_acpi_build(unsigned gen, unsigned ncpus, uint8_t *area, uint64_t area_gpa, size_t cap,
                   struct hvm_acpi *out)
{
    memset(out, 0, sizeof *out);
    if (cap < ACPI_RSDP_SIZE || ncpus == 0 || ncpus > 255)
        return -1;
    uint8_t dsdt[DSDT_MAX];
    size_t dsdt_len = hvm_dsdt_build(gen, dsdt, sizeof dsdt);
    if (dsdt_len == 0)
        return -1;
    /* The RSDP is 16-byte aligned at the start of the area (5.2.5.1). */
    struct hs_acpi_area a;
    hs_acpi_area_init(&a, area + ACPI_RSDP_SIZE + 12, area_gpa + ACPI_RSDP_SIZE + 12,
                      cap - ACPI_RSDP_SIZE - 12, &hvm_ids);
    out->dsdt = hs_acpi_add_dsdt(&a, "MSFTVM  ", dsdt, dsdt_len);
    out->fadt = out->dsdt ? hs_acpi_add_fadt(&a, "MSFTVM  ", 0, out->dsdt, 0, 0, no_vendor) : 0;
    out->madt = out->fadt
                    ? hs_acpi_add_madt(&a, "MSFTVM  ", HVM_LAPIC_ADDR,
                                       gen == 1 ? MADT_PCAT_COMPAT : 0, 0, HVM_IOAPIC_ADDR, ncpus)
                    : 0;
    if (out->fadt != 0)
        fadt_pm1a(area + (out->fadt - area_gpa));
    uint64_t listed[2] = {out->fadt, out->madt};
    out->xsdt = out->madt ? hs_acpi_add_xsdt(&a, "MSFTVM  ", listed, 2) : 0;
    if (out->xsdt == 0)
        return -1;
    hs_acpi_rsdp(area, hvm_ids.oem_id, out->xsdt);
    out->rsdp = area_gpa;
    out->used = ACPI_RSDP_SIZE + 12 + a.used;
    return 0;
}
