/* ACPI table discovery and parsing (ACPI 6.5, chapter 5; PCI Firmware 3.3,
 * 4.1.2 for MCFG). Pure logic: every table is read through the physical
 * window, its length and checksum are checked before any field is used, and a
 * malformed table is reported and skipped. See core/acpi.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/acpi.h"
#include "core/unaligned.h"
#include "core/log.h"

#define HDR_LEN 36                /* system description table header (5.2.6) */
#define TABLE_MAX_LEN (16u << 20) /* no sane firmware table is larger */
#define RSDP_V1_LEN 20            /* checksum covers these (5.2.5.3) */
#define RSDP_V2_MIN_LEN 36
#define RSDP_MAX_LEN 1024
#define MADT_ENTRIES 44 /* after LAPIC address and flags */
#define MCFG_ENTRIES 44 /* after 8 reserved bytes */
#define MCFG_ENTRY_LEN 16
#define FADT_V1_LEN 116 /* ACPI 1.0 FADT, up to Flags */
/* Root entries looked at. A 16 MiB RSDT could list 4 million tables, each
 * costing a checksum of up to TABLE_MAX_LEN (and acpi_find_table callers
 * walk the list again per index): the count is bounded instead. Real
 * firmware lists a few dozen. */
#define ROOT_ENTRIES_MAX 256

#define AML_NAME_OP 0x08
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR 0x5C

static uint8_t checksum(const uint8_t *p, uint64_t len)
{
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

/* Printable copy of a 4-byte signature for messages. */
static void sig_text(char out[5], const uint8_t *sig)
{
    for (int i = 0; i < 4; i++)
        out[i] = (sig[i] >= 0x20 && sig[i] < 0x7F) ? (char)sig[i] : '?';
    out[4] = '\0';
}

/* The table at addr when its header is sound: inside the window, the wanted
 * signature (when want is non-NULL), HDR_LEN <= length <= TABLE_MAX_LEN, the
 * whole length inside the window, checksum zero. Otherwise NULL, after a
 * message when report is set. */
static const uint8_t *map_table(const struct phys_window *w, uint64_t addr, const char *want,
                                bool report, uint32_t *len_out)
{
    char sig[5];
    const uint8_t *h = phys_ptr(w, addr, HDR_LEN);
    if (h == NULL) {
        if (report)
            kprintf("ACPI: %s table at 0x%llx lies outside memory; skipped\n", want ? want : "a",
                    (unsigned long long)addr);
        return NULL;
    }
    sig_text(sig, h);
    if (want != NULL && memcmp(h, want, 4) != 0) {
        if (report)
            kprintf("ACPI: expected %s at 0x%llx, found \"%s\"; skipped\n", want,
                    (unsigned long long)addr, sig);
        return NULL;
    }
    uint32_t len = rd32(h + 4);
    const char *why = NULL;
    if (len < HDR_LEN)
        why = "is shorter than its header";
    else if (len > TABLE_MAX_LEN)
        why = "is implausibly large";
    else if (phys_ptr(w, addr, len) == NULL)
        why = "runs outside memory";
    else if (checksum(h, len) != 0)
        why = "fails its checksum";
    if (why != NULL) {
        if (report)
            kprintf("ACPI: %s at 0x%llx (length %u) %s; skipped\n", sig, (unsigned long long)addr,
                    len, why);
        return NULL;
    }
    if (len_out != NULL)
        *len_out = len;
    return h;
}

/* ---- RSDP (5.2.5) ---- */

/* True for a structure with the signature and valid checksums. A signature
 * with bad checksums is reported: it is either corruption or a stale copy. */
static bool rsdp_valid(const struct phys_window *w, uint64_t addr)
{
    const uint8_t *p = phys_ptr(w, addr, RSDP_V1_LEN);
    if (p == NULL || memcmp(p, "RSD PTR ", 8) != 0)
        return false;
    if (checksum(p, RSDP_V1_LEN) != 0) {
        kprintf("ACPI: RSDP at 0x%llx fails its checksum; skipped\n", (unsigned long long)addr);
        return false;
    }
    if (p[15] >= 2) {
        /* The Length field lies past the 20 bytes checked so far. */
        if (phys_ptr(w, addr, RSDP_V1_LEN + 4) == NULL) {
            kprintf("ACPI: RSDP at 0x%llx: its length field lies outside memory; skipped\n",
                    (unsigned long long)addr);
            return false;
        }
        uint32_t len = rd32(p + 20);
        const uint8_t *x = NULL;
        if (len >= RSDP_V2_MIN_LEN && len <= RSDP_MAX_LEN)
            x = phys_ptr(w, addr, len);
        if (x == NULL) {
            kprintf("ACPI: RSDP at 0x%llx has a bad length %u; skipped\n", (unsigned long long)addr,
                    len);
            return false;
        }
        if (checksum(x, len) != 0) {
            kprintf("ACPI: RSDP at 0x%llx fails its extended checksum; skipped\n",
                    (unsigned long long)addr);
            return false;
        }
    }
    return true;
}

/* One 8-byte load and compare per candidate: under an instruction-emulating
 * hypervisor the 8192 candidates of the BIOS area are a noticeable cost. */
static uint64_t scan_rsdp(const struct phys_window *w, uint64_t start, uint64_t len)
{
    uint64_t want;
    __builtin_memcpy(&want, "RSD PTR ", 8);
    for (uint64_t a = start; a < start + len; a += 16) {
        const uint8_t *p = phys_ptr(w, a, 8);
        if (p == NULL)
            break; /* and so is every later candidate */
        if (rd64(p) == want && rsdp_valid(w, a))
            return a;
    }
    return 0;
}

uint64_t acpi_find_rsdp(const struct phys_window *w, uint64_t rsdp_hint)
{
    if (rsdp_hint != 0) {
        if (rsdp_valid(w, rsdp_hint))
            return rsdp_hint;
        kprintf("ACPI: no valid RSDP at the boot loader's address 0x%llx; scanning\n",
                (unsigned long long)rsdp_hint);
    }
    /* 5.2.5.1: the first KiB of the EBDA, whose segment is the word at 0x40E,
     * then the BIOS read-only area 0xE0000-0xFFFFF. */
    const uint8_t *bda = phys_ptr(w, 0x40E, 2);
    if (bda != NULL) {
        uint64_t ebda = (uint64_t)rd16(bda) << 4;
        if (ebda != 0) {
            uint64_t a = scan_rsdp(w, ebda, 1024);
            if (a != 0)
                return a;
        }
    }
    return scan_rsdp(w, 0xE0000, 0x20000);
}

/* ---- MADT (5.2.12) ---- */

static void add_cpu(struct acpi_info *out, uint32_t apic_id, unsigned *dropped)
{
    for (unsigned i = 0; i < out->cpu_count; i++)
        if (out->apic_ids[i] == apic_id)
            return; /* listed both as Local APIC and as x2APIC */
    if (out->cpu_count >= ACPI_MAX_CPUS) {
        (*dropped)++;
        return;
    }
    out->apic_ids[out->cpu_count++] = apic_id;
}

static unsigned madt_min_len(uint8_t type)
{
    switch (type) {
    case 0: /* Processor Local APIC */
        return 8;
    case 1: /* I/O APIC */
        return 12;
    case 2: /* Interrupt Source Override */
        return 10;
    case 5: /* Local APIC Address Override */
        return 12;
    case 9: /* Processor Local x2APIC */
        return 16;
    default:
        return 2;
    }
}

/* Returns false when an entry was malformed (the entries before it are kept). */
static bool parse_madt(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out)
{
    unsigned lost_cpus = 0, lost_ioapics = 0, lost_isos = 0;
    bool ok = true;

    if (len < MADT_ENTRIES) {
        kprintf("ACPI: APIC at 0x%llx: length %u too short for the MADT fields; skipped\n",
                (unsigned long long)addr, len);
        return false;
    }
    out->have_madt = true;
    out->lapic_address = rd32(t + 36);
    out->pcat_compat = (rd32(t + 40) & 1) != 0;

    for (uint32_t off = MADT_ENTRIES; off < len;) {
        if (len - off < 2) {
            kprintf("ACPI: APIC at 0x%llx: entry header at offset %u runs past the end "
                    "(length %u); rest ignored\n",
                    (unsigned long long)addr, off, len);
            ok = false;
            break;
        }
        const uint8_t *e = t + off;
        uint8_t type = e[0], elen = e[1];
        if (elen < 2 || elen > len - off || elen < madt_min_len(type)) {
            kprintf("ACPI: APIC at 0x%llx: entry at offset %u (type %u) has bad length %u "
                    "(table length %u); rest ignored\n",
                    (unsigned long long)addr, off, type, elen, len);
            ok = false;
            break;
        }
        switch (type) {
        case 0: /* flags bit 0 Enabled, bit 1 Online Capable */
            if (rd32(e + 4) & 3)
                add_cpu(out, e[3], &lost_cpus);
            break;
        case 1:
            if (out->nioapics < ACPI_MAX_IOAPICS) {
                struct acpi_ioapic *io = &out->ioapics[out->nioapics++];
                io->id = e[2];
                io->address = rd32(e + 4);
                io->gsi_base = rd32(e + 8);
            } else {
                lost_ioapics++;
            }
            break;
        case 2:
            if (e[2] != 0) {
                kprintf("ACPI: APIC at 0x%llx: override for bus %u (not ISA) ignored\n",
                        (unsigned long long)addr, e[2]);
            } else if (out->noverrides < ACPI_MAX_OVERRIDES) {
                struct acpi_irq_override *o = &out->overrides[out->noverrides++];
                o->isa_irq = e[3];
                o->gsi = rd32(e + 4);
                o->flags = rd16(e + 8);
            } else {
                lost_isos++;
            }
            break;
        case 5: {
            uint64_t a = rd64(e + 4);
            if (a <= 0xFFFFFFFFu)
                out->lapic_address = (uint32_t)a;
            else
                kprintf("ACPI: APIC at 0x%llx: Local APIC address override 0x%llx above "
                        "4 GiB ignored\n",
                        (unsigned long long)addr, (unsigned long long)a);
            break;
        }
        case 9:
            if (rd32(e + 8) & 3)
                add_cpu(out, rd32(e + 4), &lost_cpus);
            break;
        default:
            break;
        }
        off += elen;
    }
    if (lost_cpus)
        kprintf("ACPI: %u CPUs beyond the %u supported ignored\n", lost_cpus, ACPI_MAX_CPUS);
    if (lost_ioapics)
        kprintf("ACPI: %u I/O APICs beyond the %u supported ignored\n", lost_ioapics,
                ACPI_MAX_IOAPICS);
    if (lost_isos)
        kprintf("ACPI: %u interrupt source overrides beyond the %u supported ignored\n", lost_isos,
                ACPI_MAX_OVERRIDES);
    return ok;
}

/* ---- \_S5_ in AML (ACPI 6.5, 20.2.5.2 DefName, 20.2.5.4 DefPackage, 20.2.4
 * PkgLength, 20.2.3 integer data) ---- */

static const char *aml_integer(const uint8_t *t, uint32_t end, uint32_t *k, uint64_t *v)
{
    unsigned size;
    if (*k >= end)
        return "has fewer elements than it declares";
    switch (t[*k]) {
    case 0x00: /* ZeroOp */
    case 0x01: /* OneOp */
        *v = t[*k];
        *k += 1;
        return NULL;
    case 0x0A: /* BytePrefix */
        size = 1;
        break;
    case 0x0B: /* WordPrefix */
        size = 2;
        break;
    case 0x0C: /* DWordPrefix */
        size = 4;
        break;
    case 0x0E: /* QWordPrefix */
        size = 8;
        break;
    default:
        return "has an element that is not an integer constant";
    }
    if (end - *k < 1 + size)
        return "is truncated inside an integer";
    *v = 0;
    for (unsigned i = 0; i < size; i++)
        *v |= (uint64_t)t[*k + 1 + i] << (8 * i);
    *k += 1 + size;
    return NULL;
}

/* pos: the byte after PackageOp. Returns NULL and the two SLP_TYP values, or
 * what is wrong. Never reads at or past len. */
static const char *parse_s5_package(const uint8_t *t, uint32_t len, uint32_t pos, uint8_t *a,
                                    uint8_t *b)
{
    if (pos >= len)
        return "is truncated before its PkgLength";
    uint8_t lead = t[pos];
    unsigned follow = lead >> 6;
    if (len - pos < 1 + follow)
        return "has a PkgLength that runs past the end of the table";
    uint32_t pkglen;
    if (follow == 0) {
        pkglen = lead & 0x3F;
    } else {
        if (lead & 0x30)
            return "has a malformed PkgLength";
        pkglen = lead & 0x0F;
        for (unsigned i = 1; i <= follow; i++)
            pkglen |= (uint32_t)t[pos + i] << (4 + 8 * (i - 1));
    }
    if (pkglen < 1 + follow + 1)
        return "has a PkgLength too small for its contents";
    if (pkglen > len - pos)
        return "runs past the end of the table";
    uint32_t end = pos + pkglen, k = pos + 1 + follow;
    uint8_t count = t[k++];
    if (count == 0)
        return "is empty";
    uint64_t va, vb;
    const char *why = aml_integer(t, end, &k, &va);
    if (why != NULL)
        return why;
    vb = va; /* a one-element package names the same type for both registers */
    if (count >= 2 && (why = aml_integer(t, end, &k, &vb)) != NULL)
        return why;
    if (va > 7 || vb > 7)
        return "has an SLP_TYP value above 7";
    *a = (uint8_t)va;
    *b = (uint8_t)vb;
    return NULL;
}

/* Finds Name(\_S5_, Package(){...}) in a DSDT or SSDT: 1 found, 0 absent,
 * -1 malformed (reported). */
static int scan_s5(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out)
{
    for (uint32_t i = HDR_LEN + 1; i + 4 <= len; i++) {
        if (t[i] != '_' || memcmp(t + i, "_S5_", 4) != 0)
            continue;
        bool named = t[i - 1] == AML_NAME_OP ||
                     (t[i - 1] == AML_ROOT_CHAR && i >= HDR_LEN + 2 && t[i - 2] == AML_NAME_OP);
        if (!named)
            continue;
        if (i + 4 < len && t[i + 4] != AML_PACKAGE_OP)
            continue;
        uint8_t a = 0, b = 0;
        const char *why = parse_s5_package(t, len, i + 5, &a, &b);
        if (why != NULL) {
            char sig[5];
            sig_text(sig, t);
            kprintf("ACPI: %s at 0x%llx: the \\_S5_ package at offset %u %s\n", sig,
                    (unsigned long long)addr, i, why);
            return -1;
        }
        out->have_s5 = true;
        out->s5_slp_typa = a;
        out->s5_slp_typb = b;
        return 1;
    }
    return 0;
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
        const uint8_t *t = map_table(w, cand[i], "DSDT", true, &len);
        if (t == NULL) {
            out->tables_rejected++;
            continue;
        }
        out->dsdt = cand[i];
        out->dsdt_length = len;
        if (scan_s5(t, len, cand[i], out) < 0)
            out->tables_rejected++;
        return;
    }
}

static bool parse_fadt(const struct phys_window *w, const uint8_t *t, uint32_t len, uint64_t addr,
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

/* ---- MCFG (PCI Firmware 3.3, 4.1.2) ---- */

static bool parse_mcfg(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out)
{
    bool ok = true;
    if (len < MCFG_ENTRIES) {
        kprintf("ACPI: MCFG at 0x%llx: length %u too short; skipped\n", (unsigned long long)addr,
                len);
        return false;
    }
    uint32_t n = (len - MCFG_ENTRIES) / MCFG_ENTRY_LEN;
    if ((len - MCFG_ENTRIES) % MCFG_ENTRY_LEN != 0) {
        kprintf("ACPI: MCFG at 0x%llx: %u trailing bytes after %u entries ignored\n",
                (unsigned long long)addr, (len - MCFG_ENTRIES) % MCFG_ENTRY_LEN, n);
        ok = false;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = t + MCFG_ENTRIES + i * MCFG_ENTRY_LEN;
        if (e[10] > e[11]) {
            kprintf("ACPI: MCFG at 0x%llx: entry %u has bus range %u-%u; skipped\n",
                    (unsigned long long)addr, i, e[10], e[11]);
            ok = false;
            continue;
        }
        if (out->nmcfg >= ACPI_MAX_MCFG) {
            kprintf("ACPI: MCFG at 0x%llx: entries beyond %u ignored\n", (unsigned long long)addr,
                    ACPI_MAX_MCFG);
            break;
        }
        struct acpi_mcfg_entry *m = &out->mcfg[out->nmcfg++];
        m->base = rd64(e);
        m->segment = rd16(e + 8);
        m->bus_start = e[10];
        m->bus_end = e[11];
    }
    return ok;
}

/* ---- RSDT / XSDT (5.2.7, 5.2.8) ---- */

static uint64_t root_entry(const uint8_t *root, bool xsdt, uint32_t i)
{
    return xsdt ? rd64(root + HDR_LEN + 8 * i) : rd32(root + HDR_LEN + 4 * i);
}

/* Entries of a root table of rlen bytes that are looked at. */
static uint32_t root_entries(uint32_t rlen, bool xsdt)
{
    uint32_t n = (rlen - HDR_LEN) / (xsdt ? 8 : 4);
    return n < ROOT_ENTRIES_MAX ? n : ROOT_ENTRIES_MAX;
}

/* The XSDT when the RSDP is revision 2+ and names one that checks out, else
 * the RSDT. */
static void select_root(const struct phys_window *w, const uint8_t *rsdp, struct acpi_info *out)
{
    if (out->revision >= 2) {
        uint64_t xsdt = rd64(rsdp + 24); /* rsdp_valid checked length >= 36 */
        if (xsdt != 0) {
            if (map_table(w, xsdt, "XSDT", true, NULL) != NULL) {
                out->root_sdt = xsdt;
                out->root_is_xsdt = true;
                return;
            }
            out->tables_rejected++;
            kprintf("ACPI: falling back to the RSDT\n");
        }
    }
    uint32_t rsdt = rd32(rsdp + 16);
    if (rsdt != 0) {
        if (map_table(w, rsdt, "RSDT", true, NULL) != NULL) {
            out->root_sdt = rsdt;
            return;
        }
        out->tables_rejected++;
    }
}

int acpi_parse(const struct phys_window *w, uint64_t rsdp_hint, struct acpi_info *out)
{
    memset(out, 0, sizeof *out);
    uint64_t rsdp = acpi_find_rsdp(w, rsdp_hint);
    if (rsdp == 0)
        return -1; /* the caller says what it does without ACPI */
    const uint8_t *r = phys_ptr(w, rsdp, RSDP_V1_LEN);
    out->found = true;
    out->rsdp = rsdp;
    out->revision = r[15];
    memcpy(out->oem_id, r + 9, 6);
    out->oem_id[6] = '\0';

    select_root(w, r, out);
    if (out->root_sdt == 0) {
        kprintf("ACPI: RSDP at 0x%llx names no usable RSDT or XSDT\n", (unsigned long long)rsdp);
        return 0;
    }
    uint32_t rlen;
    const char *rsig = out->root_is_xsdt ? "XSDT" : "RSDT";
    const uint8_t *root = map_table(w, out->root_sdt, rsig, false, &rlen);
    if (root == NULL)
        return 0;
    uint32_t esize = out->root_is_xsdt ? 8 : 4;
    uint32_t n = root_entries(rlen, out->root_is_xsdt);
    if ((rlen - HDR_LEN) % esize != 0)
        kprintf("ACPI: %s at 0x%llx: %u trailing bytes ignored\n", rsig,
                (unsigned long long)out->root_sdt, (rlen - HDR_LEN) % esize);
    if ((rlen - HDR_LEN) / esize > n)
        kprintf("ACPI: %s at 0x%llx lists %u tables; only the first %u are used\n", rsig,
                (unsigned long long)out->root_sdt, (rlen - HDR_LEN) / esize, n);

    bool seen_mcfg = false;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = root_entry(root, out->root_is_xsdt, i);
        if (a == 0)
            continue;
        uint32_t len;
        const uint8_t *t = map_table(w, a, NULL, true, &len);
        if (t == NULL) {
            out->tables_rejected++;
            continue;
        }
        bool ok = true;
        if (memcmp(t, "APIC", 4) == 0 && !out->have_madt)
            ok = parse_madt(t, len, a, out);
        else if (memcmp(t, "FACP", 4) == 0 && !out->have_fadt)
            ok = parse_fadt(w, t, len, a, out);
        else if (memcmp(t, "MCFG", 4) == 0 && !seen_mcfg) {
            seen_mcfg = true;
            ok = parse_mcfg(t, len, a, out);
        }
        if (!ok)
            out->tables_rejected++;
    }

    /* \_S5_ may live in an SSDT instead (5.7.2 allows either). */
    for (uint32_t i = 0; i < n && !out->have_s5; i++) {
        uint64_t a = root_entry(root, out->root_is_xsdt, i);
        const uint8_t *h = phys_ptr(w, a, 4);
        uint32_t len;
        const uint8_t *t;
        if (a == 0 || h == NULL || memcmp(h, "SSDT", 4) != 0)
            continue;
        if ((t = map_table(w, a, "SSDT", false, &len)) != NULL && scan_s5(t, len, a, out) < 0)
            out->tables_rejected++;
    }
    return 0;
}

uint64_t acpi_find_table(const struct phys_window *w, const struct acpi_info *info,
                         const char sig[4], unsigned index, uint32_t *length)
{
    uint32_t len;
    if (length != NULL)
        *length = 0;
    if (!info->found)
        return 0;
    if (memcmp(sig, "DSDT", 4) == 0) {
        /* Not listed in the RSDT/XSDT: reached through the FADT. */
        if (index != 0 || info->dsdt == 0 || map_table(w, info->dsdt, "DSDT", false, &len) == NULL)
            return 0;
        if (length != NULL)
            *length = len;
        return info->dsdt;
    }
    if (info->root_sdt == 0)
        return 0;
    uint32_t rlen;
    const uint8_t *root =
        map_table(w, info->root_sdt, info->root_is_xsdt ? "XSDT" : "RSDT", false, &rlen);
    if (root == NULL)
        return 0;
    uint32_t n = root_entries(rlen, info->root_is_xsdt);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = root_entry(root, info->root_is_xsdt, i);
        const uint8_t *h = a != 0 ? phys_ptr(w, a, 4) : NULL;
        if (h == NULL || memcmp(h, sig, 4) != 0)
            continue;
        if (map_table(w, a, NULL, false, &len) == NULL)
            continue;
        if (index-- == 0) {
            if (length != NULL)
                *length = len;
            return a;
        }
    }
    return 0;
}
