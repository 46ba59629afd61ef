/* The storvsc back end: see storvsc.h. Layouts (offsets in the vstor_packet):
 * operation @0, flags @4, status @8; version: major_minor u16 @12, revision
 * u16 @14; channel properties: max_channel_cnt u16 @16, flags u32 @20,
 * max_transfer_bytes u32 @24; vmscsi_request at @12: length u16 @0,
 * srb_status @2, scsi_status @3, port @4, path @5, target @6, lun @7,
 * cdb_length @8, sense_info_length @9, data_in @10, data_transfer_length
 * u32 @12, cdb or sense @16 (20 bytes), and from WIN8 on 16 more bytes
 * (srb_flags u32 @40 ...): 0x34 bytes, 0x24 before WIN8, when the sense
 * area is 0x12 bytes (storvsc_drv.c vmscsi_size_delta, sense_buffer_size;
 * openvmm storvsp_protocol SCSI_REQUEST_LEN_V1/V2). */
#include <stdio.h>
#include <string.h>

#include "hostsim/registry.h"
#include "hostsim/vmbus/gpa_direct.h"
#include "hostsim/vmbus/ic.h"
#include "hostsim/vmbus/storvsc.h"
#include "hostsim/vmbus/wire.h"

#define PACKET_MAX 64u
#define HEADER 12u /* operation, flags, status */

enum {
    OP_COMPLETE_IO = 1,
    OP_REMOVE_DEVICE = 2,
    OP_EXECUTE_SRB = 3,
    OP_RESET_LUN = 4,
    OP_RESET_ADAPTER = 5,
    OP_RESET_BUS = 6,
    OP_BEGIN_INITIALIZATION = 7,
    OP_END_INITIALIZATION = 8,
    OP_QUERY_PROTOCOL_VERSION = 9,
    OP_QUERY_PROPERTIES = 10,
    OP_CREATE_SUB_CHANNELS = 13,
};

/* NTSTATUS values (openvmm storvsp_protocol). */
#define NT_SUCCESS 0u
#define NT_REVISION_MISMATCH 0xC0000059u
#define NT_INVALID_PARAMETER 0xC000000Du
#define NT_DEVICE_DOES_NOT_EXIST 0xC00000C0u
#define NT_IO_DEVICE_ERROR 0xC0000185u

/* SRB status codes (openvmm scsi_defs srb.rs). */
#define SRB_SUCCESS 0x01
#define SRB_ERROR 0x04
#define SRB_INVALID_LUN 0x20
#define SRB_AUTOSENSE_VALID 0x80

#define SRB_LEN_WIN8 0x34u
#define SRB_LEN_OLD 0x24u
#define SENSE_LEN_WIN8 0x14u
#define SENSE_LEN_OLD 0x12u
#define DATA_WRITE 0
#define DATA_READ 1
#define DATA_NONE 2

#define MAX_TRANSFER 0x40000u /* openvmm's max_transfer_bytes */

static const uint16_t versions[] = {STORVSC_VERSION_WIN10, STORVSC_VERSION_WIN8_1,
                                    STORVSC_VERSION_WIN8, STORVSC_VERSION_WIN7,
                                    STORVSC_VERSION_WIN6};

bool storvsc_host_version_known(uint16_t v)
{
    for (unsigned i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (versions[i] == v)
            return true;
    return false;
}

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}
static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static const char *state_wants(enum storvsc_host_state s)
{
    static const char *const wants[] = {"BEGIN_INITIALIZATION (7)", "QUERY_PROTOCOL_VERSION (9)",
                                        "QUERY_PROPERTIES (10)", "END_INITIALIZATION (8)",
                                        "EXECUTE_SRB (3) or a reset"};
    return wants[s];
}

static bool misbehave_now(struct storvsc_host *s, enum storvsc_host_misbehave kind,
                          const char *what)
{
    if (s->misbehave != kind || s->misbehaved)
        return false;
    s->misbehaved = true;
    struct vmbus_host *h = s->channel->host;
    if (h->hooks.misbehaving != NULL)
        h->hooks.misbehaving(h->hooks.ctx, what);
    return true;
}

/* The completion of a request: its vstor_packet (len bytes) as the reply. */
static void complete(struct storvsc_host *s, uint64_t tid, uint8_t *pkt, uint32_t len,
                     uint32_t status)
{
    put32(pkt, OP_COMPLETE_IO);
    put32(pkt + 4, 0);
    put32(pkt + 8, status);
    vmbus_host_channel_send(s->channel, VMBUS_PACKET_COMP, 0, tid, pkt, len);
}

/* The guest's data buffer, one GPA range. */
struct buffer {
    const struct guest_mem *mem;
    const struct vmbus_host_gpa_range *range;
};

static int to_guest(void *ctx, uint32_t at, const void *src, size_t n)
{
    struct buffer *b = ctx;
    return b->range == NULL ? -1 : vmbus_host_gpa_write(b->mem, b->range, at, src, n);
}

static int from_guest(void *ctx, uint32_t at, void *dst, size_t n)
{
    struct buffer *b = ctx;
    return b->range == NULL ? -1 : vmbus_host_gpa_read(b->mem, b->range, at, dst, n);
}

/* REPORT LUNS (SPC-4): answered for any LUN of the controller (openvmm
 * storvsp), one 8-byte entry per disk, peripheral addressing. */
static void report_luns(const struct storvsc_host *s, const uint8_t *cdb,
                        const struct scsi_disk_data *data, struct scsi_disk_result *r)
{
    uint32_t alloc =
        (uint32_t)cdb[6] << 24 | (uint32_t)cdb[7] << 16 | (uint32_t)cdb[8] << 8 | cdb[9];
    memset(r, 0, sizeof *r);
    if (alloc < 16) {
        scsi_disk_check_condition(r, 0x5, 0x24, 0);
        return;
    }
    uint8_t b[8 + 8 * STORVSC_HOST_MAX_LUNS];
    memset(b, 0, sizeof b);
    uint32_t list = 8 * s->nluns;
    b[0] = (uint8_t)(list >> 24), b[1] = (uint8_t)(list >> 16), b[2] = (uint8_t)(list >> 8);
    b[3] = (uint8_t)list;
    for (unsigned i = 0; i < s->nluns; i++)
        b[8 + 8 * i + 1] = (uint8_t)i;
    uint32_t n = 8 + list;
    if (n > alloc)
        n = alloc;
    if (n > data->len)
        n = data->len;
    if (data->to_guest(data->ctx, 0, b, n) != 0) {
        scsi_disk_check_condition(r, 0x5, 0x24, 0);
        return;
    }
    r->moved = n;
}

static void execute_srb(struct storvsc_host *s, const struct vmbus_host_packet *p, uint8_t *pkt,
                        uint32_t len)
{
    struct vmbus_host *h = s->channel->host;
    bool win8 = s->version >= STORVSC_VERSION_WIN8;
    uint32_t srb_len = win8 ? SRB_LEN_WIN8 : SRB_LEN_OLD;
    uint8_t sense_len = win8 ? SENSE_LEN_WIN8 : SENSE_LEN_OLD;
    uint8_t *srb = pkt + HEADER;
    if (len < HEADER + srb_len || get16(srb) != srb_len || srb[8] == 0 || srb[8] > 16 ||
        srb[9] != sense_len || srb[10] > DATA_NONE) {
        vmbus_host_violation(h,
                             "storvsc: EXECUTE_SRB in %u bytes with SRB length 0x%x, CDB length "
                             "%u, sense_info_length 0x%x, data_in %u: expected %u bytes, SRB "
                             "length 0x%x, CDB 1-16 bytes, sense 0x%x, data_in 0-2",
                             len, get16(srb), srb[8], srb[9], srb[10], HEADER + srb_len, srb_len,
                             sense_len);
        return;
    }
    uint32_t xfer = get32(srb + 12);
    uint8_t cdb[16];
    memcpy(cdb, srb + 16, 16);
    struct vmbus_host_gpa gpa;
    char err[256];
    struct buffer buf = {.mem = h->mem, .range = NULL};
    if (xfer > 0) {
        if (p->type != VMBUS_PACKET_DATA_GPA_DIRECT) {
            vmbus_host_violation(h,
                                 "storvsc: EXECUTE_SRB of %u data bytes in a packet of type %u: "
                                 "expected GPA-direct (9) with the buffer",
                                 xfer, p->type);
            return;
        }
        if (vmbus_host_gpa_parse(p, h->mem, &gpa, err, sizeof err) != 0) {
            vmbus_host_violation(h, "storvsc: %s", err);
            return;
        }
        if (gpa.count != 1 || gpa.range[0].len < xfer || xfer > MAX_TRANSFER) {
            vmbus_host_violation(h,
                                 "storvsc: EXECUTE_SRB of %u bytes with %u ranges, the first of "
                                 "%u bytes: expected one range of at least the transfer, at "
                                 "most 0x%x bytes",
                                 xfer, gpa.count, gpa.range[0].len, MAX_TRANSFER);
            return;
        }
        buf.range = &gpa.range[0];
    } else if (p->type != VMBUS_PACKET_DATA_INBAND) {
        vmbus_host_violation(h,
                             "storvsc: EXECUTE_SRB without data in a packet of type %u: "
                             "expected in-band (6)",
                             p->type);
        return;
    }
    /* data_in must say what the transfer does: 2 without data, and for a
     * command whose direction the disk knows, that direction. Commands it
     * does not know (a guest may try any) are answered ILLEGAL REQUEST
     * below, whatever their direction. */
    enum scsi_disk_dir dir = scsi_disk_direction(cdb);
    uint8_t want = xfer == 0                     ? DATA_NONE
                   : dir == SCSI_DISK_FROM_GUEST ? DATA_WRITE
                   : dir == SCSI_DISK_TO_GUEST   ? DATA_READ
                   : srb[10] == DATA_NONE        ? DATA_READ /* data, but said none */
                                                 : srb[10];
    if (srb[10] != want) {
        vmbus_host_violation(h,
                             "storvsc: SCSI command 0x%02x with data_in %u and %u data bytes: "
                             "expected data_in %u (0 write, 1 read, 2 none)",
                             cdb[0], srb[10], xfer, want);
        return;
    }
    s->srbs++;
    struct scsi_disk_data data = {
        .len = xfer, .ctx = &buf, .to_guest = to_guest, .from_guest = from_guest};
    struct scsi_disk_result r;
    uint8_t lun = srb[7];
    bool present = srb[5] == 0 && srb[6] == 0 && lun < s->nluns;
    uint8_t srb_status = SRB_SUCCESS;
    uint32_t status = NT_SUCCESS;
    if (cdb[0] == 0xA0) {
        report_luns(s, cdb, &data, &r);
    } else if (!present && cdb[0] == 0x12) {
        scsi_disk_inquiry_absent(cdb, &data, &r);
    } else if (!present) {
        memset(&r, 0, sizeof r);
        r.status = 2; /* CHECK CONDITION, no sense: openvmm's INVALID_LUN */
        srb_status = SRB_INVALID_LUN;
        status = NT_DEVICE_DOES_NOT_EXIST;
    } else {
        scsi_disk_execute(&s->lun[lun], cdb, srb[8], &data, &r);
        if (r.status == 0 && (cdb[0] == 0x28 || cdb[0] == 0x88))
            s->bytes_read += r.moved;
        if (r.status == 0 && (cdb[0] == 0x2A || cdb[0] == 0x8A))
            s->bytes_written += r.moved;
        if (r.status == 0 && cdb[0] == 0x35)
            s->flushes++;
    }
    memset(srb + 16, 0, 20);
    if (r.has_sense) {
        srb_status = SRB_ERROR | SRB_AUTOSENSE_VALID;
        status = NT_IO_DEVICE_ERROR;
        memcpy(srb + 16, r.sense, sense_len < SCSI_DISK_SENSE ? sense_len : SCSI_DISK_SENSE);
    }
    srb[2] = srb_status;
    srb[3] = r.status;
    put32(srb + 12, r.moved);
    bool read = (cdb[0] == 0x28 || cdb[0] == 0x88) && r.status == 0;
    uint64_t tid = p->transaction_id;
    if (read && misbehave_now(s, STORVSC_MISBEHAVE_SRB_LENGTH,
                              "a READ completion claiming 512 bytes more than asked"))
        put32(srb + 12, xfer + 512);
    if (read && misbehave_now(s, STORVSC_MISBEHAVE_SENSE_LENGTH,
                              "a READ completion with CHECK CONDITION and sense_info_length "
                              "0x60")) {
        srb[2] = SRB_ERROR | SRB_AUTOSENSE_VALID;
        srb[3] = 2;
        srb[9] = 0x60;
        put32(srb + 12, 0);
    }
    if (read && misbehave_now(s, STORVSC_MISBEHAVE_UNSOLICITED,
                              "a completion for transaction id 0x5354000000000001, never sent")) {
        uint8_t fake[PACKET_MAX];
        memcpy(fake, pkt, len);
        complete(s, 0x5354000000000001ull, fake, len, NT_SUCCESS);
    }
    if (read && misbehave_now(s, STORVSC_MISBEHAVE_WRONG_ID,
                              "a READ completion carrying its transaction id + 0x10000"))
        tid += 0x10000;
    complete(s, tid, pkt, len, status);
}

static void packet(struct vmbus_host_channel *ch, const struct vmbus_host_packet *p)
{
    struct storvsc_host *s = ch->service->ctx;
    struct vmbus_host *h = ch->host;
    if ((p->type != VMBUS_PACKET_DATA_INBAND && p->type != VMBUS_PACKET_DATA_GPA_DIRECT) ||
        !(p->flags & VMBUS_PACKET_FLAG_COMPLETION) || p->payload_len < HEADER) {
        vmbus_host_violation(h,
                             "storvsc: a packet of type %u, flags 0x%x, %u payload bytes: "
                             "expected in-band (6) or GPA-direct (9) with completion requested "
                             "and a vstor_packet (at least 12 bytes)",
                             p->type, p->flags, p->payload_len);
        return;
    }
    uint8_t pkt[PACKET_MAX];
    uint32_t len = p->payload_len < PACKET_MAX ? p->payload_len : PACKET_MAX;
    memset(pkt, 0, sizeof pkt);
    memcpy(pkt, p->payload, len);
    uint32_t op = get32(pkt);
    if (op != OP_EXECUTE_SRB && p->type != VMBUS_PACKET_DATA_INBAND) {
        vmbus_host_violation(h, "storvsc: operation %u in a GPA-direct packet: expected in-band",
                             op);
        return;
    }
    enum storvsc_host_state st = s->state;
    bool in_order = (op == OP_BEGIN_INITIALIZATION && st == STORVSC_WAIT_BEGIN) ||
                    (op == OP_QUERY_PROTOCOL_VERSION && st == STORVSC_WAIT_VERSION) ||
                    (op == OP_QUERY_PROPERTIES && st == STORVSC_WAIT_PROPERTIES) ||
                    (op == OP_END_INITIALIZATION && st == STORVSC_WAIT_END) ||
                    ((op == OP_EXECUTE_SRB || op == OP_RESET_LUN || op == OP_RESET_ADAPTER ||
                      op == OP_RESET_BUS) &&
                     st == STORVSC_READY) ||
                    op == OP_CREATE_SUB_CHANNELS;
    if (!in_order) {
        vmbus_host_violation(h, "storvsc: operation %u while waiting for %s", op, state_wants(st));
        return;
    }
    uint32_t status = NT_SUCCESS;
    switch (op) {
    case OP_BEGIN_INITIALIZATION:
        s->state = STORVSC_WAIT_VERSION;
        break;
    case OP_QUERY_PROTOCOL_VERSION: {
        uint16_t v = get16(pkt + 12);
        if (len < 16 || !storvsc_host_version_known(v) || v > s->max_version) {
            status = NT_REVISION_MISMATCH; /* the guest may try another */
            break;
        }
        s->version = v;
        s->state = STORVSC_WAIT_PROPERTIES;
        break;
    }
    case OP_QUERY_PROPERTIES:
        if (len < HEADER + 24) {
            vmbus_host_violation(h, "storvsc: QUERY_PROPERTIES in %u bytes: expected at least 36",
                                 len);
            return;
        }
        memset(pkt + HEADER, 0, 24);
        put16(pkt + HEADER + 4, 0); /* max_channel_cnt: no sub-channels */
        put32(pkt + HEADER + 8, 0); /* flags: no multi-channel */
        put32(pkt + HEADER + 12, MAX_TRANSFER);
        s->state = STORVSC_WAIT_END;
        break;
    case OP_END_INITIALIZATION:
        s->state = STORVSC_READY;
        break;
    case OP_EXECUTE_SRB:
        execute_srb(s, p, pkt, len);
        return;
    case OP_CREATE_SUB_CHANNELS:
        status = NT_INVALID_PARAMETER;
        break;
    default: /* the resets: nothing to do (openvmm storvsp) */
        break;
    }
    complete(s, p->transaction_id, pkt, len, status);
}

static void opened(struct vmbus_host_channel *ch)
{
    struct storvsc_host *s = ch->service->ctx;
    s->channel = ch;
    s->state = STORVSC_WAIT_BEGIN;
    s->version = 0;
}

static void closed(struct vmbus_host_channel *ch)
{
    struct storvsc_host *s = ch->service->ctx;
    s->state = STORVSC_WAIT_BEGIN;
}

void storvsc_host_init(struct storvsc_host *s, unsigned index)
{
    memset(s, 0, sizeof *s);
    static const char *const names[] = {"storvsc",  "storvsc2", "storvsc3", "storvsc4",
                                        "storvsc5", "storvsc6", "storvsc7", "storvsc8"};
    s->service.name = names[index % 8];
    vmbus_guid_parse("ba6163d9-04a1-4d29-b605-72e2ffb1dc7f", s->service.class_guid);
    /* hostsim's own instance ids, one per controller */
    vmbus_guid_parse("5c0fd3a1-7b2e-4c6d-9a8f-0e1d2c3b4a50", s->service.instance_guid);
    s->service.instance_guid[15] = (uint8_t)(0x50 + index);
    s->service.opened = opened;
    s->service.packet = packet;
    s->service.closed = closed;
    s->service.ctx = s;
    s->max_version = STORVSC_VERSION_WIN10;
}

int storvsc_host_add_disk(struct storvsc_host *s, int fd, bool read_only, uint64_t bytes,
                          const char *serial)
{
    if (s->nluns == STORVSC_HOST_MAX_LUNS || bytes < SCSI_DISK_BLOCK)
        return -1;
    struct scsi_disk *d = &s->lun[s->nluns++];
    d->fd = fd;
    d->read_only = read_only;
    d->blocks = bytes / SCSI_DISK_BLOCK;
    snprintf(d->serial, sizeof d->serial, "%s", serial);
    return 0;
}

int storvsc_host_enumerate(struct storvsc_host *s)
{
    uint8_t pkt[PACKET_MAX];
    if (s->channel == NULL || s->state != STORVSC_READY)
        return -1;
    memset(pkt, 0, sizeof pkt);
    put32(pkt, 11); /* ENUMERATE_BUS */
    return vmbus_host_channel_send(s->channel, VMBUS_PACKET_DATA_INBAND, 0, 0, pkt, sizeof pkt);
}

/* The faults this back end injects on purpose (--misbehave KIND). */
static const struct hostsim_misbehave storvsc_misbehave_kinds[] = {
    {"storvsc-srb-length", "storvsc", STORVSC_MISBEHAVE_SRB_LENGTH,
     "the first READ's completion claims 512 data bytes more than the request asked for"},
    {"storvsc-sense-length", "storvsc", STORVSC_MISBEHAVE_SENSE_LENGTH,
     "the first READ completes with CHECK CONDITION and sense_info_length 0x60 (above 0x14)"},
    {"storvsc-unsolicited", "storvsc", STORVSC_MISBEHAVE_UNSOLICITED,
     "a completion for a transaction id never sent comes before the first READ's"},
    {"storvsc-wrong-id", "storvsc", STORVSC_MISBEHAVE_WRONG_ID,
     "the first READ's completion carries its transaction id + 0x10000"},
    {NULL, NULL, 0, NULL},
};

static const struct hostsim_backend storvsc_backend = {
    .name = "storvsc",
    .summary = "the Hyper-V model's synthetic SCSI controller (VSTOR over VMBus)",
    .misbehave = storvsc_misbehave_kinds,
};
HOSTSIM_REGISTER_BACKEND(storvsc_backend);
