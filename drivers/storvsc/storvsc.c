/* The storvsc driver's channel (drivers/storvsc/storvsc.h). Sources: Linux
 * drivers/scsi/storvsc_drv.c (storvsc_channel_init: BEGIN_INITIALIZATION,
 * QUERY_PROTOCOL_VERSION from the newest version down while the host
 * answers REVISION_MISMATCH, QUERY_PROPERTIES, END_INITIALIZATION, each
 * in-band with completion requested and answered by COMPLETE_IO with status
 * 0; storvsc_on_channel_callback for what a completion must be), openvmm
 * vm/devices/storage/storvsp/src/lib.rs for what the host checks.
 *
 * Every request carries a transaction id the driver chose (slot and a
 * sequence number, never 0, which the host keeps for its own notices); a
 * completion must name a request in flight, be a full vstor_packet,
 * COMPLETE_IO, and claim no more data or sense than the request had room
 * for. Anything else is the host breaking the protocol: the channel is
 * closed (vmbus_fail), every request in flight fails with BLK_EIO, and the
 * kernel and the other devices go on. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bus/vmbus/vmbus_gpa.h"
#include "core/dma.h"
#include "core/log.h"
#include "core/time.h"
#include "core/unaligned.h"
#include "drivers/storvsc/storvsc.h"
#include "klib/format.h"

#define REPLY_TIMEOUT_NS 5000000000ull /* Linux waits 5 s for each step */
#define RUN_RETRIES 5
#define RETRY_DELAY_NS 10000000ull
#define PAGE 4096u
#define MAX_PAGES (STORVSC_MAX_TRANSFER / PAGE + 1)
/* Packets taken per call: a host that keeps writing cannot keep the loop
 * here; the rest is taken by the channel's work item, queued again. */
#define PROCESS_BUDGET 64
#define NOTICES_LOGGED 5

/* 0x0602 (WIN10), 0x0600 (WIN8.1), 0x0501 (WIN8): Linux's list. Older
 * hosts (WIN7, WIN6) would need the 48-byte packets; not offered. */
static const uint16_t versions[] = {VSTOR_VERSION_WIN10, VSTOR_VERSION_WIN8_1, VSTOR_VERSION_WIN8};

/* ba6163d9-04a1-4d29-b605-72e2ffb1dc7f, the SCSI controller class (Linux
 * include/linux/hyperv.h HV_SCSI_GUID; openvmm storvsp_protocol); on the
 * wire the first three fields are little-endian. */
static const struct vmbus_guid scsi_class = {{0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d, 0xb6,
                                              0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f}};

struct storvsc_io *storvsc_io_get(struct storvsc *sc)
{
    for (unsigned i = 0; i < STORVSC_SLOTS; i++) {
        struct storvsc_io *io = &sc->io[i];
        if (!io->in_use) {
            memset(io, 0, sizeof *io);
            io->in_use = true;
            io->finished = true; /* not in flight until sent */
            /* slot in the low byte, a sequence above it: a stale or
             * invented id never matches */
            io->tid = (++sc->seq << 8) | i;
            return io;
        }
    }
    return NULL;
}

static void io_finish(struct storvsc *sc, struct storvsc_io *io, int rc)
{
    io->rc = rc;
    io->finished = true;
    if (io->done != NULL)
        io->done(sc, io, rc); /* frees the slot or sends it again */
}

static void fail_all(struct storvsc *sc)
{
    sc->broken = true;
    for (unsigned i = 0; i < STORVSC_SLOTS; i++) {
        struct storvsc_io *io = &sc->io[i];
        if (io->in_use && !io->finished)
            io_finish(sc, io, -1);
    }
}

void storvsc_fail(struct storvsc *sc, const char *fmt, ...)
{
    char why[120];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!sc->broken) {
        sc->broken = true;
        /* closed first: the host no longer touches the requests' buffers */
        vmbus_fail(sc->vd, "storvsc: %s", why);
    }
    fail_all(sc);
}

int storvsc_send(struct storvsc *sc, struct storvsc_io *io)
{
    if (sc->broken)
        return BLK_EIO;
    int r;
    if (!io->srb) {
        io->sent = VSTOR_PACKET_BYTES;
        r = vmbus_send(sc->vd, VMBUS_PKT_DATA_INBAND, io->reply, io->sent, io->tid, true);
    } else {
        uint8_t pkt[VSTOR_PACKET_BYTES];
        io->sent = (uint32_t)vstor_packet_srb(pkt, io->lun, &io->cmd.cdb, sc->win8);
        uint32_t len = io->cmd.cdb.dir == SCSI_DIR_NONE ? 0 : io->cmd.cdb.data_len;
        if (len == 0) {
            r = vmbus_send(sc->vd, VMBUS_PKT_DATA_INBAND, pkt, io->sent, io->tid, true);
        } else {
            /* One range over the buffer, physically contiguous (dev/blkdev.h). */
            uint64_t addr = dma_addr(io->cmd.data);
            uint64_t pfns[MAX_PAGES];
            struct vmbus_gpa_range range = {.len = len, .offset = (uint32_t)(addr % PAGE)};
            range.npfns = vmbus_gpa_pages(range.offset, len);
            if (len > sc->max_transfer || range.npfns > MAX_PAGES)
                return BLK_EINVAL;
            for (uint32_t i = 0; i < range.npfns; i++)
                pfns[i] = addr / PAGE + i;
            range.pfns = pfns;
            r = vmbus_send_gpa(sc->vd, &range, 1, pkt, io->sent, io->tid);
        }
    }
    if (r == 1)
        return BLK_EBUSY;
    if (r != 0) {
        /* The channel failed (logged): the others in flight fail; this one
         * was not sent, its caller is told by the return value alone. */
        io->finished = true;
        fail_all(sc);
        return BLK_EIO;
    }
    io->finished = false; /* in flight: a completion or fail_all finishes it */
    return 0;
}

/* One completion for io: its vstor_packet (len bytes). */
static void complete(struct storvsc *sc, struct storvsc_io *io, const uint8_t *p, size_t len)
{
    struct vstor_completion c;
    const char *why;
    uint8_t sense_max = sc->win8 ? VSTOR_SENSE_BYTES : VSTOR_SENSE_BYTES_OLD;
    uint32_t asked = io->cmd.cdb.dir == SCSI_DIR_NONE ? 0 : io->cmd.cdb.data_len;
    if (vstor_parse_completion(p, len, io->sent, &c, &why) != 0 ||
        (io->srb && vstor_parse_srb(p, len, asked, sense_max, &c, &why) != 0)) {
        /* the numbers fit the log line vmbus_fail keeps (96 bytes) */
        storvsc_fail(sc, "completion %#lx: %s (data %u of %u, sense %u of %u)",
                     (unsigned long)io->tid, why, c.data_len, asked, c.sense_len, sense_max);
        return;
    }
    io->vstor_status = c.status;
    memcpy(io->reply, p, len < sizeof io->reply ? len : sizeof io->reply);
    if (io->srb) {
        uint8_t code = VSTOR_SRB_CODE(c.srb_status);
        io->srb_status = code;
        io->cmd.status = c.scsi_status;
        /* Data counts only when the host says it moved (Linux
         * storvsc_on_io_completion: 0 on an error unless DATA_OVERRUN). */
        uint32_t moved =
            code == VSTOR_SRB_SUCCESS || code == VSTOR_SRB_DATA_OVERRUN ? c.data_len : 0;
        io->cmd.residual = asked - moved;
        io->cmd.sense_len = 0;
        if ((c.srb_status & VSTOR_SRB_AUTOSENSE_VALID) && c.sense_len > 0) {
            memcpy(io->cmd.sense, c.sense, c.sense_len);
            io->cmd.sense_len = c.sense_len;
        }
        if (code != VSTOR_SRB_SUCCESS && code != VSTOR_SRB_DATA_OVERRUN &&
            io->cmd.status == SCSI_STATUS_GOOD)
            io->cmd.status = SCSI_STATUS_CHECK_CONDITION; /* failed without a SCSI status */
    }
    io_finish(sc, io, 0);
}

void storvsc_process(struct storvsc *sc)
{
    if (sc->processing || sc->broken)
        return;
    sc->processing = true;
    struct vmbus_pkt pkt;
    int r;
    unsigned budget = PROCESS_BUDGET;
    while (!sc->broken && (r = vmbus_recv(sc->vd, sc->rx, sizeof sc->rx, &pkt)) != 0) {
        if (r < 0) { /* the channel failed (logged) */
            fail_all(sc);
            break;
        }
        const uint8_t *p = sc->rx + pkt.offset;
        size_t len = pkt.len - pkt.offset;
        if (pkt.type == VMBUS_PKT_DATA_INBAND && pkt.transaction_id == 0) {
            /* The host's own notice (ENUMERATE_BUS, REMOVE_DEVICE): units
             * added or removed at run time are not followed yet. */
            /* ENUMERATE_BUS: units were added; they are looked for by a
             * scan, from the loop (it waits for its commands). Linux
             * rescans the same way (storvsc_host_scan). */
            unsigned op = len >= 4 ? rd32(p) : 0;
            if (op == VSTOR_ENUMERATE_BUS)
                work_queue(&sc->rescan);
            if (sc->notices++ < NOTICES_LOGGED)
                kprintf("%s: host notice, operation %u%s\n", sc->name, op,
                        op == VSTOR_ENUMERATE_BUS ? ": looking for new units" : ", not acted on");
            if (--budget == 0)
                break;
            continue;
        }
        struct storvsc_io *io = NULL;
        unsigned slot = (unsigned)(pkt.transaction_id & 0xFF);
        if (slot < STORVSC_SLOTS && sc->io[slot].in_use && !sc->io[slot].finished &&
            sc->io[slot].tid == pkt.transaction_id)
            io = &sc->io[slot];
        if (io == NULL) {
            storvsc_fail(sc, "a packet of type %u for transaction %#lx, which no request has",
                         pkt.type, (unsigned long)pkt.transaction_id);
            break;
        }
        if (pkt.type != VMBUS_PKT_COMP) {
            storvsc_fail(sc, "a packet of type %u for transaction %#lx: expected a completion (11)",
                         pkt.type, (unsigned long)pkt.transaction_id);
            break;
        }
        complete(sc, io, p, len);
        if (--budget == 0)
            break;
    }
    if (budget == 0 && !sc->broken)
        work_queue(&sc->vd->work); /* more may wait: later, from the loop */
    sc->processing = false;
}

static void rescan(struct work *w)
{
    struct storvsc *sc = container_of(w, struct storvsc, rescan);
    if (!sc->broken)
        storvsc_scan(sc);
}

/* A controller removed while its rescan waited is freed here, from a work
 * item of its own: the rescan's work item lives inside it and the event
 * loop still touches that item when the rescan returns. */
static struct storvsc *released;
static void free_released(struct work *w)
{
    (void)w;
    while (released != NULL) {
        struct storvsc *sc = released;
        released = sc->next_released;
        free(sc);
    }
}
static struct work release_work = WORK_INIT(free_released);

void storvsc_release(struct storvsc *sc)
{
    sc->next_released = released;
    released = sc;
    work_queue(&release_work);
}

static void storvsc_event(struct vmbus_dev *vd)
{
    storvsc_process(vd->priv);
}

static bool io_finished(void *ctx)
{
    struct storvsc_io *io = ctx;
    vmbus_pump();
    return io->finished;
}

/* Sends io and waits for it; 0 when the host completed it. The slot stays
 * taken; the caller frees it. */
static int run_once(struct storvsc *sc, struct storvsc_io *io)
{
    uint64_t deadline = time_now_ns() + REPLY_TIMEOUT_NS;
    int rc;
    while ((rc = storvsc_send(sc, io)) == BLK_EBUSY && time_now_ns() < deadline)
        wait_until(NULL, NULL, time_now_ns() + RETRY_DELAY_NS);
    if (rc != 0)
        return -1;
    if (!wait_until(io_finished, io, deadline)) {
        storvsc_process(sc); /* perhaps it came without a signal */
        if (!io->finished)
            storvsc_fail(sc, "no completion for %s %#x within 5 s",
                         io->srb ? "SCSI command" : "operation",
                         io->srb ? io->cmd.cdb.bytes[0] : io->reply[0]);
    }
    return io->finished && io->rc == 0 ? 0 : -1;
}

enum scsi_outcome storvsc_run(struct storvsc *sc, uint8_t lun, struct scsi_cmd *cmd,
                              uint8_t *srb_status, char *text, size_t size)
{
    enum scsi_outcome o = SCSI_DEVICE_ERROR;
    *srb_status = 0;
    for (unsigned attempt = 0; attempt < RUN_RETRIES; attempt++) {
        struct storvsc_io *io = storvsc_io_get(sc);
        if (io == NULL || sc->broken) {
            if (io != NULL)
                io->in_use = false;
            ksnprintf(text, size, "%s", sc->broken ? "controller failed" : "no free request slot");
            return SCSI_DEVICE_ERROR;
        }
        if (cmd->cdb.data_len)
            memset(cmd->data, 0, cmd->cdb.data_len);
        io->srb = true;
        io->lun = lun;
        io->cmd = *cmd;
        int rc = run_once(sc, io);
        *cmd = io->cmd;
        *srb_status = io->srb_status;
        io->in_use = false;
        if (rc != 0) {
            ksnprintf(text, size, "controller failed");
            return SCSI_DEVICE_ERROR;
        }
        if (*srb_status == VSTOR_SRB_INVALID_LUN) {
            ksnprintf(text, size, "no such logical unit");
            return SCSI_DEVICE_ERROR;
        }
        o = scsi_cmd_outcome(cmd, text, size);
        if (o != SCSI_RETRY)
            return o;
        wait_until(NULL, NULL, time_now_ns() + RETRY_DELAY_NS);
    }
    return o;
}

/* One initialisation step: op (with version for QUERY_PROTOCOL_VERSION);
 * the host's status, or -1 when none came. The completion is in *reply. */
static int init_step(struct storvsc *sc, uint32_t op, uint16_t version, uint32_t *status,
                     uint8_t reply[VSTOR_PACKET_BYTES])
{
    struct storvsc_io *io = storvsc_io_get(sc);
    if (io == NULL)
        return -1;
    if (op == VSTOR_QUERY_PROTOCOL_VERSION)
        vstor_packet_version(io->reply, version);
    else
        vstor_packet_init(io->reply, op);
    int rc = run_once(sc, io);
    *status = io->vstor_status;
    memcpy(reply, io->reply, VSTOR_PACKET_BYTES);
    io->in_use = false;
    return rc;
}

static int vstor_init(struct storvsc *sc)
{
    uint8_t reply[VSTOR_PACKET_BYTES];
    uint32_t status;
    if (init_step(sc, VSTOR_BEGIN_INITIALIZATION, 0, &status, reply) != 0)
        return -1;
    if (status != VSTOR_STATUS_SUCCESS) {
        kprintf("%s: BEGIN_INITIALIZATION refused (status %#x)\n", sc->name, status);
        return -1;
    }
    for (unsigned i = 0; i < sizeof versions / sizeof versions[0] && sc->version == 0; i++) {
        if (init_step(sc, VSTOR_QUERY_PROTOCOL_VERSION, versions[i], &status, reply) != 0)
            return -1;
        if (status == VSTOR_STATUS_SUCCESS)
            sc->version = versions[i];
        else if (status != VSTOR_STATUS_REVISION_MISMATCH) {
            kprintf("%s: QUERY_PROTOCOL_VERSION %u.%u refused (status %#x)\n", sc->name,
                    versions[i] >> 8, versions[i] & 0xFF, status);
            return -1;
        }
    }
    if (sc->version == 0) {
        kprintf("%s: the host takes none of the protocol versions 6.2, 6.0, 5.1\n", sc->name);
        return -1;
    }
    sc->win8 = sc->version >= VSTOR_VERSION_WIN8;
    if (init_step(sc, VSTOR_QUERY_PROPERTIES, 0, &status, reply) != 0)
        return -1;
    struct vstor_properties props;
    vstor_parse_properties(reply, &props);
    /* Whole pages (Linux rounds max_transfer_bytes down to them), at most
     * what one GPA-direct request here carries. */
    sc->max_transfer = props.max_transfer & ~(PAGE - 1);
    if (sc->max_transfer > STORVSC_MAX_TRANSFER)
        sc->max_transfer = STORVSC_MAX_TRANSFER;
    if (status != VSTOR_STATUS_SUCCESS || sc->max_transfer == 0) {
        storvsc_fail(sc, "QUERY_PROPERTIES: status %#x, max_transfer_bytes %u", status,
                     props.max_transfer);
        return -1;
    }
    if (init_step(sc, VSTOR_END_INITIALIZATION, 0, &status, reply) != 0)
        return -1;
    if (status != VSTOR_STATUS_SUCCESS) {
        kprintf("%s: END_INITIALIZATION refused (status %#x)\n", sc->name, status);
        return -1;
    }
    kprintf("%s: protocol %u.%u, transfers up to %u KiB\n", sc->name, sc->version >> 8,
            sc->version & 0xFF, sc->max_transfer / 1024);
    return 0;
}

static int storvsc_probe(struct vmbus_dev *vd)
{
    struct storvsc *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return -1;
    sc->vd = vd;
    ksnprintf(sc->namebuf, sizeof sc->namebuf, "storvsc relid %u", (unsigned)vd->offer.child_relid);
    sc->name = sc->namebuf;
    sc->rescan.fn = rescan;
    vd->priv = sc;
    if (vmbus_open(vd, STORVSC_RING_OUT, STORVSC_RING_IN, storvsc_event) != 0 ||
        vstor_init(sc) != 0) {
        fail_all(sc);
        vd->priv = NULL;
        free(sc);
        return -1;
    }
    storvsc_scan(sc);
    return 0;
}

/* The controller goes (rescinded, or removed): its requests fail, its
 * disks leave the block class, then the bus closes the channel. */
static void storvsc_remove(struct vmbus_dev *vd)
{
    struct storvsc *sc = vd->priv;
    if (sc == NULL)
        return;
    fail_all(sc);
    work_cancel(&sc->rescan);
    storvsc_disks_remove(sc);
    kprintf("%s: removed\n", sc->name);
    vd->priv = NULL;
    /* A scan waiting for a command (a rescan runs from the loop, where the
     * rescind was taken) still holds sc: it hands it to storvsc_release when it returns. */
    if (sc->scanning)
        sc->removed = true;
    else
        free(sc);
}

static struct vmbus_driver storvsc_driver = {
    .drv = {.name = "storvsc", .bus = &vmbus_bus},
    .classes = &scsi_class,
    .nclasses = 1,
    .probe = storvsc_probe,
    .remove = storvsc_remove,
};
VMBUS_DRIVER_REGISTER(storvsc_driver);
