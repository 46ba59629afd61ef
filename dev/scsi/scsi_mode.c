/* MODE SENSE(6) replies (SPC-4, "Mode parameters"): the header's write-protect
 * bit and the caching mode page's WCE bit. The pages are walked only as
 * far as both the delivered bytes and the MODE DATA LENGTH reach. */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "dev/scsi/scsi_be.h"
#include "klib/format.h"

#define PAGE_CACHING 0x08

/* SPC-4, mode parameter header(6): byte 0 MODE DATA LENGTH (n - 1), 1 MEDIUM TYPE, 2
 * DEVICE-SPECIFIC PARAMETER, 3 BLOCK DESCRIPTOR LENGTH; then the block
 * descriptors and the mode pages. A mode page: byte 0 bit 6 SPF, bits
 * 5-0 PAGE CODE; PAGE LENGTH in byte 1 (page_0 format) or bytes 2-3
 * (sub_page format). Page 0 is vendor-specific and need not follow the
 * format: the walk ends there. */
int scsi_parse_mode_sense6(const uint8_t *buf, uint32_t len, struct scsi_mode6 *out,
                           struct scsi_why *why)
{
    memset(out, 0, sizeof *out);
    if (len < 4 || (uint32_t)buf[0] + 1 < 4) {
        ksnprintf(why->text, sizeof why->text,
                  "MODE SENSE(6) header incomplete (%u bytes, MODE DATA LENGTH %u)", len,
                  len ? buf[0] : 0);
        return -1;
    }
    uint32_t n = (uint32_t)buf[0] + 1 < len ? (uint32_t)buf[0] + 1 : len;
    out->wp = buf[2] & 0x80;
    uint32_t off = 4u + buf[3];
    if (off > n) {
        ksnprintf(why->text, sizeof why->text,
                  "MODE SENSE(6) BLOCK DESCRIPTOR LENGTH %u runs past the %u bytes of data", buf[3],
                  n);
        return -1;
    }
    while (n - off >= 2) {
        uint8_t code = buf[off] & 0x3F;
        bool subpage = buf[off] & 0x40;
        if (code == 0)
            break;
        uint32_t head = subpage ? 4 : 2;
        if (n - off < head)
            break;
        uint32_t plen = subpage ? scsi_get16(&buf[off + 2]) : buf[off + 1];
        if (code == PAGE_CACHING && !subpage && plen >= 1 && n - off > 2) {
            out->has_caching = true;
            out->wce = buf[off + 2] & 0x04; /* SBC-3 caching mode page: byte 2 bit 2 */
        }
        if (plen > n - off - head)
            break; /* cut off by the allocation length */
        off += head + plen;
    }
    return 0;
}
