/* The PVSCSI driver's state, shared by its files: pvscsi.c (the PCI
 * function: reset, rings, interrupts, removal), pvscsi_cmd.c (running
 * commands and judging their results), pvscsi_scan.c (finding targets and
 * logical units) and pvscsi_disk.c (each disk as a blkdev). */
#ifndef DRIVERS_PVSCSI_PVSCSI_H
#define DRIVERS_PVSCSI_PVSCSI_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/event.h"
#include "core/irq.h"
#include "dev/blkdev.h"
#include "dev/scsi/scsi.h"
#include "drivers/pvscsi/pvscsi_queue.h"

/* One page each for the request ring (32 entries), the completion ring
 * (128) and the message ring (32): as many requests in flight as the
 * request ring holds is plenty for a unikernel, and the completion ring
 * then can never overflow. */
#define PVSCSI_REQ_PAGES 1
#define PVSCSI_CMP_PAGES 1
#define PVSCSI_MSG_PAGES 1
#define PVSCSI_SLOTS (PVSCSI_REQ_PAGES * PVSCSI_REQ_PER_PAGE)
/* Targets probed (QEMU has 64; VMware's controller up to 64 too). */
#define PVSCSI_MAX_TARGETS 64
/* Logical units per target taken from REPORT LUNS. */
#define PVSCSI_MAX_LUNS 8

struct pvscsi_disk;

/* A block request in flight: its SCSI command and what it came from. */
struct pvscsi_io {
    bool in_use;
    struct scsi_cmd cmd;
    struct blk_request *req;
    struct pvscsi_disk *disk;
    unsigned retries;
};

struct pvscsi {
    struct pci_dev *pci;
    const char *name; /* "pvscsi 00:04.0" */
    char namebuf[32];
    volatile uint8_t *regs;
    void *rings; /* state page, then request, completion and message pages */
    uint64_t rings_dev;
    size_t rings_bytes;
    bool msg_ring;
    struct pvscsi_queue q;
    struct pvscsi_slot slots[PVSCSI_SLOTS];
    struct pvscsi_io ios[PVSCSI_SLOTS];
    struct irq_action action;
    bool irq;
    struct work work;
    struct poller poller;
    bool polling;
    bool disabled;
    unsigned messages_logged;
    struct work hotplug_work;
    uint64_t added_targets; /* bit t: a unit appeared on target t, not scanned yet */
    struct pvscsi_disk *disks;
    struct pvscsi *next; /* every adapter (pvscsi.c) */
};

struct pvscsi_disk {
    struct blkdev bd;
    struct pvscsi *a;
    uint8_t target;
    uint16_t lun;
    bool registered;
    bool gone;          /* hot-unplugged: freed once nothing is in flight */
    unsigned in_flight; /* its requests on the rings */
    unsigned logged;    /* error lines printed, bounded */
    struct pvscsi_disk *next;
};

/* pvscsi.c */
void pvscsi_kick(struct pvscsi *a, bool rw);
/* The device broke its protocol (or stopped answering): logs, disables the
 * PCI function, resets the adapter so it stops using memory, and fails
 * every request in flight. */
void pvscsi_disable(struct pvscsi *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs the completion and message rings (event-loop context). */
void pvscsi_process(struct pvscsi *a);

/* pvscsi_cmd.c: a command for target/lun run to its end, waiting through
 * the event loop (thread context). Returns 0 when it completed (look at
 * *host_status and cmd->status), -1 when the adapter is disabled or it did
 * not finish within a few seconds (then the adapter is disabled). */
int pvscsi_run(struct pvscsi *a, uint8_t target, uint16_t lun, struct scsi_cmd *cmd,
               uint16_t *host_status);
/* The same with the usual retries (unit attention, busy, becoming ready),
 * judged: SCSI_OK or why not, with text for the log; *host_status is the
 * adapter's last (PVSCSI_HOST_SELTIMEO: no such target). The data buffer is
 * zeroed before each attempt. */
enum scsi_outcome pvscsi_run_judged(struct pvscsi *a, uint8_t target, uint16_t lun,
                                    struct scsi_cmd *cmd, uint16_t *host_status, char *text,
                                    size_t size);

/* pvscsi_scan.c: finds every disk and registers it; or those of one target
 * that are not disks yet (a unit added at run time). Thread context (the
 * commands are waited for). */
void pvscsi_scan(struct pvscsi *a);
void pvscsi_scan_target(struct pvscsi *a, uint8_t target);

/* pvscsi_hotplug.c: a notice from the message ring (event-loop context). A
 * removed unit's disk leaves at once; an added target is scanned by
 * a->hotplug_work, which must be set up with pvscsi_hotplug_init. */
void pvscsi_hotplug_init(struct pvscsi *a);
void pvscsi_hotplug_message(struct pvscsi *a, const struct pvscsi_msg_desc *m);

/* pvscsi_disk.c */
int pvscsi_disk_add(struct pvscsi *a, uint8_t target, uint16_t lun, const struct scsi_capacity *cap,
                    bool read_only, bool write_cache, const char *serial);
/* Unregisters and frees every disk (requests already failed). */
void pvscsi_disks_remove(struct pvscsi *a);
/* One disk leaves (its unit was unplugged): the class forgets it now; its
 * memory goes once its requests in flight have finished. */
void pvscsi_disk_remove(struct pvscsi_disk *d);

#endif
