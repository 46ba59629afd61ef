/* The guest's VSTOR encoders and parsers (drivers/storvsc/vstor.c) against
 * golden bytes laid out by hand from Linux drivers/scsi/storvsc_drv.c
 * (struct vstor_packet: operation u32, flags u32, status u32, then the
 * union; struct vmscsi_request with its WIN8 extension; struct
 * vmstorage_channel_properties) and openvmm's storvsp_protocol
 * (ScsiRequest, SCSI_REQUEST_LEN_V1/V2). */
#include <stdint.h>
#include <string.h>

#include "drivers/storvsc/vstor.h"
#include "unit.h"

TEST(initialisation_packets)
{
    uint8_t p[VSTOR_PACKET_BYTES];
    static const uint8_t begin[16] = {7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    vstor_packet_init(p, VSTOR_BEGIN_INITIALIZATION);
    CHECK(memcmp(p, begin, 16) == 0);
    for (unsigned i = 16; i < sizeof p; i++)
        CHECK_EQ(p[i], 0);
    /* QUERY_PROTOCOL_VERSION 6.2 (WIN10): major_minor 0x0602, revision 0 */
    static const uint8_t version[16] = {9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x06, 0, 0};
    vstor_packet_version(p, VSTOR_VERSION_WIN10);
    CHECK(memcmp(p, version, 16) == 0);
    /* a QUERY_PROPERTIES completion as openvmm answers it: max_channel_cnt
     * @16, flags @20, max_transfer_bytes 0x40000 @24 */
    static const uint8_t props[36] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0,
                                      0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    struct vstor_properties pr;
    vstor_parse_properties(props, &pr);
    CHECK_EQ(pr.max_channels, 7u);
    CHECK_EQ(pr.flags, 1u);
    CHECK_EQ(pr.max_transfer, 0x40000u);
}

TEST(execute_srb_win8_read)
{
    struct scsi_cdb cdb;
    CHECK_EQ(scsi_cdb_rw(&cdb, false, 0x12345678, 8, 512), 0);
    uint8_t p[VSTOR_PACKET_BYTES];
    memset(p, 0xEE, sizeof p);
    CHECK_EQ(vstor_packet_srb(p, 3, &cdb, true), 64u);
    static const uint8_t golden[64] = {
        3,    0,    0,    0,    1,    0,    0, 0, 0, 0, 0, 0, /* EXECUTE_SRB, completion */
        0x34, 0,    0,    0,    0,    0,    0, 3, /* length, statuses, port path target lun */
        10,   0x14, 1,    0,                      /* cdb_length, sense 0x14, data_in read */
        0x00, 0x10, 0,    0,                      /* 4096 bytes */
        0x28, 0,    0x12, 0x34, 0x56, 0x78, 0, 0, 8, 0, 0, 0, /* READ(10) */
        0,    0,    0,    0,    0,    0,    0, 0,             /* the rest of the 20 bytes */
        0,    0,    0,    0,                                  /* reserve, queue tag, action */
        0x40, 0,    0,    0,                                  /* SRB_FLAGS_DATA_IN */
        60,   0,    0,    0,                                  /* time_out_value */
        0,    0,    0,    0,                                  /* queue_sort_key */
    };
    CHECK(memcmp(p, golden, sizeof golden) == 0);
}

TEST(execute_srb_old_write_and_no_data)
{
    struct scsi_cdb cdb;
    CHECK_EQ(scsi_cdb_rw(&cdb, true, 5, 1, 512), 0);
    uint8_t p[VSTOR_PACKET_BYTES];
    /* before WIN8: a 0x24-byte SRB, a 0x12-byte sense area, 48 bytes */
    CHECK_EQ(vstor_packet_srb(p, 0, &cdb, false), 48u);
    static const uint8_t head[28] = {3, 0, 0, 0, 1, 0, 0,  0,    0, 0, 0, 0, 0x24, 0,
                                     0, 0, 0, 0, 0, 0, 10, 0x12, 0, 0, 0, 2, 0,    0};
    CHECK(memcmp(p, head, sizeof head) == 0);
    CHECK_EQ(p[28], 0x2A);
    scsi_cdb_test_unit_ready(&cdb);
    CHECK_EQ(vstor_packet_srb(p, 1, &cdb, true), 64u);
    CHECK_EQ(p[20], 6); /* cdb_length */
    CHECK_EQ(p[22], 2); /* data_in: none */
    CHECK_EQ(p[24], 0); /* no data */
    CHECK_EQ(p[52], 0); /* no direction flag */
    CHECK_EQ(p[28], 0); /* TEST UNIT READY */
}

/* A completion as openvmm's storvsp sends it (64 bytes). */
static void completion(uint8_t *p, uint8_t srb_status, uint8_t scsi_status, uint8_t sense_len,
                       uint32_t moved)
{
    memset(p, 0, 64);
    p[0] = 1; /* COMPLETE_IO */
    p[12] = 0x34;
    p[14] = srb_status;
    p[15] = scsi_status;
    p[21] = sense_len;
    memcpy(p + 24, &moved, 4);
    p[28] = 0x70, p[30] = 5, p[35] = 10, p[40] = 0x24; /* sense: ILLEGAL REQUEST, 0x24 */
}

TEST(completions_are_checked)
{
    uint8_t p[64];
    struct vstor_completion c;
    const char *why = NULL;
    completion(p, 0x01, 0, 0x14, 512);
    CHECK_EQ(vstor_parse_completion(p, 64, 64, &c, &why), 0);
    CHECK_EQ(vstor_parse_srb(p, 64, 512, 0x14, &c, &why), 0);
    CHECK_EQ(c.srb_status, 1);
    CHECK_EQ(c.data_len, 512u);
    completion(p, 0x84, 2, 0x14, 0); /* ERROR | AUTOSENSE_VALID, CHECK CONDITION */
    CHECK_EQ(vstor_parse_srb(p, 64, 512, 0x14, &c, &why), 0);
    CHECK_EQ(c.scsi_status, 2);
    CHECK_EQ(c.sense_len, 0x14);
    CHECK(c.sense == p + 28);
    CHECK_EQ(c.sense[2], 5);
    /* refused: short, not COMPLETE_IO, more data or sense than room for */
    CHECK_EQ(vstor_parse_completion(p, 47, 48, &c, &why), -1);
    CHECK_STR(why, "shorter than the request's vstor_packet");
    p[0] = 3;
    CHECK_EQ(vstor_parse_completion(p, 64, 64, &c, &why), -1);
    CHECK_STR(why, "an operation other than COMPLETE_IO");
    completion(p, 0x01, 0, 0x14, 513);
    CHECK_EQ(vstor_parse_srb(p, 64, 512, 0x14, &c, &why), -1);
    CHECK_STR(why, "more data than asked");
    completion(p, 0x84, 2, 0x15, 0);
    CHECK_EQ(vstor_parse_srb(p, 64, 512, 0x14, &c, &why), -1);
    CHECK_STR(why, "more sense than its area holds");
    completion(p, 0x84, 2, 0x14, 0);
    CHECK_EQ(vstor_parse_srb(p, 64, 512, 0x12, &c, &why), -1); /* an old host's 0x12 */
    CHECK_EQ(vstor_parse_srb(p, 47, 512, 0x14, &c, &why), -1);
    CHECK_STR(why, "shorter than a vmscsi_request");
}

UNIT_MAIN()
