/* Each storvsc logical unit as a blkdev: reads and writes become
 * READ/WRITE(10) or (16), in transfers of at most the host's
 * max_transfer_bytes (QUERY_PROPERTIES), a flush SYNCHRONIZE CACHE(10); as
 * many in flight as the controller has slots. A failed command's sense
 * data is decoded by dev/scsi into the log line ("CHECK CONDITION, DATA
 * PROTECT: write protected") and the error the caller gets; a unit
 * attention or a busy unit is retried a few times first. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dev/scsi/scsi_blk.h"
#include "drivers/storvsc/storvsc.h"
#include "klib/format.h"

#define IO_RETRIES 3

static void log_failure(struct storvsc_disk *d, const struct blk_request *req, const char *what)
{
    scsi_blk_log_failure(&d->bd, &d->logged, req, what);
}

static void finish(struct storvsc_io *io, int status)
{
    struct storvsc_disk *d = io->disk;
    struct blk_request *req = io->req;
    io->in_use = false;
    d->in_flight--;
    blkdev_complete(&d->bd, req, status);
}

/* The next transfer of io's request into io->cmd. */
static int prepare(struct storvsc_io *io)
{
    struct storvsc_disk *d = io->disk;
    struct blk_request *req = io->req;
    memset(&io->cmd, 0, sizeof io->cmd);
    io->srb = true;
    io->lun = d->lun;
    if (req->op == BLK_FLUSH) {
        scsi_cdb_synchronize_cache10(&io->cmd.cdb);
        return 0;
    }
    uint32_t per = d->sc->max_transfer / d->bd.sector_size;
    uint32_t left = req->count - io->done_sectors;
    uint32_t n = left < per ? left : per;
    io->cmd.data = (uint8_t *)req->buf + (size_t)io->done_sectors * d->bd.sector_size;
    return scsi_cdb_rw(&io->cmd.cdb, req->op == BLK_WRITE, req->sector + io->done_sectors, n,
                       d->bd.sector_size);
}

static void io_done(struct storvsc *sc, struct storvsc_io *io, int rc)
{
    struct storvsc_disk *d = io->disk;
    struct blk_request *req = io->req;
    char text[160];
    if (rc != 0) {
        log_failure(d, req, "the controller failed");
        finish(io, BLK_EIO);
        return;
    }
    enum scsi_outcome outcome = scsi_cmd_outcome(&io->cmd, text, sizeof text);
    if (outcome == SCSI_OK && io->cmd.residual == 0) {
        if (req->op != BLK_FLUSH) {
            io->done_sectors += io->cmd.cdb.data_len / d->bd.sector_size;
            if (io->done_sectors < req->count) {
                io->retries = 0;
                if (prepare(io) == 0 && storvsc_send(sc, io) == 0)
                    return;
                log_failure(d, req, "the next transfer could not be sent");
                finish(io, BLK_EIO);
                return;
            }
        }
        finish(io, 0);
        return;
    }
    if (outcome == SCSI_OK)
        ksnprintf(text, sizeof text, "short transfer (%u of %u bytes missing)", io->cmd.residual,
                  io->cmd.cdb.data_len);
    else if (outcome == SCSI_RETRY && io->retries++ < IO_RETRIES && storvsc_send(sc, io) == 0)
        return;
    log_failure(d, req, text);
    finish(io, outcome == SCSI_OK ? BLK_EIO : scsi_blk_failure(&d->bd, outcome));
}

static int disk_submit(struct blkdev *bd, struct blk_request *req)
{
    struct storvsc_disk *d = bd->priv;
    struct storvsc *sc = d->sc;
    if (sc->broken)
        return BLK_EIO;
    struct storvsc_io *io = storvsc_io_get(sc);
    if (io == NULL)
        return BLK_EBUSY;
    io->req = req;
    io->disk = d;
    io->done = io_done;
    int rc = prepare(io) == 0 ? storvsc_send(sc, io) : BLK_EINVAL;
    if (rc != 0) {
        io->in_use = false;
        return rc;
    }
    d->in_flight++;
    return 0;
}

static const struct blkdev_ops disk_ops = {.submit = disk_submit};

int storvsc_disk_add(struct storvsc *sc, uint8_t lun, const struct scsi_capacity *cap,
                     bool read_only, bool write_cache, const char *serial)
{
    struct storvsc_disk *d = calloc(1, sizeof *d);
    if (d == NULL) {
        kprintf("%s: out of memory for LUN %u\n", sc->name, lun);
        return -1;
    }
    d->sc = sc;
    d->lun = lun;
    d->bd.driver = "storvsc";
    d->bd.dev = &sc->vd->dev;
    d->bd.sector_size = cap->block_size;
    d->bd.capacity = cap->blocks;
    d->bd.read_only = read_only;
    d->bd.has_flush = write_cache; /* without a volatile cache the class answers flushes */
    d->bd.ops = &disk_ops;
    d->bd.priv = d;
    size_t n = strlen(serial);
    if (n >= sizeof d->bd.serial)
        n = sizeof d->bd.serial - 1;
    memcpy(d->bd.serial, serial, n);
    if (blkdev_register(&d->bd) != 0) {
        free(d);
        return -1;
    }
    kprintf("%s: %s is LUN %u\n", sc->name, d->bd.name, lun);
    struct storvsc_disk **p = &sc->disks;
    while (*p)
        p = &(*p)->next;
    *p = d;
    return 0;
}

void storvsc_disks_remove(struct storvsc *sc)
{
    while (sc->disks) {
        struct storvsc_disk *d = sc->disks;
        sc->disks = d->next;
        blkdev_unregister(&d->bd);
        kprintf("%s: %s (LUN %u) removed\n", sc->name, d->bd.name, d->lun);
        free(d);
    }
}
