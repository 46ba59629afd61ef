/* Finding the disks behind an adapter: for every target, REPORT LUNS
 * (falling back to LUN 0 when the target does not answer it), and for
 * every logical unit INQUIRY, TEST UNIT READY, READ CAPACITY(10) (then
 * (16) when 10 says the medium is too large for it), MODE SENSE(6) for
 * write protection and the write cache, and the serial number from VPD
 * page 0x80. Each reply
 * is checked by dev/scsi; a unit whose reply is refused is logged and
 * skipped, the others still become disks. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/param.h"
#include "drivers/pvscsi/pvscsi.h"

KERNEL_PARAM(param_pvscsi_nowp, "pvscsi.nowp",
             "ignore the write-protect bit of pvscsi disks: a protected disk is then "
             "known from its first refused write");

#define REPLY_BYTES 1024 /* the largest reply asked for: REPORT LUNS */
#define INQUIRY_BYTES 96
#define MODE_SENSE_BYTES 192
#define VPD_BYTES 255
#define REPORT_LUNS_BYTES (8 + 8 * PVSCSI_MAX_LUNS * 4)

struct scan {
    struct pvscsi *a;
    struct scsi_cmd *cmd; /* heap: the device writes its sense bytes */
    uint8_t *buf;
    uint8_t target;
    uint16_t host;
    char text[160];
};

static enum scsi_outcome run(struct scan *s, uint16_t lun)
{
    s->cmd->data = s->buf;
    return pvscsi_run_judged(s->a, s->target, lun, s->cmd, &s->host, s->text, sizeof s->text);
}

static uint32_t delivered(const struct scan *s)
{
    return s->cmd->cdb.data_len - s->cmd->residual;
}

/* The target's logical units into luns (at most PVSCSI_MAX_LUNS); 0 when
 * there is no target. */
static unsigned target_luns(struct scan *s, uint16_t *luns)
{
    scsi_cdb_report_luns(&s->cmd->cdb, REPORT_LUNS_BYTES);
    enum scsi_outcome o = run(s, 0);
    if (s->host == PVSCSI_HOST_SELTIMEO || s->a->disabled)
        return 0; /* nobody there */
    struct scsi_lun_list list;
    struct scsi_why why;
    if (o != SCSI_OK) {
        kprintf("%s: target %u: REPORT LUNS refused (%s); trying LUN 0\n", s->a->name, s->target,
                s->text);
    } else if (scsi_parse_report_luns(s->buf, delivered(s), &list, &why) != 0) {
        kprintf("%s: target %u: %s; trying LUN 0\n", s->a->name, s->target, why.text);
    } else {
        if (list.listed > list.count)
            kprintf("%s: target %u: REPORT LUNS lists %u units, %u arrived; using those\n",
                    s->a->name, s->target, list.listed, list.count);
        unsigned n = 0, repeated = 0;
        for (uint32_t i = 0; i < list.count && n < PVSCSI_MAX_LUNS; i++) {
            uint16_t lun;
            if (scsi_lun_decode(list.entries + 8 * i, &lun, &why) != 0) {
                kprintf("%s: target %u: %s; skipped\n", s->a->name, s->target, why.text);
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
            kprintf("%s: target %u: REPORT LUNS repeats %u entries; each unit used once\n",
                    s->a->name, s->target, repeated);
        if (n == PVSCSI_MAX_LUNS && list.count > PVSCSI_MAX_LUNS)
            kprintf("%s: target %u: more than %u units; the first %u used\n", s->a->name, s->target,
                    PVSCSI_MAX_LUNS, PVSCSI_MAX_LUNS);
        if (n > 0)
            return n;
        kprintf("%s: target %u: REPORT LUNS listed no usable unit; trying LUN 0\n", s->a->name,
                s->target);
    }
    luns[0] = 0;
    return 1;
}

static bool read_capacity(struct scan *s, uint16_t lun, struct scsi_capacity *cap)
{
    struct scsi_why why;
    scsi_cdb_read_capacity10(&s->cmd->cdb);
    if (run(s, lun) != SCSI_OK) {
        kprintf("%s: target %u LUN %u: READ CAPACITY(10) failed: %s\n", s->a->name, s->target, lun,
                s->text);
        return false;
    }
    if (scsi_parse_read_capacity10(s->buf, delivered(s), cap, &why) != 0) {
        kprintf("%s: target %u LUN %u: %s\n", s->a->name, s->target, lun, why.text);
        return false;
    }
    if (!cap->need16)
        return true;
    scsi_cdb_read_capacity16(&s->cmd->cdb);
    if (run(s, lun) != SCSI_OK) {
        kprintf("%s: target %u LUN %u: READ CAPACITY(16) failed: %s\n", s->a->name, s->target, lun,
                s->text);
        return false;
    }
    if (scsi_parse_read_capacity16(s->buf, delivered(s), cap, &why) != 0) {
        kprintf("%s: target %u LUN %u: %s\n", s->a->name, s->target, lun, why.text);
        return false;
    }
    return true;
}

/* Write protection and the write cache from MODE SENSE(6). A unit that
 * does not answer is taken as writable with a cache (a flush then costs
 * one command too many, never a lost write). */
static void mode_sense(struct scan *s, uint16_t lun, struct scsi_mode6 *mode)
{
    struct scsi_why why;
    scsi_cdb_mode_sense6(&s->cmd->cdb, MODE_SENSE_BYTES);
    if (run(s, lun) != SCSI_OK) {
        kprintf("%s: target %u LUN %u: MODE SENSE failed (%s); taken as writable with a write "
                "cache\n",
                s->a->name, s->target, lun, s->text);
        memset(mode, 0, sizeof *mode);
    } else if (scsi_parse_mode_sense6(s->buf, delivered(s), mode, &why) != 0) {
        kprintf("%s: target %u LUN %u: %s; taken as writable with a write cache\n", s->a->name,
                s->target, lun, why.text);
        memset(mode, 0, sizeof *mode);
    }
    if (!mode->has_caching)
        mode->wce = true;
    if (param_present(&param_pvscsi_nowp))
        mode->wp = false;
}

/* The unit serial number, when the unit lists VPD page 0x80. */
static void serial_number(struct scan *s, uint16_t lun, char *out, size_t size)
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
    if (run(s, lun) != SCSI_OK)
        return;
    if (scsi_parse_vpd(s->buf, delivered(s), 0x80, &payload, &n, &why) != 0) {
        kprintf("%s: target %u LUN %u: %s\n", s->a->name, s->target, lun, why.text);
        return;
    }
    scsi_vpd_serial(payload, n, out, size);
}

static bool probe_unit(struct scan *s, uint16_t lun)
{
    struct scsi_inquiry inq;
    struct scsi_why why;
    scsi_cdb_inquiry(&s->cmd->cdb, INQUIRY_BYTES);
    if (run(s, lun) != SCSI_OK) {
        if (s->host != PVSCSI_HOST_SELTIMEO)
            kprintf("%s: target %u LUN %u: INQUIRY failed: %s\n", s->a->name, s->target, lun,
                    s->text);
        return false;
    }
    if (scsi_parse_inquiry(s->buf, delivered(s), &inq, &why) != 0) {
        kprintf("%s: target %u LUN %u: %s\n", s->a->name, s->target, lun, why.text);
        return false;
    }
    if (inq.qualifier != SCSI_QUALIFIER_CONNECTED)
        return false; /* no unit there */
    if (!scsi_inquiry_is_disk(&inq)) {
        kprintf("%s: target %u LUN %u: %s %s, device type %#x, not a disk; not used\n", s->a->name,
                s->target, lun, inq.vendor, inq.product, inq.type);
        return false;
    }
    scsi_cdb_test_unit_ready(&s->cmd->cdb);
    if (run(s, lun) != SCSI_OK) {
        kprintf("%s: target %u LUN %u: %s %s not ready: %s\n", s->a->name, s->target, lun,
                inq.vendor, inq.product, s->text);
        return false;
    }
    struct scsi_capacity cap;
    if (!read_capacity(s, lun, &cap))
        return false;
    struct scsi_mode6 mode;
    mode_sense(s, lun, &mode);
    char serial[24];
    serial_number(s, lun, serial, sizeof serial);
    kprintf("%s: target %u LUN %u: %s %s %s, SCSI version %u\n", s->a->name, s->target, lun,
            inq.vendor, inq.product, inq.revision, inq.version);
    return pvscsi_disk_add(s->a, s->target, lun, &cap, mode.wp, mode.wce, serial) == 0;
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
    struct scan s = {.a = a};
    s.cmd = calloc(1, sizeof *s.cmd);
    s.buf = calloc(1, REPLY_BYTES);
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
        s.target = (uint8_t)t;
        uint16_t luns[PVSCSI_MAX_LUNS];
        unsigned n = target_luns(&s, luns);
        *targets += n > 0;
        for (unsigned i = 0; i < n && !a->disabled; i++)
            if (!have_disk(a, s.target, luns[i]))
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
