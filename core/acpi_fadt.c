/* The FADT (ACPI 6.5, 5.2.9): power-management registers, reset register,
 * flags, and the DSDT it names, with its \_S5_ sleep type (read by the one
 * AML reader, core/aml.c). Pure logic. */
#include <stdbool.h>
#include <stdint.h>

#include "core/acpi_table.h"
#include "core/aml.h"
#include "core/log.h"
#include "core/unaligned.h"

#define FADT_V1_LEN 116 /* ACPI 1.0 FADT, up to Flags */

int acpi_scan_s5(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out)
{
    uint8_t a, b;
    const char *why;
    size_t at;
    int rc = aml_find_s5(t + ACPI_HDR_LEN, len - ACPI_HDR_LEN, &a, &b, &why, &at);
    if (rc < 0) {
        char sig[5];
        acpi_sig_text(sig, t);
        kprintf("ACPI: %s at 0x%llx: the \\_S5_ package at offset %zu %s\n", sig,
                (unsigned long long)addr, at + ACPI_HDR_LEN, why);
        return -1;
    }
    if (rc > 0) {
        out->have_s5 = true;
        out->s5_slp_typa = a;
        out->s5_slp_typb = b;
    }
    return rc;
}

/* ---- FADT (5.2.9) ---- */

static struct acpi_gas read_gas(const uint8_t *p)
{
    struct acpi_gas g = {.space = p[0], .bit_width = p[1], .address = rd64(p + 4)};
    return g;
}

/* X_PM1x_CNT_BLK wins over the 32-bit field when non-zero (5.2.9); only a
 * system-I/O register can be expressed as a port. */
static uint32_t pm1_port(uint32_t legacy, const uint8_t *xgas, const char *name, uint64_t addr)
{
    struct acpi_gas g = read_gas(xgas);
    if (g.address == 0)
        return legacy;
    if (g.space == 1 && g.address <= 0xFFFF)
        return (uint32_t)g.address;
    kprintf("ACPI: FACP at 0x%llx: X_%s (space %u, address 0x%llx) is not an I/O port; "
            "using %s 0x%x\n",
            (unsigned long long)addr, name, g.space, (unsigned long long)g.address, name, legacy);
    return legacy;
}

static void use_dsdt(const struct phys_window *w, uint64_t x_dsdt, uint32_t dsdt32,
                     struct acpi_info *out)
{
    uint64_t cand[2] = {x_dsdt, dsdt32};
    for (int i = 0; i < 2; i++) {
        if (cand[i] == 0 || (i == 1 && cand[1] == cand[0]))
            continue;
        uint32_t len;
        const uint8_t *t = acpi_map_table(w, cand[i], "DSDT", true, &len);
        if (t == NULL) {
            out->tables_rejected++;
            continue;
        }
        out->dsdt = cand[i];
        out->dsdt_length = len;
        if (acpi_scan_s5(t, len, cand[i], out) < 0)
            out->tables_rejected++;
        return;
    }
}

bool acpi_parse_fadt(const struct phys_window *w, const uint8_t *t, uint32_t len, uint64_t addr,
                     struct acpi_info *out)
{
    if (len < FADT_V1_LEN) {
        kprintf("ACPI: FACP at 0x%llx: length %u shorter than the ACPI 1.0 FADT (%u); "
                "skipped\n",
                (unsigned long long)addr, len, FADT_V1_LEN);
        return false;
    }
    out->have_fadt = true;
    out->fadt_revision = t[8];
    out->smi_cmd_port = rd32(t + 48);
    out->acpi_enable_value = t[52];
    out->pm1a_cnt_port = rd32(t + 64);
    out->pm1b_cnt_port = rd32(t + 68);
    out->rtc_century_index = t[108]; /* CENTURY: the CMOS register, 0 = none (5.2.9) */
    /* IAPC_BOOT_ARCH was reserved before ACPI 2.0 (FADT revision 3). */
    if (out->fadt_revision >= 3)
        out->iapc_boot_arch = rd16(t + 109);
    uint32_t flags = rd32(t + 112);
    out->reset_supported = (flags & (1u << 10)) != 0;
    out->hw_reduced = (flags & (1u << 20)) != 0;
    if (len >= 129) {
        out->reset_reg = read_gas(t + 116);
        out->reset_value = t[128];
    }
    uint64_t x_dsdt = len >= 148 ? rd64(t + 140) : 0;
    if (len >= 184)
        out->pm1a_cnt_port = pm1_port(out->pm1a_cnt_port, t + 172, "PM1a_CNT_BLK", addr);
    if (len >= 196)
        out->pm1b_cnt_port = pm1_port(out->pm1b_cnt_port, t + 184, "PM1b_CNT_BLK", addr);
    if (len >= 256)
        out->sleep_control = read_gas(t + 244);
    use_dsdt(w, x_dsdt, rd32(t + 40), out);
    return true;
}
