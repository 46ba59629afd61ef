/* vmxnet3's data path, all of it in the event loop (core/event.h): the
 * interrupt handlers only mask and queue vmx_work. Transmit copies the
 * frame into the buffer that belongs to its descriptor (the netdev class has
 * no transmit-completion callback, so the caller's pieces cannot be held);
 * received frames are delivered from their buffer and the buffer is posted
 * again. Events (link changes, queue errors) come through shared.ecr.
 *
 * Doorbells: TXPROD is written once txNumDeferred reaches the txThreshold
 * the device wrote into the queue descriptor (Linux vmxnet3_tq_xmit; QEMU
 * sets 1). Frames sent while received frames are being handed up (replies)
 * are announced at the latest when that pass ends, and frames sent from
 * anywhere else at once: a threshold never strands a frame. RXPROD is
 * written after reposting when the device asked for it with updateRxProd,
 * and once after activation (QEMU ignores it). */
#include <string.h>

#include "core/log.h"
#include "drivers/vmxnet3/vmxnet3.h"
#include "drivers/vmxnet3/vmxnet3_regs.h"
#include "net/inet_csum.h"

#define ETH_HEADER_BYTES 14
#define ETH_VLAN_BYTES 4
/* EtherTypes (IEEE 802.3), IP header sizes and protocol numbers (RFC 791,
 * RFC 8200, IANA), and where TCP and UDP keep their checksums (RFC 9293,
 * RFC 768). */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define IPV4_HEADER_MIN 20
#define IPV4_FRAGMENT_MASK 0x3FFF /* more-fragments flag and fragment offset */
#define IPV6_HEADER 40
#define IPPROTO_TCP_NUM 6
#define IPPROTO_UDP_NUM 17
#define TCP_CSUM_OFFSET 16
#define UDP_CSUM_OFFSET 6
/* A device that keeps completing frames must not hold the loop: at most
 * this many per ring size in one pass; the rest on the next. */
#define RX_BUDGET_PER_ENTRY 2

static uint8_t *tx_buf(struct vmx *v, unsigned i)
{
    return v->tx_bufs + (size_t)i * VMX_BUF_BYTES;
}

static uint8_t *rx_buf(struct vmx *v, unsigned i)
{
    return v->rx_bufs + (size_t)i * VMX_BUF_BYTES;
}

static volatile uint32_t *qdesc32(struct vmx *v, size_t off)
{
    return (volatile uint32_t *)(v->qdesc + off);
}

/* ---- transmit ---- */

static void tx_reap(struct vmx *v)
{
    unsigned index;
    int r;
    while (!v->broken && (r = vmx_tx_reap(&v->tx, &index)) != 0) {
        if (r < 0) {
            vmx_fail(v, "transmit completion ring: %s", v->tx.error);
            return;
        }
    }
}

bool vmx_tx_idle(struct vmx *v)
{
    tx_reap(v);
    return v->tx.in_flight == 0 || v->broken;
}

void vmx_tx_kick(struct vmx *v)
{
    if (v->tx_deferred == 0 || v->broken || !v->active)
        return;
    *qdesc32(v, VMXNET3_TQ_NUM_DEFERRED) = 0;
    v->tx_deferred = 0;
    vmx_write(v, VMXNET3_BAR0, VMXNET3_REG_TXPROD, v->tx.fill);
}

/* Whether the checksum asked for (the netdev class's: any protocol, from
 * start to the end, stored at start + offset) is one the device inserts:
 * TCP's or UDP's, right behind an IPv4 header (not a fragment) or a plain
 * IPv6 header, no further in than VMXNET3_MAX_CSUM_OFFSET. QEMU's model
 * finds the L4 header itself and fills only TCP and UDP checksums
 * (vmxnet3_setup_tx_offloads, net_tx_pkt_build_vheader), so anything else
 * (ICMP) is completed here; the frame was checked to hold the field. */
static bool device_inserts(const uint8_t *f, size_t len, size_t start, size_t offset)
{
    size_t l3 = ETH_HEADER_BYTES, l4;
    unsigned type = net_get16(f + 12), proto;
    if (type == ETHERTYPE_VLAN && len >= l3 + ETH_VLAN_BYTES) {
        type = net_get16(f + 16);
        l3 += ETH_VLAN_BYTES;
    }
    if (type == ETHERTYPE_IPV4 && len >= l3 + IPV4_HEADER_MIN) {
        if (f[l3] >> 4 != 4 || (net_get16(f + l3 + 6) & IPV4_FRAGMENT_MASK) != 0)
            return false;
        l4 = l3 + (size_t)(f[l3] & 0xF) * 4;
        proto = f[l3 + 9];
    } else if (type == ETHERTYPE_IPV6 && len >= l3 + IPV6_HEADER) {
        l4 = l3 + IPV6_HEADER;
        proto = f[l3 + 6];
    } else {
        return false;
    }
    if (start != l4 || start + offset > VMXNET3_MAX_CSUM_OFFSET)
        return false;
    return (proto == IPPROTO_TCP_NUM && offset == TCP_CSUM_OFFSET) ||
           (proto == IPPROTO_UDP_NUM && offset == UDP_CSUM_OFFSET);
}

static int vmx_transmit(struct netdev *nd, const struct netdev_buf *bufs, unsigned n,
                        const struct netdev_tx_offload *offload)
{
    struct vmx *v = nd->priv;
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (bufs[i].len > VMX_BUF_BYTES)
            return -1;
        total += bufs[i].len;
    }
    if (total < ETH_HEADER_BYTES || total > (size_t)nd->mtu + ETH_HEADER_BYTES + ETH_VLAN_BYTES) {
        vmx_note(v, "transmit refused", "frame shorter than an Ethernet header or above the MTU");
        return -1;
    }
    if (v->broken || !v->active)
        return -1;
    tx_reap(v);
    if (v->broken)
        return -1;
    bool want_csum = offload && offload->csum;
    if (want_csum && (size_t)offload->csum_start + offload->csum_offset + 2 > total) {
        vmx_note(v, "transmit refused", "checksum offset outside the frame");
        return -1;
    }
    /* The buffer of the next descriptor is free once that descriptor is. */
    if (v->tx.in_flight == v->tx.size || v->tx.in_flight == v->tx.comp_size) {
        /* A device that stopped completing ends here: said (a few times)
         * and counted by the class as tx_dropped. */
        vmx_note(v, "transmit refused", "ring full: every descriptor waits for the device");
        return -1;
    }
    unsigned slot = v->tx.fill;
    uint8_t *b = tx_buf(v, slot);
    size_t at = 0;
    for (unsigned i = 0; i < n; i++) {
        memcpy(b + at, bufs[i].data, bufs[i].len);
        at += bufs[i].len;
    }
    struct vmx_tx_csum csum, *cs = NULL;
    if (want_csum) {
        if (device_inserts(b, total, offload->csum_start, offload->csum_offset)) {
            csum = (struct vmx_tx_csum){offload->csum_start,
                                        (uint16_t)(offload->csum_start + offload->csum_offset)};
            cs = &csum;
        } else {
            inet_csum_complete(b, total, offload->csum_start, offload->csum_offset);
        }
    }
    if (vmx_tx_post(&v->tx, v->tx_bufs_pa + (uint64_t)slot * VMX_BUF_BYTES, (uint32_t)total, cs) <
        0)
        return -1;
    if (cs)
        nd->stats.tx_csum_offloaded++;
    /* txNumDeferred is the driver's count; txThreshold the device's wish. */
    v->tx_deferred++;
    *qdesc32(v, VMXNET3_TQ_NUM_DEFERRED) = v->tx_deferred;
    uint32_t threshold = *qdesc32(v, VMXNET3_TQ_THRESHOLD);
    if (v->tx_deferred >= threshold || !v->in_service)
        vmx_tx_kick(v);
    return 0;
}

const struct netdev_ops vmx_netdev_ops = {.transmit = vmx_transmit};

/* ---- receive ---- */

int vmx_rx_fill(struct vmx *v)
{
    while (v->rx.posted < v->rx.size) {
        unsigned i = v->rx.fill;
        if (vmx_rx_post(&v->rx, v->rx_bufs_pa + (uint64_t)i * VMX_BUF_BYTES) < 0)
            return -1;
    }
    return 0;
}

static void rx_process(struct vmx *v)
{
    unsigned budget = RX_BUDGET_PER_ENTRY * v->rx.size;
    bool reposted = false;
    while (!v->broken) {
        if (budget-- == 0) {
            work_queue(&v->work); /* the rest on the loop's next pass */
            break;
        }
        struct vmx_rx_frame f;
        int r = vmx_rx_next(&v->rx, &f);
        if (r < 0) {
            vmx_fail(v, "receive completion ring: %s", v->rx.error);
            return;
        }
        if (r == 0)
            break;
        if (f.error) {
            v->nd.stats.rx_errors++;
            vmx_note(v, "receive frame dropped", f.len ? "the device marked it bad" : "empty");
        } else {
            netdev_deliver(&v->nd, rx_buf(v, f.index), f.len);
        }
        /* Buffer i always sits in descriptor i: completions come in order. */
        if (vmx_rx_post(&v->rx, v->rx_bufs_pa + (uint64_t)f.index * VMX_BUF_BYTES) < 0) {
            v->nd.stats.rx_dropped++;
            vmx_note(v, "receive buffer not reposted", "ring full");
        }
        reposted = true;
    }
    volatile uint8_t *update =
        (volatile uint8_t *)(v->qdesc + VMXNET3_QDESC_BYTES + VMXNET3_RQ_UPDATE_PROD);
    if (reposted && !v->broken && *update)
        vmx_write(v, VMXNET3_BAR0, VMXNET3_REG_RXPROD, v->rx.fill);
}

/* ---- events ---- */

void vmx_update_link(struct vmx *v)
{
    uint32_t link = vmx_command(v, VMXNET3_CMD_GET_LINK);
    bool up = link & VMXNET3_LINK_UP_BIT;
    if (v->registered)
        netdev_set_link(&v->nd, up);
    else
        v->nd.link_up = up;
}

static void queue_error(struct vmx *v, const char *which, size_t qoff)
{
    vmx_command(v, VMXNET3_CMD_GET_QUEUE_STATUS);
    uint32_t err = *qdesc32(v, qoff + VMXNET3_TQ_ERROR);
    uint8_t stopped = *(volatile uint8_t *)(v->qdesc + qoff + VMXNET3_TQ_STOPPED);
    vmx_fail(v, "the device reports a %s queue error (stopped %u, error 0x%x)", which, stopped,
             err);
}

static void process_events(struct vmx *v)
{
    volatile uint32_t *ecr = (volatile uint32_t *)(v->shared + VMXNET3_DS_ECR);
    uint32_t events = *ecr;
    if (events == 0)
        return;
    vmx_write(v, VMXNET3_BAR1, VMXNET3_REG_ECR, events); /* acknowledge */
    if (events & VMXNET3_ECR_LINK)
        vmx_update_link(v);
    if (events & VMXNET3_ECR_TQERR)
        queue_error(v, "transmit", 0);
    if (events & VMXNET3_ECR_RQERR)
        queue_error(v, "receive", VMXNET3_QDESC_BYTES);
    uint32_t unknown = events & ~(VMXNET3_ECR_LINK | VMXNET3_ECR_TQERR | VMXNET3_ECR_RQERR |
                                  VMXNET3_ECR_DIC | VMXNET3_ECR_DEBUG);
    if (unknown && !v->broken)
        vmx_note(v, "event", "unknown event bits acknowledged");
}

static void service(struct vmx *v)
{
    if (v->broken || !v->active)
        return;
    v->in_service = true;
    process_events(v);
    tx_reap(v);
    rx_process(v);
    v->in_service = false;
    vmx_tx_kick(v);
}

void vmx_work(struct work *w)
{
    struct vmx *v = container_of(w, struct vmx, work);
    uint32_t fired = __atomic_exchange_n(&v->fired, 0, __ATOMIC_RELAXED);
    service(v);
    /* What fired is served: let it interrupt again. */
    if (!v->broken && v->active && fired)
        vmx_irq_unmask(v, fired);
}

void vmx_poll(struct poller *p)
{
    struct vmx *v = container_of(p, struct vmx, poller);
    service(v);
}
