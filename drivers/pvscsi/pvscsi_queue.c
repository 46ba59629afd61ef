/* The request, completion and message rings (pvscsi_queue.h). The rings
 * state page's indices are free-running 32-bit counters; an entry's place
 * is the index modulo the ring's size (VMware's pvscsi header, struct
 * PVSCSIRingsState). The driver keeps its own copy of every index it owns
 * and reads each index the device owns once per pass. */
#include <string.h>

#include "core/dma.h"
#include "drivers/pvscsi/pvscsi_queue.h"
#include "klib/format.h"

#define CONTEXT_SLOT_BITS 12
#define CONTEXT_SLOT_MASK ((1u << CONTEXT_SLOT_BITS) - 1)

/* Keeps the compiler from moving ring accesses across it; x86 keeps stores
 * in order and loads in order, which is all the rings need (the device
 * writes the entry before the index, and reads ours the same way). */
static inline void ring_barrier(void)
{
    __asm__ __volatile__("" ::: "memory");
}

static void broken(struct pvscsi_queue *q, const char *fmt, uint64_t a, uint64_t b, uint64_t c)
{
    if (q->broken)
        return;
    q->broken = true;
    ksnprintf(q->error, sizeof q->error, fmt, (unsigned long long)a, (unsigned long long)b,
              (unsigned long long)c);
}

void pvscsi_queue_init(struct pvscsi_queue *q, const char *name,
                       volatile struct pvscsi_rings_state *state,
                       volatile struct pvscsi_req_desc *req, uint32_t req_entries,
                       volatile struct pvscsi_cmp_desc *cmp, uint32_t cmp_entries,
                       volatile struct pvscsi_msg_desc *msg, uint32_t msg_entries,
                       struct pvscsi_slot *slots, unsigned nslots)
{
    memset(q, 0, sizeof *q);
    q->name = name;
    q->state = state;
    q->req = req;
    q->cmp = cmp;
    q->msg = msg;
    q->req_entries = req_entries;
    q->cmp_entries = cmp_entries;
    q->msg_entries = msg ? msg_entries : 0;
    unsigned max = req_entries < cmp_entries ? req_entries : cmp_entries;
    if (max > PVSCSI_SLOTS_MAX)
        max = PVSCSI_SLOTS_MAX;
    q->nslots = nslots < max ? nslots : max;
    q->slots = slots;
}

static uint32_t flags_for(enum scsi_dir dir)
{
    switch (dir) {
    case SCSI_DIR_FROM_DEVICE:
        return PVSCSI_FLAG_DIR_TOHOST;
    case SCSI_DIR_TO_DEVICE:
        return PVSCSI_FLAG_DIR_TODEVICE;
    default:
        return PVSCSI_FLAG_DIR_NONE;
    }
}

static bool is_read_write(uint8_t op)
{
    return op == SCSI_OP_READ10 || op == SCSI_OP_WRITE10 || op == SCSI_OP_READ16 ||
           op == SCSI_OP_WRITE16;
}

enum pvscsi_submit_result pvscsi_queue_submit(struct pvscsi_queue *q, struct scsi_cmd *cmd,
                                              uint8_t target, uint16_t lun, pvscsi_done_fn done,
                                              void *ctx, bool *rw)
{
    if (q->broken)
        return PVSCSI_BROKEN;
    /* The device's consumer index may lag ours by at most the ring. */
    uint32_t cons = q->state->req_cons;
    uint32_t pending = q->req_prod - cons;
    if (pending > q->req_entries) {
        broken(q, "request consumer index %llu is not within the %llu entries behind producer %llu",
               cons, q->req_entries, q->req_prod);
        return PVSCSI_BROKEN;
    }
    if (pending == q->req_entries || q->in_flight == q->nslots)
        return PVSCSI_FULL;
    unsigned i = 0;
    while (i < q->nslots && q->slots[i].in_use)
        i++;
    if (i == q->nslots)
        return PVSCSI_FULL;
    struct pvscsi_slot *s = &q->slots[i];
    uint32_t uses = (s->context >> CONTEXT_SLOT_BITS) + 1;
    s->context = uses << CONTEXT_SLOT_BITS | (i + 1);
    s->in_use = true;
    s->cmd = cmd;
    s->done = done;
    s->ctx = ctx;
    s->host_status = PVSCSI_HOST_DRIVER_FAILED;
    cmd->status = 0xFF;
    cmd->residual = cmd->cdb.data_len;
    cmd->sense_len = 0;

    volatile struct pvscsi_req_desc *d = &q->req[q->req_prod & (q->req_entries - 1)];
    d->context = s->context;
    d->data_addr = cmd->cdb.data_len ? dma_addr(cmd->data) : 0;
    d->data_len = cmd->cdb.data_len;
    d->sense_addr = dma_addr(cmd->sense);
    d->sense_len = sizeof cmd->sense;
    d->flags = flags_for(cmd->cdb.dir);
    for (unsigned k = 0; k < sizeof d->cdb; k++)
        d->cdb[k] = k < cmd->cdb.len ? cmd->cdb.bytes[k] : 0;
    d->cdb_len = cmd->cdb.len;
    uint8_t l[8];
    scsi_lun_encode(lun, l);
    for (unsigned k = 0; k < 8; k++)
        d->lun[k] = l[k];
    d->tag = 0x20; /* SIMPLE QUEUE TAG (SAM message code) */
    d->bus = 0;
    d->target = target;
    d->vcpu_hint[0] = d->vcpu_hint[1] = 0;
    ring_barrier(); /* the entry before the index that publishes it */
    q->req_prod++;
    q->state->req_prod = q->req_prod;
    q->in_flight++;
    q->submitted++;
    *rw = is_read_write(cmd->cdb.bytes[0]);
    return PVSCSI_QUEUED;
}

static void finish(struct pvscsi_queue *q, struct pvscsi_slot *s)
{
    s->in_use = false;
    q->in_flight--;
    q->completed++;
    if (s->done)
        s->done(s);
}

/* Checks one completion against its request; false (q broken) if any value
 * is impossible. */
static bool accept(struct pvscsi_queue *q, const struct pvscsi_cmp_desc *c)
{
    uint64_t ctx = c->context;
    uint32_t index = (uint32_t)ctx & CONTEXT_SLOT_MASK;
    if (ctx > UINT32_MAX || index == 0 || index > q->nslots) {
        broken(q,
               "completion for context %#llx, which was never issued (%llu slots, %llu in flight)",
               ctx, q->nslots, q->in_flight);
        return false;
    }
    struct pvscsi_slot *s = &q->slots[index - 1];
    if (!s->in_use || s->context != (uint32_t)ctx) {
        broken(q, "completion for context %#llx, which is not in flight (slot %llu holds %#llx)",
               ctx, index - 1, s->in_use ? s->context : 0);
        return false;
    }
    struct scsi_cmd *cmd = s->cmd;
    if (c->data_len > cmd->cdb.data_len) {
        broken(q,
               "completion for context %#llx reports %llu bytes transferred, the request has %llu",
               ctx, c->data_len, cmd->cdb.data_len);
        return false;
    }
    if (c->sense_len > sizeof cmd->sense) {
        broken(q, "completion for context %#llx has sense length %llu, the buffer holds %llu", ctx,
               c->sense_len, sizeof cmd->sense);
        return false;
    }
    if (c->scsi_status > 0xFF) {
        broken(q, "completion for context %#llx has SCSI status %#llx (at most %llu)", ctx,
               c->scsi_status, 0xFF);
        return false;
    }
    s->host_status = c->host_status;
    cmd->status = (uint8_t)c->scsi_status;
    cmd->sense_len = c->sense_len;
    /* dataLen counts bytes moved on a short transfer; QEMU never sets it
     * (0), and then how much moved is unknown: nothing is subtracted. */
    bool short_transfer =
        c->host_status == PVSCSI_HOST_DATA_UNDERRUN || c->host_status == PVSCSI_HOST_DATARUN;
    cmd->residual = short_transfer && c->data_len ? (uint32_t)(cmd->cdb.data_len - c->data_len) : 0;
    finish(q, s);
    return true;
}

int pvscsi_queue_poll(struct pvscsi_queue *q)
{
    if (q->broken)
        return -1;
    int n = 0;
    for (;;) {
        uint32_t prod = q->state->cmp_prod;
        uint32_t ready = prod - q->cmp_cons;
        if (ready == 0)
            return n;
        if (ready > q->cmp_entries || ready > q->in_flight) {
            broken(q,
                   "completion producer index %llu is %llu entries ahead of the consumer (ring of "
                   "%llu, fewer in flight)",
                   prod, ready, q->cmp_entries);
            return -1;
        }
        ring_barrier(); /* the index before the entries it covers */
        while (ready--) {
            /* A done() may have found the device broken (a resubmission
             * refused): the rest of the batch is not looked at. */
            if (q->broken)
                return -1;
            volatile struct pvscsi_cmp_desc *e = &q->cmp[q->cmp_cons & (q->cmp_entries - 1)];
            struct pvscsi_cmp_desc c = {.context = e->context,
                                        .data_len = e->data_len,
                                        .sense_len = e->sense_len,
                                        .host_status = e->host_status,
                                        .scsi_status = e->scsi_status};
            q->cmp_cons++;
            q->state->cmp_cons = q->cmp_cons;
            if (!accept(q, &c))
                return -1;
            n++;
        }
    }
}

void pvscsi_queue_fail_all(struct pvscsi_queue *q)
{
    for (unsigned i = 0; i < q->nslots; i++) {
        struct pvscsi_slot *s = &q->slots[i];
        if (!s->in_use)
            continue;
        s->host_status = PVSCSI_HOST_DRIVER_FAILED;
        finish(q, s);
    }
}

int pvscsi_queue_take_msg(struct pvscsi_queue *q, struct pvscsi_msg_desc *out)
{
    if (q->broken)
        return -1;
    if (q->msg == NULL)
        return 0;
    uint32_t prod = q->state->msg_prod;
    uint32_t ready = prod - q->msg_cons;
    if (ready == 0)
        return 0;
    if (ready > q->msg_entries) {
        broken(q,
               "message producer index %llu is %llu entries ahead of the consumer (ring of %llu)",
               prod, ready, q->msg_entries);
        return -1;
    }
    ring_barrier();
    volatile struct pvscsi_msg_desc *m = &q->msg[q->msg_cons & (q->msg_entries - 1)];
    out->type = m->type;
    out->bus = m->bus;
    out->target = m->target;
    for (unsigned k = 0; k < 8; k++)
        out->lun[k] = m->lun[k];
    q->msg_cons++;
    q->state->msg_cons = q->msg_cons;
    return 1;
}

const char *pvscsi_host_status_name(uint16_t host_status)
{
    switch (host_status) {
    case PVSCSI_HOST_SUCCESS:
        return "success";
    case PVSCSI_HOST_LINKED_COMMAND_COMPLETED:
    case PVSCSI_HOST_LINKED_COMMAND_COMPLETED_WITH_FLAG:
        return "linked command completed";
    case PVSCSI_HOST_DATA_UNDERRUN:
        return "data underrun";
    case PVSCSI_HOST_SELTIMEO:
        return "selection timeout (no such target)";
    case PVSCSI_HOST_DATARUN:
        return "data overrun or underrun";
    case PVSCSI_HOST_BUSFREE:
        return "unexpected bus free";
    case PVSCSI_HOST_INVPHASE:
        return "invalid bus phase";
    case PVSCSI_HOST_LUNMISMATCH:
        return "LUN mismatch";
    case PVSCSI_HOST_SENSFAILED:
        return "sense data could not be fetched";
    case PVSCSI_HOST_TAGREJECT:
        return "tag rejected";
    case PVSCSI_HOST_BADMSG:
        return "bad message (direction does not match the command)";
    case PVSCSI_HOST_HAHARDWARE:
        return "host adapter hardware error";
    case PVSCSI_HOST_NORESPONSE:
        return "no response";
    case PVSCSI_HOST_SENTRST:
    case PVSCSI_HOST_RECVRST:
    case PVSCSI_HOST_BUSRESET:
        return "bus reset";
    case PVSCSI_HOST_DISCONNECT:
        return "disconnected";
    case PVSCSI_HOST_ABORTQUEUE:
        return "aborted";
    case PVSCSI_HOST_HASOFTWARE:
        return "host adapter software error";
    case PVSCSI_HOST_HATIMEOUT:
        return "host adapter timeout";
    case PVSCSI_HOST_SCSIPARITY:
        return "SCSI parity error";
    case PVSCSI_HOST_DRIVER_FAILED:
        return "failed by the driver (adapter reset or disabled)";
    default:
        return "undefined host status";
    }
}
