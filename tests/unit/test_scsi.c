/* dev/scsi: the CDBs it builds (byte for byte, from the SPC-4/SBC-3 tables
 * cited in dev/scsi/scsi.h), and its parsers of what a device answers,
 * with replies that are truncated, inconsistent or absurd: each must be
 * refused with a reason, never read past its length. */
#include "dev/scsi/scsi.h"
#include "tests/unit/unit.h"

static const uint8_t *cdb_is(const struct scsi_cdb *c, unsigned len, enum scsi_dir dir,
                             uint32_t data_len)
{
    return c->len == len && c->dir == dir && c->data_len == data_len ? c->bytes : NULL;
}

TEST(cdb_inquiry_and_vpd)
{
    struct scsi_cdb c;
    scsi_cdb_inquiry(&c, 96);
    const uint8_t want[6] = {0x12, 0, 0, 0, 96, 0};
    CHECK(cdb_is(&c, 6, SCSI_DIR_FROM_DEVICE, 96));
    CHECK(memcmp(c.bytes, want, 6) == 0);
    scsi_cdb_inquiry_vpd(&c, 0x80, 0x1234);
    const uint8_t vpd[6] = {0x12, 1, 0x80, 0x12, 0x34, 0};
    CHECK(memcmp(c.bytes, vpd, 6) == 0);
    scsi_cdb_test_unit_ready(&c);
    CHECK(cdb_is(&c, 6, SCSI_DIR_NONE, 0) && c.bytes[0] == 0);
}

TEST(cdb_report_luns_capacity_sync)
{
    struct scsi_cdb c;
    scsi_cdb_report_luns(&c, 0x01020304);
    const uint8_t rl[12] = {0xA0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0};
    CHECK(cdb_is(&c, 12, SCSI_DIR_FROM_DEVICE, 0x01020304));
    CHECK(memcmp(c.bytes, rl, 12) == 0);
    scsi_cdb_read_capacity10(&c);
    CHECK(cdb_is(&c, 10, SCSI_DIR_FROM_DEVICE, 8) && c.bytes[0] == 0x25);
    scsi_cdb_read_capacity16(&c);
    const uint8_t rc16[16] = {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
    CHECK(cdb_is(&c, 16, SCSI_DIR_FROM_DEVICE, 32));
    CHECK(memcmp(c.bytes, rc16, 16) == 0);
    scsi_cdb_synchronize_cache10(&c);
    const uint8_t sc[10] = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK(cdb_is(&c, 10, SCSI_DIR_NONE, 0) && memcmp(c.bytes, sc, 10) == 0);
    scsi_cdb_mode_sense6(&c, 192);
    const uint8_t ms[6] = {0x1A, 0x08, 0x3F, 0, 192, 0};
    CHECK(cdb_is(&c, 6, SCSI_DIR_FROM_DEVICE, 192) && memcmp(c.bytes, ms, 6) == 0);
}

TEST(cdb_read_write_10_when_it_fits)
{
    struct scsi_cdb c;
    CHECK_EQ(scsi_cdb_rw(&c, false, 0x12345678, 0x100, 512), 0);
    const uint8_t r10[10] = {0x28, 0, 0x12, 0x34, 0x56, 0x78, 0, 0x01, 0x00, 0};
    CHECK(cdb_is(&c, 10, SCSI_DIR_FROM_DEVICE, 0x100 * 512));
    CHECK(memcmp(c.bytes, r10, 10) == 0);
    /* The last addressable block of the 10-byte form. */
    CHECK_EQ(scsi_cdb_rw(&c, true, 0xFFFFFFFFull, 1, 4096), 0);
    CHECK(cdb_is(&c, 10, SCSI_DIR_TO_DEVICE, 4096) && c.bytes[0] == 0x2A);
    CHECK_EQ(scsi_cdb_rw(&c, false, 0, 0xFFFF, 512), 0);
    CHECK_EQ(c.len, 10);
}

TEST(cdb_read_write_16_when_10_cannot)
{
    struct scsi_cdb c;
    /* Past 2^32 - 1 on its last block. */
    CHECK_EQ(scsi_cdb_rw(&c, false, 0xFFFFFFFFull, 2, 512), 0);
    CHECK(cdb_is(&c, 16, SCSI_DIR_FROM_DEVICE, 1024) && c.bytes[0] == 0x88);
    CHECK_EQ(scsi_cdb_rw(&c, true, 0x0102030405060708ull, 0x10000, 512), 0);
    const uint8_t w16[16] = {0x8A, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 0, 0, 0};
    CHECK(cdb_is(&c, 16, SCSI_DIR_TO_DEVICE, 0x10000 * 512));
    CHECK(memcmp(c.bytes, w16, 16) == 0);
    /* Nothing to transfer, or more than a 32-bit length: refused. */
    CHECK_EQ(scsi_cdb_rw(&c, false, 0, 0, 512), -1);
    CHECK_EQ(scsi_cdb_rw(&c, false, 0, 0x800000, 512), -1);
    CHECK_EQ(scsi_cdb_rw(&c, false, 0, 1, 0), -1);
}

/* A standard INQUIRY reply of n bytes: a connected disk, SPC-4. */
static void inquiry_reply(uint8_t *b, unsigned n)
{
    memset(b, 0, n);
    b[0] = 0x00;
    b[2] = 6;
    b[3] = 2;
    b[4] = (uint8_t)(n - 5);
    memcpy(&b[8], "VMware  ", 8);
    memcpy(&b[16], "Virtual disk    ", 16);
    memcpy(&b[32], "2.0 ", 4);
}

TEST(inquiry_parsed)
{
    uint8_t b[64];
    inquiry_reply(b, 36);
    struct scsi_inquiry inq;
    struct scsi_why why;
    CHECK_EQ(scsi_parse_inquiry(b, 36, &inq, &why), 0);
    CHECK_STR(inq.vendor, "VMware");
    CHECK_STR(inq.product, "Virtual disk");
    CHECK_STR(inq.revision, "2.0");
    CHECK(scsi_inquiry_is_disk(&inq));
    CHECK_EQ(inq.version, 6);
    /* Unprintable bytes are shown, not passed on. */
    b[8] = 0x07;
    CHECK_EQ(scsi_parse_inquiry(b, 36, &inq, &why), 0);
    CHECK_STR(inq.vendor, "?Mware");
    /* Qualifier 3: no unit; type 5: not a disk. */
    b[0] = 0x7F;
    CHECK_EQ(scsi_parse_inquiry(b, 36, &inq, &why), 0);
    CHECK(!scsi_inquiry_is_disk(&inq));
    b[0] = 0x05;
    CHECK_EQ(scsi_parse_inquiry(b, 36, &inq, &why), 0);
    CHECK(!scsi_inquiry_is_disk(&inq));
}

TEST(inquiry_truncated_refused)
{
    uint8_t b[64];
    inquiry_reply(b, 36);
    struct scsi_inquiry inq;
    struct scsi_why why;
    CHECK_EQ(scsi_parse_inquiry(b, 35, &inq, &why), -1);
    CHECK(strstr(why.text, "35 bytes") != NULL);
    CHECK_EQ(scsi_parse_inquiry(b, 0, &inq, &why), -1);
    /* Enough bytes arrived, but the device says its data is shorter. */
    b[4] = 30;
    CHECK_EQ(scsi_parse_inquiry(b, 36, &inq, &why), -1);
    CHECK(strstr(why.text, "ADDITIONAL LENGTH 30") != NULL);
    inquiry_reply(b, 36);
    b[3] = 1;
    CHECK_EQ(scsi_parse_inquiry(b, 36, &inq, &why), -1);
    CHECK(strstr(why.text, "RESPONSE DATA FORMAT 1") != NULL);
}

TEST(vpd_pages)
{
    const uint8_t list[] = {0x00, 0x00, 0x00, 3, 0x00, 0x80, 0x83};
    const uint8_t *p;
    uint32_t n;
    struct scsi_why why;
    CHECK_EQ(scsi_parse_vpd(list, sizeof list, 0x00, &p, &n, &why), 0);
    CHECK(n == 3 && scsi_vpd_lists(p, n, 0x80) && !scsi_vpd_lists(p, n, 0xB0));
    CHECK_EQ(scsi_parse_vpd(list, sizeof list, 0x80, &p, &n, &why), -1);
    CHECK(strstr(why.text, "page 0 returned") != NULL);
    /* PAGE LENGTH beyond the data. */
    CHECK_EQ(scsi_parse_vpd(list, 6, 0x00, &p, &n, &why), -1);
    CHECK(strstr(why.text, "PAGE LENGTH 3") != NULL);
    CHECK_EQ(scsi_parse_vpd(list, 3, 0x00, &p, &n, &why), -1);
    const uint8_t serial[] = {0x00, 0x80, 0x00, 10,  ' ', ' ', 'a',
                              'b',  0x01, 'c',  ' ', ' ', ' ', ' '};
    CHECK_EQ(scsi_parse_vpd(serial, sizeof serial, 0x80, &p, &n, &why), 0);
    char s[8];
    scsi_vpd_serial(p, n, s, sizeof s);
    CHECK_STR(s, "ab?c");
    char tiny[3];
    scsi_vpd_serial(p, n, tiny, sizeof tiny);
    CHECK_STR(tiny, "ab");
}

TEST(report_luns)
{
    uint8_t b[40] = {0, 0, 0, 24};
    b[8 + 1] = 0;                    /* LUN 0 */
    b[16 + 1] = 5;                   /* LUN 5 */
    b[24 + 0] = 0x41, b[24 + 1] = 2; /* flat space: LUN 258 */
    struct scsi_lun_list l;
    struct scsi_why why;
    CHECK_EQ(scsi_parse_report_luns(b, 32, &l, &why), 0);
    CHECK(l.count == 3 && l.listed == 3);
    uint16_t lun;
    CHECK(scsi_lun_decode(l.entries + 8, &lun, &why) == 0 && lun == 5);
    CHECK(scsi_lun_decode(l.entries + 16, &lun, &why) == 0 && lun == 258);
    uint8_t e[8];
    scsi_lun_encode(258, e);
    CHECK(memcmp(e, l.entries + 16, 8) == 0);
    scsi_lun_encode(5, e);
    CHECK(memcmp(e, l.entries + 8, 8) == 0);
}

TEST(report_luns_longer_than_buffer)
{
    /* The device lists 100 units; 16 bytes arrived: one entry. */
    uint8_t b[16] = {0, 0, 0x03, 0x20, 0, 0, 0, 0, 0, 7};
    struct scsi_lun_list l;
    struct scsi_why why;
    CHECK_EQ(scsi_parse_report_luns(b, sizeof b, &l, &why), 0);
    CHECK(l.count == 1 && l.listed == 100);
    /* A partial entry does not count. */
    CHECK_EQ(scsi_parse_report_luns(b, 15, &l, &why), 0);
    CHECK_EQ(l.count, 0);
    CHECK_EQ(scsi_parse_report_luns(b, 7, &l, &why), -1);
    b[3] = 0x21;
    CHECK_EQ(scsi_parse_report_luns(b, sizeof b, &l, &why), -1);
    CHECK(strstr(why.text, "not a multiple of 8") != NULL);
}

TEST(lun_forms_refused)
{
    struct scsi_why why;
    uint16_t lun;
    const uint8_t two_level[8] = {0, 1, 0, 2, 0, 0, 0, 0};
    CHECK_EQ(scsi_lun_decode(two_level, &lun, &why), -1);
    const uint8_t other_bus[8] = {0x05, 1};
    CHECK_EQ(scsi_lun_decode(other_bus, &lun, &why), -1);
    const uint8_t logical_unit_method[8] = {0x80, 1};
    CHECK_EQ(scsi_lun_decode(logical_unit_method, &lun, &why), -1);
    CHECK(strstr(why.text, "address method 2") != NULL);
}

static void rc10(uint8_t *b, uint32_t last, uint32_t bs)
{
    b[0] = (uint8_t)(last >> 24), b[1] = (uint8_t)(last >> 16), b[2] = (uint8_t)(last >> 8),
    b[3] = (uint8_t)last;
    b[4] = (uint8_t)(bs >> 24), b[5] = (uint8_t)(bs >> 16), b[6] = (uint8_t)(bs >> 8),
    b[7] = (uint8_t)bs;
}

TEST(read_capacity10)
{
    uint8_t b[8];
    struct scsi_capacity c;
    struct scsi_why why;
    rc10(b, 8191, 512);
    CHECK_EQ(scsi_parse_read_capacity10(b, 8, &c, &why), 0);
    CHECK(c.blocks == 8192 && c.block_size == 512 && !c.need16);
    rc10(b, 0xFFFFFFFF, 512);
    CHECK_EQ(scsi_parse_read_capacity10(b, 8, &c, &why), 0);
    CHECK(c.need16 && c.blocks == 0);
    CHECK_EQ(scsi_parse_read_capacity10(b, 7, &c, &why), -1);
}

TEST(read_capacity_absurd_block_sizes)
{
    const uint32_t bad[] = {0, 1, 256, 1000, 4097, 131072, 0x80000000u, 0xFFFFFFFFu};
    uint8_t b[8];
    struct scsi_capacity c;
    struct scsi_why why;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc10(b, 100, bad[i]);
        CHECK_EQ(scsi_parse_read_capacity10(b, 8, &c, &why), -1);
        CHECK(strstr(why.text, "block size") != NULL);
    }
    rc10(b, 100, 65536);
    CHECK_EQ(scsi_parse_read_capacity10(b, 8, &c, &why), 0);
}

static void rc16(uint8_t *b, uint64_t last, uint32_t bs)
{
    memset(b, 0, 32);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(last >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        b[8 + i] = (uint8_t)(bs >> (24 - 8 * i));
}

TEST(read_capacity16)
{
    uint8_t b[32];
    struct scsi_capacity c;
    struct scsi_why why;
    rc16(b, 0x1FFFFFFFFull, 4096);
    CHECK_EQ(scsi_parse_read_capacity16(b, 32, &c, &why), 0);
    CHECK(c.blocks == 0x200000000ull && c.block_size == 4096);
    CHECK_EQ(scsi_parse_read_capacity16(b, 11, &c, &why), -1);
    /* The block count wraps to 0. */
    rc16(b, UINT64_MAX, 512);
    CHECK_EQ(scsi_parse_read_capacity16(b, 32, &c, &why), -1);
    CHECK(strstr(why.text, "overflows") != NULL);
    /* 2^55 blocks of 4 KiB: 2^67 bytes. */
    rc16(b, (1ull << 55) - 1, 4096);
    CHECK_EQ(scsi_parse_read_capacity16(b, 32, &c, &why), -1);
    CHECK(strstr(why.text, "overflow a 64-bit byte count") != NULL);
    /* The largest that fits: 2^52 - 1 blocks of 4 KiB. */
    rc16(b, (1ull << 52) - 2, 4096);
    CHECK_EQ(scsi_parse_read_capacity16(b, 32, &c, &why), 0);
    rc16(b, 100, 3);
    CHECK_EQ(scsi_parse_read_capacity16(b, 32, &c, &why), -1);
}

TEST(mode_sense_write_protect)
{
    uint8_t b[4] = {3, 0, 0x80, 0};
    struct scsi_mode6 m;
    struct scsi_why why;
    CHECK(scsi_parse_mode_sense6(b, 4, &m, &why) == 0 && m.wp && !m.has_caching);
    b[2] = 0x10;
    CHECK(scsi_parse_mode_sense6(b, 4, &m, &why) == 0 && !m.wp);
    CHECK_EQ(scsi_parse_mode_sense6(b, 3, &m, &why), -1);
    b[0] = 2; /* MODE DATA LENGTH says the header is cut short */
    CHECK_EQ(scsi_parse_mode_sense6(b, 4, &m, &why), -1);
}

TEST(mode_sense_caching_page)
{
    /* Header with an 8-byte block descriptor, then page 01h (length 10),
     * then the caching page 08h (length 18) with WCE set. */
    uint8_t b[4 + 8 + 12 + 20];
    memset(b, 0, sizeof b);
    b[0] = sizeof b - 1, b[3] = 8;
    b[12] = 0x01, b[13] = 10;
    b[24] = 0x08, b[25] = 18, b[26] = 0x04;
    struct scsi_mode6 m;
    struct scsi_why why;
    CHECK(scsi_parse_mode_sense6(b, sizeof b, &m, &why) == 0 && m.has_caching && m.wce);
    b[26] = 0;
    CHECK(scsi_parse_mode_sense6(b, sizeof b, &m, &why) == 0 && m.has_caching && !m.wce);
    /* Cut off before the caching page's byte 2: not seen, not an error. */
    b[26] = 0x04;
    CHECK(scsi_parse_mode_sense6(b, 26, &m, &why) == 0 && !m.has_caching);
    /* MODE DATA LENGTH ends the data before it, whatever arrived. */
    b[0] = 25;
    CHECK(scsi_parse_mode_sense6(b, sizeof b, &m, &why) == 0 && !m.has_caching);
    /* Block descriptors beyond the data: refused. */
    b[0] = sizeof b - 1, b[3] = 200;
    CHECK_EQ(scsi_parse_mode_sense6(b, sizeof b, &m, &why), -1);
    CHECK(strstr(why.text, "BLOCK DESCRIPTOR LENGTH 200") != NULL);
    /* A first page longer than the data stops the walk. */
    b[3] = 8, b[13] = 250;
    CHECK(scsi_parse_mode_sense6(b, sizeof b, &m, &why) == 0 && !m.has_caching);
}

static char *describe(const uint8_t *sense, uint32_t len, int *rc)
{
    static char out[128];
    struct scsi_sense s;
    struct scsi_why why;
    *rc = scsi_sense_decode(sense, len, &s, &why);
    if (*rc != 0)
        return strcpy(out, why.text);
    return scsi_sense_describe(&s, out, sizeof out);
}

TEST(sense_fixed)
{
    uint8_t s[18] = {0xF0, 0, 0x07, 0, 0, 0x12, 0x34, 10, 0, 0, 0, 0, 0x27, 0x00};
    int rc;
    CHECK_STR(describe(s, sizeof s, &rc), "DATA PROTECT: write protected");
    struct scsi_sense d;
    struct scsi_why why;
    CHECK_EQ(scsi_sense_decode(s, sizeof s, &d, &why), 0);
    CHECK(!d.descriptor && d.has_info && d.info == 0x1234 && !d.deferred);
    s[0] = 0x71;
    s[2] = 0x02, s[12] = 0x3A;
    CHECK_STR(describe(s, sizeof s, &rc), "NOT READY: medium not present (deferred error)");
    CHECK_EQ(scsi_sense_decode(s, sizeof s, &d, &why), 0);
    CHECK(d.deferred && !d.has_info);
    /* Unknown code: its numbers. */
    s[0] = 0x70, s[2] = 0x03, s[12] = 0x99, s[13] = 0x42;
    CHECK_STR(describe(s, sizeof s, &rc), "MEDIUM ERROR: ASC 0x99 ASCQ 0x42");
}

TEST(sense_fixed_short)
{
    uint8_t s[18] = {0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0x00};
    int rc;
    /* ASC/ASCQ are byte 12-13: 13 bytes leave them out. */
    CHECK_STR(describe(s, 13, &rc), "UNIT ATTENTION (no ASC/ASCQ)");
    CHECK_EQ(rc, 0);
    /* The device's own length says the same. */
    s[7] = 5;
    CHECK_STR(describe(s, 18, &rc), "UNIT ATTENTION (no ASC/ASCQ)");
    s[7] = 10;
    CHECK_STR(describe(s, 14, &rc),
              "UNIT ATTENTION: power on, reset, or bus device reset occurred");
    describe(s, 2, &rc);
    CHECK_EQ(rc, -1);
}

TEST(sense_descriptor)
{
    uint8_t s[32] = {0x72, 0x02, 0x3A, 0x00, 0, 0, 0, 12, 0x00, 0x0A,
                     0x80, 0,    1,    2,    3, 4, 5, 6,  7,    8};
    int rc;
    CHECK_STR(describe(s, 20, &rc), "NOT READY: medium not present");
    struct scsi_sense d;
    struct scsi_why why;
    CHECK_EQ(scsi_sense_decode(s, 20, &d, &why), 0);
    CHECK(d.descriptor && d.has_info && d.info == 0x0102030405060708ull);
    s[0] = 0x73;
    CHECK_EQ(scsi_sense_decode(s, 20, &d, &why), 0);
    CHECK(d.deferred);
    /* The information descriptor is cut off by the data's end. */
    s[0] = 0x72;
    describe(s, 15, &rc);
    CHECK_EQ(rc, -1);
    /* ... or by the device's ADDITIONAL SENSE LENGTH. */
    s[7] = 6;
    CHECK(strstr(describe(s, 20, &rc), "runs past") != NULL);
    CHECK_EQ(rc, -1);
    /* An information descriptor of the wrong length. */
    s[7] = 12, s[9] = 0x09;
    describe(s, 20, &rc);
    CHECK_EQ(rc, -1);
    /* A lone type byte with no length. */
    uint8_t t[9] = {0x72, 0x05, 0x24, 0x00, 0, 0, 0, 1, 0x02};
    CHECK(strstr(describe(t, 9, &rc), "no length byte") != NULL);
    describe(t, 7, &rc);
    CHECK_EQ(rc, -1);
}

TEST(sense_refused)
{
    uint8_t s[SCSI_SENSE_MAX + 1] = {0x7F, 0, 0x05};
    int rc;
    CHECK(strstr(describe(s, 18, &rc), "0x7f") != NULL);
    CHECK_EQ(rc, -1);
    s[0] = 0x00;
    describe(s, 18, &rc);
    CHECK_EQ(rc, -1);
    s[0] = 0x70;
    describe(s, 0, &rc);
    CHECK_EQ(rc, -1);
    describe(s, SCSI_SENSE_MAX + 1, &rc);
    CHECK_EQ(rc, -1);
    describe(s, SCSI_SENSE_MAX, &rc);
    CHECK_EQ(rc, 0);
}

TEST(outcomes)
{
    struct scsi_cmd c;
    memset(&c, 0, sizeof c);
    char text[128];
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_OK);
    c.status = SCSI_STATUS_BUSY;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_RETRY);
    c.status = SCSI_STATUS_RESERVATION_CONFLICT;
    CHECK_EQ(scsi_cmd_outcome(&c, NULL, 0), SCSI_DEVICE_ERROR);
    c.status = SCSI_STATUS_CHECK_CONDITION;
    const uint8_t wp[14] = {0x70, 0, 0x07, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0x27, 0x00};
    memcpy(c.sense, wp, sizeof wp);
    c.sense_len = sizeof wp;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_PROTECTED);
    CHECK_STR(text, "CHECK CONDITION, DATA PROTECT: write protected");
    c.sense[2] = 0x06;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_RETRY);
    c.sense[2] = 0x05, c.sense[12] = 0x24;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_INVALID);
    CHECK_STR(text, "CHECK CONDITION, ILLEGAL REQUEST: invalid field in CDB");
    c.sense[2] = 0x02, c.sense[12] = 0x04, c.sense[13] = 0x01;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_RETRY);
    c.sense[13] = 0x03;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_NOT_READY);
    c.sense[2] = 0x04;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_DEVICE_ERROR);
    /* CHECK CONDITION without sense: an error, and the log says why. */
    c.sense_len = 0;
    CHECK_EQ(scsi_cmd_outcome(&c, text, sizeof text), SCSI_DEVICE_ERROR);
    CHECK(strstr(text, "no sense data") != NULL);
}

UNIT_MAIN()
