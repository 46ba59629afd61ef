/* A failed SCSI command's block status (dev/scsi/scsi_blk.h). */
#include "dev/scsi/scsi_blk.h"
#include "core/log.h"

int scsi_blk_failure(struct blkdev *bd, enum scsi_outcome outcome)
{
    switch (outcome) {
    case SCSI_PROTECTED:
        if (!bd->read_only)
            kprintf("%s: the disk refuses writes; marked read-only\n", bd->name);
        bd->read_only = true;
        return BLK_EROFS;
    case SCSI_INVALID:
        return BLK_EINVAL;
    default:
        return BLK_EIO;
    }
}

void scsi_blk_log_failure(const struct blkdev *bd, unsigned *logged, const struct blk_request *req,
                          const char *what)
{
    if ((*logged)++ >= SCSI_BLK_LOG_LIMIT)
        return;
    if (req->op == BLK_FLUSH)
        kprintf("%s: flush failed: %s\n", bd->name, what);
    else
        kprintf("%s: %s of %u sectors at %lu failed: %s\n", bd->name,
                req->op == BLK_READ ? "read" : "write", req->count, (unsigned long)req->sector,
                what);
}
