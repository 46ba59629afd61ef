/* The VSTOR protocol's encoders and parsers (drivers/storvsc/vstor.h). */
#include <string.h>

#include "core/unaligned.h"
#include "drivers/storvsc/vstor.h"

#define SRB 12u /* the union's offset */
#define SRB_LEN_WIN8 0x34u
#define SRB_LEN_OLD 0x24u
#define DATA_WRITE 0
#define DATA_READ 1
#define DATA_NONE 2
#define SRB_FLAGS_DATA_IN 0x40u
#define SRB_FLAGS_DATA_OUT 0x80u
#define TIMEOUT_SECONDS 60u /* Linux's storvsc_timeout */

void vstor_packet_init(uint8_t pkt[VSTOR_PACKET_BYTES], uint32_t op)
{
    memset(pkt, 0, VSTOR_PACKET_BYTES);
    wr32(pkt, op);
    wr32(pkt + 4, VSTOR_FLAG_REQUEST_COMPLETION);
}

void vstor_packet_version(uint8_t pkt[VSTOR_PACKET_BYTES], uint16_t version)
{
    vstor_packet_init(pkt, VSTOR_QUERY_PROTOCOL_VERSION);
    wr16(pkt + SRB, version);
}

size_t vstor_packet_srb(uint8_t pkt[VSTOR_PACKET_BYTES], uint8_t lun, const struct scsi_cdb *cdb,
                        bool win8)
{
    vstor_packet_init(pkt, VSTOR_EXECUTE_SRB);
    uint8_t *s = pkt + SRB;
    wr16(s, (uint16_t)(win8 ? SRB_LEN_WIN8 : SRB_LEN_OLD));
    s[7] = lun;
    s[8] = cdb->len;
    s[9] = (uint8_t)(win8 ? VSTOR_SENSE_BYTES : VSTOR_SENSE_BYTES_OLD);
    uint32_t len = cdb->dir == SCSI_DIR_NONE ? 0 : cdb->data_len;
    s[10] = len == 0 ? DATA_NONE : cdb->dir == SCSI_DIR_TO_DEVICE ? DATA_WRITE : DATA_READ;
    wr32(s + 12, len);
    memcpy(s + 16, cdb->bytes, cdb->len);
    if (!win8)
        return VSTOR_PACKET_BYTES_OLD;
    wr32(s + 40, len == 0                         ? 0
                 : cdb->dir == SCSI_DIR_TO_DEVICE ? SRB_FLAGS_DATA_OUT
                                                  : SRB_FLAGS_DATA_IN);
    wr32(s + 44, TIMEOUT_SECONDS);
    return VSTOR_PACKET_BYTES;
}

int vstor_parse_completion(const uint8_t *p, size_t len, size_t min, struct vstor_completion *c,
                           const char **why)
{
    memset(c, 0, sizeof *c);
    if (min < SRB)
        min = SRB;
    if (len < min) {
        *why = "shorter than the request's vstor_packet";
        return -1;
    }
    c->op = rd32(p);
    c->status = rd32(p + 8);
    if (c->op != VSTOR_COMPLETE_IO) {
        *why = "an operation other than COMPLETE_IO";
        return -1;
    }
    return 0;
}

int vstor_parse_srb(const uint8_t *p, size_t len, uint32_t asked, uint8_t sense_max,
                    struct vstor_completion *c, const char **why)
{
    if (len < SRB + SRB_LEN_OLD) {
        *why = "shorter than a vmscsi_request";
        return -1;
    }
    const uint8_t *s = p + SRB;
    c->srb_status = s[2];
    c->scsi_status = s[3];
    c->sense_len = s[9];
    c->data_len = rd32(s + 12);
    c->sense = s + 16;
    if (c->data_len > asked) {
        *why = "more data than asked";
        return -1;
    }
    if (c->sense_len > sense_max) {
        *why = "more sense than its area holds";
        return -1;
    }
    return 0;
}

void vstor_parse_properties(const uint8_t *p, struct vstor_properties *out)
{
    out->max_channels = rd16(p + SRB + 4);
    out->flags = rd32(p + SRB + 8);
    out->max_transfer = rd32(p + SRB + 12);
}
