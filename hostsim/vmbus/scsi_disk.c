/* A SCSI disk over a file: see scsi_disk.h. */
#include <string.h>
#include <unistd.h>

#include "hostsim/vmbus/scsi_disk.h"

#define KEY_MEDIUM_ERROR 0x3
#define KEY_ILLEGAL_REQUEST 0x5
#define KEY_DATA_PROTECT 0x7
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_WRITE_PROTECTED 0x27
#define ASC_UNRECOVERED_READ 0x11
#define ASC_WRITE_ERROR 0x0C
#define BOUNCE (64u * 1024u)

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}
static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

void scsi_disk_check_condition(struct scsi_disk_result *r, uint8_t key, uint8_t asc, uint8_t ascq)
{
    memset(r->sense, 0, sizeof r->sense);
    r->sense[0] = 0x70; /* current error, fixed format */
    r->sense[2] = key;
    r->sense[7] = SCSI_DISK_SENSE - 8;
    r->sense[12] = asc;
    r->sense[13] = ascq;
    r->has_sense = true;
    r->status = 2; /* CHECK CONDITION */
    r->moved = 0;
}

enum scsi_disk_dir scsi_disk_direction(const uint8_t *cdb)
{
    switch (cdb[0]) {
    case 0x12: /* INQUIRY */
    case 0x1A: /* MODE SENSE(6) */
    case 0x25: /* READ CAPACITY(10) */
    case 0x28: /* READ(10) */
    case 0x88: /* READ(16) */
    case 0x9E: /* SERVICE ACTION IN(16) */
    case 0xA0: /* REPORT LUNS */
        return SCSI_DISK_TO_GUEST;
    case 0x2A: /* WRITE(10) */
    case 0x8A: /* WRITE(16) */
        return SCSI_DISK_FROM_GUEST;
    default:
        return SCSI_DISK_NONE;
    }
}

/* Returns what the command answered with: at most the allocation length
 * and the guest's buffer. */
static void answer(const struct scsi_disk_data *data, uint32_t alloc, const uint8_t *buf,
                   uint32_t n, struct scsi_disk_result *r)
{
    if (n > alloc)
        n = alloc;
    if (n > data->len)
        n = data->len;
    if (n > 0 && data->to_guest(data->ctx, 0, buf, n) != 0) {
        scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    r->moved = n;
}

static void inquiry(const struct scsi_disk *d, const uint8_t *cdb,
                    const struct scsi_disk_data *data, struct scsi_disk_result *r)
{
    uint8_t b[64];
    memset(b, 0, sizeof b);
    uint32_t alloc = be16(cdb + 3), n;
    bool evpd = cdb[1] & 1;
    if ((cdb[1] & 2) || (!evpd && cdb[2] != 0)) { /* CmdDt, or a page without EVPD */
        scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    size_t slen = strlen(d->serial);
    if (!evpd) {
        b[2] = 5;  /* SPC-3 */
        b[3] = 2;  /* response data format */
        b[4] = 31; /* additional length: 36 bytes */
        b[7] = 2;  /* CmdQue */
        memcpy(b + 8, "Msft    Virtual Disk    1.0 ", 28);
        n = 36;
    } else if (cdb[2] == 0x00) { /* supported pages */
        b[3] = 3;
        b[4] = 0x00, b[5] = 0x80, b[6] = 0x83;
        n = 7;
    } else if (cdb[2] == 0x80) { /* unit serial number */
        b[1] = 0x80;
        b[3] = (uint8_t)slen;
        memcpy(b + 4, d->serial, slen);
        n = 4 + (uint32_t)slen;
    } else if (cdb[2] == 0x83) { /* device identification: one T10 vendor id */
        b[1] = 0x83;
        b[3] = (uint8_t)(4 + 8 + slen);
        b[4] = 0x02; /* code set ASCII */
        b[5] = 0x01; /* association: the logical unit; type: T10 vendor id */
        b[7] = (uint8_t)(8 + slen);
        memcpy(b + 8, "Msft    ", 8);
        memcpy(b + 16, d->serial, slen);
        n = 16 + (uint32_t)slen;
    } else {
        scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    answer(data, alloc, b, n, r);
}

void scsi_disk_inquiry_absent(const uint8_t *cdb, const struct scsi_disk_data *data,
                              struct scsi_disk_result *r)
{
    uint8_t b[36];
    memset(b, 0, sizeof b);
    b[0] = 0x7F; /* qualifier 3 (no unit), type 0x1F */
    b[3] = 2;
    b[4] = 31;
    memset(r, 0, sizeof *r);
    answer(data, be16(cdb + 3), b, sizeof b, r);
}

static void mode_sense6(const struct scsi_disk *d, const uint8_t *cdb,
                        const struct scsi_disk_data *data, struct scsi_disk_result *r)
{
    uint8_t page = cdb[2] & 0x3F, b[24];
    memset(b, 0, sizeof b);
    if (page != 0x08 && page != 0x3F) { /* only the caching page */
        scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    b[0] = sizeof b - 1;                   /* mode data length */
    b[2] = d->read_only ? 0x80 : 0;        /* WP */
    b[4] = 0x08, b[5] = 0x12, b[6] = 0x04; /* caching page, 18 bytes, WCE */
    answer(data, cdb[4], b, sizeof b, r);
}

static void read_capacity(const struct scsi_disk *d, const uint8_t *cdb, bool sixteen,
                          const struct scsi_disk_data *data, struct scsi_disk_result *r)
{
    uint8_t b[32];
    memset(b, 0, sizeof b);
    uint64_t last = d->blocks - 1;
    if (!sixteen) {
        if (data->len < 8) {
            scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        put_be32(b, last > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)last);
        put_be32(b + 4, SCSI_DISK_BLOCK);
        answer(data, 8, b, 8, r);
        return;
    }
    put_be64(b, last);
    put_be32(b + 8, SCSI_DISK_BLOCK);
    answer(data, be32(cdb + 10), b, sizeof b, r);
}

static void read_write(struct scsi_disk *d, const uint8_t *cdb, bool sixteen, bool write,
                       const struct scsi_disk_data *data, struct scsi_disk_result *r)
{
    uint64_t lba = sixteen ? be64(cdb + 2) : be32(cdb + 2);
    uint32_t count = sixteen ? be32(cdb + 10) : be16(cdb + 7);
    /* openvmm's scsidisk answers a length of 0, a transfer beyond the
     * buffer and a range beyond the disk alike: LBA OUT OF RANGE. */
    if (count == 0 || (uint64_t)count * SCSI_DISK_BLOCK > data->len || lba > d->blocks ||
        count > d->blocks - lba) {
        scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    if (write && d->read_only) {
        scsi_disk_check_condition(r, KEY_DATA_PROTECT, ASC_WRITE_PROTECTED, 0);
        return;
    }
    static uint8_t bounce[BOUNCE];
    uint64_t bytes = (uint64_t)count * SCSI_DISK_BLOCK, done = 0;
    while (done < bytes) {
        size_t n = bytes - done < BOUNCE ? (size_t)(bytes - done) : BOUNCE;
        off_t at = (off_t)(lba * SCSI_DISK_BLOCK + done);
        if (write) {
            if (data->from_guest(data->ctx, (uint32_t)done, bounce, n) != 0 ||
                pwrite(d->fd, bounce, n, at) != (ssize_t)n) {
                scsi_disk_check_condition(r, KEY_MEDIUM_ERROR, ASC_WRITE_ERROR, 0);
                return;
            }
        } else if (pread(d->fd, bounce, n, at) != (ssize_t)n ||
                   data->to_guest(data->ctx, (uint32_t)done, bounce, n) != 0) {
            scsi_disk_check_condition(r, KEY_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
            return;
        }
        done += n;
    }
    r->moved = (uint32_t)bytes;
}

void scsi_disk_execute(struct scsi_disk *d, const uint8_t *cdb, unsigned cdb_len,
                       const struct scsi_disk_data *data, struct scsi_disk_result *r)
{
    memset(r, 0, sizeof *r);
    unsigned need = cdb[0] < 0x20                     ? 6
                    : cdb[0] < 0x60                   ? 10
                    : cdb[0] >= 0x80 && cdb[0] < 0xA0 ? 16
                                                      : 12;
    if (cdb_len < need) {
        scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
        return;
    case 0x12:
        inquiry(d, cdb, data, r);
        return;
    case 0x1A:
        mode_sense6(d, cdb, data, r);
        return;
    case 0x25:
        read_capacity(d, cdb, false, data, r);
        return;
    case 0x9E:
        if ((cdb[1] & 0x1F) != 0x10) /* only READ CAPACITY(16) */
            break;
        read_capacity(d, cdb, true, data, r);
        return;
    case 0x28:
    case 0x2A:
        read_write(d, cdb, false, cdb[0] == 0x2A, data, r);
        return;
    case 0x88:
    case 0x8A:
        read_write(d, cdb, true, cdb[0] == 0x8A, data, r);
        return;
    case 0x35: /* SYNCHRONIZE CACHE(10): the whole file */
        if (fdatasync(d->fd) != 0)
            scsi_disk_check_condition(r, KEY_MEDIUM_ERROR, ASC_WRITE_ERROR, 0);
        return;
    default:
        break;
    }
    scsi_disk_check_condition(r, KEY_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
}
