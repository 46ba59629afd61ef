/* Finding the disks behind a storvsc controller: REPORT LUNS (storvsp
 * answers it for any LUN of the controller: openvmm storvsp; Linux's scan
 * asks it too, BLIST_REPORTLUN2), falling back to LUN 0 when it is refused;
 * then for each unit INQUIRY, TEST UNIT READY, READ CAPACITY(10) (and (16)
 * when 10 says the disk is too large for it), MODE SENSE(6) for write
 * protection and the write cache, and the serial number from VPD page
 * 0x80. Every reply is checked by dev/scsi; a unit whose reply is refused
 * is logged and skipped, the others still become disks. Units are at path
 * 0, target 0, as Hyper-V places a VM's SCSI disks. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/param.h"
#include "drivers/storvsc/storvsc.h"

KERNEL_PARAM(param_storvsc_nowp, "storvsc.nowp",
             "ignore the write-protect bit of storvsc disks: a protected disk is then known "
             "from its first refused write");

#define INQUIRY_BYTES 96
#define MODE_SENSE_BYTES 192
#define VPD_BYTES 255
#define REPORT_LUNS_BYTES (8 + 8 * STORVSC_MAX_LUNS * 4)
#define REPLY_BYTES 1024 /* the largest reply asked for: REPORT LUNS */

_Static_assert(REPORT_LUNS_BYTES <= REPLY_BYTES && VPD_BYTES <= REPLY_BYTES &&
                   MODE_SENSE_BYTES <= REPLY_BYTES,
               "every reply fits the scan buffer");

struct scan {
    struct storvsc *sc;
    struct scsi_cmd *cmd; /* heap: the host writes into the buffer */
    uint8_t *buf;
    uint8_t srb;
    char text[160];
};

static enum scsi_outcome run(struct scan *s, uint8_t lun)
{
    s->cmd->data = s->buf;
    return storvsc_run(s->sc, lun, s->cmd, &s->srb, s->text, sizeof s->text);
}

static uint32_t delivered(const struct scan *s)
{
    return s->cmd->cdb.data_len - s->cmd->residual;
}

static unsigned list_luns(struct scan *s, uint8_t *luns)
{
    struct scsi_lun_list list;
    struct scsi_why why;
    scsi_cdb_report_luns(&s->cmd->cdb, REPORT_LUNS_BYTES);
    if (run(s, 0) != SCSI_OK) {
        if (!s->sc->broken)
            kprintf("%s: REPORT LUNS refused (%s); trying LUN 0\n", s->sc->name, s->text);
    } else if (scsi_parse_report_luns(s->buf, delivered(s), &list, &why) != 0) {
        kprintf("%s: %s; trying LUN 0\n", s->sc->name, why.text);
    } else {
        unsigned n = 0;
        for (uint32_t i = 0; i < list.count && n < STORVSC_MAX_LUNS; i++) {
            uint16_t lun;
            if (scsi_lun_decode(list.entries + 8 * i, &lun, &why) != 0 || lun > 255) {
                kprintf("%s: REPORT LUNS entry %u: %s; skipped\n", s->sc->name, i,
                        lun > 255 ? "a LUN above 255" : why.text);
                continue;
            }
            bool seen = false;
            for (unsigned k = 0; k < n; k++)
                seen |= luns[k] == lun;
            if (!seen)
                luns[n++] = (uint8_t)lun;
        }
        if (list.count > STORVSC_MAX_LUNS)
            kprintf("%s: %u units listed; the first %u used\n", s->sc->name, list.count,
                    STORVSC_MAX_LUNS);
        if (n > 0)
            return n;
    }
    luns[0] = 0;
    return 1;
}

static bool read_capacity(struct scan *s, uint8_t lun, struct scsi_capacity *cap)
{
    struct scsi_why why;
    scsi_cdb_read_capacity10(&s->cmd->cdb);
    bool ok =
        run(s, lun) == SCSI_OK && scsi_parse_read_capacity10(s->buf, delivered(s), cap, &why) == 0;
    if (ok && cap->need16) {
        scsi_cdb_read_capacity16(&s->cmd->cdb);
        ok = run(s, lun) == SCSI_OK &&
             scsi_parse_read_capacity16(s->buf, delivered(s), cap, &why) == 0;
    }
    if (!ok)
        kprintf("%s: LUN %u: READ CAPACITY: %s\n", s->sc->name, lun,
                s->cmd->status == SCSI_STATUS_GOOD && s->srb == VSTOR_SRB_SUCCESS ? why.text
                                                                                  : s->text);
    return ok;
}

/* A unit that does not answer MODE SENSE is taken as writable with a
 * cache: a flush then costs one command too many, never a lost write. */
static void mode_sense(struct scan *s, uint8_t lun, struct scsi_mode6 *mode)
{
    struct scsi_why why;
    memset(mode, 0, sizeof *mode);
    scsi_cdb_mode_sense6(&s->cmd->cdb, MODE_SENSE_BYTES);
    if (run(s, lun) != SCSI_OK || scsi_parse_mode_sense6(s->buf, delivered(s), mode, &why) != 0)
        memset(mode, 0, sizeof *mode);
    if (!mode->has_caching)
        mode->wce = true;
    if (param_present(&param_storvsc_nowp))
        mode->wp = false;
}

static void serial_number(struct scan *s, uint8_t lun, char *out, size_t size)
{
    const uint8_t *payload;
    uint32_t n;
    struct scsi_why why;
    out[0] = '\0';
    scsi_cdb_inquiry_vpd(&s->cmd->cdb, 0x00, VPD_BYTES);
    if (run(s, lun) != SCSI_OK || scsi_parse_vpd(s->buf, delivered(s), 0x00, &payload, &n, &why) ||
        !scsi_vpd_lists(payload, n, 0x80))
        return;
    scsi_cdb_inquiry_vpd(&s->cmd->cdb, 0x80, VPD_BYTES);
    if (run(s, lun) == SCSI_OK &&
        scsi_parse_vpd(s->buf, delivered(s), 0x80, &payload, &n, &why) == 0)
        scsi_vpd_serial(payload, n, out, size);
}

static bool probe_unit(struct scan *s, uint8_t lun)
{
    struct scsi_inquiry inq;
    struct scsi_why why;
    scsi_cdb_inquiry(&s->cmd->cdb, INQUIRY_BYTES);
    if (run(s, lun) != SCSI_OK) {
        if (!s->sc->broken)
            kprintf("%s: LUN %u: INQUIRY failed: %s\n", s->sc->name, lun, s->text);
        return false;
    }
    if (scsi_parse_inquiry(s->buf, delivered(s), &inq, &why) != 0) {
        kprintf("%s: LUN %u: %s\n", s->sc->name, lun, why.text);
        return false;
    }
    if (inq.qualifier != SCSI_QUALIFIER_CONNECTED)
        return false;
    if (!scsi_inquiry_is_disk(&inq)) {
        kprintf("%s: LUN %u: %s %s, device type %#x, not a disk; not used\n", s->sc->name, lun,
                inq.vendor, inq.product, inq.type);
        return false;
    }
    scsi_cdb_test_unit_ready(&s->cmd->cdb);
    if (run(s, lun) != SCSI_OK) {
        kprintf("%s: LUN %u: not ready: %s\n", s->sc->name, lun, s->text);
        return false;
    }
    struct scsi_capacity cap;
    if (!read_capacity(s, lun, &cap))
        return false;
    struct scsi_mode6 mode;
    mode_sense(s, lun, &mode);
    char serial[24];
    serial_number(s, lun, serial, sizeof serial);
    kprintf("%s: LUN %u: %s %s %s, SCSI version %u\n", s->sc->name, lun, inq.vendor, inq.product,
            inq.revision, inq.version);
    return storvsc_disk_add(s->sc, lun, &cap, mode.wp, mode.wce, serial) == 0;
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
    struct scan s = {.sc = sc};
    s.cmd = calloc(1, sizeof *s.cmd);
    s.buf = calloc(1, REPLY_BYTES);
    if (s.cmd == NULL || s.buf == NULL) {
        kprintf("%s: out of memory for the scan\n", sc->name);
        free(s.cmd);
        free(s.buf);
        return;
    }
    uint8_t luns[STORVSC_MAX_LUNS];
    sc->scanning = true;
    unsigned n = list_luns(&s, luns), disks = 0, known = 0;
    for (unsigned i = 0; i < n && !sc->broken; i++) {
        if (have_disk(sc, luns[i]))
            known++;
        else
            disks += probe_unit(&s, luns[i]);
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
