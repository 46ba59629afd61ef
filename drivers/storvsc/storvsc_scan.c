/* Finding the disks behind a storvsc controller: its units through
 * dev/scsi/scsi_probe.c, which runs the commands through storvsc_run.
 * storvsp answers REPORT LUNS for any LUN of the controller (openvmm
 * storvsp; Linux's scan asks it too, BLIST_REPORTLUN2). Units are at path
 * 0, target 0, as Hyper-V places a VM's SCSI disks, and the LUN is one
 * byte of the SRB (vstor.h). */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/param.h"
#include "dev/scsi/scsi_probe.h"
#include "drivers/storvsc/storvsc.h"

KERNEL_PARAM(param_storvsc_nowp, "storvsc.nowp",
             "ignore the write-protect bit of storvsc disks: a protected disk is then known "
             "from its first refused write");

static enum scsi_outcome run(struct scsi_prober *p, uint16_t lun)
{
    struct storvsc *sc = p->ctx;
    uint8_t srb;
    enum scsi_outcome o = storvsc_run(sc, (uint8_t)lun, p->cmd, &srb, p->text, sizeof p->text);
    p->absent = sc->broken;
    return o;
}

static bool probe_unit(struct scsi_prober *p, uint8_t lun)
{
    struct scsi_unit u;
    return scsi_probe_unit(p, lun, &u) &&
           storvsc_disk_add(p->ctx, lun, &u.cap, u.mode.wp, u.mode.wce, u.serial) == 0;
}

static bool have_disk(const struct storvsc *sc, uint8_t lun)
{
    for (const struct storvsc_disk *d = sc->disks; d; d = d->next)
        if (d->lun == lun)
            return true;
    return false;
}

void storvsc_scan(struct storvsc *sc)
{
    struct scsi_prober s = {.run = run,
                            .ctx = sc,
                            .name = sc->name,
                            .target = -1,
                            .ignore_wp = param_present(&param_storvsc_nowp)};
    s.cmd = calloc(1, sizeof *s.cmd);
    s.buf = calloc(1, SCSI_PROBE_REPLY_BYTES);
    if (s.cmd == NULL || s.buf == NULL) {
        kprintf("%s: out of memory for the scan\n", sc->name);
        free(s.cmd);
        free(s.buf);
        return;
    }
    uint16_t luns[STORVSC_MAX_LUNS];
    sc->scanning = true;
    unsigned n = scsi_probe_luns(&s, luns, STORVSC_MAX_LUNS, UINT8_MAX), disks = 0, known = 0;
    for (unsigned i = 0; i < n && !sc->broken; i++) {
        if (have_disk(sc, (uint8_t)luns[i]))
            known++;
        else
            disks += probe_unit(&s, (uint8_t)luns[i]);
    }
    if (known == 0)
        kprintf("%s: %u disk%s\n", sc->name, disks, disks == 1 ? "" : "s");
    else
        kprintf("%s: %u new disk%s\n", sc->name, disks, disks == 1 ? "" : "s");
    /* After a failure the channel is closed: the host no longer writes these. */
    free(s.cmd);
    free(s.buf);
    sc->scanning = false;
    if (sc->removed)
        storvsc_release(sc); /* the controller went while this waited (storvsc.c) */
}
