/* The static ACPI table writers: see tables.h. */
#include <string.h>

#include "hostsim/acpi/bytes.h"
#include "hostsim/acpi/tables.h"

#define MCFG_SIZE 60
#define MADT_IOAPIC_SIZE 12
#define MADT_LAPIC_SIZE 8

void hs_acpi_area_init(struct hs_acpi_area *a, uint8_t *base, uint64_t gpa, size_t cap,
                       const struct acpi_ids *ids)
{
    *a = (struct hs_acpi_area){.base = base, .gpa = gpa, .cap = cap, .ids = ids};
}

static uint8_t *take(struct hs_acpi_area *a, size_t n, uint64_t *gpa)
{
    if (n > a->cap - a->used)
        return NULL;
    uint8_t *p = a->base + a->used;
    *gpa = a->gpa + a->used;
    a->used += n;
    memset(p, 0, n);
    return p;
}

/* 5.2.6: signature, length, revision, checksum (9), OEM id, OEM table id,
 * OEM revision, creator id, creator revision. */
static uint8_t *begin(struct hs_acpi_area *a, const char sig[4], size_t len, uint8_t rev,
                      const char table_id[8], uint64_t *gpa)
{
    if (len > UINT32_MAX)
        return NULL;
    uint8_t *t = take(a, len, gpa);
    if (t == NULL)
        return NULL;
    memcpy(t, sig, 4);
    hs_put32(t + 4, (uint32_t)len);
    t[8] = rev;
    memcpy(t + 10, a->ids->oem_id, 6);
    memcpy(t + 16, table_id, 8);
    hs_put32(t + 24, a->ids->oem_revision);
    memcpy(t + 28, a->ids->creator_id, 4);
    hs_put32(t + 32, a->ids->creator_revision);
    return t;
}

static void finish(uint8_t *t)
{
    uint32_t len;
    memcpy(&len, t + 4, 4);
    t[9] = 0;
    t[9] = hs_checksum8(t, len);
}

uint64_t hs_acpi_add_dsdt(struct hs_acpi_area *a, const char table_id[8], const uint8_t *aml,
                          size_t hs_aml_len)
{
    uint64_t gpa;
    uint8_t *t = begin(a, "DSDT", ACPI_SDT_HEADER_SIZE + hs_aml_len, 2, table_id, &gpa);
    if (t == NULL)
        return 0;
    if (hs_aml_len)
        memcpy(t + ACPI_SDT_HEADER_SIZE, aml, hs_aml_len);
    finish(t);
    return gpa;
}

uint64_t hs_acpi_add_fadt(struct hs_acpi_area *a, const char table_id[8], uint8_t minor,
                          uint64_t dsdt, uint32_t flags, uint16_t iapc_boot_arch,
                          const char vendor[8])
{
    uint64_t gpa;
    uint8_t *t = begin(a, "FACP", ACPI_FADT_SIZE, 6, table_id, &gpa);
    if (t == NULL)
        return 0;
    hs_put16(t + 109, iapc_boot_arch);
    hs_put32(t + 112, flags);
    t[131] = minor;
    hs_put64(t + 140, dsdt); /* X_DSDT */
    memcpy(t + 268, vendor, 8);
    finish(t);
    return gpa;
}

uint64_t hs_acpi_add_madt(struct hs_acpi_area *a, const char table_id[8], uint32_t lapic_addr,
                          uint32_t flags, uint8_t ioapic_id, uint32_t ioapic_addr, unsigned ncpus)
{
    if (ncpus == 0 || ncpus > 255)
        return 0;
    uint64_t gpa;
    size_t len = ACPI_SDT_HEADER_SIZE + 8 + MADT_IOAPIC_SIZE + MADT_LAPIC_SIZE * (size_t)ncpus;
    uint8_t *t = begin(a, "APIC", len, 6, table_id, &gpa);
    if (t == NULL)
        return 0;
    hs_put32(t + 36, lapic_addr);
    hs_put32(t + 40, flags);
    uint8_t *e = t + 44;
    e[0] = 1; /* I/O APIC structure (5.2.12.3) */
    e[1] = MADT_IOAPIC_SIZE;
    e[2] = ioapic_id;
    hs_put32(e + 4, ioapic_addr);
    hs_put32(e + 8, 0); /* GSI base */
    e += MADT_IOAPIC_SIZE;
    for (unsigned i = 0; i < ncpus; i++, e += MADT_LAPIC_SIZE) {
        e[0] = 0; /* processor local APIC (5.2.12.2) */
        e[1] = MADT_LAPIC_SIZE;
        e[2] = (uint8_t)i;  /* ACPI processor UID */
        e[3] = (uint8_t)i;  /* APIC id */
        hs_put32(e + 4, 1); /* enabled */
    }
    finish(t);
    return gpa;
}

uint64_t hs_acpi_add_mcfg(struct hs_acpi_area *a, const char table_id[8], uint64_t ecam,
                          uint16_t segment, uint8_t bus_start, uint8_t bus_end)
{
    uint64_t gpa;
    uint8_t *t = begin(a, "MCFG", MCFG_SIZE, 1, table_id, &gpa);
    if (t == NULL)
        return 0;
    /* 8 reserved bytes, then one allocation: base, segment, start and end bus. */
    hs_put64(t + 44, ecam);
    hs_put16(t + 52, segment);
    t[54] = bus_start;
    t[55] = bus_end;
    finish(t);
    return gpa;
}

uint64_t hs_acpi_add_xsdt(struct hs_acpi_area *a, const char table_id[8], const uint64_t *tables,
                          unsigned n)
{
    uint64_t gpa;
    uint8_t *t = begin(a, "XSDT", ACPI_SDT_HEADER_SIZE + 8 * (size_t)n, 1, table_id, &gpa);
    if (t == NULL)
        return 0;
    for (unsigned i = 0; i < n; i++)
        hs_put64(t + ACPI_SDT_HEADER_SIZE + 8 * i, tables[i]);
    finish(t);
    return gpa;
}

void hs_acpi_rsdp(uint8_t out[ACPI_RSDP_SIZE], const char oem_id[6], uint64_t xsdt)
{
    /* 5.2.5.3: the first checksum covers 20 bytes, the extended one all 36. */
    memset(out, 0, ACPI_RSDP_SIZE);
    memcpy(out, "RSD PTR ", 8);
    memcpy(out + 9, oem_id, 6);
    out[15] = 2;
    hs_put32(out + 16, 0); /* no RSDT */
    hs_put32(out + 20, ACPI_RSDP_SIZE);
    hs_put64(out + 24, xsdt);
    out[8] = hs_checksum8(out, 20);
    out[32] = hs_checksum8(out, ACPI_RSDP_SIZE);
}
