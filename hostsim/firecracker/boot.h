/* Firecracker's two x86_64 boot protocols: what is written into guest memory
 * and the register state every vCPU gets (src/vmm/src/arch/x86_64/regs.rs,
 * gdt.rs, mod.rs configure_pvh / configure_64bit_boot). The parameter
 * blocks themselves are written by hostsim/boot/ (pvh.c, zero_page.c). */
#ifndef HOSTSIM_FC_BOOT_H
#define HOSTSIM_FC_BOOT_H

#include <linux/kvm.h>
#include <stdint.h>

#include "hostsim/boot/e820.h"
#include "hostsim/cpu/cpu_kvm.h"
#include "hostsim/guest_mem.h"

enum fc_boot_mode {
    FC_BOOT_PVH,
    FC_BOOT_LINUX,
};

/* boot_gdt.c: the 4-entry GDT at 0x500 and the zero IDT at 0x520, and the
 * segment registers KVM is given (decoded from those same descriptors). */
int fc_boot_write_gdt(const struct guest_mem *mem, enum fc_boot_mode mode);
void fc_boot_set_segments(struct kvm_sregs *s, enum fc_boot_mode mode);
/* One descriptor as KVM wants it: limit scaled by G, unusable when not present. */
struct kvm_segment fc_boot_segment_from_descriptor(uint64_t desc, unsigned index);

/* The initrd in guest RAM (initrd.h), size 0 when there is none. */
struct fc_initrd {
    uint64_t addr, size;
};

/* boot_pvh.c: hvm_start_info at 0x6000, memmap at 0x7000, the initrd as
 * the one module at 0x6040; 32-bit protected mode, paging off,
 * RBX = 0x6000. */
int fc_boot_pvh_write(const struct guest_mem *mem, const struct e820_entry *map, unsigned n,
                      const struct fc_initrd *initrd);
int fc_boot_pvh_vcpu(struct cpu_kvm *k, unsigned vcpu, uint32_t entry);

/* boot_linux.c: zero page at 0x7000 (the initrd in ramdisk_image and
 * ramdisk_size), identity page tables at 0x9000; 64-bit long mode,
 * RSI = 0x7000. cmdline_size includes the NUL. */
int fc_boot_linux_write(const struct guest_mem *mem, const struct e820_entry *map, unsigned n,
                        uint32_t cmdline_size, const struct fc_initrd *initrd);
int fc_boot_linux_vcpu(struct cpu_kvm *k, unsigned vcpu, uint64_t entry);

#endif
