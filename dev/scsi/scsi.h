/* The SCSI command layer shared by every SCSI transport (pvscsi today,
 * Hyper-V storvsc later): building the command descriptor blocks a disk
 * driver needs, checking and parsing what the device answers, and decoding
 * sense data into a clear message. It knows nothing of rings, buses or
 * interrupts: a transport takes a struct scsi_cmd (CDB, data buffer,
 * direction), carries it to the device, and fills in the status byte, the
 * residual and the sense bytes; this layer judges the result. Pure C over
 * klib, so the host tests and fuzzers run it unchanged (docs/scsi.md).
 *
 * Every reply is untrusted: each parser takes the number of bytes the
 * device actually delivered, checks every length and value against it and
 * against the standard, and explains a refusal in a struct scsi_why.
 *
 * Sources (each function's comment names its command or data format):
 * SPC-4 (T10 INCITS 513) for INQUIRY and VPD pages, REPORT LUNS, TEST UNIT
 * READY, MODE SENSE(6), sense data and the ASC/ASCQ assignments (Annex D);
 * SBC-3 (T10 INCITS 514) for READ/WRITE(10)/(16), READ CAPACITY(10)/(16),
 * SYNCHRONIZE CACHE(10) and the block device mode parameters; SAM-5 for
 * status codes and LUN addressing. */
#ifndef DEV_SCSI_SCSI_H
#define DEV_SCSI_SCSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- commands ---- */

#define SCSI_CDB_MAX 16

enum scsi_dir {
    SCSI_DIR_NONE,        /* no data phase */
    SCSI_DIR_FROM_DEVICE, /* the device writes the buffer (READ, INQUIRY ...) */
    SCSI_DIR_TO_DEVICE,   /* the device reads the buffer (WRITE) */
};

struct scsi_cdb {
    uint8_t bytes[SCSI_CDB_MAX];
    uint8_t len; /* 6, 10 or 16 */
    enum scsi_dir dir;
    uint32_t data_len; /* bytes the command transfers at most */
};

/* Operation codes (SPC-4 and SBC-3, each command's CDB table). */
#define SCSI_OP_TEST_UNIT_READY 0x00
#define SCSI_OP_INQUIRY 0x12
#define SCSI_OP_MODE_SENSE6 0x1A
#define SCSI_OP_READ_CAPACITY10 0x25
#define SCSI_OP_READ10 0x28
#define SCSI_OP_WRITE10 0x2A
#define SCSI_OP_SYNCHRONIZE_CACHE10 0x35
#define SCSI_OP_READ16 0x88
#define SCSI_OP_WRITE16 0x8A
#define SCSI_OP_SERVICE_ACTION_IN16 0x9E
#define SCSI_SA_READ_CAPACITY16 0x10
#define SCSI_OP_REPORT_LUNS 0xA0

/* What a standard INQUIRY must deliver (SPC-4, "Standard INQUIRY data": vendor, product and
 * revision end at byte 35). */
#define SCSI_INQUIRY_MIN 36
/* READ CAPACITY(16): 32 bytes of parameter data (SBC-3, "READ CAPACITY (16) parameter data"). */
#define SCSI_READ_CAPACITY16_LEN 32
#define SCSI_READ_CAPACITY10_LEN 8

void scsi_cdb_test_unit_ready(struct scsi_cdb *c);
/* Standard INQUIRY data, alloc_len bytes at most (>= SCSI_INQUIRY_MIN). */
void scsi_cdb_inquiry(struct scsi_cdb *c, uint16_t alloc_len);
/* A vital product data page (EVPD = 1). */
void scsi_cdb_inquiry_vpd(struct scsi_cdb *c, uint8_t page, uint16_t alloc_len);
/* SELECT REPORT = 0 (every logical unit); alloc_len >= 16 (SPC-4, "REPORT LUNS command"). */
void scsi_cdb_report_luns(struct scsi_cdb *c, uint32_t alloc_len);
void scsi_cdb_read_capacity10(struct scsi_cdb *c);
void scsi_cdb_read_capacity16(struct scsi_cdb *c);
/* MODE SENSE(6) of every page (0x3F), for the header's write-protect bit. */
void scsi_cdb_mode_sense6(struct scsi_cdb *c, uint8_t alloc_len);
/* READ or WRITE of blocks at lba: the 10-byte form when the LBA range and
 * the count fit it, the 16-byte form otherwise. Returns -1 (nothing built)
 * for a count of 0 or a transfer beyond 4 GiB - 1 bytes. */
int scsi_cdb_rw(struct scsi_cdb *c, bool write, uint64_t lba, uint32_t blocks, uint32_t block_size);
/* The whole medium (LBA 0, 0 blocks: SBC-3, "SYNCHRONIZE CACHE (10) command"). */
void scsi_cdb_synchronize_cache10(struct scsi_cdb *c);

/* Why a reply was refused, for the caller's log line. */
struct scsi_why {
    char text[112];
};

/* ---- replies ---- */

/* Peripheral device types (SPC-4, "Standard INQUIRY data"). */
#define SCSI_TYPE_DISK 0x00
#define SCSI_TYPE_NONE 0x1F /* unknown or no device type */
/* Peripheral qualifier: 0 connected, 1 supported but not connected, 3 no
 * logical unit at all. */
#define SCSI_QUALIFIER_CONNECTED 0
#define SCSI_QUALIFIER_NOT_CONNECTED 1
#define SCSI_QUALIFIER_NONE 3

struct scsi_inquiry {
    uint8_t qualifier, type;
    bool removable;
    uint8_t version; /* 0: no standard claimed; 5 SPC-3, 6 SPC-4 */
    /* Printable ASCII, trailing blanks removed, unprintable bytes as '?'. */
    char vendor[9], product[17], revision[5];
};
/* len: the bytes the device delivered. -1 (why) when shorter than
 * SCSI_INQUIRY_MIN, or its ADDITIONAL LENGTH says so, or the response data
 * format is not 2. */
int scsi_parse_inquiry(const uint8_t *buf, uint32_t len, struct scsi_inquiry *out,
                       struct scsi_why *why);
/* A disk this layer can drive: connected, direct-access block device. */
bool scsi_inquiry_is_disk(const struct scsi_inquiry *inq);

/* A VPD page's payload: checks the header (page code as asked, PAGE LENGTH
 * within what arrived). *payload points into buf. */
int scsi_parse_vpd(const uint8_t *buf, uint32_t len, uint8_t page, const uint8_t **payload,
                   uint32_t *payload_len, struct scsi_why *why);
/* Whether the supported-pages page (0x00) lists page. */
bool scsi_vpd_lists(const uint8_t *payload, uint32_t payload_len, uint8_t page);
/* Unit serial number (page 0x80) as printable text in out (size bytes,
 * NUL-ended; leading and trailing blanks removed). */
void scsi_vpd_serial(const uint8_t *payload, uint32_t payload_len, char *out, size_t size);

/* REPORT LUNS: the list and how much of it arrived. */
struct scsi_lun_list {
    const uint8_t *entries; /* 8 bytes each */
    uint32_t count;         /* complete entries delivered */
    uint32_t listed;        /* entries the device says it has */
};
/* -1 (why) when the 8-byte header is missing or LUN LIST LENGTH is not a
 * multiple of 8. A list longer than what arrived is not an error: count
 * says how many entries are there, listed how many there would be. */
int scsi_parse_report_luns(const uint8_t *buf, uint32_t len, struct scsi_lun_list *out,
                           struct scsi_why *why);
/* The logical unit number of an 8-byte entry (SAM-5, logical unit addressing: single level,
 * peripheral or flat space addressing); -1 (why) for other forms. */
int scsi_lun_decode(const uint8_t entry[8], uint16_t *lun, struct scsi_why *why);
/* The 8-byte LUN field for lun (peripheral addressing below 256, flat space
 * up to 16383). */
void scsi_lun_encode(uint16_t lun, uint8_t out[8]);

/* Block sizes accepted: a power of two in this range (what the block class
 * takes, dev/blkdev.h). */
#define SCSI_BLOCK_SIZE_MIN 512u
#define SCSI_BLOCK_SIZE_MAX 65536u

struct scsi_capacity {
    uint64_t blocks;
    uint32_t block_size;
    bool need16; /* READ CAPACITY(10) said "too large for me" */
};
/* READ CAPACITY(10): last LBA 0xFFFFFFFF sets need16 (SBC-3, "READ CAPACITY (10) parameter data")
 * and returns 0 without blocks. */
int scsi_parse_read_capacity10(const uint8_t *buf, uint32_t len, struct scsi_capacity *out,
                               struct scsi_why *why);
int scsi_parse_read_capacity16(const uint8_t *buf, uint32_t len, struct scsi_capacity *out,
                               struct scsi_why *why);

/* MODE SENSE(6) data: the header's write-protect bit (WP, bit 7 of the
 * device-specific parameter, SBC-3 mode parameters) and, when the caching mode page
 * (08h, SBC-3 "Caching mode page") is among the pages that arrived, its WCE bit. -1 (why)
 * when the header is incomplete or the block descriptors run past the
 * data; pages cut off by the allocation length are simply not seen. */
struct scsi_mode6 {
    bool wp;
    bool has_caching; /* the caching page was there */
    bool wce;         /* a volatile write cache is enabled: writes need a flush */
};
int scsi_parse_mode_sense6(const uint8_t *buf, uint32_t len, struct scsi_mode6 *out,
                           struct scsi_why *why);

/* ---- status and sense ---- */

/* Status codes (SAM-5, "Status"). */
#define SCSI_STATUS_GOOD 0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_CONDITION_MET 0x04
#define SCSI_STATUS_BUSY 0x08
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL 0x28
#define SCSI_STATUS_ACA_ACTIVE 0x30
#define SCSI_STATUS_TASK_ABORTED 0x40
const char *scsi_status_name(uint8_t status);

/* Sense keys (SPC-4, "Sense key and additional sense code definitions"). */
#define SCSI_KEY_NO_SENSE 0x0
#define SCSI_KEY_RECOVERED_ERROR 0x1
#define SCSI_KEY_NOT_READY 0x2
#define SCSI_KEY_MEDIUM_ERROR 0x3
#define SCSI_KEY_HARDWARE_ERROR 0x4
#define SCSI_KEY_ILLEGAL_REQUEST 0x5
#define SCSI_KEY_UNIT_ATTENTION 0x6
#define SCSI_KEY_DATA_PROTECT 0x7
#define SCSI_KEY_BLANK_CHECK 0x8
#define SCSI_KEY_ABORTED_COMMAND 0xB
#define SCSI_KEY_MISCOMPARE 0xE
const char *scsi_sense_key_name(uint8_t key);

/* Sense data of either format, decoded (SPC-4, "Sense data"). */
#define SCSI_SENSE_MAX 252 /* 8 + an ADDITIONAL SENSE LENGTH of 244 at most */
struct scsi_sense {
    bool descriptor; /* 0x72/0x73 rather than 0x70/0x71 */
    bool deferred;   /* 0x71/0x73: about an earlier command */
    uint8_t key;
    bool has_asc; /* the ASC/ASCQ bytes were within the data */
    uint8_t asc, ascq;
    bool has_info; /* INFORMATION (the failing LBA for reads/writes) */
    uint64_t info;
};
/* len: the sense bytes the transport says it got, already checked against
 * its buffer. -1 (why) for fewer than the format needs, an unknown response
 * code, or a descriptor running past the data. */
int scsi_sense_decode(const uint8_t *buf, uint32_t len, struct scsi_sense *out,
                      struct scsi_why *why);
/* The ASC/ASCQ text of SPC-4 Annex D for the common codes, NULL otherwise. */
const char *scsi_asc_text(uint8_t asc, uint8_t ascq);
/* "DATA PROTECT: write protected" (key, then the ASC/ASCQ text or its
 * numbers). Returns out. */
char *scsi_sense_describe(const struct scsi_sense *s, char *out, size_t size);

/* ---- one command, as every transport carries it ---- */

struct scsi_cmd {
    struct scsi_cdb cdb; /* in */
    void *data;          /* in: cdb.data_len bytes, physically contiguous */
    uint8_t status;      /* out: SAM status byte */
    uint32_t residual;   /* out: bytes of data_len not transferred */
    uint8_t sense[SCSI_SENSE_MAX];
    uint32_t sense_len; /* out: valid bytes in sense, <= SCSI_SENSE_MAX */
};

/* What a finished command means for its caller. */
enum scsi_outcome {
    SCSI_OK,
    SCSI_RETRY,        /* unit attention, busy, becoming ready, aborted: try again */
    SCSI_NOT_READY,    /* no medium, needs intervention */
    SCSI_PROTECTED,    /* DATA PROTECT: the medium refuses writes */
    SCSI_INVALID,      /* ILLEGAL REQUEST: the command or its fields */
    SCSI_DEVICE_ERROR, /* medium or hardware error, or anything unexplained */
};
/* Judges status and sense together; text (may be NULL) gets a sentence for
 * the log, "CHECK CONDITION, NOT READY: medium not present". */
enum scsi_outcome scsi_cmd_outcome(const struct scsi_cmd *cmd, char *text, size_t size);

#endif
