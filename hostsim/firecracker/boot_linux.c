/* The Linux 64-bit boot protocol as Firecracker does it for an ELF
 * (src/vmm/src/arch/x86_64/mod.rs configure_64bit_boot, regs.rs setup_regs,
 * setup_page_tables): the zero page at 0x7000 (hostsim/boot/zero_page.c),
 * identity page tables at 0x9000, 64-bit long mode, RSI = 0x7000. */
#include <string.h>

#include "hostsim/boot/zero_page.h"
#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/layout.h"

#define X86_CR0_PE 0x1ull
#define X86_CR0_PG 0x80000000ull
#define X86_CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

int fc_boot_linux_write(const struct guest_mem *mem, const struct e820_entry *map, unsigned n,
                        uint32_t cmdline_size, const struct fc_initrd *initrd)
{
    /* initrd.h: the low region holds it, below 3 GiB: the 32-bit fields fit. */
    if (initrd->addr + initrd->size > UINT32_MAX)
        return -1;
    struct zero_page_params p = {
        .acpi_rsdp_addr = FC_RSDP_ADDR,
        .cmd_line_ptr = FC_CMDLINE_START,
        .cmdline_size = cmdline_size,
        .kernel_alignment = 0x1000000,
        .type_of_loader = 0xFF,
        .ramdisk_image = (uint32_t)initrd->addr,
        .ramdisk_size = (uint32_t)initrd->size,
        .map = map,
        .nmap = n,
    };
    static uint8_t zp[ZERO_PAGE_SIZE];
    if (zero_page_build(zp, &p) != 0 ||
        guest_mem_write(mem, FC_ZERO_PAGE_START, zp, sizeof zp) != 0)
        return -1;

    /* Identity map of the first 1 GiB with 2 MiB pages: PML4[0] -> PDPT,
     * PDPT[0] -> PD, PD[i] = i * 2 MiB | present | writable | page size. */
    if (guest_mem_write_u64(mem, FC_PML4_START, FC_PDPT_START | 0x03) != 0 ||
        guest_mem_write_u64(mem, FC_PDPT_START, FC_PD_START | 0x03) != 0)
        return -1;
    for (uint64_t i = 0; i < 512; i++) {
        if (guest_mem_write_u64(mem, FC_PD_START + 8 * i, (i << 21) | 0x83) != 0)
            return -1;
    }
    return 0;
}

int fc_boot_linux_vcpu(struct cpu_kvm *k, unsigned vcpu, uint64_t entry)
{
    struct kvm_regs r;
    memset(&r, 0, sizeof r);
    r.rip = entry;
    r.rsp = r.rbp = FC_BOOT_STACK;
    r.rsi = FC_ZERO_PAGE_START;
    r.rflags = 0x2;
    if (cpu_kvm_set_regs(k, vcpu, &r) != 0)
        return -1;

    /* ORed into what KVM reports (reset CR0 0x60000010 gives 0xE0000011). */
    struct kvm_sregs s;
    if (cpu_kvm_get_sregs(k, vcpu, &s) != 0)
        return -1;
    fc_boot_set_segments(&s, FC_BOOT_LINUX);
    s.cr0 |= X86_CR0_PE | X86_CR0_PG;
    s.cr3 = FC_PML4_START;
    s.cr4 |= X86_CR4_PAE;
    s.efer |= EFER_LME | EFER_LMA;
    return cpu_kvm_set_sregs(k, vcpu, &s);
}
