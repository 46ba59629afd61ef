/* The MADT (ACPI 6.5, 5.2.12): processors, I/O APICs, interrupt source
 * overrides. Pure logic; every entry's length is checked. */
#include <stdbool.h>
#include <stdint.h>

#include "core/acpi_table.h"
#include "core/log.h"
#include "core/unaligned.h"

#define MADT_ENTRIES 44 /* after LAPIC address and flags */

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
bool acpi_parse_madt(const uint8_t *t, uint32_t len, uint64_t addr, struct acpi_info *out)
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
