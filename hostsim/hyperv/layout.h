/* Guest-physical layout of hostsim's Hyper-V machine. Boot structures sit
 * where hostsim's PVH loader puts them for the Firecracker model (boot GDT
 * at 0x500, hvm_start_info at 0x6000, memory map at 0x7000, command line at
 * 0x20000: hostsim/firecracker/layout.h), so the same boot code serves both;
 * the ACPI tables go below 1 MiB in the BIOS area a Gen1 VM's firmware
 * uses, and RAM is one block from 0 (the 640 KiB-1 MiB hole reserved). */
#ifndef HOSTSIM_HYPERV_LAYOUT_H
#define HOSTSIM_HYPERV_LAYOUT_H

#define HVM_LOW_RAM_END 0x9FC00ull /* conventional memory, as a PC BIOS reports it */
#define HVM_HIGH_RAM_START 0x100000ull
#define HVM_ACPI_START 0xE0000ull /* RSDP first, then the tables */
#define HVM_ACPI_SIZE 0x10000ull
#define HVM_MAX_RAM 0xC0000000ull /* below the 32-bit MMIO hole: 3 GiB */
#define HVM_MIN_RAM (2ull << 20)

#define HVM_IOAPIC_ADDR 0xFEC00000u
#define HVM_LAPIC_ADDR 0xFEE00000u
#define HVM_TSS_ADDRESS 0xFFFBD000ull
/* Gen2's VMBus module window (\_SB.VMOD _CRS): MMIO space for VMBus
 * devices that map memory (framebuffer, virtual PCI); nothing is mapped. */
#define HVM_VMOD_MMIO_START 0xF8000000u
#define HVM_VMOD_MMIO_SIZE 0x04000000u

#define HVM_COM1_PORT 0x3F8
#define HVM_COM1_GSI 4
#define HVM_VMBUS_GSI 5 /* the interrupt the VMBus device's _CRS names */

/* The I/O port the hypercall page's `out` reaches: an 8-bit port so that the
 * page can use `out imm8, al` and leave RCX, RDX and R8, the hypercall's
 * inputs, untouched (vmcall never returns under the PVM host). No PC device
 * uses 0xE6. */
#define HVM_HYPERCALL_PORT 0xE6

#endif
