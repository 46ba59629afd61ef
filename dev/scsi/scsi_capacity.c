/* READ CAPACITY(10)/(16) replies (SBC-3, READ CAPACITY (10) and (16) parameter data). A capacity is
 * accepted only when the block size is one the block class can use and the
 * size in bytes fits 64 bits. */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "dev/scsi/scsi_be.h"
#include "klib/format.h"

static int check(uint64_t last_lba, uint32_t block_size, struct scsi_capacity *out,
                 struct scsi_why *why, const char *cmd)
{
    if (block_size < SCSI_BLOCK_SIZE_MIN || block_size > SCSI_BLOCK_SIZE_MAX ||
        (block_size & (block_size - 1)) != 0) {
        ksnprintf(why->text, sizeof why->text,
                  "%s block size %u (a power of two from %u to %u expected)", cmd, block_size,
                  SCSI_BLOCK_SIZE_MIN, SCSI_BLOCK_SIZE_MAX);
        return -1;
    }
    /* The reply names the last block: the count is one more, which wraps
     * to 0 for an all-ones LBA. */
    uint64_t blocks = last_lba + 1;
    if (blocks == 0) {
        ksnprintf(why->text, sizeof why->text, "%s last LBA %#llx: the block count overflows", cmd,
                  (unsigned long long)last_lba);
        return -1;
    }
    if (blocks > UINT64_MAX / block_size) {
        ksnprintf(why->text, sizeof why->text,
                  "%s: %llu blocks of %u bytes overflow a 64-bit byte count", cmd,
                  (unsigned long long)blocks, block_size);
        return -1;
    }
    out->blocks = blocks;
    out->block_size = block_size;
    return 0;
}

/* Bytes 0-3 RETURNED LOGICAL BLOCK ADDRESS (the last block), 4-7 LOGICAL
 * BLOCK LENGTH IN BYTES. */
int scsi_parse_read_capacity10(const uint8_t *buf, uint32_t len, struct scsi_capacity *out,
                               struct scsi_why *why)
{
    memset(out, 0, sizeof *out);
    if (len < SCSI_READ_CAPACITY10_LEN) {
        ksnprintf(why->text, sizeof why->text, "READ CAPACITY(10) data of %u bytes (8 expected)",
                  len);
        return -1;
    }
    uint32_t last = scsi_get32(buf);
    if (last == UINT32_MAX) { /* SBC-3: too large, ask with (16) */
        out->need16 = true;
        return 0;
    }
    return check(last, scsi_get32(&buf[4]), out, why, "READ CAPACITY(10)");
}

/* Bytes 0-7 RETURNED LOGICAL BLOCK ADDRESS, 8-11 LOGICAL BLOCK LENGTH IN
 * BYTES; the rest (protection, physical block exponent, provisioning) is
 * not needed: 12 bytes are enough. */
int scsi_parse_read_capacity16(const uint8_t *buf, uint32_t len, struct scsi_capacity *out,
                               struct scsi_why *why)
{
    memset(out, 0, sizeof *out);
    if (len < 12) {
        ksnprintf(why->text, sizeof why->text,
                  "READ CAPACITY(16) data of %u bytes (at least 12 needed)", len);
        return -1;
    }
    return check(scsi_get64(buf), scsi_get32(&buf[8]), out, why, "READ CAPACITY(16)");
}
