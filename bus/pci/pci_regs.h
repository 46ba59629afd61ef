/* PCI configuration-space register offsets and bits, from the public
 * specifications: PCI Local Bus 3.0 (6.1 header, 6.2.2 command, 6.2.3 status,
 * 6.2.5 BARs, 6.7 capabilities, 6.8 MSI and MSI-X), PCI-to-PCI Bridge 1.2
 * (3.2 type 1 header) and PCIe Base 4.0 (7.5.3 PCI Express capability,
 * 7.2.2 ECAM). */
#ifndef BUS_PCI_PCI_REGS_H
#define BUS_PCI_PCI_REGS_H

/* Conventional configuration space of a function (6.1); PCIe extends it to
 * 4096 bytes, reached through ECAM only. */
#define PCI_CONFIG_SPACE_SIZE 256

/* Common header (all header types). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08 /* dword: revision, prog-if, subclass, class */
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34         /* header types 0 and 1 */
#define PCI_CARDBUS_CAP_PTR 0x14 /* header type 2 */
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN 0x3D

/* Type 0 (endpoint). */
#define PCI_SUBSYS_VENDOR 0x2C
#define PCI_SUBSYS_ID 0x2E
/* Type 1 (PCI-to-PCI bridge 1.2, 3.2.5). */
#define PCI_BRIDGE_PRIMARY_BUS 0x18
#define PCI_BRIDGE_SECONDARY_BUS 0x19
#define PCI_BRIDGE_SUBORDINATE_BUS 0x1A
/* Type 2 (CardBus bridge). */
#define PCI_CARDBUS_SUBSYS_VENDOR 0x40
#define PCI_CARDBUS_SUBSYS_ID 0x42

#define PCI_HEADER_LAYOUT 0x7F
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_ENDPOINT 0
#define PCI_HEADER_BRIDGE 1
#define PCI_HEADER_CARDBUS 2

#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define PCI_STATUS_CAP_LIST 0x0010

#define PCI_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_HOST 0x00

/* BAR low bits (6.2.5.1). */
#define PCI_BAR_IO 0x1
#define PCI_BAR_IO_MASK 0xFFFFFFFCu
#define PCI_BAR_MEM_TYPE 0x6 /* bits 2:1 */
#define PCI_BAR_MEM_TYPE_32 0x0
#define PCI_BAR_MEM_TYPE_1M 0x2 /* below 1 MiB, legacy */
#define PCI_BAR_MEM_TYPE_64 0x4
#define PCI_BAR_MEM_PREFETCH 0x8
#define PCI_BAR_MEM_MASK 0xFFFFFFF0u

/* Capability IDs (PCI Code and ID Assignment 1.11, 2). */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VENDOR 0x09
#define PCI_CAP_ID_PCIE 0x10
#define PCI_CAP_ID_MSIX 0x11

/* Capability list limits: the list lives in 0x40-0xFF, entries are dword
 * aligned, so at most (256 - 64) / 4 = 48 entries. */
#define PCI_CAP_FIRST 0x40
#define PCI_CAP_MAX_STEPS 48

/* MSI capability (6.8.1). */
#define PCI_MSI_CONTROL 0x02
#define PCI_MSI_ADDR_LO 0x04
#define PCI_MSI_ADDR_HI 0x08 /* 64-bit variant only */
#define PCI_MSI_DATA_32 0x08 /* 32-bit variant */
#define PCI_MSI_DATA_64 0x0C /* 64-bit variant */
#define PCI_MSI_MASK_32 0x0C /* per-vector masking, 32-bit variant */
#define PCI_MSI_MASK_64 0x10 /* per-vector masking, 64-bit variant */
#define PCI_MSI_CTRL_ENABLE 0x0001
#define PCI_MSI_CTRL_MME 0x0070 /* multiple message enable, bits 6:4 */
#define PCI_MSI_CTRL_64BIT 0x0080
#define PCI_MSI_CTRL_MASKABLE 0x0100

/* MSI-X capability (6.8.2). */
#define PCI_MSIX_CONTROL 0x02
#define PCI_MSIX_TABLE 0x04 /* BIR bits 2:0, offset bits 31:3 */
#define PCI_MSIX_PBA 0x08
#define PCI_MSIX_CTRL_SIZE 0x07FF /* table size - 1 */
#define PCI_MSIX_CTRL_FUNCTION_MASK 0x4000
#define PCI_MSIX_CTRL_ENABLE 0x8000
#define PCI_MSIX_BIR 0x7
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_ADDR_LO 0x0
#define PCI_MSIX_ENTRY_ADDR_HI 0x4
#define PCI_MSIX_ENTRY_DATA 0x8
#define PCI_MSIX_ENTRY_CONTROL 0xC
#define PCI_MSIX_ENTRY_MASKED 0x1

/* PCI Express capability (PCIe Base 4.0, 7.5.3). */
#define PCI_PCIE_FLAGS 0x02 /* bits 7:4 device/port type */
#define PCI_PCIE_DEVCTL2 0x28
#define PCI_PCIE_DEVCTL2_ARI 0x0020
#define PCI_PCIE_TYPE_ROOT_PORT 0x4
#define PCI_PCIE_TYPE_DOWNSTREAM 0x6

/* Message address for an xAPIC (Intel SDM vol. 3A 11.11.1): 0xFEE in bits
 * 31:20, destination APIC ID in bits 19:12, physical destination mode. */
#define PCI_MSI_ADDRESS_BASE 0xFEE00000u

/* Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_CONFIG_ENABLE 0x80000000u

#endif
