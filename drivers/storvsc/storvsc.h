/* The Hyper-V synthetic SCSI controller's driver (storvsc), shared by its
 * files: storvsc.c (the channel: VSTOR initialisation, requests matched to
 * completions by transaction id, failing and removal), storvsc_scan.c
 * (finding the logical units) and storvsc_disk.c (each disk as a blkdev).
 * The VSTOR layouts are in vstor.h; SCSI commands and their replies go
 * through the shared layer dev/scsi. */
#ifndef DRIVERS_STORVSC_STORVSC_H
#define DRIVERS_STORVSC_STORVSC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/vmbus/vmbus.h"
#include "dev/blkdev.h"
#include "dev/scsi/scsi.h"
#include "drivers/storvsc/vstor.h"

/* Requests in flight at once. */
#define STORVSC_SLOTS 16
/* Logical units taken from REPORT LUNS. */
#define STORVSC_MAX_LUNS 16
/* Rings: a GPA-direct request of 256 KiB is about 600 bytes, a completion
 * 88; sixteen of either fit with room to spare. */
#define STORVSC_RING_OUT (32 * 1024)
#define STORVSC_RING_IN (16 * 1024)
/* The largest transfer one request carries (the host may say less). */
#define STORVSC_MAX_TRANSFER (256 * 1024)

struct storvsc;
struct storvsc_disk;
struct storvsc_io;

/* A finished request: rc 0 when the host completed it (its SCSI result is
 * in io->cmd), -1 when the channel failed or went away first. */
typedef void (*storvsc_done_fn)(struct storvsc *sc, struct storvsc_io *io, int rc);

struct storvsc_io {
    bool in_use;
    uint64_t tid;
    uint32_t sent; /* bytes of vstor_packet sent: a completion has at least as many */
    bool srb;      /* EXECUTE_SRB (else an initialisation step) */
    uint8_t lun;
    struct scsi_cmd cmd;
    uint8_t srb_status;
    uint32_t vstor_status;
    uint8_t reply[VSTOR_PACKET_BYTES]; /* the completion's vstor_packet */
    storvsc_done_fn done;
    /* waited for (storvsc_run) */
    bool finished;
    int rc;
    /* a block request, possibly in several transfers */
    struct blk_request *req;
    struct storvsc_disk *disk;
    uint32_t done_sectors;
    unsigned retries;
};

struct storvsc {
    struct vmbus_dev *vd;
    const char *name; /* "storvsc relid 5" */
    char namebuf[32];
    uint16_t version;
    bool win8;
    uint32_t max_transfer;
    bool broken;
    bool processing;
    unsigned notices;       /* the host's own notices seen (a few are logged) */
    struct work rescan;     /* after ENUMERATE_BUS */
    bool scanning, removed; /* removed while scanning: the scan releases it */
    struct storvsc *next_released;
    uint64_t seq;
    struct storvsc_io io[STORVSC_SLOTS];
    struct storvsc_disk *disks;
    uint8_t rx[256];
};

struct storvsc_disk {
    struct blkdev bd;
    struct storvsc *sc;
    uint8_t lun;
    unsigned in_flight;
    unsigned logged;
    struct storvsc_disk *next;
};

/* storvsc.c */
/* A free slot, or NULL. */
struct storvsc_io *storvsc_io_get(struct storvsc *sc);
/* Sends io (its cmd for an SRB, else io->reply as the vstor_packet to
 * send). 0, BLK_EBUSY (the ring is full now) or BLK_EIO (the channel
 * failed). */
int storvsc_send(struct storvsc *sc, struct storvsc_io *io);
/* Takes every completion waiting (event-loop context). */
void storvsc_process(struct storvsc *sc);
/* The host broke the protocol: logs, closes the channel (vmbus_fail), and
 * fails every request in flight. */
void storvsc_fail(struct storvsc *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A command for lun run to its end (thread context), with the usual
 * retries, judged by dev/scsi: SCSI_OK or why not (text for the log).
 * *srb_status is the host's SRB status code (VSTOR_SRB_INVALID_LUN: no
 * such unit). The data buffer is zeroed before each attempt. */
enum scsi_outcome storvsc_run(struct storvsc *sc, uint8_t lun, struct scsi_cmd *cmd,
                              uint8_t *srb_status, char *text, size_t size);

/* The memory of a controller removed while its scan waited, freed later
 * from the event loop (storvsc_scan calls it once it is done). */
void storvsc_release(struct storvsc *sc);

/* storvsc_scan.c: finds the disks and registers them (thread context);
 * units that are disks already are left alone. */
void storvsc_scan(struct storvsc *sc);

/* storvsc_disk.c */
int storvsc_disk_add(struct storvsc *sc, uint8_t lun, const struct scsi_capacity *cap,
                     bool read_only, bool write_cache, const char *serial);
/* Unregisters and frees every disk (their requests already failed). */
void storvsc_disks_remove(struct storvsc *sc);

#endif
