/* PVH boot as Firecracker does it (arch/x86_64/mod.rs configure_pvh, regs.rs;
 * linux-loader src/loader/elf/start_info.rs; fact sheet §4). Layout of
 * hvm_start_info and its memmap entries: Xen's public arch-x86/hvm/start_info.h
 * (version 1). */
#include <string.h>

#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/layout.h"

#define HVM_START_MAGIC 0x336EC578u
#define START_INFO_SIZE 56
#define MEMMAP_ENTRY_SIZE 24
#define X86_CR0_PE 0x1ull
#define X86_CR0_ET 0x10ull

int fc_boot_pvh_write(const struct guest_mem *mem, const struct fc_e820_entry *map, unsigned n)
{
    uint8_t si[START_INFO_SIZE];
    memset(si, 0, sizeof si);
    uint32_t magic = HVM_START_MAGIC, version = 1, entries = n;
    uint64_t cmdline = FC_CMDLINE_START, memmap = FC_MEMMAP_START;
    memcpy(si + 0, &magic, 4);
    memcpy(si + 4, &version, 4);
    /* 8 flags = 0; 12 nr_modules = 0 and 16 modlist_paddr = 0 (no initrd) */
    memcpy(si + 24, &cmdline, 8);
    /* 32 rsdp_paddr stays 0: Firecracker never sets it, the guest scans for
     * the RSDP (it is at 0xE0000) */
    memcpy(si + 40, &memmap, 8);
    memcpy(si + 48, &entries, 4);
    if (guest_mem_write(mem, FC_PVH_INFO_START, si, sizeof si) != 0)
        return -1;

    for (unsigned i = 0; i < n; i++) {
        uint8_t e[MEMMAP_ENTRY_SIZE];
        memset(e, 0, sizeof e);
        memcpy(e + 0, &map[i].addr, 8);
        memcpy(e + 8, &map[i].size, 8);
        memcpy(e + 16, &map[i].type, 4);
        if (guest_mem_write(mem, FC_MEMMAP_START + (uint64_t)i * MEMMAP_ENTRY_SIZE, e, sizeof e) !=
            0)
            return -1;
    }
    return 0;
}

int fc_boot_pvh_vcpu(struct cpu_kvm *k, unsigned vcpu, uint32_t entry)
{
    /* All general registers 0 (RSP too) except RIP, RBX and RFLAGS. */
    struct kvm_regs r;
    memset(&r, 0, sizeof r);
    r.rip = entry;
    r.rbx = FC_PVH_INFO_START;
    r.rflags = 0x2;
    if (cpu_kvm_set_regs(k, vcpu, &r) != 0)
        return -1;

    struct kvm_sregs s;
    if (cpu_kvm_get_sregs(k, vcpu, &s) != 0)
        return -1;
    fc_boot_set_segments(&s, FC_BOOT_PVH);
    /* CR0 and CR4 are assigned, not ORed; CR3 and EFER keep KVM's reset values. */
    s.cr0 = X86_CR0_PE | X86_CR0_ET;
    s.cr4 = 0;
    return cpu_kvm_set_sregs(k, vcpu, &s);
}
