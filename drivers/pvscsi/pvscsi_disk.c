/* Each logical unit with a disk as a blkdev: reads and writes become
 * READ/WRITE(10) or (16), a flush SYNCHRONIZE CACHE(10), as many in flight
 * as the adapter has slots. A failed command's sense data is decoded by
 * dev/scsi into the log line ("DATA PROTECT: write protected") and the
 * error the caller gets; a unit attention or a busy unit is retried a few
 * times first. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dev/scsi/scsi_blk.h"
#include "drivers/pvscsi/pvscsi.h"
#include "klib/format.h"

#define IO_RETRIES 3

static void io_done(struct pvscsi_slot *s);

/* Puts io on the ring; 0, BLK_EBUSY or BLK_EIO. */
static int io_submit(struct pvscsi_io *io)
{
    struct pvscsi_disk *d = io->disk;
    struct pvscsi *a = d->a;
    bool rw;
    switch (pvscsi_queue_submit(&a->q, &io->cmd, d->target, d->lun, io_done, io, &rw)) {
    case PVSCSI_QUEUED:
        pvscsi_kick(a, rw);
        return 0;
    case PVSCSI_FULL:
        return BLK_EBUSY;
    default:
        pvscsi_disable(a, "%s", a->q.error);
        return BLK_EIO;
    }
}

static void io_finish(struct pvscsi_io *io, int status)
{
    struct blk_request *req = io->req;
    struct pvscsi_disk *d = io->disk;
    io->in_use = false;
    io->req = NULL;
    d->in_flight--;
    blkdev_complete(&d->bd, req, status);
    if (d->gone && d->in_flight == 0)
        free(d); /* unplugged while this was in flight */
}

static void log_failure(struct pvscsi_disk *d, const struct blk_request *req, const char *what)
{
    scsi_blk_log_failure(&d->bd, &d->logged, req, what);
}

/* Event-loop context (from the completion ring, or a failed adapter). */
static void io_done(struct pvscsi_slot *s)
{
    struct pvscsi_io *io = s->ctx;
    struct pvscsi_disk *d = io->disk;
    struct blk_request *req = io->req;
    char text[160];
    if (s->host_status == PVSCSI_HOST_DRIVER_FAILED) {
        io_finish(io, BLK_EIO);
        return;
    }
    /* A short transfer still carries the unit's status: QEMU reports a
     * refused write as DATARUN (nothing moved) with CHECK CONDITION and its
     * sense, which says why. */
    bool short_transfer =
        s->host_status == PVSCSI_HOST_DATARUN || s->host_status == PVSCSI_HOST_DATA_UNDERRUN;
    if (s->host_status != PVSCSI_HOST_SUCCESS && !short_transfer) {
        ksnprintf(text, sizeof text, "host status %#x (%s)", s->host_status,
                  pvscsi_host_status_name(s->host_status));
        log_failure(d, req, text);
        io_finish(io, BLK_EIO);
        return;
    }
    enum scsi_outcome outcome = scsi_cmd_outcome(&io->cmd, text, sizeof text);
    if (outcome == SCSI_OK && !short_transfer && io->cmd.residual == 0) {
        io_finish(io, 0);
        return;
    }
    if (outcome == SCSI_OK)
        ksnprintf(text, sizeof text, "short transfer (host status %#x, %u of %u bytes missing)",
                  s->host_status, io->cmd.residual, io->cmd.cdb.data_len);
    else if (outcome == SCSI_RETRY && io->retries++ < IO_RETRIES && io_submit(io) == 0)
        return;
    log_failure(d, req, text);
    io_finish(io, outcome == SCSI_OK ? BLK_EIO : scsi_blk_failure(&d->bd, outcome));
}

static int disk_submit(struct blkdev *bd, struct blk_request *req)
{
    struct pvscsi_disk *d = bd->priv;
    struct pvscsi *a = d->a;
    if (a->disabled || d->gone)
        return BLK_EIO;
    struct pvscsi_io *io = NULL;
    for (unsigned i = 0; i < PVSCSI_SLOTS && io == NULL; i++)
        if (!a->ios[i].in_use)
            io = &a->ios[i];
    if (io == NULL)
        return BLK_EBUSY;
    memset(&io->cmd, 0, sizeof io->cmd);
    switch (req->op) {
    case BLK_READ:
    case BLK_WRITE:
        if (scsi_cdb_rw(&io->cmd.cdb, req->op == BLK_WRITE, req->sector, req->count,
                        bd->sector_size) != 0)
            return BLK_EINVAL;
        io->cmd.data = req->buf;
        break;
    case BLK_FLUSH:
        scsi_cdb_synchronize_cache10(&io->cmd.cdb);
        break;
    default:
        return BLK_EINVAL;
    }
    io->in_use = true;
    io->req = req;
    io->disk = d;
    io->retries = 0;
    d->in_flight++;
    int rc = io_submit(io);
    if (rc != 0) {
        io->in_use = false;
        io->req = NULL;
        d->in_flight--;
    }
    return rc;
}

static const struct blkdev_ops disk_ops = {.submit = disk_submit};

int pvscsi_disk_add(struct pvscsi *a, uint8_t target, uint16_t lun, const struct scsi_capacity *cap,
                    bool read_only, bool write_cache, const char *serial)
{
    struct pvscsi_disk *d = calloc(1, sizeof *d);
    if (d == NULL) {
        kprintf("%s: out of memory for target %u LUN %u\n", a->name, target, lun);
        return -1;
    }
    d->a = a;
    d->target = target;
    d->lun = lun;
    d->bd.driver = "pvscsi";
    d->bd.dev = &a->pci->dev;
    d->bd.sector_size = cap->block_size;
    d->bd.capacity = cap->blocks;
    d->bd.read_only = read_only;
    /* Without a volatile write cache every write is durable when it
     * completes: the class then answers a flush itself. */
    d->bd.has_flush = write_cache;
    d->bd.ops = &disk_ops;
    d->bd.priv = d;
    size_t n = strlen(serial);
    if (n >= sizeof d->bd.serial)
        n = sizeof d->bd.serial - 1;
    memcpy(d->bd.serial, serial, n);
    d->bd.serial[n] = '\0';
    if (blkdev_register(&d->bd) != 0) {
        free(d);
        return -1;
    }
    d->registered = true;
    kprintf("%s: %s is target %u LUN %u\n", a->name, d->bd.name, target, lun);
    struct pvscsi_disk **p = &a->disks;
    while (*p)
        p = &(*p)->next;
    *p = d;
    return 0;
}

void pvscsi_disk_remove(struct pvscsi_disk *d)
{
    struct pvscsi *a = d->a;
    for (struct pvscsi_disk **p = &a->disks; *p; p = &(*p)->next) {
        if (*p == d) {
            *p = d->next;
            break;
        }
    }
    if (d->registered)
        blkdev_unregister(&d->bd);
    d->registered = false;
    d->gone = true;
    if (d->in_flight == 0)
        free(d);
}

void pvscsi_disks_remove(struct pvscsi *a)
{
    while (a->disks) {
        struct pvscsi_disk *d = a->disks;
        a->disks = d->next;
        if (d->registered)
            blkdev_unregister(&d->bd);
        free(d);
    }
}
