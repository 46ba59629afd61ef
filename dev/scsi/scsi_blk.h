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

#endif
