/* A SCSI direct-access disk backed by a file, as a Hyper-V host presents
 * its virtual disks behind storvsc: the commands a guest's disk driver uses
 * (SPC-4 and SBC-3 command tables; behaviour as openvmm's
 * vm/devices/storage/scsidisk/src/lib.rs and inquiry.rs answer them):
 * TEST UNIT READY, INQUIRY (standard data as Hyper-V's "Msft" "Virtual
 * Disk", and the VPD pages 0x00, 0x80 and 0x83), MODE SENSE(6) (the
 * write-protect bit and the caching page), READ CAPACITY(10) and (16),
 * READ/WRITE(10) and (16) with pread/pwrite, SYNCHRONIZE CACHE(10) with
 * fdatasync. Anything else, or a field out of range, ends in CHECK
 * CONDITION with fixed-format sense data (SPC-4 "Fixed format sense
 * data": response code 0x70, key @2, additional length 10 @7, ASC @12,
 * ASCQ @13): ILLEGAL REQUEST with INVALID COMMAND OPERATION CODE (0x20),
 * LOGICAL BLOCK ADDRESS OUT OF RANGE (0x21) or INVALID FIELD IN CDB
 * (0x24); DATA PROTECT / WRITE PROTECTED (0x27) for a write to a read-only
 * disk; MEDIUM ERROR when the file cannot be read or written.
 *
 * The data buffer is the guest's: the caller gives accessors that copy
 * within its bounds. Pure logic over a file descriptor. */
#ifndef HOSTSIM_VMBUS_SCSI_DISK_H
#define HOSTSIM_VMBUS_SCSI_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCSI_DISK_BLOCK 512u
#define SCSI_DISK_SENSE 18u
#define SCSI_DISK_SERIAL_MAX 20

struct scsi_disk {
    int fd;
    bool read_only;
    uint64_t blocks;
    char serial[SCSI_DISK_SERIAL_MAX + 1]; /* VPD page 0x80 */
};

/* Where a command's data goes: the guest's buffer of len bytes. */
struct scsi_disk_data {
    uint32_t len;
    void *ctx;
    /* Copy [at, at + n) of the buffer in or out; 0 or -1. */
    int (*to_guest)(void *ctx, uint32_t at, const void *src, size_t n);
    int (*from_guest)(void *ctx, uint32_t at, void *dst, size_t n);
};

struct scsi_disk_result {
    uint8_t status; /* SAM: 0 GOOD, 2 CHECK CONDITION */
    uint8_t sense[SCSI_DISK_SENSE];
    bool has_sense;
    uint32_t moved; /* bytes of data transferred */
};

enum scsi_disk_dir { SCSI_DISK_NONE, SCSI_DISK_TO_GUEST, SCSI_DISK_FROM_GUEST };

/* The direction a command moves data in (TO_GUEST for reads and every
 * command that answers with data, FROM_GUEST for writes). */
enum scsi_disk_dir scsi_disk_direction(const uint8_t *cdb);

/* Runs one command (cdb_len bytes, 6 to 16) against d. */
void scsi_disk_execute(struct scsi_disk *d, const uint8_t *cdb, unsigned cdb_len,
                       const struct scsi_disk_data *data, struct scsi_disk_result *r);

/* The answer of a logical unit that is not there (openvmm storvsp's
 * INQUIRY for a missing LUN): peripheral qualifier 3, type 0x1F, the rest
 * zero; moved bytes in r. */
void scsi_disk_inquiry_absent(const uint8_t *cdb, const struct scsi_disk_data *data,
                              struct scsi_disk_result *r);

/* Fixed-format sense data for key/asc/ascq into r (CHECK CONDITION). */
void scsi_disk_check_condition(struct scsi_disk_result *r, uint8_t key, uint8_t asc, uint8_t ascq);

#endif
