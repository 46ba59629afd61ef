/* The Linux 64-bit boot protocol as Firecracker does it for an ELF
 * (arch/x86_64/mod.rs configure_64bit_boot, regs.rs setup_regs,
 * setup_page_tables; fact sheet §3). Zero-page offsets: Linux
 * Documentation/arch/x86/zero-page.rst and boot.rst. */
#include <string.h>

#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/layout.h"

#define ZERO_PAGE_SIZE 4096
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_E820_ENTRIES 0x1E8
#define ZP_BOOT_FLAG 0x1FE
#define ZP_HEADER 0x202
#define ZP_TYPE_OF_LOADER 0x210
#define ZP_CMD_LINE_PTR 0x228
#define ZP_KERNEL_ALIGNMENT 0x230
#define ZP_CMDLINE_SIZE 0x238
#define ZP_E820_TABLE 0x2D0
#define E820_ENTRY_SIZE 20

#define X86_CR0_PE 0x1ull
#define X86_CR0_PG 0x80000000ull
#define X86_CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

static void put(uint8_t *zp, unsigned off, const void *v, unsigned n)
{
    memcpy(zp + off, v, n);
}

int fc_boot_linux_write(const struct guest_mem *mem, const struct fc_e820_entry *map, unsigned n,
                        uint32_t cmdline_size)
{
    if (n > FC_E820_MAX)
        return -1;
    /* For an ELF the zero page starts all zero (no setup header to copy), so
     * version and loadflags are 0. */
    static uint8_t zp[ZERO_PAGE_SIZE];
    memset(zp, 0, sizeof zp);
    uint64_t rsdp = FC_RSDP_ADDR;
    uint8_t entries = (uint8_t)n, loader = 0xFF;
    uint16_t boot_flag = 0xAA55;
    uint32_t header = 0x53726448, cmd_line_ptr = FC_CMDLINE_START, align = 0x1000000;
    put(zp, ZP_ACPI_RSDP_ADDR, &rsdp, 8);
    put(zp, ZP_E820_ENTRIES, &entries, 1);
    put(zp, ZP_BOOT_FLAG, &boot_flag, 2);
    put(zp, ZP_HEADER, &header, 4); /* "HdrS" */
    put(zp, ZP_TYPE_OF_LOADER, &loader, 1);
    put(zp, ZP_CMD_LINE_PTR, &cmd_line_ptr, 4);
    put(zp, ZP_KERNEL_ALIGNMENT, &align, 4);
    put(zp, ZP_CMDLINE_SIZE, &cmdline_size, 4);
    for (unsigned i = 0; i < n; i++) {
        unsigned off = ZP_E820_TABLE + i * E820_ENTRY_SIZE;
        put(zp, off, &map[i].addr, 8);
        put(zp, off + 8, &map[i].size, 8);
        put(zp, off + 16, &map[i].type, 4);
    }
    if (guest_mem_write(mem, FC_ZERO_PAGE_START, zp, sizeof zp) != 0)
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
