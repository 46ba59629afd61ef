/* vmxnet3 (VMware's paravirtual NIC, PCI 15AD:07B0): registers, commands and
 * the layouts shared with the device, revision 1 / UPT version 1. All values
 * are little-endian; registers are 32 bits wide.
 *
 * Sources (facts only): VMware's device header as published in Linux
 * (drivers/net/vmxnet3/vmxnet3_defs.h, torvalds/linux@05909cd9a0c8), and
 * QEMU 7.2's model (hw/net/vmxnet3.c, hw/net/vmxnet3.h) for what QEMU does
 * differently. Offsets of the shared structures are the revision-1 layout
 * (struct Vmxnet3_DriverShared, Vmxnet3_TxQueueDesc, Vmxnet3_RxQueueDesc). */
#ifndef DRIVERS_VMXNET3_VMXNET3_REGS_H
#define DRIVERS_VMXNET3_VMXNET3_REGS_H

#define VMXNET3_VENDOR_VMWARE 0x15AD
#define VMXNET3_DEVICE_ID 0x07B0

/* BAR0 ("PT"): the fast-path doorbells and interrupt masks, 8 bytes apart
 * (VMXNET3_REG_IMR, _TXPROD, _RXPROD, _RXPROD2, VMXNET3_REG_ALIGN). */
#define VMXNET3_BAR0 0
#define VMXNET3_BAR1 1
#define VMXNET3_REG_ALIGN 8
#define VMXNET3_REG_IMR 0x000 /* + 8 * vector: 1 masks, 0 unmasks */
#define VMXNET3_REG_TXPROD 0x600
#define VMXNET3_REG_RXPROD 0x800
#define VMXNET3_REG_RXPROD2 0xA00
#define VMXNET3_BAR0_BYTES 0x1000 /* what the registers above need */

/* BAR1 ("VD"): configuration and commands. */
#define VMXNET3_REG_VRRS 0x00 /* revisions supported (bit n: revision n+1), write the choice */
#define VMXNET3_REG_UVRS 0x08 /* UPT versions, likewise */
#define VMXNET3_REG_DSAL 0x10 /* driver shared area, low half */
#define VMXNET3_REG_DSAH 0x18 /* high half (QEMU latches the address on this write) */
#define VMXNET3_REG_CMD 0x20
#define VMXNET3_REG_MACL 0x28 /* MAC bytes 0-3, byte 0 in bits 7:0 */
#define VMXNET3_REG_MACH 0x30 /* MAC bytes 4-5 in bits 15:0 */
#define VMXNET3_REG_ICR 0x38  /* INTx: nonzero when the device raised the line */
#define VMXNET3_REG_ECR 0x40  /* write event bits to acknowledge them */
#define VMXNET3_BAR1_BYTES 0x48

/* Commands: write to CMD; a GET's answer (and ACTIVATE's status) is read back
 * from CMD (VMXNET3_CMD_FIRST_SET 0xCAFE0000, VMXNET3_CMD_FIRST_GET 0xF00D0000). */
#define VMXNET3_CMD_ACTIVATE_DEV 0xCAFE0000u
#define VMXNET3_CMD_QUIESCE_DEV 0xCAFE0001u
#define VMXNET3_CMD_RESET_DEV 0xCAFE0002u
#define VMXNET3_CMD_UPDATE_RX_MODE 0xCAFE0003u
#define VMXNET3_CMD_UPDATE_MAC_FILTERS 0xCAFE0004u
#define VMXNET3_CMD_GET_QUEUE_STATUS 0xF00D0000u
#define VMXNET3_CMD_GET_LINK 0xF00D0002u
#define VMXNET3_CMD_GET_CONF_INTR 0xF00D0008u

/* GET_LINK: bit 0 up, bits 31:16 the speed in Mb/s (vmxnet3_check_link). */
#define VMXNET3_LINK_UP_BIT 0x1u
#define VMXNET3_LINK_SPEED_SHIFT 16

/* GET_CONF_INTR: bits 1:0 the interrupt type the device wants, bits 3:2 the
 * mask mode (VMXNET3_IT_*, VMXNET3_IMM_*). */
#define VMXNET3_IT_MASK 0x3u
#define VMXNET3_IT_AUTO 0
#define VMXNET3_IT_INTX 1
#define VMXNET3_IT_MSI 2
#define VMXNET3_IT_MSIX 3
#define VMXNET3_IMM_SHIFT 2
#define VMXNET3_IMM_MASK 0x3u
#define VMXNET3_IMM_AUTO 0
#define VMXNET3_IMM_ACTIVE 1
#define VMXNET3_IMM_LAZY 2

/* Events in shared.ecr / the ECR register (VMXNET3_ECR_*). */
#define VMXNET3_ECR_RQERR 0x1u
#define VMXNET3_ECR_TQERR 0x2u
#define VMXNET3_ECR_LINK 0x4u
#define VMXNET3_ECR_DIC 0x8u
#define VMXNET3_ECR_DEBUG 0x10u

/* Interrupt vectors: 25 with MSI-X (VMXNET3_MAX_INTRS); with MSI or INTx
 * only vector 0 exists (QEMU asserts on any other index). */
#define VMXNET3_MAX_INTRS 25

/* ---- struct Vmxnet3_DriverShared (720 bytes) ---- */
#define VMXNET3_SHARED_BYTES 720
#define VMXNET3_REV1_MAGIC 0xBABEFEE1u
#define VMXNET3_DS_MAGIC 0
#define VMXNET3_DS_DRIVER_VERSION 8 /* devRead.misc.driverInfo.version */
#define VMXNET3_DS_GOS 12           /* driverInfo.gos bit fields */
#define VMXNET3_DS_REV_SUPPORT 16   /* driverInfo.vmxnet3RevSpt */
#define VMXNET3_DS_UPT_SUPPORT 20   /* driverInfo.uptVerSpt */
#define VMXNET3_DS_UPT_FEATURES 24  /* u64: UPT1_F_* */
#define VMXNET3_DS_DD_PA 32         /* u64 */
#define VMXNET3_DS_QUEUE_DESC_PA 40 /* u64, 128-byte aligned */
#define VMXNET3_DS_DD_LEN 48
#define VMXNET3_DS_QUEUE_DESC_LEN 52
#define VMXNET3_DS_MTU 56
#define VMXNET3_DS_MAX_RX_SG 60     /* u16 */
#define VMXNET3_DS_NUM_TX_QUEUES 62 /* u8 */
#define VMXNET3_DS_NUM_RX_QUEUES 63 /* u8 */
#define VMXNET3_DS_AUTO_MASK 80     /* u8: intrConf.autoMask */
#define VMXNET3_DS_NUM_INTRS 81     /* u8 */
#define VMXNET3_DS_EVENT_INTR 82    /* u8: eventIntrIdx */
#define VMXNET3_DS_MOD_LEVELS 83    /* u8[25]: 0 = no moderation */
#define VMXNET3_DS_INTR_CTRL 108    /* bit 0: VMXNET3_IC_DISABLE_ALL */
#define VMXNET3_DS_RX_MODE 120      /* rxFilterConf.rxMode */
#define VMXNET3_DS_MF_TABLE_LEN 124 /* u16 */
#define VMXNET3_DS_MF_TABLE_PA 128  /* u64 */
#define VMXNET3_DS_ECR 696          /* the device ORs event bits in here */

/* driverInfo.gos: bits 1:0 width (VMXNET3_GOS_BITS_64 = 2), bits 5:2 type
 * (VMXNET3_GOS_TYPE_*). QEMU lets a non-Windows guest's frames span ring-1
 * buffers (vmxnet3_adjust_by_guest_type); maxNumRxSG = 1 keeps them whole. */
#define VMXNET3_GOS_BITS_64 2u
#define VMXNET3_GOS_TYPE_SHIFT 2
#define VMXNET3_GOS_TYPE_LINUX 1u /* the nearest generic kind; no "other" exists */

#define VMXNET3_RXM_UCAST 0x1u
#define VMXNET3_RXM_MCAST 0x2u
#define VMXNET3_RXM_BCAST 0x4u

/* MTU bounds (VMXNET3_MIN_MTU 60, VMXNET3_MAX_MTU 9000); QEMU 7.2.0 aborts
 * outside 60..8999, so the MTU is always set. */
#define VMXNET3_MTU_MIN 60
#define VMXNET3_MTU_MAX 9000

/* ---- queue descriptors (256 bytes each; all Tx, then all Rx) ---- */
#define VMXNET3_QDESC_BYTES 256
#define VMXNET3_QDESC_ALIGN 128
#define VMXNET3_TQ_NUM_DEFERRED 0 /* ctrl.txNumDeferred, written by the driver */
#define VMXNET3_TQ_THRESHOLD 4    /* ctrl.txThreshold, written by the device */
#define VMXNET3_TQ_RING_PA 16     /* u64 conf.txRingBasePA */
#define VMXNET3_TQ_DATA_PA 24     /* u64 conf.dataRingBasePA */
#define VMXNET3_TQ_COMP_PA 32     /* u64 conf.compRingBasePA */
#define VMXNET3_TQ_RING_SIZE 56
#define VMXNET3_TQ_DATA_SIZE 60
#define VMXNET3_TQ_COMP_SIZE 64
#define VMXNET3_TQ_INTR_IDX 72   /* u8 */
#define VMXNET3_TQ_STOPPED 80    /* u8 status.stopped */
#define VMXNET3_TQ_ERROR 84      /* u32 status.error */
#define VMXNET3_RQ_UPDATE_PROD 0 /* u8 ctrl.updateRxProd, written by the device */
#define VMXNET3_RQ_RING0_PA 16
#define VMXNET3_RQ_RING1_PA 24
#define VMXNET3_RQ_COMP_PA 32
#define VMXNET3_RQ_RING0_SIZE 56
#define VMXNET3_RQ_RING1_SIZE 60
#define VMXNET3_RQ_COMP_SIZE 64
#define VMXNET3_RQ_INTR_IDX 72
#define VMXNET3_RQ_STOPPED 80
#define VMXNET3_RQ_ERROR 84

/* Rings: base 512-byte aligned, sizes multiples of 32 (VMXNET3_RING_BA_ALIGN,
 * VMXNET3_RING_SIZE_ALIGN), at most 4096 (Tx, Tx completion, each Rx ring)
 * and 8192 (Rx completion). */
#define VMXNET3_RING_ALIGN 512
#define VMXNET3_RING_SIZE_ALIGN 32
#define VMXNET3_RING_MAX 4096
#define VMXNET3_COMP_RING_MAX 8192
#define VMXNET3_DESC_BYTES 16 /* every descriptor kind */
/* The transmit data ring: one 128-byte Vmxnet3_TxDataDesc per transmit
 * descriptor in revision 1 (VMXNET3_TXDATA_DESC_MIN_SIZE). */
#define VMXNET3_TXDATA_DESC_BYTES 128

/* ---- descriptors: dword n at byte 4n ---- */
/* Vmxnet3_TxDesc: addr u64; dword 2: len 13:0 (0 = 16384), gen 14, dtype 16,
 * ext1 17, msscof 31:18; dword 3: hlen 9:0, om 11:10, eop 12, cq 13, ti 15,
 * tci 31:16. Offload fields are taken from the first descriptor of a packet:
 * for a checksum (om 2) hlen is where L4 starts and msscof where the
 * checksum goes (vmxnet3_tq_xmit). */
#define VMXNET3_TXD_LEN_MASK 0x3FFFu
#define VMXNET3_TXD_GEN (1u << 14)
#define VMXNET3_TXD_MSSCOF_SHIFT 18
#define VMXNET3_TXD_HLEN_MASK 0x3FFu
#define VMXNET3_TXD_OM_SHIFT 10
#define VMXNET3_OM_NONE 0u
#define VMXNET3_OM_CSUM 2u
#define VMXNET3_TXD_EOP (1u << 12)
#define VMXNET3_TXD_CQ (1u << 13) /* ask for a completion */
#define VMXNET3_TX_BUF_MAX 16384
#define VMXNET3_MAX_CSUM_OFFSET 1024 /* the furthest checksum the device inserts */

/* Vmxnet3_TxCompDesc: dword 0 txdIdx 11:0 (the packet's last descriptor);
 * dword 3 type 30:24, gen 31. */
#define VMXNET3_TCD_IDX_MASK 0xFFFu
#define VMXNET3_CD_GEN (1u << 31) /* dword 3 of both completion kinds */

/* Vmxnet3_RxDesc: addr u64; dword 2: len 13:0, btype 14 (0 head, 1 body),
 * dtype 15, gen 31. */
#define VMXNET3_RXD_LEN_MASK 0x3FFFu
#define VMXNET3_RXD_BTYPE_BODY (1u << 14)
#define VMXNET3_RXD_GEN (1u << 31)
#define VMXNET3_RX_BUF_MAX 16383

/* Vmxnet3_RxCompDesc: dword 0: rxdIdx 11:0, eop 14, sop 15, rqID 25:16;
 * dword 2: len 13:0, err 14; dword 3: gen 31. rqID is the queue for ring 0
 * and queue + numRxQueues for ring 1. */
#define VMXNET3_RCD_IDX_MASK 0xFFFu
#define VMXNET3_RCD_EOP (1u << 14)
#define VMXNET3_RCD_SOP (1u << 15)
#define VMXNET3_RCD_RQID_SHIFT 16
#define VMXNET3_RCD_RQID_MASK 0x3FFu
#define VMXNET3_RCD_LEN_MASK 0x3FFFu
#define VMXNET3_RCD_ERR (1u << 14)

#endif
