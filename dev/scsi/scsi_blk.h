/* What a SCSI disk's failed command means for the block request it served:
 * shared by the SCSI disk drivers (drivers/pvscsi, drivers/storvsc). */
#ifndef DEV_SCSI_SCSI_BLK_H
#define DEV_SCSI_SCSI_BLK_H

#include "dev/blkdev.h"
#include "dev/scsi/scsi.h"

/* The block status for an outcome other than SCSI_OK (a SCSI_RETRY the
 * driver will not retry again ends as BLK_EIO). DATA PROTECT marks the
 * disk read-only from then on, said once: the unit did not say so in MODE
 * SENSE (or was not asked), and the class then refuses writes before they
 * reach it. */
int scsi_blk_failure(struct blkdev *bd, enum scsi_outcome outcome);

/* One log line for a block request a SCSI disk could not serve, saying
 * what and why; at most SCSI_BLK_LOG_LIMIT per disk (*logged counts), so
 * a failing disk does not flood the console. */
#define SCSI_BLK_LOG_LIMIT 10
void scsi_blk_log_failure(const struct blkdev *bd, unsigned *logged, const struct blk_request *req,
                          const char *what);

#endif
