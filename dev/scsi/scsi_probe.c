/* Finding the disks behind a SCSI initiator (dev/scsi/scsi_probe.h). */
#include <string.h>

#include "core/log.h"
#include "dev/scsi/scsi_probe.h"
#include "klib/format.h"

#define INQUIRY_BYTES 96
#define MODE_SENSE_BYTES 192
#define VPD_BYTES 255

_Static_assert(8 + 32 * SCSI_PROBE_MAX_LUNS <= SCSI_PROBE_REPLY_BYTES &&
                   VPD_BYTES <= SCSI_PROBE_REPLY_BYTES &&
                   MODE_SENSE_BYTES <= SCSI_PROBE_REPLY_BYTES,
               "every reply fits the buffer");

/* "pvscsi0: target 1" or "storvsc0", then " LUN 2" when lun >= 0. */
struct where {
    char text[48];
};

static struct where at(const struct scsi_prober *p, int lun)
{
    struct where w;
    size_t n = (size_t)ksnprintf(w.text, sizeof w.text, "%s", p->name);
    if (p->target >= 0 && n < sizeof w.text)
        n += (size_t)ksnprintf(w.text + n, sizeof w.text - n, ": target %d", p->target);
    if (lun >= 0 && n < sizeof w.text)
        ksnprintf(w.text + n, sizeof w.text - n, "%s LUN %d", p->target >= 0 ? "" : ":", lun);
    return w;
}

static enum scsi_outcome run(struct scsi_prober *p, uint16_t lun)
{
    p->cmd->data = p->buf;
    p->absent = false;
    return p->run(p, lun);
}

static uint32_t delivered(const struct scsi_prober *p)
{
    return p->cmd->cdb.data_len - p->cmd->residual;
}

unsigned scsi_probe_luns(struct scsi_prober *p, uint16_t *luns, unsigned max, uint16_t lun_max)
{
    if (max > SCSI_PROBE_MAX_LUNS)
        max = SCSI_PROBE_MAX_LUNS;
    scsi_cdb_report_luns(&p->cmd->cdb, 8 + 32 * max);
    enum scsi_outcome o = run(p, 0);
    if (p->absent)
        return 0; /* nobody there */
    struct where where = at(p, -1);
    const char *w = where.text;
    struct scsi_lun_list list;
    struct scsi_why why;
    if (o != SCSI_OK) {
        kprintf("%s: REPORT LUNS refused (%s); trying LUN 0\n", w, p->text);
    } else if (scsi_parse_report_luns(p->buf, delivered(p), &list, &why) != 0) {
        kprintf("%s: %s; trying LUN 0\n", w, why.text);
    } else {
        if (list.listed > list.count)
            kprintf("%s: REPORT LUNS lists %u units, %u arrived; using those\n", w, list.listed,
                    list.count);
        unsigned n = 0, repeated = 0;
        for (uint32_t i = 0; i < list.count && n < max; i++) {
            uint16_t lun;
            if (scsi_lun_decode(list.entries + 8 * i, &lun, &why) != 0) {
                kprintf("%s: %s; skipped\n", w, why.text);
                continue;
            }
            if (lun > lun_max) {
                kprintf("%s: REPORT LUNS names LUN %u, above %u; skipped\n", w, lun, lun_max);
                continue;
            }
            bool seen = false;
            for (unsigned k = 0; k < n; k++)
                seen |= luns[k] == lun;
            if (seen)
                repeated++; /* listed twice: one disk, not two */
            else
                luns[n++] = lun;
        }
        if (repeated)
            kprintf("%s: REPORT LUNS repeats %u entries; each unit used once\n", w, repeated);
        if (n == max && list.count > max)
            kprintf("%s: more than %u units; the first %u used\n", w, max, max);
        if (n > 0)
            return n;
        kprintf("%s: REPORT LUNS listed no usable unit; trying LUN 0\n", w);
    }
    luns[0] = 0;
    return 1;
}

static bool read_capacity(struct scsi_prober *p, uint16_t lun, struct scsi_capacity *cap)
{
    struct scsi_why why;
    scsi_cdb_read_capacity10(&p->cmd->cdb);
    if (run(p, lun) != SCSI_OK) {
        kprintf("%s: READ CAPACITY(10) failed: %s\n", at(p, lun).text, p->text);
        return false;
    }
    if (scsi_parse_read_capacity10(p->buf, delivered(p), cap, &why) != 0) {
        kprintf("%s: %s\n", at(p, lun).text, why.text);
        return false;
    }
    if (!cap->need16)
        return true;
    scsi_cdb_read_capacity16(&p->cmd->cdb);
    if (run(p, lun) != SCSI_OK) {
        kprintf("%s: READ CAPACITY(16) failed: %s\n", at(p, lun).text, p->text);
        return false;
    }
    if (scsi_parse_read_capacity16(p->buf, delivered(p), cap, &why) != 0) {
        kprintf("%s: %s\n", at(p, lun).text, why.text);
        return false;
    }
    return true;
}

/* Write protection and the write cache from MODE SENSE(6). A unit that
 * does not answer is taken as writable with a cache (a flush then costs
 * one command too many, never a lost write). */
static void mode_sense(struct scsi_prober *p, uint16_t lun, struct scsi_mode6 *mode)
{
    struct scsi_why why;
    scsi_cdb_mode_sense6(&p->cmd->cdb, MODE_SENSE_BYTES);
    if (run(p, lun) != SCSI_OK) {
        kprintf("%s: MODE SENSE failed (%s); taken as writable with a write cache\n",
                at(p, lun).text, p->text);
        memset(mode, 0, sizeof *mode);
    } else if (scsi_parse_mode_sense6(p->buf, delivered(p), mode, &why) != 0) {
        kprintf("%s: %s; taken as writable with a write cache\n", at(p, lun).text, why.text);
        memset(mode, 0, sizeof *mode);
    }
    if (!mode->has_caching)
        mode->wce = true;
    if (p->ignore_wp)
        mode->wp = false;
}

/* The unit serial number, when the unit lists VPD page 0x80. */
static void serial_number(struct scsi_prober *p, uint16_t lun, char *out, size_t size)
{
    const uint8_t *payload;
    uint32_t n;
    struct scsi_why why;
    out[0] = '\0';
    scsi_cdb_inquiry_vpd(&p->cmd->cdb, 0x00, VPD_BYTES);
    if (run(p, lun) != SCSI_OK || scsi_parse_vpd(p->buf, delivered(p), 0x00, &payload, &n, &why) ||
        !scsi_vpd_lists(payload, n, 0x80))
        return;
    scsi_cdb_inquiry_vpd(&p->cmd->cdb, 0x80, VPD_BYTES);
    if (run(p, lun) != SCSI_OK)
        return;
    if (scsi_parse_vpd(p->buf, delivered(p), 0x80, &payload, &n, &why) != 0) {
        kprintf("%s: %s\n", at(p, lun).text, why.text);
        return;
    }
    scsi_vpd_serial(payload, n, out, size);
}

bool scsi_probe_unit(struct scsi_prober *p, uint16_t lun, struct scsi_unit *u)
{
    struct scsi_why why;
    memset(u, 0, sizeof *u);
    scsi_cdb_inquiry(&p->cmd->cdb, INQUIRY_BYTES);
    if (run(p, lun) != SCSI_OK) {
        if (!p->absent)
            kprintf("%s: INQUIRY failed: %s\n", at(p, lun).text, p->text);
        return false;
    }
    if (scsi_parse_inquiry(p->buf, delivered(p), &u->inq, &why) != 0) {
        kprintf("%s: %s\n", at(p, lun).text, why.text);
        return false;
    }
    if (u->inq.qualifier != SCSI_QUALIFIER_CONNECTED)
        return false; /* no unit there */
    if (!scsi_inquiry_is_disk(&u->inq)) {
        kprintf("%s: %s %s, device type %#x, not a disk; not used\n", at(p, lun).text,
                u->inq.vendor, u->inq.product, u->inq.type);
        return false;
    }
    scsi_cdb_test_unit_ready(&p->cmd->cdb);
    if (run(p, lun) != SCSI_OK) {
        kprintf("%s: %s %s not ready: %s\n", at(p, lun).text, u->inq.vendor, u->inq.product,
                p->text);
        return false;
    }
    if (!read_capacity(p, lun, &u->cap))
        return false;
    mode_sense(p, lun, &u->mode);
    serial_number(p, lun, u->serial, sizeof u->serial);
    kprintf("%s: %s %s %s, SCSI version %u\n", at(p, lun).text, u->inq.vendor, u->inq.product,
            u->inq.revision, u->inq.version);
    return true;
}
