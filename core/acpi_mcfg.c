/* The MCFG (PCI Firmware 3.3, 4.1.2): where each PCI segment's ECAM
 * configuration space is. Pure logic. */
#include <stdbool.h>
#include <stdint.h>

#include "core/acpi_table.h"
#include "core/log.h"
#include "core/unaligned.h"

#define MCFG_ENTRIES 44 /* after 8 reserved bytes */
#define MCFG_ENTRY_LEN 16

/* ---- MCFG (PCI Firmware 3.3, 4.1.2) ---- */

bool acpi_parse_mcfg(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out)
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
