/* Finding the disks behind a SCSI initiator, for any transport: REPORT
 * LUNS (LUN 0 when a target refuses it), then for each logical unit
 * INQUIRY, TEST UNIT READY, READ CAPACITY(10) (and (16) when 10 says the
 * medium is too large for it), MODE SENSE(6) for write protection and the
 * write cache, and the serial number from VPD page 0x80 (SPC-4, SBC-3).
 * Every reply is checked by dev/scsi's parsers; a unit whose reply is
 * refused is logged and skipped, so the other units still become disks.
 * drivers/pvscsi and drivers/storvsc give the way to run a command. */
#ifndef DEV_SCSI_SCSI_PROBE_H
#define DEV_SCSI_SCSI_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/scsi/scsi.h"

#define SCSI_PROBE_REPLY_BYTES 1024 /* the largest reply asked for: REPORT LUNS */
#define SCSI_PROBE_MAX_LUNS 31      /* REPORT LUNS asks room for 4 times max */

struct scsi_prober {
    /* Runs cmd (its data in buf, cmd->cdb.data_len bytes) at lun; returns
     * the outcome and, when it is not SCSI_OK, a sentence in text. Sets
     * absent when nobody answered at all (a selection timeout, a failed
     * controller): then nothing is logged. */
    enum scsi_outcome (*run)(struct scsi_prober *p, uint16_t lun);
    void *ctx;            /* the driver's */
    struct scsi_cmd *cmd; /* heap: the device writes into it */
    uint8_t *buf;         /* SCSI_PROBE_REPLY_BYTES, heap */
    const char *name;     /* the controller, for the log */
    int target;           /* named in the log when >= 0 */
    bool ignore_wp;       /* the driver's nowp parameter */
    bool absent;
    char text[160];
};

struct scsi_unit {
    struct scsi_inquiry inq;
    struct scsi_capacity cap;
    struct scsi_mode6 mode; /* wce true when the unit did not say */
    char serial[24];        /* "" when the unit has none */
};

/* The target's units into luns, each once, at most max (<=
 * SCSI_PROBE_MAX_LUNS) and none above lun_max; LUN 0 alone when the list
 * is refused or empty; 0 when nobody answers. */
unsigned scsi_probe_luns(struct scsi_prober *p, uint16_t *luns, unsigned max, uint16_t lun_max);

/* True when lun is a disk, ready, whose capacity was read: u then says
 * what it is. */
bool scsi_probe_unit(struct scsi_prober *p, uint16_t lun, struct scsi_unit *u);

#endif
