/* IOAPICs (Intel 82093AA data sheet: IOREGSEL at +0, IOWIN at +0x10;
 * register 1 = version with the max redirection entry in bits 16-23;
 * redirection entries from 0x10, two 32-bit halves each) and the choice
 * between APIC and legacy PIC delivery. */
#include "arch/x86_64/arch_timer.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/entry.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/pic_policy.h"
#include "core/irq.h"
#include "core/log.h"

#define IOAPIC_REG_VER 0x01
#define IOAPIC_REDTBL 0x10
#define RTE_MASKED (1u << 16)
#define RTE_LEVEL (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

struct ioapic {
    uintptr_t base;
    uint32_t gsi_base;
    uint32_t nentries;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;
static bool using_apic;
static const struct acpi_info *acpi;
static uint8_t pic_irq_of_vector[256]; /* PIC mode: vector -> irq + 1 */

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
    mmio_write32(io->base, reg);
    return mmio_read32(io->base + 0x10);
}
static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t v)
{
    mmio_write32(io->base, reg);
    mmio_write32(io->base + 0x10, v);
}

bool cpu_has_lapic(void)
{
    return (cpuid(1, 0).edx & (1u << 9)) != 0;
}

static const char *intc_choose(const struct acpi_info *info);

const char *intc_init(const struct acpi_info *info)
{
    const char *how = intc_choose(info);
    /* The Local APIC's timer whenever there is a Local APIC, even where
     * device interrupts go through the PIC; without one, the PIT. */
    arch_timer_select(lapic_present() ? ARCH_TIMER_LAPIC : ARCH_TIMER_PIT);
    return how;
}

static const char *intc_choose(const struct acpi_info *info)
{
    acpi = info;
    if (pic_may_exist((enum boot_protocol)boot_protocol, info))
        pic_init_masked();
    else
        kprintf("intc: no 8259s (MADT)\n");
    if (!cpu_has_lapic()) {
        /* IOAPICs deliver to Local APICs: without one only the PICs remain
         * (a MADT may still list an IOAPIC: QEMU -cpu ...,-apic does). */
        using_apic = false;
        return "8259 PIC (no local APIC)";
    }
    lapic_init(info->have_madt ? info->lapic_address : 0);
    if (!info->have_madt || info->nioapics == 0) {
        using_apic = false;
        lapic_pass_pic_interrupts();
        return "8259 PIC (no MADT IOAPIC)";
    }
    for (unsigned i = 0; i < info->nioapics && nioapics < ACPI_MAX_IOAPICS; i++) {
        const struct acpi_ioapic *a = &info->ioapics[i];
        if (a->address == 0 || a->address & 0xF) {
            kprintf("ioapic: MADT entry %u has a bad address %#x; skipped\n", i, a->address);
            continue;
        }
        struct ioapic *io = &ioapics[nioapics];
        io->base = a->address;
        io->gsi_base = a->gsi_base;
        uint32_t ver = ioapic_read(io, IOAPIC_REG_VER);
        io->nentries = ((ver >> 16) & 0xFF) + 1;
        if (ver == 0xFFFFFFFF) {
            kprintf("ioapic: nothing answers at %#x; skipped\n", a->address);
            continue;
        }
        for (uint32_t e = 0; e < io->nentries; e++) {
            ioapic_write(io, IOAPIC_REDTBL + 2 * e, RTE_MASKED);
            ioapic_write(io, IOAPIC_REDTBL + 2 * e + 1, 0);
        }
        nioapics++;
    }
    using_apic = nioapics > 0;
    if (!using_apic) {
        lapic_pass_pic_interrupts();
        return "8259 PIC (no usable IOAPIC)";
    }
    return "LAPIC + IOAPIC";
}

bool intc_using_apic(void)
{
    return using_apic;
}

/* Redirection entries programmed so far: a GSI is routed once; a request to
 * move it to another vector is refused (core/irq.c shares the line instead). */
static uint8_t gsi_vector[256];

int intc_route_gsi(uint32_t gsi, uint8_t vector, bool level, bool active_low)
{
    if (gsi < sizeof gsi_vector && gsi_vector[gsi] != 0 && gsi_vector[gsi] != vector) {
        kprintf("ioapic: GSI %u already delivers vector %#x; not moved to %#x\n", gsi,
                gsi_vector[gsi], vector);
        return -1;
    }
    for (unsigned i = 0; i < nioapics; i++) {
        struct ioapic *io = &ioapics[i];
        if (gsi < io->gsi_base || gsi >= io->gsi_base + io->nentries)
            continue;
        uint32_t e = gsi - io->gsi_base;
        uint32_t lo = vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);
        ioapic_write(io, IOAPIC_REDTBL + 2 * e + 1, lapic_id() << 24);
        ioapic_write(io, IOAPIC_REDTBL + 2 * e, lo);
        if (gsi < sizeof gsi_vector)
            gsi_vector[gsi] = vector;
        return 0;
    }
    kprintf("ioapic: no IOAPIC serves GSI %u\n", gsi);
    return -1;
}

static bool ioapic_serves(uint32_t gsi)
{
    for (unsigned i = 0; i < nioapics; i++)
        if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].nentries)
            return true;
    return false;
}

int arch_irq_resolve_line(struct irq_line *line)
{
    if (!using_apic) {
        /* The 8259s: GSI n is ISA IRQ n, and there are 16 of them. Their
         * trigger mode is the firmware's (ELCR); nothing to resolve. */
        if (line->number >= 16) {
            kprintf("irq: line %u needs an IOAPIC; this machine has only the 8259 PICs\n",
                    line->number);
            return -1;
        }
        line->kind = IRQ_LINE_GSI;
        return 0;
    }
    if (line->kind == IRQ_LINE_ISA) {
        /* ISA interrupts are GSI = IRQ unless the MADT overrides it (ACPI
         * 6.5, 5.2.12.5); the override's flags replace the bus default
         * unless they say "conforms to the bus". */
        for (unsigned i = 0; i < acpi->noverrides; i++) {
            const struct acpi_irq_override *o = &acpi->overrides[i];
            if (o->isa_irq != line->number)
                continue;
            line->number = o->gsi;
            if ((o->flags & 3) == 1 || (o->flags & 3) == 3)
                line->active_low = (o->flags & 3) == 3;
            if (((o->flags >> 2) & 3) == 1 || ((o->flags >> 2) & 3) == 3)
                line->level = ((o->flags >> 2) & 3) == 3;
        }
        line->kind = IRQ_LINE_GSI;
    }
    if (!ioapic_serves(line->number)) {
        kprintf("ioapic: no IOAPIC serves GSI %u\n", line->number);
        return -1;
    }
    return 0;
}

uint8_t arch_irq_line_vector(const struct irq_line *line)
{
    if (!using_apic)
        return (uint8_t)(VECTOR_PIC_BASE + (line->number & 15));
    return irq_alloc_vector();
}

int arch_irq_route_line(const struct irq_line *line, uint8_t vector)
{
    if (!using_apic) {
        unsigned irq = line->number & 15;
        pic_irq_of_vector[vector] = (uint8_t)(irq + 1);
        pic_unmask(irq);
        return 0;
    }
    return intc_route_gsi(line->number, vector, line->level, line->active_low);
}

void intc_eoi(uint8_t vector)
{
    if (pic_irq_of_vector[vector])
        pic_eoi(pic_irq_of_vector[vector] - 1u);
    else
        lapic_eoi();
}
