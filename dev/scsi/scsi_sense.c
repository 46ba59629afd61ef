/* Sense data (SPC-4, "Sense data"): the fixed format (response codes 0x70 current,
 * 0x71 deferred) and the descriptor format (0x72, 0x73). The transport has
 * already bounded len by its buffer; here the format's own ADDITIONAL SENSE
 * LENGTH bounds it further, and nothing past either is read. */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "dev/scsi/scsi_be.h"
#include "klib/format.h"

/* Both formats: byte 7 ADDITIONAL SENSE LENGTH counts the bytes after it. */
static uint32_t effective_length(const uint8_t *buf, uint32_t len)
{
    if (len < 8)
        return len;
    uint32_t said = 8u + buf[7];
    return said < len ? said : len;
}

/* SPC-4, "Fixed format sense data": byte 0 bit 7 VALID (INFORMATION is meaningful),
 * byte 2 bits 3-0 SENSE KEY, bytes 3-6 INFORMATION, 12 ASC, 13 ASCQ. */
static int decode_fixed(const uint8_t *buf, uint32_t len, struct scsi_sense *out,
                        struct scsi_why *why)
{
    if (len < 3) {
        ksnprintf(why->text, sizeof why->text,
                  "fixed-format sense data of %u bytes has no sense key", len);
        return -1;
    }
    uint32_t n = effective_length(buf, len);
    out->key = buf[2] & 0x0F;
    if (n >= 14) {
        out->has_asc = true;
        out->asc = buf[12];
        out->ascq = buf[13];
    }
    if ((buf[0] & 0x80) && n >= 7) {
        out->has_info = true;
        out->info = scsi_get32(&buf[3]);
    }
    return 0;
}

/* SPC-4, "Descriptor format sense data": byte 1 SENSE KEY, 2 ASC, 3 ASCQ, 7 ADDITIONAL
 * SENSE LENGTH, descriptors from byte 8, each {type, ADDITIONAL LENGTH,
 * ...}. The information descriptor (type 0) has ADDITIONAL LENGTH
 * 0x0A, VALID in byte 2 bit 7, INFORMATION in bytes 4-11. */
static int decode_descriptor(const uint8_t *buf, uint32_t len, struct scsi_sense *out,
                             struct scsi_why *why)
{
    if (len < 8) {
        ksnprintf(why->text, sizeof why->text,
                  "descriptor-format sense data of %u bytes, shorter than its 8-byte header", len);
        return -1;
    }
    out->descriptor = true;
    out->key = buf[1] & 0x0F;
    out->has_asc = true;
    out->asc = buf[2];
    out->ascq = buf[3];
    uint32_t n = effective_length(buf, len);
    for (uint32_t off = 8; off < n;) {
        if (n - off < 2) {
            ksnprintf(why->text, sizeof why->text,
                      "sense descriptor at byte %u has no length byte (data ends at %u)", off, n);
            return -1;
        }
        uint8_t type = buf[off], dlen = buf[off + 1];
        if (dlen > n - off - 2) {
            ksnprintf(why->text, sizeof why->text,
                      "sense descriptor type %#x at byte %u: length %u runs past the %u bytes",
                      type, off, dlen, n);
            return -1;
        }
        if (type == 0x00) {
            if (dlen != 0x0A) {
                ksnprintf(why->text, sizeof why->text,
                          "information sense descriptor of length %u (10 expected)", dlen);
                return -1;
            }
            if (buf[off + 2] & 0x80) {
                out->has_info = true;
                out->info = scsi_get64(&buf[off + 4]);
            }
        }
        off += 2u + dlen;
    }
    return 0;
}

int scsi_sense_decode(const uint8_t *buf, uint32_t len, struct scsi_sense *out,
                      struct scsi_why *why)
{
    memset(out, 0, sizeof *out);
    if (len == 0) {
        ksnprintf(why->text, sizeof why->text, "no sense data");
        return -1;
    }
    if (len > SCSI_SENSE_MAX) {
        ksnprintf(why->text, sizeof why->text, "sense length %u beyond the %u the formats allow",
                  len, SCSI_SENSE_MAX);
        return -1;
    }
    uint8_t code = buf[0] & 0x7F;
    switch (code) {
    case 0x70:
    case 0x71:
        out->deferred = code == 0x71;
        return decode_fixed(buf, len, out, why);
    case 0x72:
    case 0x73:
        out->deferred = code == 0x73;
        return decode_descriptor(buf, len, out, why);
    default:
        ksnprintf(why->text, sizeof why->text, "sense response code %#x is not one of 0x70-0x73",
                  code);
        return -1;
    }
}

/* SPC-4, "Sense key and additional sense code definitions". */
const char *scsi_sense_key_name(uint8_t key)
{
    static const char *const names[16] = {
        "NO SENSE",       "RECOVERED ERROR", "NOT READY",      "MEDIUM ERROR",
        "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
        "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",   "ABORTED COMMAND",
        "RESERVED (0xC)", "VOLUME OVERFLOW", "MISCOMPARE",     "COMPLETED",
    };
    return names[key & 0x0F];
}

char *scsi_sense_describe(const struct scsi_sense *s, char *out, size_t size)
{
    const char *key = scsi_sense_key_name(s->key);
    const char *text = s->has_asc ? scsi_asc_text(s->asc, s->ascq) : NULL;
    if (text)
        ksnprintf(out, size, "%s: %s", key, text);
    else if (s->has_asc)
        ksnprintf(out, size, "%s: ASC %#04x ASCQ %#04x", key, s->asc, s->ascq);
    else
        ksnprintf(out, size, "%s (no ASC/ASCQ)", key);
    if (s->deferred) {
        size_t n = strlen(out);
        if (n < size)
            ksnprintf(out + n, size - n, " (deferred error)");
    }
    return out;
}
