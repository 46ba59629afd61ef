/* netvsc's channel traffic (drivers/netvsc/netvsc.h): the host's packets
 * and the guest's transmissions.
 *
 * From the host (Linux drivers/net/hyperv/netvsc.c netvsc_receive,
 * netvsc_send_completion; openvmm netvsp lib.rs): completions (type 0xB)
 * of the guest's NVSP requests and of its send sections, transfer-page
 * packets (type 7) naming receive-buffer sections that each hold one
 * RNDIS message - frames on the data channel, completions and status
 * indications on the control channel - and in-band NVSP messages the
 * driver does not use (VF association, indirection table: dropped and
 * counted). Every transfer-page packet is completed with its transaction
 * id and NVSP 108; the completions of one drain go out together, after
 * it. A transaction id the guest never issued, a section outside the
 * receive buffer or an RNDIS length outside its section is a protocol
 * violation: the channel is closed, the kernel goes on.
 *
 * To the host: each frame (or RNDIS control message) is copied into one
 * send-buffer section and announced by an in-band NVSP 107 with
 * completion requested; the section is free again at its completion. */
#include <string.h>

#include "core/log.h"
#include "core/unaligned.h"
#include "drivers/netvsc/netvsc.h"
#include "drivers/netvsc/rndis.h"
#include "net/inet_csum.h"

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_IPV6 0x86DD
#define TCP_CSUM_OFFSET 16
#define UDP_CSUM_OFFSET 6

static bool section_busy(const struct netvsc *n, uint32_t s)
{
    return (n->tx_busy[s / 64] >> (s % 64)) & 1;
}

static void flush_completions(struct netvsc *n)
{
    uint8_t msg[NVSP_MSG_SIZE];
    size_t len = nvsp_rndis_complete(msg, NVSP_STATUS_SUCCESS);
    unsigned sent = 0;
    while (sent < n->ndone && !n->broken) {
        int r = vmbus_send(n->vd, VMBUS_PKT_COMP, msg, len, n->done_tid[sent], false);
        if (r != 0)
            break; /* ring full: the rest go with the next event */
        sent++;
    }
    memmove(n->done_tid, n->done_tid + sent, (n->ndone - sent) * sizeof n->done_tid[0]);
    n->ndone -= sent;
}

static void take_completion(struct netvsc *n, const struct vmbus_pkt *pkt)
{
    const uint8_t *p = n->pkt + pkt->offset;
    size_t len = pkt->len - pkt->offset;
    uint64_t tid = pkt->transaction_id;
    if ((tid >> 48) == NETVSC_TID_SEND >> 48) {
        uint32_t s = (uint32_t)(tid & 0xFFFF);
        if (s >= n->tx_nsections || !section_busy(n, s) ||
            tid != NETVSC_TID_SEND_ID(n->tx_seq[s], s)) {
            netvsc_fail(n, "a send completion for section %u (id %#llx), which is not in flight",
                        (unsigned)s, (unsigned long long)tid);
            return;
        }
        if (len < 8 || rd32(p) != NVSP_SEND_RNDIS_PKT_COMPLETE) {
            netvsc_fail(n, "a send completion that is not NVSP type 108");
            return;
        }
        if (rd32(p + 4) != NVSP_STATUS_SUCCESS)
            n->nd.stats.tx_errors++;
        n->tx_busy[s / 64] &= ~(1ull << (s % 64));
        return;
    }
    if (!n->nvsp.waiting || n->nvsp.done || tid != (NETVSC_TID_REQUEST | n->nvsp.want)) {
        netvsc_fail(n, "a completion with transaction id %#llx, which no request carried",
                    (unsigned long long)tid);
        return;
    }
    n->nvsp.len = len < sizeof n->nvsp.msg ? len : sizeof n->nvsp.msg;
    memcpy(n->nvsp.msg, p, n->nvsp.len);
    n->nvsp.done = true;
}

static void take_control(struct netvsc *n, const uint8_t *msg, uint32_t len)
{
    struct rndis_reply r;
    const char *why;
    if (rndis_parse_control(msg, len, &r, &why) != 0) {
        netvsc_fail(n, "%s", why);
        return;
    }
    if (r.type == RNDIS_INDICATE_STATUS_MSG) {
        if (r.status == RNDIS_STATUS_MEDIA_CONNECT || r.status == RNDIS_STATUS_MEDIA_DISCONNECT) {
            bool up = r.status == RNDIS_STATUS_MEDIA_CONNECT;
            if (n->registered)
                netdev_set_link(&n->nd, up);
            else
                n->nd.link_up = up;
        }
        return; /* other indications (link speed, offload) change nothing here */
    }
    if (!n->rndis.waiting || n->rndis.done || r.type != n->rndis.type ||
        r.req_id != n->rndis.req_id) {
        netvsc_fail(n, "an RNDIS completion (type %#x, request id %u) for no request of ours",
                    (unsigned)r.type, (unsigned)r.req_id);
        return;
    }
    n->rndis.status = r.status;
    n->rndis.info_len = r.info_len < sizeof n->rndis.info ? r.info_len : sizeof n->rndis.info;
    if (r.info != NULL)
        memcpy(n->rndis.info, r.info, n->rndis.info_len);
    n->rndis.done = true;
}

static void take_frame(struct netvsc *n, const uint8_t *msg, uint32_t len)
{
    struct rndis_packet p;
    const char *why;
    if (rndis_parse_packet(msg, len, &p, &why) != 0) {
        netvsc_fail(n, "%s", why);
        return;
    }
    /* The host's checksum verdicts are counted; the stack checks again
     * (netdev has no per-frame "verified"). */
    if (p.has_csum && (p.csum & RNDIS_RX_CSUM_FAILED))
        n->rx_csum_bad++;
    else if (p.has_csum && (p.csum & RNDIS_RX_CSUM_OK))
        n->rx_csum_ok++;
    netdev_deliver(&n->nd, p.frame, p.frame_len);
}

static void take_transfer(struct netvsc *n, const struct vmbus_pkt *pkt)
{
    struct nvsp_xfer x;
    const char *why;
    if (nvsp_parse_xfer(n->pkt, pkt->len, pkt->offset, n->rx_end, &x, &why) != 0) {
        netvsc_fail(n, "%s", why);
        return;
    }
    for (uint32_t i = 0; i < x.count && !n->broken; i++) {
        uint32_t off, count;
        nvsp_xfer_range(&x, i, &off, &count);
        if (x.channel == NVSP_CHANNEL_CONTROL)
            take_control(n, n->rxbuf + off, count);
        else
            take_frame(n, n->rxbuf + off, count);
    }
    if (n->broken)
        return;
    if (n->ndone == NETVSC_DONE_BATCH)
        flush_completions(n);
    if (n->ndone == NETVSC_DONE_BATCH) {
        /* The ring stays full: the host sends nothing before it drains. */
        netvsc_fail(n, "the host does not take receive completions");
        return;
    }
    n->done_tid[n->ndone++] = pkt->transaction_id;
}

void netvsc_event(struct vmbus_dev *vd)
{
    struct netvsc *n = vd->priv;
    struct vmbus_pkt pkt;
    int r;
    while (!n->broken && (r = vmbus_recv(vd, n->pkt, sizeof n->pkt, &pkt)) != 0) {
        if (r < 0) {
            netvsc_fail(n, "the channel broke");
            return;
        }
        if (pkt.type == VMBUS_PKT_COMP)
            take_completion(n, &pkt);
        else if (pkt.type == VMBUS_PKT_DATA_USING_XFER_PAGES)
            take_transfer(n, &pkt);
        else if (pkt.type == VMBUS_PKT_DATA_INBAND)
            n->rx_unsolicited++; /* VF association, indirection table: not used */
        else
            netvsc_fail(n, "a VMBus packet of type %u", (unsigned)pkt.type);
    }
    flush_completions(n);
}

int netvsc_send_section(struct netvsc *n, uint32_t channel, const struct netdev_buf *parts,
                        unsigned nparts, size_t total, const struct netdev_tx_offload *soft)
{
    if (n->broken)
        return -1;
    if (total > n->tx_section)
        return -1;
    uint32_t s = 0;
    while (s < n->tx_nsections && section_busy(n, s))
        s++;
    if (s == n->tx_nsections)
        return 1;
    uint8_t *dst = n->txbuf + (size_t)s * n->tx_section;
    for (unsigned i = 0; i < nparts; i++) {
        memcpy(dst, parts[i].data, parts[i].len);
        dst += parts[i].len;
    }
    /* A checksum the host does not take: completed here, in the section
     * (the frame follows the RNDIS header, parts[0]). */
    uint8_t *frame = n->txbuf + (size_t)s * n->tx_section + parts[0].len;
    if (soft != NULL &&
        inet_csum_complete(frame, total - parts[0].len, soft->csum_start, soft->csum_offset) != 0)
        return -1;
    uint8_t msg[NVSP_MSG_SIZE];
    size_t len = nvsp_rndis_pkt(msg, channel, s, (uint32_t)total);
    uint32_t seq = ++n->next_seq;
    int r = vmbus_send(n->vd, VMBUS_PKT_DATA_INBAND, msg, len, NETVSC_TID_SEND_ID(seq, s), true);
    if (r != 0) {
        if (r < 0)
            netvsc_fail(n, "the channel broke while sending");
        return r;
    }
    n->tx_busy[s / 64] |= 1ull << (s % 64);
    n->tx_seq[s] = seq;
    return 0;
}

/* The checksum PPI for a TCP or UDP checksum left to the host: IPv4 or
 * IPv6 by the ethertype, TCP or UDP by where the checksum goes, the
 * transport header's offset (Linux netvsc_drv.c netvsc_xmit). 0 when the
 * host does not take this one (another protocol, no IP). */
static uint32_t csum_info(const struct netdev_buf *bufs, unsigned n,
                          const struct netdev_tx_offload *off)
{
    if (n == 0 || bufs[0].len < 14 || off->csum_start > 0x3FF ||
        (off->csum_offset != TCP_CSUM_OFFSET && off->csum_offset != UDP_CSUM_OFFSET))
        return 0;
    const uint8_t *f = bufs[0].data;
    uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
    uint32_t ip = type == ETH_TYPE_IPV4   ? RNDIS_TX_CSUM_IPV4
                  : type == ETH_TYPE_IPV6 ? RNDIS_TX_CSUM_IPV6
                                          : 0;
    uint32_t l4 = off->csum_offset == TCP_CSUM_OFFSET ? RNDIS_TX_CSUM_TCP : RNDIS_TX_CSUM_UDP;
    return ip == 0 ? 0 : ip | l4 | (uint32_t)off->csum_start << 16;
}

static int netvsc_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned count,
                           const struct netdev_tx_offload *offload)
{
    struct netvsc *n = nd->priv;
    if (count > 8)
        return -1;
    size_t frame = 0;
    for (unsigned i = 0; i < count; i++)
        frame += bufs[i].len;
    bool csum = offload != NULL && offload->csum;
    uint32_t info = csum && n->tx_csum ? csum_info(bufs, count, offload) : 0;
    uint8_t head[RNDIS_PACKET_HEADER + RNDIS_CSUM_PPI_BYTES];
    struct netdev_buf parts[9] = {{head, rndis_packet_header(head, frame, info)}};
    memcpy(parts + 1, bufs, count * sizeof *bufs);
    int r = netvsc_send_section(n, NVSP_CHANNEL_DATA, parts, count + 1, parts[0].len + frame,
                                csum && info == 0 ? offload : NULL);
    if (r == 0 && info != 0)
        nd->stats.tx_csum_offloaded++;
    return r == 0 ? 0 : -1;
}

const struct netdev_ops netvsc_netdev_ops = {.transmit = netvsc_transmit};
