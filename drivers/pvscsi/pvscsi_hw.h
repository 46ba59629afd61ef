/* The VMware PVSCSI adapter's interface: PCI IDs, registers, adapter
 * commands and the layouts of the shared pages. Facts from VMware's public
 * header as shipped in Linux (drivers/scsi/vmw_pvscsi.h, Linux 6.1) and
 * QEMU 7.2 (hw/scsi/vmw_pvscsi.h); all fields little-endian. The structures
 * are this driver's own; each offset is pinned below so that a layout
 * mistake fails the build. */
#ifndef DRIVERS_PVSCSI_PVSCSI_HW_H
#define DRIVERS_PVSCSI_PVSCSI_HW_H

#include <stddef.h>
#include <stdint.h>

#define PVSCSI_VENDOR_VMWARE 0x15AD
#define PVSCSI_DEVICE_ID 0x07C0
/* The registers: the first memory BAR of at least 32 KiB (QEMU has one,
 * BAR0; VMware's index is not documented, so it is searched for). */
#define PVSCSI_MEM_SPACE_SIZE 0x8000

/* Register offsets in that BAR. */
#define PVSCSI_REG_COMMAND 0x0000
#define PVSCSI_REG_COMMAND_DATA 0x0004
#define PVSCSI_REG_COMMAND_STATUS 0x0008
#define PVSCSI_REG_INTR_STATUS 0x100C /* write 1s to clear */
#define PVSCSI_REG_INTR_MASK 0x2010   /* 1 = enabled */
#define PVSCSI_REG_KICK_NON_RW_IO 0x3014
#define PVSCSI_REG_KICK_RW_IO 0x4018 /* for READ/WRITE 6/10/12/16 */

#define PVSCSI_INTR_CMPL_0 0x1
#define PVSCSI_INTR_CMPL_1 0x2
#define PVSCSI_INTR_MSG_0 0x4
#define PVSCSI_INTR_MSG_1 0x8
#define PVSCSI_INTR_CMPL_MASK (PVSCSI_INTR_CMPL_0 | PVSCSI_INTR_CMPL_1)
#define PVSCSI_INTR_MSG_MASK (PVSCSI_INTR_MSG_0 | PVSCSI_INTR_MSG_1)
#define PVSCSI_INTR_ALL (PVSCSI_INTR_CMPL_MASK | PVSCSI_INTR_MSG_MASK)

/* Adapter commands: COMMAND, then the payload a word at a time to
 * COMMAND_DATA, then COMMAND_STATUS. */
#define PVSCSI_CMD_ADAPTER_RESET 1
#define PVSCSI_CMD_SETUP_RINGS 3
#define PVSCSI_CMD_SETUP_MSG_RING 8
#define PVSCSI_STATUS_FAILED 0xFFFFFFFFu /* -1: failed or not supported */

#define PVSCSI_PAGE_SHIFT 12
#define PVSCSI_PAGE_SIZE 4096u
#define PVSCSI_SETUP_RINGS_MAX_PAGES 32
#define PVSCSI_SETUP_MSG_RING_MAX_PAGES 16

/* SETUP_RINGS payload: 132 words; QEMU acts only once all have arrived. */
struct pvscsi_setup_rings {
    uint32_t req_ring_pages;
    uint32_t cmp_ring_pages;
    uint64_t rings_state_ppn;
    uint64_t req_ring_ppns[PVSCSI_SETUP_RINGS_MAX_PAGES];
    uint64_t cmp_ring_ppns[PVSCSI_SETUP_RINGS_MAX_PAGES];
};
_Static_assert(sizeof(struct pvscsi_setup_rings) == 528, "SETUP_RINGS payload");
_Static_assert(offsetof(struct pvscsi_setup_rings, cmp_ring_ppns) == 272, "cmpRingPPNs");

struct pvscsi_setup_msg_ring {
    uint32_t pages;
    uint32_t pad;
    uint64_t ring_ppns[PVSCSI_SETUP_MSG_RING_MAX_PAGES];
};
_Static_assert(sizeof(struct pvscsi_setup_msg_ring) == 136, "SETUP_MSG_RING payload");

/* The rings state page: the driver owns reqProdIdx, cmpConsIdx and
 * msgConsIdx; the device the others (the Log2 fields too). */
struct pvscsi_rings_state {
    uint32_t req_prod;
    uint32_t req_cons;
    uint32_t req_entries_log2;
    uint32_t cmp_prod;
    uint32_t cmp_cons;
    uint32_t cmp_entries_log2;
    uint32_t req_call_threshold;
    uint8_t pad0[100];
    uint32_t msg_prod;
    uint32_t msg_cons;
    uint32_t msg_entries_log2;
};
_Static_assert(offsetof(struct pvscsi_rings_state, cmp_prod) == 12, "cmpProdIdx");
_Static_assert(offsetof(struct pvscsi_rings_state, msg_prod) == 128, "msgProdIdx");
_Static_assert(offsetof(struct pvscsi_rings_state, msg_entries_log2) == 136, "msgNumEntriesLog2");

/* Request descriptor flags. */
#define PVSCSI_FLAG_SG_LIST 0x1
#define PVSCSI_FLAG_DIR_NONE 0x4
#define PVSCSI_FLAG_DIR_TOHOST 0x8
#define PVSCSI_FLAG_DIR_TODEVICE 0x10

/* A request: 128 bytes, 32 to a page. */
struct pvscsi_req_desc {
    uint64_t context; /* ESX: not 0 and below 2^32 */
    uint64_t data_addr;
    uint64_t data_len;
    uint64_t sense_addr;
    uint32_t sense_len;
    uint32_t flags;
    uint8_t cdb[16];
    uint8_t cdb_len;
    uint8_t lun[8];
    uint8_t tag;
    uint8_t bus;
    uint8_t target;
    uint8_t vcpu_hint[2]; /* u16 in Linux, u8 in QEMU: both bytes 0 */
    uint8_t reserved[58];
} __attribute__((packed));
_Static_assert(sizeof(struct pvscsi_req_desc) == 128, "request descriptor");
_Static_assert(offsetof(struct pvscsi_req_desc, cdb) == 40, "cdb");
_Static_assert(offsetof(struct pvscsi_req_desc, lun) == 57, "lun");
_Static_assert(offsetof(struct pvscsi_req_desc, target) == 67, "target");
#define PVSCSI_REQ_PER_PAGE (PVSCSI_PAGE_SIZE / sizeof(struct pvscsi_req_desc))

/* A completion: 32 bytes, 128 to a page. */
struct pvscsi_cmp_desc {
    uint64_t context;
    uint64_t data_len; /* bytes transferred (QEMU leaves it 0) */
    uint32_t sense_len;
    uint16_t host_status;
    uint16_t scsi_status;
    uint32_t reserved[2];
};
_Static_assert(sizeof(struct pvscsi_cmp_desc) == 32, "completion descriptor");
_Static_assert(offsetof(struct pvscsi_cmp_desc, host_status) == 20, "hostStatus");
#define PVSCSI_CMP_PER_PAGE (PVSCSI_PAGE_SIZE / sizeof(struct pvscsi_cmp_desc))

/* A message: 128 bytes, 32 to a page (device status changed). */
#define PVSCSI_MSG_DEV_ADDED 0
#define PVSCSI_MSG_DEV_REMOVED 1
struct pvscsi_msg_desc {
    uint32_t type;
    uint32_t bus;
    uint32_t target;
    uint8_t lun[8];
    uint32_t pad[27];
};
_Static_assert(sizeof(struct pvscsi_msg_desc) == 128, "message descriptor");
#define PVSCSI_MSG_PER_PAGE (PVSCSI_PAGE_SIZE / sizeof(struct pvscsi_msg_desc))

/* hostStatus values (BusLogic-derived BTSTAT codes). */
#define PVSCSI_HOST_SUCCESS 0x00
#define PVSCSI_HOST_LINKED_COMMAND_COMPLETED 0x0A
#define PVSCSI_HOST_LINKED_COMMAND_COMPLETED_WITH_FLAG 0x0B
#define PVSCSI_HOST_DATA_UNDERRUN 0x0C
#define PVSCSI_HOST_SELTIMEO 0x11
#define PVSCSI_HOST_DATARUN 0x12
#define PVSCSI_HOST_BUSFREE 0x13
#define PVSCSI_HOST_INVPHASE 0x14
#define PVSCSI_HOST_LUNMISMATCH 0x17
#define PVSCSI_HOST_SENSFAILED 0x1B
#define PVSCSI_HOST_TAGREJECT 0x1C
#define PVSCSI_HOST_BADMSG 0x1D
#define PVSCSI_HOST_HAHARDWARE 0x20
#define PVSCSI_HOST_NORESPONSE 0x21
#define PVSCSI_HOST_SENTRST 0x22
#define PVSCSI_HOST_RECVRST 0x23
#define PVSCSI_HOST_DISCONNECT 0x24
#define PVSCSI_HOST_BUSRESET 0x25
#define PVSCSI_HOST_ABORTQUEUE 0x26
#define PVSCSI_HOST_HASOFTWARE 0x27
#define PVSCSI_HOST_HATIMEOUT 0x30
#define PVSCSI_HOST_SCSIPARITY 0x34

#endif
