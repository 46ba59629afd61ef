/* libFuzzer harness: every parser of dev/scsi (sense data, INQUIRY and VPD
 * pages, REPORT LUNS, READ CAPACITY, MODE SENSE) over arbitrary device
 * replies of arbitrary length, and the READ/WRITE builder over arbitrary
 * LBAs and counts. Beyond "no crash, no read past the length" (ASan), what
 * each accepts must make sense: a capacity's byte size fits 64 bits, a LUN
 * list never claims more entries than arrived, texts are printable, and a
 * built CDB decodes back to the LBA and count it was built from.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_scsi.c dev/scsi/\*.c klib/format.c */
#include <string.h>

#include "dev/scsi/scsi.h"
#include "tests/fuzz/fuzz_input.h"

static void printable(const char *s)
{
    for (; *s; s++)
        BROKEN_IF(*s < 0x20 || *s > 0x7E);
}

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void check_rw(struct fuzz_input *in)
{
    uint64_t lba = (uint64_t)fuzz_take(in, 4) << 32 | fuzz_take(in, 4);
    uint32_t blocks = fuzz_take(in, 4);
    uint32_t bs = 512u << (fuzz_take(in, 1) % 8);
    bool write = fuzz_take(in, 1) & 1;
    struct scsi_cdb c;
    if (scsi_cdb_rw(&c, write, lba, blocks, bs) != 0) {
        BROKEN_IF(blocks != 0 && (uint64_t)blocks * bs <= UINT32_MAX);
        return;
    }
    BROKEN_IF(c.data_len != (uint64_t)blocks * bs);
    BROKEN_IF(c.dir != (write ? SCSI_DIR_TO_DEVICE : SCSI_DIR_FROM_DEVICE));
    if (c.len == 10) {
        BROKEN_IF(c.bytes[0] != (write ? SCSI_OP_WRITE10 : SCSI_OP_READ10));
        BROKEN_IF(be(&c.bytes[2], 4) != lba || be(&c.bytes[7], 2) != blocks);
    } else {
        BROKEN_IF(c.len != 16 || c.bytes[0] != (write ? SCSI_OP_WRITE16 : SCSI_OP_READ16));
        BROKEN_IF(be(&c.bytes[2], 8) != lba || be(&c.bytes[10], 4) != blocks);
        /* 16 only when 10 cannot say it. */
        BROKEN_IF(blocks <= 0xFFFF && lba + blocks - 1 <= 0xFFFFFFFFull && lba <= 0xFFFFFFFFull);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    uint8_t which = (uint8_t)fuzz_take(&in, 1);
    if (which % 8 == 7) {
        check_rw(&in);
        return 0;
    }
    /* The rest is the reply, in a buffer of exactly its length. */
    uint32_t len = (uint32_t)in.n;
    uint8_t *buf = malloc(len ? len : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, in.p, len);
    struct scsi_why why;
    switch (which % 8) {
    case 0: {
        struct scsi_sense s;
        if (scsi_sense_decode(buf, len, &s, &why) == 0) {
            BROKEN_IF(len == 0 || len > SCSI_SENSE_MAX || s.key > 15);
            BROKEN_IF(s.has_asc && !s.descriptor && len < 14);
            char text[128];
            scsi_sense_describe(&s, text, sizeof text);
            BROKEN_IF(strlen(text) >= sizeof text || strncmp(text, scsi_sense_key_name(s.key),
                                                             strlen(scsi_sense_key_name(s.key))));
        } else {
            BROKEN_IF(strlen(why.text) == 0);
        }
        struct scsi_cmd cmd;
        memset(&cmd, 0, sizeof cmd);
        cmd.status = SCSI_STATUS_CHECK_CONDITION;
        cmd.sense_len = len;
        memcpy(cmd.sense, buf, len < SCSI_SENSE_MAX ? len : SCSI_SENSE_MAX);
        char text[160];
        enum scsi_outcome o = scsi_cmd_outcome(&cmd, text, sizeof text);
        BROKEN_IF(o > SCSI_DEVICE_ERROR || strncmp(text, "CHECK CONDITION", 15) != 0);
        break;
    }
    case 1: {
        struct scsi_inquiry q;
        if (scsi_parse_inquiry(buf, len, &q, &why) == 0) {
            BROKEN_IF(len < SCSI_INQUIRY_MIN || q.type > 0x1F || q.qualifier > 7);
            printable(q.vendor);
            printable(q.product);
            printable(q.revision);
        }
        break;
    }
    case 2: {
        const uint8_t *p;
        uint32_t n;
        uint8_t page = len ? buf[len - 1] : 0;
        if (scsi_parse_vpd(buf, len, page, &p, &n, &why) == 0) {
            BROKEN_IF(p < buf || p + n > buf + len);
            char serial[24];
            scsi_vpd_serial(p, n, serial, sizeof serial);
            printable(serial);
            (void)scsi_vpd_lists(p, n, 0x80);
        }
        break;
    }
    case 3: {
        struct scsi_lun_list l;
        if (scsi_parse_report_luns(buf, len, &l, &why) == 0) {
            BROKEN_IF(l.count > l.listed || 8 + (uint64_t)l.count * 8 > len);
            for (uint32_t i = 0; i < l.count; i++) {
                uint16_t lun;
                if (scsi_lun_decode(l.entries + 8 * i, &lun, &why) == 0) {
                    uint8_t again[8];
                    scsi_lun_encode(lun, again);
                    uint16_t back;
                    BROKEN_IF(scsi_lun_decode(again, &back, &why) != 0 || back != lun);
                }
            }
        }
        break;
    }
    case 4:
    case 5: {
        struct scsi_capacity c;
        int rc = which % 8 == 4 ? scsi_parse_read_capacity10(buf, len, &c, &why)
                                : scsi_parse_read_capacity16(buf, len, &c, &why);
        if (rc == 0 && !c.need16) {
            BROKEN_IF(c.blocks == 0);
            BROKEN_IF(c.block_size < SCSI_BLOCK_SIZE_MIN || c.block_size > SCSI_BLOCK_SIZE_MAX ||
                      (c.block_size & (c.block_size - 1)));
            BROKEN_IF(c.blocks > UINT64_MAX / c.block_size);
        }
        BROKEN_IF(rc == 0 && c.need16 && which % 8 == 5);
        break;
    }
    case 6: {
        struct scsi_mode6 m;
        if (scsi_parse_mode_sense6(buf, len, &m, &why) == 0) {
            BROKEN_IF(len < 4 || m.wp != ((buf[2] & 0x80) != 0));
            BROKEN_IF(!m.has_caching && m.wce);
            /* A caching page needs the header, block descriptors and 3 bytes. */
            BROKEN_IF(m.has_caching && (uint32_t)4 + buf[3] + 3 > len);
        }
        break;
    }
    }
    free(buf);
    return 0;
}
