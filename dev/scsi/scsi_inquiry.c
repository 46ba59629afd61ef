/* INQUIRY replies (SPC-4, "INQUIRY command"): the standard data and vital product data
 * pages, checked against what the device delivered. */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "dev/scsi/scsi_be.h"
#include "klib/format.h"

/* Copies an ASCII field (SPC-4, ASCII data fields: graphic characters 0x20-0x7E, padded
 * with blanks): unprintable bytes become '?', trailing blanks go. */
static void ascii_field(const uint8_t *src, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = src[i] >= 0x20 && src[i] < 0x7F ? (char)src[i] : '?';
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

/* SPC-4, "Standard INQUIRY data": byte 0 PERIPHERAL QUALIFIER (7-5) and DEVICE TYPE
 * (4-0), byte 1 bit 7 RMB, byte 2 VERSION, byte 3 RESPONSE DATA FORMAT
 * (3-0, 2), byte 4 ADDITIONAL LENGTH (n - 4), vendor 8-15, product 16-31,
 * revision 32-35. */
int scsi_parse_inquiry(const uint8_t *buf, uint32_t len, struct scsi_inquiry *out,
                       struct scsi_why *why)
{
    memset(out, 0, sizeof *out);
    if (len < SCSI_INQUIRY_MIN) {
        ksnprintf(why->text, sizeof why->text,
                  "INQUIRY data of %u bytes, fewer than the %u the standard requires", len,
                  SCSI_INQUIRY_MIN);
        return -1;
    }
    if ((uint32_t)buf[4] + 5 < SCSI_INQUIRY_MIN) {
        ksnprintf(why->text, sizeof why->text,
                  "INQUIRY ADDITIONAL LENGTH %u: the data would end before byte %u", buf[4],
                  SCSI_INQUIRY_MIN);
        return -1;
    }
    if ((buf[3] & 0x0F) != 2) {
        ksnprintf(why->text, sizeof why->text, "INQUIRY RESPONSE DATA FORMAT %u (2 expected)",
                  buf[3] & 0x0F);
        return -1;
    }
    out->qualifier = buf[0] >> 5;
    out->type = buf[0] & 0x1F;
    out->removable = buf[1] & 0x80;
    out->version = buf[2];
    ascii_field(&buf[8], 8, out->vendor);
    ascii_field(&buf[16], 16, out->product);
    ascii_field(&buf[32], 4, out->revision);
    return 0;
}

bool scsi_inquiry_is_disk(const struct scsi_inquiry *inq)
{
    return inq->qualifier == SCSI_QUALIFIER_CONNECTED && inq->type == SCSI_TYPE_DISK;
}

/* SPC-4, "Vital product data parameters": byte 1 PAGE CODE, bytes 2-3 PAGE LENGTH (n - 3). */
int scsi_parse_vpd(const uint8_t *buf, uint32_t len, uint8_t page, const uint8_t **payload,
                   uint32_t *payload_len, struct scsi_why *why)
{
    if (len < 4) {
        ksnprintf(why->text, sizeof why->text, "VPD page %#x: %u bytes, no complete header", page,
                  len);
        return -1;
    }
    if (buf[1] != page) {
        ksnprintf(why->text, sizeof why->text, "VPD page %#x asked for, page %#x returned", page,
                  buf[1]);
        return -1;
    }
    uint32_t n = scsi_get16(&buf[2]);
    if (n > len - 4) {
        ksnprintf(why->text, sizeof why->text,
                  "VPD page %#x: PAGE LENGTH %u but only %u bytes follow the header", page, n,
                  len - 4);
        return -1;
    }
    *payload = buf + 4;
    *payload_len = n;
    return 0;
}

/* SPC-4, "Supported VPD Pages VPD page": the supported pages, one byte each. */
bool scsi_vpd_lists(const uint8_t *payload, uint32_t payload_len, uint8_t page)
{
    for (uint32_t i = 0; i < payload_len; i++)
        if (payload[i] == page)
            return true;
    return false;
}

/* SPC-4, "Unit Serial Number VPD page": PRODUCT SERIAL NUMBER, ASCII, possibly padded either side.
 */
void scsi_vpd_serial(const uint8_t *payload, uint32_t payload_len, char *out, size_t size)
{
    if (size == 0)
        return;
    uint32_t start = 0;
    while (start < payload_len && payload[start] == ' ')
        start++;
    size_t n = 0;
    for (uint32_t i = start; i < payload_len && n < size - 1; i++) {
        if (payload[i] == 0)
            break;
        out[n++] = payload[i] >= 0x20 && payload[i] < 0x7F ? (char)payload[i] : '?';
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}
