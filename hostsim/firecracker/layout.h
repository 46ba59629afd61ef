/* Firecracker's x86_64 guest-physical layout and boot constants, from
 * firecracker-microvm/firecracker src/vmm/src/arch/x86_64/layout.rs (and
 * regs.rs, mod.rs, vm.rs as noted) at 81b38b9d. */
#ifndef HOSTSIM_FC_LAYOUT_H
#define HOSTSIM_FC_LAYOUT_H

#define FC_GDT_START 0x500ull        /* regs.rs BOOT_GDT_OFFSET */
#define FC_IDT_START 0x520ull        /* regs.rs BOOT_IDT_OFFSET */
#define FC_PVH_INFO_START 0x6000ull  /* PVH_INFO_START: hvm_start_info */
#define FC_MODLIST_START 0x6040ull   /* MODLIST_START */
#define FC_ZERO_PAGE_START 0x7000ull /* ZERO_PAGE_START, also MEMMAP_START (PVH) */
#define FC_MEMMAP_START 0x7000ull
#define FC_BOOT_STACK 0x8FF0ull /* BOOT_STACK_POINTER: RSP = RBP in Linux mode */
#define FC_PML4_START 0x9000ull /* regs.rs PML4_START */
#define FC_PDPT_START 0xA000ull /* PDPTE_START */
#define FC_PD_START 0xB000ull   /* PDE_START */
#define FC_CMDLINE_START 0x20000ull
#define FC_CMDLINE_MAX 2048u           /* CMDLINE_MAX_SIZE, including the NUL */
#define FC_SYSTEM_MEM_START 0x9FC00ull /* MP table, then the ACPI tables */
#define FC_RSDP_ADDR 0xE0000ull
#define FC_SYSTEM_MEM_SIZE (FC_RSDP_ADDR - FC_SYSTEM_MEM_START) /* 0x40400 */
#define FC_HIMEM_START 0x100000ull                              /* lowest e_entry allowed */

#define FC_MMIO32_START 0xC0000000ull /* 1 GiB gap below 4 GiB */
#define FC_MMIO32_SIZE 0x40000000ull
#define FC_PCI_MMCONFIG_START 0xEEC00000ull
#define FC_PCI_MMCONFIG_SIZE 0x10000000ull
#define FC_IOAPIC_ADDR 0xFEC00000u
#define FC_LAPIC_ADDR 0xFEE00000u
#define FC_TSS_ADDRESS 0xFFFBD000ull /* vm.rs: KVM_SET_TSS_ADDRESS */
#define FC_FIRST_ADDR_PAST_32BITS 0x100000000ull
#define FC_MMIO64_START (256ull << 30) /* [256, 512) GiB */
#define FC_MMIO64_SIZE (256ull << 30)

#define FC_MAX_VCPUS 32      /* vmm_config/machine_config.rs MAX_SUPPORTED_VCPUS */
#define FC_E820_MAX 128      /* e820_table entries in the zero page */
#define FC_GSI_LEGACY_END 23 /* ISA IRQs 0..23 in the MP table */
#define FC_COM1_GSI 4
#define FC_I8042_GSI 1

#endif
