/* REPORT LUNS replies (SPC-4, "REPORT LUNS parameter data") and the 8-byte LUN field (SAM-5,
 * logical unit addressing). */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "dev/scsi/scsi_be.h"
#include "klib/format.h"

/* Bytes 0-3 LUN LIST LENGTH (n - 7), 4-7 reserved, then 8 bytes per LUN. */
int scsi_parse_report_luns(const uint8_t *buf, uint32_t len, struct scsi_lun_list *out,
                           struct scsi_why *why)
{
    memset(out, 0, sizeof *out);
    if (len < 8) {
        ksnprintf(why->text, sizeof why->text,
                  "REPORT LUNS data of %u bytes, shorter than its 8-byte header", len);
        return -1;
    }
    uint32_t list = scsi_get32(buf);
    if (list % 8 != 0) {
        ksnprintf(why->text, sizeof why->text, "REPORT LUNS list length %u is not a multiple of 8",
                  list);
        return -1;
    }
    out->listed = list / 8;
    uint32_t arrived = (len - 8) / 8;
    out->count = out->listed < arrived ? out->listed : arrived;
    out->entries = buf + 8;
    return 0;
}

/* SAM-5, single level LUN structure: byte 0 bits 7-6 ADDRESS METHOD: 00 peripheral device (bus
 * identifier in bits 5-0, 0 for a single level; LUN in byte 1), 01 flat
 * space (14-bit LUN); bytes 2-7 are 0 for a single-level LUN. */
int scsi_lun_decode(const uint8_t entry[8], uint16_t *lun, struct scsi_why *why)
{
    for (int i = 2; i < 8; i++) {
        if (entry[i] != 0) {
            ksnprintf(why->text, sizeof why->text,
                      "LUN %02x%02x%02x%02x%02x%02x%02x%02x has more than one level", entry[0],
                      entry[1], entry[2], entry[3], entry[4], entry[5], entry[6], entry[7]);
            return -1;
        }
    }
    switch (entry[0] >> 6) {
    case 0:
        if ((entry[0] & 0x3F) != 0) {
            ksnprintf(why->text, sizeof why->text, "LUN %02x%02x names bus %u, not this one",
                      entry[0], entry[1], entry[0] & 0x3F);
            return -1;
        }
        *lun = entry[1];
        return 0;
    case 1:
        *lun = (uint16_t)((entry[0] & 0x3F) << 8 | entry[1]);
        return 0;
    default:
        ksnprintf(why->text, sizeof why->text, "LUN %02x%02x uses address method %u (unsupported)",
                  entry[0], entry[1], entry[0] >> 6);
        return -1;
    }
}

void scsi_lun_encode(uint16_t lun, uint8_t out[8])
{
    memset(out, 0, 8);
    if (lun < 256) {
        out[1] = (uint8_t)lun;
    } else {
        out[0] = (uint8_t)(0x40 | ((lun >> 8) & 0x3F));
        out[1] = (uint8_t)lun;
    }
}
