/* lwIP interfaces over network devices (net/stack/netif_netdev.h). */
#include "net/stack/netif_netdev.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "dev/netdev.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "net/stack/timers.h"
#include "net/stack/tx_offload.h"
#include "netif/ethernet.h"

/* A frame leaves as up to this many pieces (one per pbuf in the chain);
 * a longer chain is copied into one piece first. */
#define TX_PIECES 16

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    struct stack_if *sif = netif->state;
    struct netdev_buf bufs[TX_PIECES];
    struct pbuf *single = NULL;
    unsigned n = 0;
    for (struct pbuf *q = p; q != NULL && n <= TX_PIECES; q = q->next)
        if (q->len != 0)
            n++;
    if (n > TX_PIECES) {
        single = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
        if (single == NULL) {
            LINK_STATS_INC(link.memerr);
            LINK_STATS_INC(link.drop);
            return ERR_MEM;
        }
        p = single;
    }
    struct netdev_tx_offload offload = {0};
    bool offloaded = false;
    if (sif->tcp_csum_offload) {
        enum tx_offload_kind k = tx_offload_tcp(p->payload, p->len, p->tot_len, &offload);
        if (k == TX_OFFLOAD_SOFTWARE && single == NULL) {
            /* The headers span pbufs: rare enough to copy the frame once. */
            single = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
            if (single == NULL) {
                LINK_STATS_INC(link.memerr);
                LINK_STATS_INC(link.drop);
                return ERR_MEM;
            }
            p = single;
            k = tx_offload_tcp(p->payload, p->len, p->tot_len, &offload);
        }
        offloaded = k == TX_OFFLOAD_TCP;
    }
    n = 0;
    for (struct pbuf *q = p; q != NULL; q = q->next)
        if (q->len != 0)
            bufs[n++] = (struct netdev_buf){q->payload, q->len};
    int rc = netdev_transmit(sif->nd, bufs, n, offloaded ? &offload : NULL);
    if (single)
        pbuf_free(single);
    if (rc != 0) {
        /* A full ring or a broken device: TCP sends again, UDP is lossy. */
        sif->tx_refused++;
        LINK_STATS_INC(link.drop);
        return ERR_IF;
    }
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

/* From the event loop (dev/netdev.h): the frame is copied into a pbuf,
 * because the driver reuses its buffer once this returns. */
static void received(struct netdev *nd, const void *frame, size_t len, void *ctx)
{
    struct stack_if *sif = ctx;
    (void)nd;
    if (len > 0xffff) {
        sif->rx_too_long++;
        LINK_STATS_INC(link.lenerr);
        LINK_STATS_INC(link.drop);
        return;
    }
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (p == NULL) {
        sif->rx_no_memory++;
        LINK_STATS_INC(link.memerr);
        LINK_STATS_INC(link.drop);
        return;
    }
    memcpy(p->payload, frame, len);
    LINK_STATS_INC(link.recv);
    if (sif->netif.input(p, &sif->netif) != ERR_OK)
        pbuf_free(p);
    stack_timers_update();
}

static err_t init_netif(struct netif *netif)
{
    struct stack_if *sif = netif->state;
    struct netdev *nd = sif->nd;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = linkoutput;
    netif->mtu = nd->mtu;
    netif->mtu6 = nd->mtu;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, nd->mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    /* Checksums: TCP's is left to a device that completes checksums
     * (net/stack/tx_offload.h), every other one is generated here; received
     * ones are checked unless the device says it verified them
     * (NETDEV_FEATURE_RX_CSUM). */
    u16_t ctrl = NETIF_CHECKSUM_ENABLE_ALL;
    sif->tcp_csum_offload = (nd->features & NETDEV_FEATURE_TX_CSUM) != 0;
    if (sif->tcp_csum_offload)
        ctrl &= (u16_t)~NETIF_CHECKSUM_GEN_TCP;
    if (nd->features & NETDEV_FEATURE_RX_CSUM)
        ctrl &= (u16_t) ~(NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_UDP |
                          NETIF_CHECKSUM_CHECK_TCP);
    NETIF_SET_CHECKSUM_CTRL(netif, ctrl);
    return ERR_OK;
}

struct stack_if *stack_if_attach(struct netdev *nd)
{
    struct stack_if *sif = calloc(1, sizeof *sif);
    if (sif == NULL) {
        kprintf("%s: no memory for its network interface; not used\n", nd->name);
        return NULL;
    }
    sif->nd = nd;
    if (netif_add_noaddr(&sif->netif, sif, init_netif, ethernet_input) == NULL) {
        kprintf("%s: the network stack refused the interface; not used\n", nd->name);
        free(sif);
        return NULL;
    }
    netif_create_ip6_linklocal_address(&sif->netif, 1);
    netif_set_ip6_autoconfig_enabled(&sif->netif, 1);
    if (nd->link_up)
        netif_set_link_up(&sif->netif);
    netdev_set_receiver(nd, received, sif);
    return sif;
}

void stack_if_link_changed(struct stack_if *sif)
{
    if (sif->nd->link_up)
        netif_set_link_up(&sif->netif);
    else
        netif_set_link_down(&sif->netif);
    stack_timers_update();
}

void stack_if_detach(struct stack_if *sif)
{
    netdev_set_receiver(sif->nd, NULL, NULL);
    netif_remove(&sif->netif);
    free(sif);
    stack_timers_update();
}
