/* The VSTOR protocol storvsc speaks over its VMBus channel, as pure
 * encoders and parsers over byte buffers (the unit tests pin them to golden
 * bytes; tests/fuzz/fuzz_storvsc_vstor.c feeds the parser anything).
 *
 * Layouts (Linux drivers/scsi/storvsc_drv.c struct vstor_packet,
 * vmstorage_channel_properties, vmstorage_protocol_version, vmscsi_request;
 * openvmm vm/devices/storage/storvsp_protocol/src/lib.rs):
 *   vstor_packet, 64 bytes: operation u32 @0, flags u32 @4 (1 = the host
 *   must complete it), status u32 @8 (an NTSTATUS from the host), a
 *   52-byte union @12;
 *   version in the union: major_minor u16 @12, revision u16 @14 (0);
 *   channel properties in the union: max_channel_cnt u16 @16, flags u32
 *   @20 (1 = multi-channel), max_transfer_bytes u32 @24;
 *   vmscsi_request in the union (0x34 bytes; 0x24 before WIN8): length u16
 *   @12, srb_status @14, scsi_status @15, port @16, path @17, target @18,
 *   lun @19, cdb_length @20, sense_info_length @21 (0x14; 0x12 before
 *   WIN8), data_in @22 (0 write, 1 read, 2 none), data_transfer_length u32
 *   @24, the CDB (request) or the sense data (reply) @28, 20 bytes; from
 *   WIN8 on, srb_flags u32 @52 (0x40 data in, 0x80 data out), time_out_value
 *   u32 @56, queue_sort_key u32 @60. */
#ifndef DRIVERS_STORVSC_VSTOR_H
#define DRIVERS_STORVSC_VSTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/scsi/scsi.h"

#define VSTOR_PACKET_BYTES 64u
#define VSTOR_PACKET_BYTES_OLD 48u /* before WIN8: the last 16 SRB bytes dropped */
#define VSTOR_SENSE_BYTES 0x14u
#define VSTOR_SENSE_BYTES_OLD 0x12u
#define VSTOR_FLAG_REQUEST_COMPLETION 1u

enum vstor_op {
    VSTOR_COMPLETE_IO = 1,
    VSTOR_REMOVE_DEVICE = 2,
    VSTOR_EXECUTE_SRB = 3,
    VSTOR_BEGIN_INITIALIZATION = 7,
    VSTOR_END_INITIALIZATION = 8,
    VSTOR_QUERY_PROTOCOL_VERSION = 9,
    VSTOR_QUERY_PROPERTIES = 10,
    VSTOR_ENUMERATE_BUS = 11,
};

/* Versions, major << 8 | minor (storvsc_drv.c VMSTOR_PROTO_VERSION_*). */
#define VSTOR_VERSION_WIN7 0x0402u
#define VSTOR_VERSION_WIN8 0x0501u
#define VSTOR_VERSION_WIN8_1 0x0600u
#define VSTOR_VERSION_WIN10 0x0602u

#define VSTOR_STATUS_SUCCESS 0u
#define VSTOR_STATUS_REVISION_MISMATCH 0xC0000059u

/* SRB status: the code in bits 0-5 (openvmm scsi_defs srb.rs). */
#define VSTOR_SRB_SUCCESS 0x01
#define VSTOR_SRB_ERROR 0x04
#define VSTOR_SRB_INVALID_LUN 0x20
#define VSTOR_SRB_DATA_OVERRUN 0x12
#define VSTOR_SRB_AUTOSENSE_VALID 0x80
#define VSTOR_SRB_CODE(s) ((s)&0x3F)

/* A packet of op with REQUEST_COMPLETION; 64 bytes, the rest zero. */
void vstor_packet_init(uint8_t pkt[VSTOR_PACKET_BYTES], uint32_t op);
void vstor_packet_version(uint8_t pkt[VSTOR_PACKET_BYTES], uint16_t version);
/* EXECUTE_SRB for lun (path 0, target 0) with cdb; win8: the SRB is 0x34
 * bytes (srb_flags, timeout) and the sense area 0x14, else 0x24 and 0x12.
 * Returns the packet's length (64 or 48). */
size_t vstor_packet_srb(uint8_t pkt[VSTOR_PACKET_BYTES], uint8_t lun, const struct scsi_cdb *cdb,
                        bool win8);

/* A completion from the host. */
struct vstor_completion {
    uint32_t op, status;
    /* EXECUTE_SRB: */
    uint8_t srb_status, scsi_status;
    uint32_t data_len; /* bytes moved */
    uint8_t sense_len; /* bytes valid in sense */
    const uint8_t *sense;
};
/* Parses the payload of a completion packet (len bytes); min: the bytes a
 * completion must have (the packet size the guest sent). -1 (why) when
 * shorter or its operation is not COMPLETE_IO. */
int vstor_parse_completion(const uint8_t *p, size_t len, size_t min, struct vstor_completion *c,
                           const char **why);
/* The SRB part of the completion of an EXECUTE_SRB that asked for `asked`
 * data bytes with a sense area of sense_max bytes: -1 (why) when it claims
 * more data than asked or more sense than the area holds. */
int vstor_parse_srb(const uint8_t *p, size_t len, uint32_t asked, uint8_t sense_max,
                    struct vstor_completion *c, const char **why);

struct vstor_properties {
    uint16_t max_channels;
    uint32_t flags, max_transfer;
};
void vstor_parse_properties(const uint8_t *p, struct vstor_properties *out);

#endif
