/* The VMBus host's channel messages and ring traffic: OPENCHANNEL and its
 * result, CLOSECHANNEL, RELID_RELEASED, rescinds, and the packets of open
 * channels in both directions (server.h has the rules). */
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/server_internal.h"
#include "hostsim/vmbus/wire.h"

#define PAGE 4096u
#define MAX_PACKETS_PER_SIGNAL 1024 /* a budget: a guest cannot keep the host busy */

void vmbus_srv_open_channel(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < VMBUS_OPENCHANNEL_SIZE) {
        vmbus_host_violation(h, "OPENCHANNEL of %zu bytes: expected %d", n, VMBUS_OPENCHANNEL_SIZE);
        return;
    }
    uint32_t relid = vmbus_srv_get32(b + OPEN_RELID), openid = vmbus_srv_get32(b + OPEN_OPENID);
    uint32_t id = vmbus_srv_get32(b + OPEN_GPADL), vp = vmbus_srv_get32(b + OPEN_TARGET_VP);
    uint32_t down = vmbus_srv_get32(b + OPEN_DOWNSTREAM_PAGE);
    struct vmbus_host_channel *ch = vmbus_srv_named(h, "OPENCHANNEL", relid);
    if (ch == NULL)
        return;
    if (ch->state != VMBUS_CH_OFFERED || ch->open) {
        vmbus_host_violation(h,
                             "OPENCHANNEL for relid %u, which is %s: expected a closed "
                             "channel",
                             relid, ch->open ? "open" : "rescinded");
        return;
    }
    struct vmbus_host_gpadl *g = vmbus_srv_find_gpadl(h, id);
    if (g == NULL || !g->complete || g->relid != relid) {
        vmbus_host_violation(h,
                             "OPENCHANNEL for relid %u with ring GPADL %u: expected a "
                             "created GPADL of that channel",
                             relid, id);
        return;
    }
    if (g->first_offset != 0 || g->rangecount != 1 || g->first_bytes != g->npfn * PAGE) {
        vmbus_host_violation(h,
                             "OPENCHANNEL for relid %u: ring GPADL %u has %u ranges, offset "
                             "%u, %u bytes: expected one range of whole pages",
                             relid, id, g->rangecount, g->first_offset, g->first_bytes);
        return;
    }
    if (down < 2 || down + 2 > g->npfn) {
        vmbus_host_violation(h,
                             "OPENCHANNEL for relid %u: the host-to-guest ring starts at "
                             "page %u of %u: expected each ring to have a control and a data "
                             "page",
                             relid, down, g->npfn);
        return;
    }
    if (vp >= h->nvps && vp != OPEN_NO_INTERRUPTS) {
        vmbus_host_violation(h,
                             "OPENCHANNEL for relid %u targets VP %u: expected below %u "
                             "or 0xFFFFFFFF (no interrupts)",
                             relid, vp, h->nvps);
        return;
    }
    char err[256];
    if (vmbus_host_ring_init(&ch->in, h->mem, g->pfn, down, false, err, sizeof err) != 0 ||
        vmbus_host_ring_init(&ch->out, h->mem, g->pfn + down, g->npfn - down, true, err,
                             sizeof err) != 0) {
        vmbus_host_violation(h, "OPENCHANNEL for relid %u: %s", relid, err);
        return;
    }
    ch->open = true;
    ch->state = VMBUS_CH_OPEN;
    ch->openid = openid;
    ch->gpadl = id;
    ch->ring_gpadl = g;
    ch->target_vp = vp;
    uint32_t w[3] = {relid, openid, VMBUS_STATUS_OK};
    if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_RESCIND_OPEN,
                                "RESCIND_CHANNELOFFER between OPENCHANNEL and its result")) {
        ch->state = VMBUS_CH_RESCINDED;
        uint32_t r[1] = {relid};
        vmbus_srv_send_words(h, VMBUS_MSG_RESCIND_CHANNELOFFER, r, 1);
    }
    vmbus_srv_send_words(h, VMBUS_MSG_OPENCHANNEL_RESULT, w, 3);
    if (ch->service->opened != NULL && !h->broken)
        ch->service->opened(ch);
}

void vmbus_srv_close_message(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < 4) {
        vmbus_host_violation(h, "CLOSECHANNEL of %zu bytes: expected 4", n);
        return;
    }
    struct vmbus_host_channel *ch = vmbus_srv_named(h, "CLOSECHANNEL", vmbus_srv_get32(b));
    if (ch == NULL)
        return;
    if (!ch->open) {
        vmbus_host_violation(h,
                             "CLOSECHANNEL for relid %u, which is not open: expected an "
                             "open channel",
                             ch->relid);
        return;
    }
    vmbus_srv_close_channel(ch);
    if (ch->state == VMBUS_CH_OPEN)
        ch->state = VMBUS_CH_OFFERED;
}

void vmbus_srv_relid_released(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < 4) {
        vmbus_host_violation(h, "RELID_RELEASED of %zu bytes: expected 4", n);
        return;
    }
    struct vmbus_host_channel *ch = vmbus_srv_named(h, "RELID_RELEASED", vmbus_srv_get32(b));
    if (ch == NULL)
        return;
    if (ch->state != VMBUS_CH_RESCINDED || ch->open) {
        vmbus_host_violation(h,
                             "RELID_RELEASED for relid %u, which is %s: expected a "
                             "rescinded, closed channel",
                             ch->relid, ch->open ? "open" : "not rescinded");
        return;
    }
    ch->state = VMBUS_CH_RELEASED;
}

/* Interrupts the guest for ch, unless it opened the channel to poll it. */
static void signal_guest(struct vmbus_host *h, const struct vmbus_host_channel *ch)
{
    if (ch->target_vp != OPEN_NO_INTERRUPTS)
        h->hooks.signal(h->hooks.ctx, ch->target_vp, h->sint, ch->relid);
}

void vmbus_host_channel_signalled(struct vmbus_host *h, uint32_t relid)
{
    struct vmbus_host_channel *ch = vmbus_srv_channel(h, relid);
    if (h->broken || ch == NULL || !ch->open)
        return; /* a late signal of a closed channel carries nothing */
    for (unsigned i = 0; i < MAX_PACKETS_PER_SIGNAL && ch->open && !h->broken; i++) {
        struct vmbus_host_packet p;
        bool signal = false;
        char err[256];
        enum vmbus_ring_result r = vmbus_host_ring_read(&ch->in, &p, h->packet, sizeof h->packet,
                                                        &signal, err, sizeof err);
        if (r == VMBUS_RING_BROKEN) {
            vmbus_host_violation(h, "relid %u (%s) guest-to-host ring: %s", relid,
                                 ch->service->name, err);
            return;
        }
        if (r == VMBUS_RING_EMPTY)
            return;
        if (signal)
            signal_guest(h, ch);
        ch->service->packet(ch, &p);
    }
}

int vmbus_host_rescind(struct vmbus_host *h, uint32_t relid)
{
    struct vmbus_host_channel *ch = vmbus_srv_channel(h, relid);
    if (ch == NULL || h->broken || !h->offers_sent ||
        (ch->state != VMBUS_CH_OFFERED && ch->state != VMBUS_CH_OPEN))
        return -1;
    ch->state = VMBUS_CH_RESCINDED;
    uint32_t w[1] = {relid};
    vmbus_srv_send_words(h, VMBUS_MSG_RESCIND_CHANNELOFFER, w, 1);
    return 0;
}

int vmbus_host_channel_send(struct vmbus_host_channel *ch, uint16_t type, uint16_t flags,
                            uint64_t transaction_id, const void *payload, size_t len)
{
    struct vmbus_host *h = ch->host;
    if (!ch->open || h->broken)
        return -1;
    bool signal = false;
    char err[256];
    if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_RING_INDEX,
                                "a host-to-guest packet published with write index past the ring"))
        ch->out.corrupt_next = 1;
    if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_PACKET_LEN,
                                "a host-to-guest packet whose len8 claims the whole ring"))
        ch->out.corrupt_next = 2;
    enum vmbus_ring_result r = vmbus_host_ring_write(&ch->out, type, flags, transaction_id, payload,
                                                     len, &signal, err, sizeof err);
    if (r == VMBUS_RING_BROKEN) {
        vmbus_host_violation(h, "relid %u (%s) host-to-guest ring: %s", ch->relid,
                             ch->service->name, err);
        return -1;
    }
    if (r == VMBUS_RING_FULL)
        return -1;
    if (signal)
        signal_guest(h, ch);
    return 0;
}

int vmbus_host_channel_send_xfer(struct vmbus_host_channel *ch, uint64_t transaction_id,
                                 const void *hdr, size_t hlen, const void *payload, size_t len)
{
    struct vmbus_host *h = ch->host;
    if (!ch->open || h->broken)
        return -1;
    bool signal = false;
    char err[256];
    enum vmbus_ring_result r = vmbus_host_ring_write_hdr(
        &ch->out, VMBUS_PACKET_DATA_XFER_PAGES, VMBUS_PACKET_FLAG_COMPLETION, transaction_id, hdr,
        hlen, payload, len, &signal, err, sizeof err);
    if (r == VMBUS_RING_BROKEN) {
        vmbus_host_violation(h, "relid %u (%s) host-to-guest ring: %s", ch->relid,
                             ch->service->name, err);
        return -1;
    }
    if (r == VMBUS_RING_FULL)
        return -1;
    if (signal)
        signal_guest(h, ch);
    return 0;
}
