/* A VMBus channel's life: GPADL, open, packets, close (bus/vmbus/vmbus.h).
 *
 * Sources: Linux include/linux/hyperv.h and drivers/hv/channel.c for the
 * sequence (GPADL_HEADER and BODY messages, GPADL_CREATED; OPENCHANNEL with
 * the ring GPADL and the downstream ring's page offset, OPENCHANNEL_RESULT;
 * CLOSECHANNEL, GPADL_TEARDOWN, GPADL_TORNDOWN), openvmm's vmbus_server
 * channels.rs for what a host refuses. Guest-to-host signals are
 * HvSignalEvent on the offer's connection id (Win8 and later). GPADL ids are
 * the guest's choice; like Linux, they count up from 0xE1E10. */
#include <stdarg.h>
#include <string.h>

#include "bus/vmbus/vmbus.h"
#include "bus/vmbus/vmbus_send.h"
#include "core/dma.h"
#include "core/log.h"
#include "hv/hyperv/hypercall_abi.h"
#include "hv/hyperv/hyperv.h"
#include "klib/format.h"

#define PAGE 4096u
#define FIRST_GPADL 0xE1E10u
#define REPLY_TIMEOUT_MS 5000u

static uint32_t next_gpadl = FIRST_GPADL;

/* The host signalled the channel (vmbus_conn.c queued this). */
static void channel_event(struct work *w)
{
    struct vmbus_dev *vd = container_of(w, struct vmbus_dev, work);
    if (vd->state == VMBUS_CH_OPEN && vd->on_event != NULL)
        vd->on_event(vd);
}

void vmbus_fail(struct vmbus_dev *vd, const char *fmt, ...)
{
    char why[96];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bool was_open = vd->state == VMBUS_CH_OPEN;
    vd->state = VMBUS_CH_BROKEN;
    if (vd->added)
        device_disable(&vd->dev, "%s", why);
    else
        kprintf("vmbus relid %u: %s\n", (unsigned)vd->offer.child_relid, why);
    if (was_open || vd->gpadl_live)
        vmbus_close(vd);
}

void vmbus_channel_reply(const struct vmbus_host_msg *m)
{
    uint32_t id;
    struct vmbus_dev *vd;
    switch (m->type) {
    case VMBUS_GPADL_CREATED:
        vd = vmbus_channel_by_relid(m->u.gpadl_created.relid);
        id = m->u.gpadl_created.gpadl;
        break;
    case VMBUS_OPENCHANNEL_RESULT:
        vd = vmbus_channel_by_relid(m->u.open_result.relid);
        id = m->u.open_result.openid;
        break;
    case VMBUS_GPADL_TORNDOWN:
        vd = vmbus_channel_by_gpadl(m->u.gpadl);
        id = m->u.gpadl;
        break;
    default:
        return;
    }
    if (vd == NULL) {
        kprintf("vmbus: host message type %u for no channel of ours (id %#x) ignored\n",
                (unsigned)m->type, (unsigned)id);
        return;
    }
    if (vd->reply.want != m->type || vd->reply.id != id || vd->reply.done) {
        /* Not what the channel waits for: the host is confused about it.
         * A waiter gives up at once; the channel is closed by vmbus_settle
         * (taking messages never waits). */
        kprintf("vmbus relid %u: unexpected message type %u (id %#x)\n",
                (unsigned)vd->offer.child_relid, (unsigned)m->type, (unsigned)id);
        if (vd->reply.want != 0 && !vd->reply.done) {
            vd->state = VMBUS_CH_BROKEN;
            vd->reply.refused = true; /* the waiter returns now, not at its timeout */
            vd->reply.done = true;
        }
        vd->violation = "a reply to no request of this channel";
        return;
    }
    vd->reply.status = m->type == VMBUS_GPADL_CREATED        ? m->u.gpadl_created.status
                       : m->type == VMBUS_OPENCHANNEL_RESULT ? m->u.open_result.status
                                                             : 0;
    vd->reply.done = true;
}

/* A request's reply is armed before the request is posted: the host may
 * answer while a post is retried. */
static void arm(struct vmbus_dev *vd, enum vmbus_msgtype want, uint32_t id)
{
    vd->reply.want = want;
    vd->reply.id = id;
    vd->reply.done = false;
    vd->reply.refused = false;
}

/* Waits for the armed reply: its status, or -1 (none came, or, while
 * opening, the host broke the channel meanwhile). */
static int wait_reply(struct vmbus_dev *vd, uint32_t *status)
{
    bool opening = vd->state == VMBUS_CH_CLOSED;
    bool ok = vmbus_wait_flag(&vd->reply.done, REPLY_TIMEOUT_MS);
    vd->reply.want = 0;
    if (!ok || vd->reply.refused || (opening && vd->state == VMBUS_CH_BROKEN))
        return -1;
    *status = vd->reply.status;
    return 0;
}

/* GPADL_HEADER, the BODY messages and GPADL_CREATED for one range of
 * npages pages from gpa: the ring GPADL and the drivers' buffer GPADLs.
 * *live is set once the host may hold the GPADL (so a failure after that
 * still tears it down). 0, or -1 with a log line. */
static int gpadl_create(struct vmbus_dev *vd, uint64_t gpa, uint32_t npages, uint32_t id,
                        bool *live)
{
    static uint64_t pfns[VMBUS_GPADL_HEADER_PFNS + 64 * VMBUS_GPADL_BODY_PFNS];
    if (npages > sizeof pfns / sizeof pfns[0] || vmbus_gpadl_messages(npages) == 0)
        return -1;
    for (uint32_t i = 0; i < npages; i++)
        pfns[i] = gpa / PAGE + i;
    uint8_t msg[VMBUS_MSG_MAX];
    unsigned parts = vmbus_gpadl_messages(npages);
    arm(vd, VMBUS_GPADL_CREATED, id);
    for (unsigned part = 0; part < parts; part++) {
        size_t len = vmbus_msg_gpadl_part(msg, part, vd->offer.child_relid, id, pfns, npages);
        if (vmbus_post(msg, len) != 0)
            return -1;
    }
    *live = true;
    uint32_t status;
    if (wait_reply(vd, &status) != 0) {
        kprintf("vmbus relid %u: no GPADL_CREATED for GPADL %#x\n", (unsigned)vd->offer.child_relid,
                (unsigned)id);
        return -1;
    }
    if (status != 0) {
        kprintf("vmbus relid %u: the host refused GPADL %#x (status %#x)\n",
                (unsigned)vd->offer.child_relid, (unsigned)id, (unsigned)status);
        *live = false;
        return -1;
    }
    return 0;
}

/* GPADL_TEARDOWN and its GPADL_TORNDOWN: 0, or -1 when the host did not
 * answer (the memory stays the host's). */
static int gpadl_teardown(struct vmbus_dev *vd, uint32_t id)
{
    uint8_t msg[VMBUS_MSG_MAX];
    uint32_t status;
    arm(vd, VMBUS_GPADL_TORNDOWN, id);
    if (vmbus_post(msg, vmbus_msg_gpadl_teardown(msg, vd->offer.child_relid, id)) != 0 ||
        wait_reply(vd, &status) != 0)
        return -1;
    return 0;
}

static int establish_gpadl(struct vmbus_dev *vd, uint64_t gpa, uint32_t npages)
{
    vd->gpadl = next_gpadl++;
    return gpadl_create(vd, gpa, npages, vd->gpadl, &vd->gpadl_live);
}

int vmbus_open(struct vmbus_dev *vd, uint32_t out_bytes, uint32_t in_bytes,
               void (*on_event)(struct vmbus_dev *vd))
{
    uint32_t relid = vd->offer.child_relid;
    if (vd->state != VMBUS_CH_CLOSED || vd->rescinded || out_bytes % PAGE || in_bytes % PAGE ||
        out_bytes < 2 * PAGE || in_bytes < 2 * PAGE)
        return -1;
    uint64_t gpa;
    uint32_t bytes = out_bytes + in_bytes;
    void *pages = dma_alloc(bytes, PAGE, &gpa);
    if (pages == NULL) {
        kprintf("vmbus relid %u: no memory for %u bytes of rings\n", (unsigned)relid,
                (unsigned)bytes);
        return -1;
    }
    vd->ring_pages = pages;
    vd->ring_bytes = bytes;
    if (vmbus_ring_init(&vd->out, pages, out_bytes, true) != 0 ||
        vmbus_ring_init(&vd->in, (uint8_t *)pages + out_bytes, in_bytes, false) != 0 ||
        establish_gpadl(vd, gpa, bytes / PAGE) != 0) {
        vmbus_close(vd);
        return -1;
    }
    vd->on_event = on_event;
    vd->work.fn = channel_event;
    uint8_t msg[VMBUS_MSG_MAX];
    /* openid: the relid again (any value the host echoes); target VP 0,
     * the boot CPU whose SynIC takes the signals. */
    size_t len = vmbus_msg_open_channel(msg, relid, relid, vd->gpadl, 0, out_bytes / PAGE);
    arm(vd, VMBUS_OPENCHANNEL_RESULT, relid);
    uint32_t status;
    vd->open_sent = true;
    if (vmbus_post(msg, len) != 0 || wait_reply(vd, &status) != 0) {
        kprintf("vmbus relid %u: no OPENCHANNEL_RESULT\n", (unsigned)relid);
        vmbus_close(vd);
        return -1;
    }
    if (status != 0) {
        kprintf("vmbus relid %u: the host refused to open the channel (status %#x)\n",
                (unsigned)relid, (unsigned)status);
        vmbus_close(vd);
        return -1;
    }
    vd->state = VMBUS_CH_OPEN;
    return 0;
}

void vmbus_close(struct vmbus_dev *vd)
{
    uint8_t msg[VMBUS_MSG_MAX];
    uint32_t relid = vd->offer.child_relid;
    /* A host refuses CLOSECHANNEL for a channel it never opened (openvmm's
     * channels.rs): only after OPENCHANNEL. */
    if (vd->open_sent)
        vmbus_post(msg, vmbus_msg_close_channel(msg, relid));
    vd->open_sent = false;
    if (vd->state == VMBUS_CH_OPEN)
        vd->state = VMBUS_CH_CLOSED;
    work_cancel(&vd->work);
    vd->on_event = NULL;
    /* The buffers' GPADLs: the host no longer uses them once closed. */
    for (unsigned i = 0; i < VMBUS_BUFFER_GPADLS; i++) {
        struct vmbus_buffer_gpadl *b = &vd->buffer_gpadl[i];
        if (b->live && gpadl_teardown(vd, b->id) != 0) {
            kprintf("vmbus relid %u: buffer GPADL %#x not torn down; it is left to the host\n",
                    (unsigned)relid, (unsigned)b->id);
            b->kept = true;
        }
        b->live = false;
    }
    if (vd->gpadl_live) {
        if (gpadl_teardown(vd, vd->gpadl) != 0) {
            /* The host may still write into the rings: they stay its. */
            kprintf("vmbus relid %u: GPADL %#x not torn down; its %u bytes are left to the host\n",
                    (unsigned)relid, (unsigned)vd->gpadl, (unsigned)vd->ring_bytes);
            vd->gpadl_live = false;
            vd->ring_pages = NULL;
            return;
        }
        vd->gpadl_live = false;
    }
    if (vd->ring_pages != NULL)
        dma_free(vd->ring_pages, vd->ring_bytes);
    vd->ring_pages = NULL;
}

int vmbus_send_parts(struct vmbus_dev *vd, const struct vmbus_sg *parts, unsigned nparts)
{
    if (vd->state != VMBUS_CH_OPEN)
        return -1;
    bool signal;
    const char *why;
    switch (vmbus_ring_write(&vd->out, parts, nparts, &signal, &why)) {
    case VMBUS_RING_OK:
        break;
    case VMBUS_RING_FULL:
        return 1;
    case VMBUS_RING_BROKEN:
        vmbus_fail(vd, "outbound ring: %s", why);
        return -1;
    default: {
        size_t bytes = 0;
        for (unsigned i = 0; i < nparts; i++)
            bytes += parts[i].len;
        kprintf("vmbus relid %u: a packet of %u bytes never fits its ring\n",
                (unsigned)vd->offer.child_relid, (unsigned)bytes);
        return -1;
    }
    }
    if (signal) {
        uint16_t st = hyperv_signal_event(vd->offer.connection_id, 0);
        if (st != HV_STATUS_SUCCESS)
            vmbus_fail(vd, "signalling the host failed: %s", hv_status_name(st));
    }
    return 0;
}

int vmbus_send(struct vmbus_dev *vd, uint16_t type, const void *payload, size_t len,
               uint64_t transaction_id, bool completion_requested)
{
    uint8_t desc[VMBUS_PKT_DESC_BYTES];
    vmbus_pkt_desc(desc, type, len, transaction_id, completion_requested);
    struct vmbus_sg parts[2] = {{desc, sizeof desc}, {payload, len}};
    return vmbus_send_parts(vd, parts, 2);
}

int vmbus_recv(struct vmbus_dev *vd, void *buf, size_t len, struct vmbus_pkt *pkt)
{
    if (vd->state != VMBUS_CH_OPEN)
        return -1;
    bool signal;
    const char *why;
    switch (vmbus_ring_read(&vd->in, buf, len, pkt, &signal, &why)) {
    case VMBUS_RING_OK:
        if (signal)
            hyperv_signal_event(vd->offer.connection_id, 0);
        return 1;
    case VMBUS_RING_EMPTY:
        return 0;
    case VMBUS_RING_TOO_BIG:
        vmbus_fail(vd, "inbound packet larger than the driver's %u bytes", (unsigned)len);
        return -1;
    default:
        vmbus_fail(vd, "inbound ring: %s", why);
        return -1;
    }
}

int vmbus_gpadl_create(struct vmbus_dev *vd, uint64_t gpa, uint32_t bytes, uint32_t *id)
{
    struct vmbus_buffer_gpadl *slot = NULL;
    for (unsigned i = 0; i < VMBUS_BUFFER_GPADLS && slot == NULL; i++)
        if (!vd->buffer_gpadl[i].live && !vd->buffer_gpadl[i].kept)
            slot = &vd->buffer_gpadl[i];
    if (vd->state != VMBUS_CH_OPEN || slot == NULL || bytes == 0 || bytes % PAGE != 0 ||
        gpa % PAGE != 0) {
        kprintf("vmbus relid %u: no GPADL for %u bytes at %#llx (%s)\n",
                (unsigned)vd->offer.child_relid, (unsigned)bytes, (unsigned long long)gpa,
                vd->state != VMBUS_CH_OPEN ? "channel not open"
                : slot == NULL             ? "every buffer GPADL in use"
                                           : "not whole pages");
        return -1;
    }
    slot->id = next_gpadl++;
    if (gpadl_create(vd, gpa, bytes / PAGE, slot->id, &slot->live) != 0)
        return -1;
    *id = slot->id;
    return 0;
}

int vmbus_gpadl_destroy(struct vmbus_dev *vd, uint32_t id)
{
    for (unsigned i = 0; i < VMBUS_BUFFER_GPADLS; i++) {
        struct vmbus_buffer_gpadl *b = &vd->buffer_gpadl[i];
        if (b->id != id)
            continue;
        if (b->kept)
            return -1;
        if (b->live && gpadl_teardown(vd, id) != 0) {
            kprintf("vmbus relid %u: buffer GPADL %#x not torn down; it is left to the host\n",
                    (unsigned)vd->offer.child_relid, (unsigned)id);
            b->live = false;
            b->kept = true;
            return -1;
        }
        b->live = false;
        b->id = 0;
        return 0;
    }
    return 0; /* torn down already (vmbus_close), or never made */
}
