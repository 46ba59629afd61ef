/* ACPI table discovery (ACPI 6.5, chapter 5): the RSDP, the RSDT or XSDT,
 * and the tables they list, each handed to its parser (acpi_madt.c,
 * acpi_fadt.c, acpi_mcfg.c). Pure logic: every table is read through the
 * physical window, its length and checksum are checked before any field is
 * used, and a malformed table is reported and skipped. See core/acpi.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/acpi.h"
#include "core/acpi_table.h"
#include "core/log.h"
#include "core/unaligned.h"

#define RSDP_V1_LEN 20 /* checksum covers these (5.2.5.3) */
#define RSDP_V2_MIN_LEN 36
#define RSDP_MAX_LEN 1024
/* Root entries looked at. A 16 MiB RSDT could list 4 million tables, each
 * costing a checksum of up to ACPI_TABLE_MAX_LEN (and acpi_find_table callers
 * walk the list again per index): the count is bounded instead. Real
 * firmware lists a few dozen. */
#define ROOT_ENTRIES_MAX 256

uint8_t acpi_checksum(const uint8_t *p, uint64_t len)
{
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

/* Printable copy of a 4-byte signature for messages. */
void acpi_sig_text(char out[5], const uint8_t *sig)
{
    for (int i = 0; i < 4; i++)
        out[i] = (sig[i] >= 0x20 && sig[i] < 0x7F) ? (char)sig[i] : '?';
    out[4] = '\0';
}

/* The table at addr when its header is sound: inside the window, the wanted
 * signature (when want is non-NULL), ACPI_HDR_LEN <= length <= ACPI_TABLE_MAX_LEN, the
 * whole length inside the window, checksum zero. Otherwise NULL, after a
 * message when report is set. */
const uint8_t *acpi_map_table(const struct phys_window *w, uint64_t addr, const char *want,
                              bool report, uint32_t *len_out)
{
    char sig[5];
    const uint8_t *h = phys_ptr(w, addr, ACPI_HDR_LEN);
    if (h == NULL) {
        if (report)
            kprintf("ACPI: %s table at 0x%llx lies outside memory; skipped\n", want ? want : "a",
                    (unsigned long long)addr);
        return NULL;
    }
    acpi_sig_text(sig, h);
    if (want != NULL && memcmp(h, want, 4) != 0) {
        if (report)
            kprintf("ACPI: expected %s at 0x%llx, found \"%s\"; skipped\n", want,
                    (unsigned long long)addr, sig);
        return NULL;
    }
    uint32_t len = rd32(h + 4);
    const char *why = NULL;
    if (len < ACPI_HDR_LEN)
        why = "is shorter than its header";
    else if (len > ACPI_TABLE_MAX_LEN)
        why = "is implausibly large";
    else if (phys_ptr(w, addr, len) == NULL)
        why = "runs outside memory";
    else if (acpi_checksum(h, len) != 0)
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
    if (acpi_checksum(p, RSDP_V1_LEN) != 0) {
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
        if (acpi_checksum(x, len) != 0) {
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

/* ---- RSDT / XSDT (5.2.7, 5.2.8) ---- */

static uint64_t root_entry(const uint8_t *root, bool xsdt, uint32_t i)
{
    return xsdt ? rd64(root + ACPI_HDR_LEN + 8 * i) : rd32(root + ACPI_HDR_LEN + 4 * i);
}

/* Entries of a root table of rlen bytes that are looked at. */
static uint32_t root_entries(uint32_t rlen, bool xsdt)
{
    uint32_t n = (rlen - ACPI_HDR_LEN) / (xsdt ? 8 : 4);
    return n < ROOT_ENTRIES_MAX ? n : ROOT_ENTRIES_MAX;
}

/* The XSDT when the RSDP is revision 2+ and names one that checks out, else
 * the RSDT. */
static void select_root(const struct phys_window *w, const uint8_t *rsdp, struct acpi_info *out)
{
    if (out->revision >= 2) {
        uint64_t xsdt = rd64(rsdp + 24); /* rsdp_valid checked length >= 36 */
        if (xsdt != 0) {
            if (acpi_map_table(w, xsdt, "XSDT", true, NULL) != NULL) {
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
        if (acpi_map_table(w, rsdt, "RSDT", true, NULL) != NULL) {
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
    const uint8_t *root = acpi_map_table(w, out->root_sdt, rsig, false, &rlen);
    if (root == NULL)
        return 0;
    uint32_t esize = out->root_is_xsdt ? 8 : 4;
    uint32_t n = root_entries(rlen, out->root_is_xsdt);
    if ((rlen - ACPI_HDR_LEN) % esize != 0)
        kprintf("ACPI: %s at 0x%llx: %u trailing bytes ignored\n", rsig,
                (unsigned long long)out->root_sdt, (rlen - ACPI_HDR_LEN) % esize);
    if ((rlen - ACPI_HDR_LEN) / esize > n)
        kprintf("ACPI: %s at 0x%llx lists %u tables; only the first %u are used\n", rsig,
                (unsigned long long)out->root_sdt, (rlen - ACPI_HDR_LEN) / esize, n);

    bool seen_mcfg = false;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = root_entry(root, out->root_is_xsdt, i);
        if (a == 0)
            continue;
        uint32_t len;
        const uint8_t *t = acpi_map_table(w, a, NULL, true, &len);
        if (t == NULL) {
            out->tables_rejected++;
            continue;
        }
        bool ok = true;
        if (memcmp(t, "APIC", 4) == 0 && !out->have_madt)
            ok = acpi_parse_madt(t, len, a, out);
        else if (memcmp(t, "FACP", 4) == 0 && !out->have_fadt)
            ok = acpi_parse_fadt(w, t, len, a, out);
        else if (memcmp(t, "MCFG", 4) == 0 && !seen_mcfg) {
            seen_mcfg = true;
            ok = acpi_parse_mcfg(t, len, a, out);
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
        if ((t = acpi_map_table(w, a, "SSDT", false, &len)) != NULL &&
            acpi_scan_s5(t, len, a, out) < 0)
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
        if (index != 0 || info->dsdt == 0 ||
            acpi_map_table(w, info->dsdt, "DSDT", false, &len) == NULL)
            return 0;
        if (length != NULL)
            *length = len;
        return info->dsdt;
    }
    if (info->root_sdt == 0)
        return 0;
    uint32_t rlen;
    const uint8_t *root =
        acpi_map_table(w, info->root_sdt, info->root_is_xsdt ? "XSDT" : "RSDT", false, &rlen);
    if (root == NULL)
        return 0;
    uint32_t n = root_entries(rlen, info->root_is_xsdt);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = root_entry(root, info->root_is_xsdt, i);
        const uint8_t *h = a != 0 ? phys_ptr(w, a, 4) : NULL;
        if (h == NULL || memcmp(h, sig, 4) != 0)
            continue;
        if (acpi_map_table(w, a, NULL, false, &len) == NULL)
            continue;
        if (index-- == 0) {
            if (length != NULL)
                *length = len;
            return a;
        }
    }
    return 0;
}
