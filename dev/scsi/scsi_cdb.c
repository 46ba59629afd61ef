/* Command descriptor blocks for what a disk driver sends. Each builder
 * clears the whole block first: reserved fields and the CONTROL byte are 0
 * (the CONTROL byte: no NACA, no linking). */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "dev/scsi/scsi_be.h"

static void start(struct scsi_cdb *c, uint8_t op, uint8_t len, enum scsi_dir dir, uint32_t data_len)
{
    memset(c, 0, sizeof *c);
    c->bytes[0] = op;
    c->len = len;
    c->dir = dir;
    c->data_len = data_len;
}

/* SPC-4, "TEST UNIT READY command": six bytes, no data. */
void scsi_cdb_test_unit_ready(struct scsi_cdb *c)
{
    start(c, SCSI_OP_TEST_UNIT_READY, 6, SCSI_DIR_NONE, 0);
}

/* SPC-4, "INQUIRY command": byte 1 bit 0 EVPD, byte 2 PAGE CODE, bytes 3-4 ALLOCATION
 * LENGTH. */
void scsi_cdb_inquiry(struct scsi_cdb *c, uint16_t alloc_len)
{
    start(c, SCSI_OP_INQUIRY, 6, SCSI_DIR_FROM_DEVICE, alloc_len);
    scsi_put16(&c->bytes[3], alloc_len);
}

void scsi_cdb_inquiry_vpd(struct scsi_cdb *c, uint8_t page, uint16_t alloc_len)
{
    scsi_cdb_inquiry(c, alloc_len);
    c->bytes[1] = 0x01;
    c->bytes[2] = page;
}

/* SPC-4, "REPORT LUNS command": byte 2 SELECT REPORT, bytes 6-9 ALLOCATION LENGTH. */
void scsi_cdb_report_luns(struct scsi_cdb *c, uint32_t alloc_len)
{
    start(c, SCSI_OP_REPORT_LUNS, 12, SCSI_DIR_FROM_DEVICE, alloc_len);
    scsi_put32(&c->bytes[6], alloc_len);
}

/* SBC-3, "READ CAPACITY (10) command": LBA 0 and PMI 0, the capacity of the whole medium. */
void scsi_cdb_read_capacity10(struct scsi_cdb *c)
{
    start(c, SCSI_OP_READ_CAPACITY10, 10, SCSI_DIR_FROM_DEVICE, SCSI_READ_CAPACITY10_LEN);
}

/* SBC-3, "READ CAPACITY (16) command": SERVICE ACTION IN(16) with service action 0x10, bytes 10-13
 * ALLOCATION LENGTH. */
void scsi_cdb_read_capacity16(struct scsi_cdb *c)
{
    start(c, SCSI_OP_SERVICE_ACTION_IN16, 16, SCSI_DIR_FROM_DEVICE, SCSI_READ_CAPACITY16_LEN);
    c->bytes[1] = SCSI_SA_READ_CAPACITY16;
    scsi_put32(&c->bytes[10], SCSI_READ_CAPACITY16_LEN);
}

/* SPC-4, "MODE SENSE(6) command": byte 1 bit 3 DBD (no block descriptors), byte 2 PC (0,
 * current values) and PAGE CODE, byte 4 ALLOCATION LENGTH. */
void scsi_cdb_mode_sense6(struct scsi_cdb *c, uint8_t alloc_len)
{
    start(c, SCSI_OP_MODE_SENSE6, 6, SCSI_DIR_FROM_DEVICE, alloc_len);
    c->bytes[1] = 0x08;
    c->bytes[2] = 0x3F;
    c->bytes[4] = alloc_len;
}

/* SBC-3, READ/WRITE (10): bytes 2-5 LBA, 7-8 TRANSFER LENGTH; (16):
 * bytes 2-9 LBA, 10-13 TRANSFER LENGTH. A TRANSFER LENGTH of 0 transfers
 * nothing, so a count of 0 is refused rather than built. */
int scsi_cdb_rw(struct scsi_cdb *c, bool write, uint64_t lba, uint32_t blocks, uint32_t block_size)
{
    uint64_t bytes = (uint64_t)blocks * block_size;
    if (blocks == 0 || block_size == 0 || bytes > UINT32_MAX)
        return -1;
    enum scsi_dir dir = write ? SCSI_DIR_TO_DEVICE : SCSI_DIR_FROM_DEVICE;
    /* The 10-byte form addresses LBAs below 2^32: the last block read must
     * be one of them too. */
    if (blocks <= UINT16_MAX && lba <= UINT32_MAX && lba + blocks - 1 <= UINT32_MAX) {
        start(c, write ? SCSI_OP_WRITE10 : SCSI_OP_READ10, 10, dir, (uint32_t)bytes);
        scsi_put32(&c->bytes[2], (uint32_t)lba);
        scsi_put16(&c->bytes[7], (uint16_t)blocks);
        return 0;
    }
    start(c, write ? SCSI_OP_WRITE16 : SCSI_OP_READ16, 16, dir, (uint32_t)bytes);
    scsi_put64(&c->bytes[2], lba);
    scsi_put32(&c->bytes[10], blocks);
    return 0;
}

/* SBC-3, "SYNCHRONIZE CACHE (10) command": LBA 0 and NUMBER OF LOGICAL BLOCKS 0 mean every block.
 */
void scsi_cdb_synchronize_cache10(struct scsi_cdb *c)
{
    start(c, SCSI_OP_SYNCHRONIZE_CACHE10, 10, SCSI_DIR_NONE, 0);
}
