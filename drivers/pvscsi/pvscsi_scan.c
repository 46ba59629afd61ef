/* Finding the disks behind an adapter: every target's units through
 * dev/scsi/scsi_probe.c, which runs the commands through pvscsi_run_judged;
 * a target that times out on selection is not there. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/param.h"
#include "dev/scsi/scsi_probe.h"
#include "drivers/pvscsi/pvscsi.h"

KERNEL_PARAM(param_pvscsi_nowp, "pvscsi.nowp",
             "ignore the write-protect bit of pvscsi disks: a protected disk is then "
             "known from its first refused write");

static enum scsi_outcome run(struct scsi_prober *p, uint16_t lun)
{
    struct pvscsi *a = p->ctx;
    uint16_t host = 0;
    enum scsi_outcome o =
        pvscsi_run_judged(a, (uint8_t)p->target, lun, p->cmd, &host, p->text, sizeof p->text);
    p->absent = host == PVSCSI_HOST_SELTIMEO || a->disabled;
    return o;
}

static bool probe_unit(struct scsi_prober *p, uint16_t lun)
{
    struct scsi_unit u;
    return scsi_probe_unit(p, lun, &u) && pvscsi_disk_add(p->ctx, (uint8_t)p->target, lun, &u.cap,
                                                          u.mode.wp, u.mode.wce, u.serial) == 0;
}

static bool have_disk(const struct pvscsi *a, uint8_t target, uint16_t lun)
{
    for (const struct pvscsi_disk *d = a->disks; d; d = d->next)
        if (d->target == target && d->lun == lun)
            return true;
    return false;
}

/* The targets in the mask (bit t: target t); units already disks are left
 * alone. Returns the disks added; *targets counts the targets that answered. */
static unsigned scan_targets(struct pvscsi *a, uint64_t mask, unsigned *targets)
{
    struct scsi_prober s = {
        .run = run, .ctx = a, .name = a->name, .ignore_wp = param_present(&param_pvscsi_nowp)};
    s.cmd = calloc(1, sizeof *s.cmd);
    s.buf = calloc(1, SCSI_PROBE_REPLY_BYTES);
    if (s.cmd == NULL || s.buf == NULL) {
        kprintf("%s: out of memory for the scan\n", a->name);
        free(s.cmd);
        free(s.buf);
        return 0;
    }
    unsigned disks = 0;
    *targets = 0;
    for (unsigned t = 0; t < PVSCSI_MAX_TARGETS && !a->disabled; t++) {
        if (!(mask & (1ull << t)))
            continue;
        s.target = (int)t;
        uint16_t luns[PVSCSI_MAX_LUNS];
        unsigned n = scsi_probe_luns(&s, luns, PVSCSI_MAX_LUNS, UINT16_MAX);
        *targets += n > 0;
        for (unsigned i = 0; i < n && !a->disabled; i++)
            if (!have_disk(a, (uint8_t)t, luns[i]))
                disks += probe_unit(&s, luns[i]);
    }
    /* After a disable the device is reset: it no longer writes these. */
    free(s.cmd);
    free(s.buf);
    return disks;
}

void pvscsi_scan(struct pvscsi *a)
{
    unsigned targets;
    unsigned disks = scan_targets(a, ~0ull, &targets);
    kprintf("%s: %u disk%s on %u target%s\n", a->name, disks, disks == 1 ? "" : "s", targets,
            targets == 1 ? "" : "s");
}

void pvscsi_scan_target(struct pvscsi *a, uint8_t target)
{
    unsigned targets;
    if (scan_targets(a, 1ull << target, &targets) == 0)
        kprintf("%s: target %u: no new disk\n", a->name, target);
}
