/* PVH boot as Firecracker does it (src/vmm/src/arch/x86_64/mod.rs
 * configure_pvh, regs.rs): hvm_start_info at 0x6000 with the command line at
 * 0x20000, rsdp_paddr 0 (Firecracker never sets it: the guest scans for the
 * RSDP at 0xE0000), the memmap at 0x7000 and the initrd, when there is one,
 * as the one module, listed at 0x6040 (MODLIST_START); 32-bit protected
 * mode, paging off, RBX = 0x6000. */
#include <string.h>

#include "hostsim/boot/pvh.h"
#include "hostsim/firecracker/boot.h"
#include "hostsim/firecracker/layout.h"

#define X86_CR0_PE 0x1ull
#define X86_CR0_ET 0x10ull

int fc_boot_pvh_write(const struct guest_mem *mem, const struct e820_entry *map, unsigned n,
                      const struct fc_initrd *initrd)
{
    struct pvh_params p = {
        .cmdline_paddr = FC_CMDLINE_START,
        .rsdp_paddr = 0,
        .memmap_paddr = FC_MEMMAP_START,
        .map = map,
        .nmap = n,
        .modlist_paddr = FC_MODLIST_START,
        .module_paddr = initrd->addr,
        .module_size = initrd->size,
    };
    return pvh_write(mem, FC_PVH_INFO_START, &p);
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
