/* Units added and removed at run time, as the device reports them on the
 * message ring (VMware's pvscsi header: PVSCSI_MSG_DEV_ADDED 0,
 * PVSCSI_MSG_DEV_REMOVED 1, with bus, target and LUN). A removed unit's
 * disk leaves the block class at once (its requests in flight still finish,
 * with whatever the device answers); an added target is scanned by a work
 * item of its own, because a scan waits for its commands and the adapter's
 * completion work must be free to run meanwhile (core/event.h: a work item
 * is not re-entered while it waits). */
#include "core/log.h"
#include "drivers/pvscsi/pvscsi.h"

#define LOGGED_MAX 10 /* notices logged per adapter: a device repeating itself does not flood */

static void hotplug_work(struct work *w)
{
    struct pvscsi *a = container_of(w, struct pvscsi, hotplug_work);
    while (a->added_targets && !a->disabled) {
        unsigned t = 0;
        while (!(a->added_targets & (1ull << t)))
            t++;
        a->added_targets &= ~(1ull << t);
        pvscsi_scan_target(a, (uint8_t)t);
    }
}

void pvscsi_hotplug_init(struct pvscsi *a)
{
    a->hotplug_work.fn = hotplug_work;
}

void pvscsi_hotplug_message(struct pvscsi *a, const struct pvscsi_msg_desc *m)
{
    bool log = a->messages_logged++ < LOGGED_MAX;
    uint16_t lun;
    struct scsi_why why;
    if (m->type != PVSCSI_MSG_DEV_ADDED && m->type != PVSCSI_MSG_DEV_REMOVED) {
        if (log)
            kprintf("%s: message of unknown type %u ignored\n", a->name, m->type);
        return;
    }
    const char *what = m->type == PVSCSI_MSG_DEV_ADDED ? "added" : "removed";
    /* The driver uses bus 0 only and targets below PVSCSI_MAX_TARGETS. */
    if (m->bus != 0 || m->target >= PVSCSI_MAX_TARGETS || scsi_lun_decode(m->lun, &lun, &why)) {
        if (log)
            kprintf("%s: unit %s at bus %u target %u: outside what this driver uses; ignored\n",
                    a->name, what, m->bus, m->target);
        return;
    }
    if (log)
        kprintf("%s: unit %s at target %u LUN %u\n", a->name, what, m->target, lun);
    if (m->type == PVSCSI_MSG_DEV_ADDED) {
        a->added_targets |= 1ull << m->target;
        work_queue(&a->hotplug_work);
        return;
    }
    for (struct pvscsi_disk *d = a->disks; d; d = d->next) {
        if (d->target == m->target && d->lun == lun) {
            kprintf("%s: %s (target %u LUN %u) unplugged\n", a->name, d->bd.name, d->target,
                    d->lun);
            pvscsi_disk_remove(d);
            return;
        }
    }
}
