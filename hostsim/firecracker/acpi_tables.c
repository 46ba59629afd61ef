#include <string.h>

#include "hostsim/firecracker/acpi_tables.h"
#include "hostsim/firecracker/layout.h"

#define SDT_HEADER_SIZE 36
#define FADT_SIZE 276
#define MCFG_SIZE 60
#define MADT_IOAPIC_SIZE 12
#define MADT_LAPIC_SIZE 8
#define FADT_F_PWR_BUTTON (1u << 4)
#define FADT_F_SLP_BUTTON (1u << 5)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)
#define IAPC_VGA_NOT_PRESENT (1u << 2)
#define CREATOR_REVISION 0x20240119u

/* A bump allocator over the area, as Firecracker's FirstMatch allocation of
 * the system memory with alignment 1 behaves when nothing is freed. */
struct area {
    uint8_t *base;
    uint64_t gpa;
    size_t cap, used;
};

static uint8_t *take(struct area *a, size_t n, uint64_t *gpa)
{
    if (n > a->cap - a->used)
        return NULL;
    uint8_t *p = a->base + a->used;
    *gpa = a->gpa + a->used;
    a->used += n;
    memset(p, 0, n);
    return p;
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    while (n--)
        sum += *p++;
    return (uint8_t)(0 - sum);
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "FIRECK", 6);
    memcpy(t + 16, table_id, 8);
    put32(t + 24, 0); /* OEM revision */
    memcpy(t + 28, "FCAT", 4);
    put32(t + 32, CREATOR_REVISION);
}

static void sdt_checksum(uint8_t *t, uint32_t len)
{
    t[9] = 0;
    t[9] = checksum(t, len);
}

int fc_acpi_build(uint8_t *buf, uint64_t area_gpa, size_t cap, unsigned ncpus,
                  const uint8_t *dsdt_body, size_t dsdt_body_len, struct fc_acpi_out *out)
{
    struct area a = {.base = buf, .gpa = area_gpa, .cap = cap};
    memset(out, 0, sizeof *out);
    if (ncpus == 0 || ncpus > 255 || dsdt_body_len > UINT32_MAX - SDT_HEADER_SIZE)
        return -1;

    uint32_t len = (uint32_t)(SDT_HEADER_SIZE + dsdt_body_len);
    uint8_t *t = take(&a, len, &out->dsdt);
    if (t == NULL)
        return -1;
    sdt_header(t, "DSDT", len, 2, "FCVMDSDT");
    if (dsdt_body_len)
        memcpy(t + SDT_HEADER_SIZE, dsdt_body, dsdt_body_len);
    sdt_checksum(t, len);

    if ((t = take(&a, FADT_SIZE, &out->fadt)) == NULL)
        return -1;
    sdt_header(t, "FACP", FADT_SIZE, 6, "FCVMFADT");
    put16(t + 109, IAPC_VGA_NOT_PRESENT); /* IAPC_BOOT_ARCH */
    put32(t + 112, FADT_F_HW_REDUCED_ACPI | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON);
    t[131] = 5;                     /* FADT minor version: 6.5 */
    put64(t + 140, out->dsdt);      /* X_DSDT */
    memcpy(t + 268, "FIRECKVM", 8); /* hypervisor vendor identity */
    sdt_checksum(t, FADT_SIZE);

    len = SDT_HEADER_SIZE + 8 + MADT_IOAPIC_SIZE + MADT_LAPIC_SIZE * ncpus;
    if ((t = take(&a, len, &out->madt)) == NULL)
        return -1;
    sdt_header(t, "APIC", len, 6, "FCVMMADT");
    put32(t + 36, FC_LAPIC_ADDR);
    put32(t + 40, 0); /* flags: no PC-AT dual 8259 declared */
    uint8_t *e = t + 44;
    e[0] = 1; /* I/O APIC */
    e[1] = MADT_IOAPIC_SIZE;
    e[2] = 0; /* IOAPIC id 0 (the MP table says vCPUs+1) */
    put32(e + 4, FC_IOAPIC_ADDR);
    put32(e + 8, 0); /* GSI base */
    e += MADT_IOAPIC_SIZE;
    for (unsigned i = 0; i < ncpus; i++, e += MADT_LAPIC_SIZE) {
        e[0] = 0; /* processor local APIC */
        e[1] = MADT_LAPIC_SIZE;
        e[2] = (uint8_t)i; /* ACPI processor UID */
        e[3] = (uint8_t)i; /* APIC id */
        put32(e + 4, 1);   /* enabled */
    }
    sdt_checksum(t, len);

    if ((t = take(&a, MCFG_SIZE, &out->mcfg)) == NULL)
        return -1;
    sdt_header(t, "MCFG", MCFG_SIZE, 1, "FCMVMCFG");
    put64(t + 44, FC_PCI_MMCONFIG_START); /* after 8 reserved bytes */
    /* segment 0, start bus 0, end bus 0 */
    sdt_checksum(t, MCFG_SIZE);

    len = SDT_HEADER_SIZE + 3 * 8;
    if ((t = take(&a, len, &out->xsdt)) == NULL)
        return -1;
    sdt_header(t, "XSDT", len, 1, "FCMVXSDT");
    put64(t + 36, out->fadt);
    put64(t + 44, out->madt);
    put64(t + 52, out->mcfg);
    sdt_checksum(t, len);
    out->used = a.used;

    /* RSDP 2.0: first checksum over 20 bytes, extended over all 36. */
    uint8_t *r = out->rsdp;
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "FIRECK", 6);
    r[15] = 2;
    put32(r + 16, 0); /* no RSDT */
    put32(r + 20, FC_RSDP_SIZE);
    put64(r + 24, out->xsdt);
    r[8] = checksum(r, 20);
    r[32] = checksum(r, FC_RSDP_SIZE);
    return 0;
}
