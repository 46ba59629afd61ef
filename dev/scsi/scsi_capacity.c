/* READ CAPACITY(10)/(16) replies (SBC-3 5.15.2, 5.16.2) and the MODE SENSE(6)
 * header's write-protect bit (SPC-4 7.5.5, SBC-3 6.5.1). A capacity is
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
    if (last == UINT32_MAX) { /* SBC-3 5.15.2: too large, ask with (16) */
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

/* SPC-4 7.5.5, table 453: byte 0 MODE DATA LENGTH, 1 MEDIUM TYPE, 2
 * DEVICE-SPECIFIC PARAMETER (SBC-3 6.5.1: bit 7 WP), 3 BLOCK DESCRIPTOR
 * LENGTH. */
int scsi_parse_mode_sense6_wp(const uint8_t *buf, uint32_t len, bool *wp, struct scsi_why *why)
{
    if (len < 4 || (uint32_t)buf[0] + 1 < 4) {
        ksnprintf(why->text, sizeof why->text,
                  "MODE SENSE(6) header incomplete (%u bytes, MODE DATA LENGTH %u)", len,
                  len ? buf[0] : 0);
        return -1;
    }
    *wp = buf[2] & 0x80;
    return 0;
}
