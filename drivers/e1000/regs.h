/* Registers, bits and descriptor layouts of the Intel 8254x (82540EM,
 * 82545EM) and 82574L gigabit controllers, as far as this driver uses them.
 * Sources:
 *   [SDM]   PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 *           Developer's Manual (8254x): ch. 3 (receive and
 *           transmit descriptors), ch. 5 (EEPROM), ch. 13 (registers).
 *   [82574] Intel 82574 GbE Controller Family Datasheet: ch. 7
 *           (descriptors, interrupts), ch. 10 (registers).
 * Every register is 32 bits wide, little-endian, in memory BAR 0. */
#ifndef DRIVERS_E1000_REGS_H
#define DRIVERS_E1000_REGS_H

#include <stdint.h>

/* PCI identities [SDM] ch. 5 (device ID table), [82574] ch. 9. */
#define E1000_VENDOR_INTEL 0x8086
#define E1000_DEV_82540EM 0x100E
#define E1000_DEV_82545EM 0x100F
#define E1000_DEV_82574L 0x10D3

/* ---- register offsets: [SDM] ch. 13 (register summary),
 * [82574] ch. 10 (register summary) ---- */
#define E1000_CTRL 0x0000     /* device control */
#define E1000_STATUS 0x0008   /* device status */
#define E1000_EECD 0x0010     /* EEPROM/flash control */
#define E1000_EERD 0x0014     /* EEPROM read */
#define E1000_CTRL_EXT 0x0018 /* extended device control */
#define E1000_ICR 0x00C0      /* interrupt cause read (read clears, see below) */
#define E1000_ITR 0x00C4      /* interrupt throttling */
#define E1000_ICS 0x00C8      /* interrupt cause set */
#define E1000_IMS 0x00D0      /* interrupt mask set/read */
#define E1000_IMC 0x00D8      /* interrupt mask clear */
#define E1000_EIAC 0x00DC     /* 82574: MSI-X extended interrupt auto clear */
#define E1000_IAM 0x00E0      /* 82574: interrupt acknowledge auto mask */
#define E1000_IVAR 0x00E4     /* 82574: interrupt vector allocation */
#define E1000_RCTL 0x0100     /* receive control */
#define E1000_TCTL 0x0400     /* transmit control */
#define E1000_TIPG 0x0410     /* transmit inter-packet gap */
#define E1000_RDBAL 0x2800    /* receive descriptor base, low/high */
#define E1000_RDBAH 0x2804
#define E1000_RDLEN 0x2808 /* receive ring length in bytes, multiple of 128 */
#define E1000_RDH 0x2810   /* receive head (the device's) */
#define E1000_RDT 0x2818   /* receive tail (the driver's) */
#define E1000_RDTR 0x2820  /* receive delay timer */
#define E1000_TDBAL 0x3800
#define E1000_TDBAH 0x3804
#define E1000_TDLEN 0x3808
#define E1000_TDH 0x3810
#define E1000_TDT 0x3818
#define E1000_TIDV 0x3820 /* transmit interrupt delay */
/* Statistics, clear on read: [SDM] ch. 13, [82574] ch. 10. */
#define E1000_CRCERRS 0x4000 /* frames received with a bad CRC */
#define E1000_MPC 0x4010     /* missed packets: no receive descriptor free */
#define E1000_RXCSUM 0x5000  /* receive checksum control */
#define E1000_MTA 0x5200     /* multicast table array, 128 entries */
#define E1000_MTA_ENTRIES 128
#define E1000_RAL0 0x5400 /* receive address 0: bytes 0-3 */
#define E1000_RAH0 0x5404 /* bytes 4-5, bit 31 Address Valid */

/* CTRL [SDM] ch. 13, [82574] ch. 10. */
#define E1000_CTRL_FD (1u << 0)   /* full duplex */
#define E1000_CTRL_ASDE (1u << 5) /* auto-speed detection */
#define E1000_CTRL_SLU (1u << 6)  /* set link up */
#define E1000_CTRL_RST (1u << 26) /* device reset, self-clearing */

/* STATUS [SDM] ch. 13, [82574] ch. 10. */
#define E1000_STATUS_FD (1u << 0)
#define E1000_STATUS_LU (1u << 1)
#define E1000_STATUS_SPEED_SHIFT 6 /* 00 10, 01 100, 1x 1000 Mb/s */
#define E1000_STATUS_SPEED_MASK 3u

/* EERD: the two families lay it out differently. 8254x [SDM] ch. 13:
 * START bit 0, DONE bit 4, ADDR 15:8, DATA 31:16. 82574 [82574] ch. 10:
 * START bit 0, DONE bit 1, ADDR 15:2, DATA 31:16. */
#define E1000_EERD_START (1u << 0)
#define E1000_EERD_8254X_DONE (1u << 4)
#define E1000_EERD_8254X_ADDR_SHIFT 8
#define E1000_EERD_82574_DONE (1u << 1)
#define E1000_EERD_82574_ADDR_SHIFT 2
#define E1000_EERD_DATA_SHIFT 16
/* EEPROM words 0-2: the Ethernet address, low byte first [SDM] ch. 5,
 * [82574] ch. 6. */
#define E1000_EEPROM_MAC_WORDS 3

/* CTRL_EXT [82574] ch. 10: MSI-X mode wants PBA_CLR (clear the pending
 * bit array when the vector is serviced). */
#define E1000_CTRL_EXT_PBA_CLR (1u << 31)

/* Interrupt causes: ICR/ICS/IMS/IMC share the bits [SDM] ch. 13,
 * [82574] ch. 10. */
#define E1000_ICR_TXDW (1u << 0)   /* transmit descriptor written back */
#define E1000_ICR_TXQE (1u << 1)   /* transmit queue empty */
#define E1000_ICR_LSC (1u << 2)    /* link status change */
#define E1000_ICR_RXSEQ (1u << 3)  /* receive sequence error */
#define E1000_ICR_RXDMT0 (1u << 4) /* receive descriptors at the minimum threshold */
#define E1000_ICR_RXO (1u << 6)    /* receiver overrun */
#define E1000_ICR_RXT0 (1u << 7)   /* receiver timer: frames received */
/* 82574 only [82574] ch. 10: per-queue causes routed by IVAR in MSI-X mode,
 * OTHER for every cause that is not a queue's, ASSERTED in INTx/MSI mode. */
#define E1000_ICR_RXQ0 (1u << 20)
#define E1000_ICR_TXQ0 (1u << 22)
#define E1000_ICR_OTHER (1u << 24)
#define E1000_ICR_ASSERTED (1u << 31)

/* IVAR [82574] ch. 10: 4-bit entries {vector 2:0, valid bit 3}: RxQ0 at
 * 3:0, RxQ1 7:4, TxQ0 11:8, TxQ1 15:12, other causes 19:16. */
#define E1000_IVAR_VALID 0x8u
#define E1000_IVAR_RXQ0_SHIFT 0
#define E1000_IVAR_TXQ0_SHIFT 8
#define E1000_IVAR_OTHER_SHIFT 16

/* RCTL [SDM] ch. 13, [82574] ch. 10. BSIZE 00 without BSEX: 2048-byte
 * buffers. */
#define E1000_RCTL_EN (1u << 1)
#define E1000_RCTL_MPE (1u << 4)    /* multicast promiscuous */
#define E1000_RCTL_BAM (1u << 15)   /* accept broadcast */
#define E1000_RCTL_SECRC (1u << 26) /* strip the Ethernet CRC */

/* TCTL [SDM] ch. 13, [82574] ch. 10: CT 11:4 (collision threshold, 0Fh
 * recommended), COLD 21:12 (collision distance, 40h for full duplex). */
#define E1000_TCTL_EN (1u << 1)
#define E1000_TCTL_PSP (1u << 3) /* pad short packets */
#define E1000_TCTL_CT(x) ((uint32_t)(x) << 4)
#define E1000_TCTL_COLD(x) ((uint32_t)(x) << 12)
#define E1000_TCTL_CT_DEFAULT 0x0F
#define E1000_TCTL_COLD_FULL_DUPLEX 0x40

/* TIPG [SDM] ch. 13, [82574] ch. 10: IPGT 9:0, IPGR1 19:10, IPGR2 29:20,
 * in byte times; 8, 8 and 6 for a copper link at full duplex (the 82574's
 * reset value of IPGT is 8 too). The timing is the MAC's own: an emulated
 * device ignores it. */
#define E1000_TIPG_VALUE (8u | 8u << 10 | 6u << 20)

/* RXCSUM [SDM] ch. 13, [82574] ch. 10: verify IPv4 header (IPOFLD) and
 * TCP/UDP (TUOFLD) checksums of received frames; the result is reported in
 * each descriptor's status and errors. */
#define E1000_RXCSUM_IPOFL (1u << 8)
#define E1000_RXCSUM_TUOFL (1u << 9)

/* ---- descriptors: 16 bytes each, the rings 128-byte multiples ---- */

/* Legacy receive descriptor [SDM] ch. 3, [82574] ch. 7. */
struct e1000_rx_desc {
    uint64_t addr;
    uint16_t length;
    uint16_t csum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};
#define E1000_RXD_STAT_DD (1u << 0)    /* descriptor done */
#define E1000_RXD_STAT_EOP (1u << 1)   /* end of packet */
#define E1000_RXD_STAT_IXSM (1u << 2)  /* ignore the checksum indications */
#define E1000_RXD_STAT_TCPCS (1u << 5) /* TCP/UDP checksum was calculated */
#define E1000_RXD_STAT_IPCS (1u << 6)  /* IPv4 header checksum was calculated */
#define E1000_RXD_ERR_CE (1u << 0)     /* CRC or alignment error */
#define E1000_RXD_ERR_SE (1u << 1)     /* symbol error */
#define E1000_RXD_ERR_SEQ (1u << 2)    /* sequence error */
#define E1000_RXD_ERR_CXE (1u << 4)    /* carrier extension error */
#define E1000_RXD_ERR_TCPE (1u << 5)   /* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE (1u << 6)    /* IPv4 checksum error */
#define E1000_RXD_ERR_RXE (1u << 7)    /* receive data error */
/* The errors that mean the frame itself is damaged (not a checksum verdict). */
#define E1000_RXD_ERR_FRAME                                                                        \
    (E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | E1000_RXD_ERR_CXE |                 \
     E1000_RXD_ERR_RXE)

/* Transmit descriptors share one layout of two 32-bit words after the
 * buffer address [SDM] ch. 3 (legacy, TCP/IP context and TCP/IP data
 * descriptors); [82574] ch. 7. */
struct e1000_tx_desc {
    uint64_t addr;  /* context: IPCSS, IPCSO, IPCSE, TUCSS, TUCSO, TUCSE */
    uint32_t lower; /* length, CSO (legacy), DTYP, command */
    uint32_t upper; /* status, CSS (legacy) or POPTS, special */
};
/* lower, legacy: length 15:0, CSO 23:16, CMD 31:24. Data (DEXT=1,
 * DTYP=0001): DTALEN 19:0, DTYP 23:20, DCMD 31:24. Context (DEXT=1,
 * DTYP=0000): PAYLEN 19:0, DTYP 23:20, TUCMD 31:24. */
#define E1000_TXD_CMD_EOP (1u << 24)  /* end of packet */
#define E1000_TXD_CMD_IFCS (1u << 25) /* insert the Ethernet CRC */
#define E1000_TXD_CMD_TCP (1u << 24)  /* context TUCMD: TCP (else UDP) */
#define E1000_TXD_CMD_IP (1u << 25)   /* context TUCMD: IPv4 (else IPv6) */
#define E1000_TXD_CMD_RS (1u << 27)   /* report status: write DD back */
#define E1000_TXD_CMD_DEXT (1u << 29) /* extended (context or data) descriptor */
#define E1000_TXD_DTYP_DATA (1u << 20)
#define E1000_TXD_LEN_MASK 0xFFFFu
/* upper: STA 3:0 (DD bit 0); data descriptors: POPTS 15:8 (TXSM bit 9:
 * insert the TCP/UDP checksum described by the current context). */
#define E1000_TXD_STAT_DD (1u << 0)
#define E1000_TXD_POPTS_TXSM (1u << 9)

/* Context descriptor fields in the first eight bytes [SDM] ch. 3: IPCSS
 * bits 7:0, IPCSO 15:8, IPCSE 31:16, TUCSS 39:32, TUCSO 47:40, TUCSE
 * 63:48 (0: to the end of the frame). */
#define E1000_TXC_TUCSS_SHIFT 32
#define E1000_TXC_TUCSO_SHIFT 40

#endif
