/* The boot GDT (src/vmm/src/arch/x86_64/regs.rs configure_segments_and_sregs,
 * gdt.rs):
 * null, code (0x08), data (0x10), TSS (0x18); GDTR = 0x500 limit 0x1F,
 * IDTR = 0x520 limit 7 over one zero quadword. The descriptors are the
 * sheet's values; the segment caches KVM gets are decoded from them with the
 * limit scaled by G (gdt.rs get_limit), so a G=1 limit of 0xFFFFF is
 * 0xFFFFFFFF. */
#include <string.h>

#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/layout.h"

#define GDT_ENTRIES 4

static const uint64_t pvh_gdt[GDT_ENTRIES] = {
    0, 0x00CF9B000000FFFFull, /* 32-bit code, base 0, 4 GiB */
    0x00CF93000000FFFFull,    /* data, base 0, 4 GiB */
    0x00008B0000000067ull,    /* busy 32-bit TSS, limit 0x67 */
};

static const uint64_t linux_gdt[GDT_ENTRIES] = {
    0, 0x00AF9B000000FFFFull, /* 64-bit code (L=1, D=0) */
    0x00CF93000000FFFFull,    /* data */
    0x008F8B000000FFFFull,    /* busy TSS, G=1 */
};

static const uint64_t *gdt_for(enum fc_boot_mode mode)
{
    return mode == FC_BOOT_PVH ? pvh_gdt : linux_gdt;
}

int fc_boot_write_gdt(const struct guest_mem *mem, enum fc_boot_mode mode)
{
    const uint64_t *gdt = gdt_for(mode);
    for (unsigned i = 0; i < GDT_ENTRIES; i++) {
        if (guest_mem_write_u64(mem, FC_GDT_START + 8 * i, gdt[i]) != 0)
            return -1;
    }
    return guest_mem_write_u64(mem, FC_IDT_START, 0);
}

/* Field positions of a segment descriptor: Intel SDM vol. 3, 3.4.5. */
struct kvm_segment fc_boot_segment_from_descriptor(uint64_t d, unsigned index)
{
    struct kvm_segment s;
    memset(&s, 0, sizeof s);
    uint32_t limit = (uint32_t)((d & 0xFFFF) | ((d >> 32) & 0xF0000));
    s.base = ((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24);
    s.type = (d >> 40) & 0xF;
    s.s = (d >> 44) & 1;
    s.dpl = (d >> 45) & 3;
    s.present = (d >> 47) & 1;
    s.avl = (d >> 52) & 1;
    s.l = (d >> 53) & 1;
    s.db = (d >> 54) & 1;
    s.g = (d >> 55) & 1;
    s.limit = s.g ? (limit << 12) | 0xFFF : limit;
    s.selector = (uint16_t)(index * 8);
    s.unusable = !s.present;
    return s;
}

void fc_boot_set_segments(struct kvm_sregs *s, enum fc_boot_mode mode)
{
    const uint64_t *gdt = gdt_for(mode);
    struct kvm_segment code = fc_boot_segment_from_descriptor(gdt[1], 1);
    struct kvm_segment data = fc_boot_segment_from_descriptor(gdt[2], 2);
    s->cs = code;
    s->ds = s->es = s->fs = s->gs = s->ss = data;
    s->tr = fc_boot_segment_from_descriptor(gdt[3], 3);
    s->gdt.base = FC_GDT_START;
    s->gdt.limit = GDT_ENTRIES * 8 - 1;
    s->idt.base = FC_IDT_START;
    s->idt.limit = 8 - 1;
}
