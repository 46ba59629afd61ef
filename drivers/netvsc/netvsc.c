/* Hyper-V's synthetic NIC: a VMBus driver for the network class
 * f8615163-df3e-46c5-913f-f2d2f965ed0e (Linux include/linux/hyperv.h
 * HV_NIC_GUID; openvmm netvsp lib.rs Nic::offer) that registers a netdev.
 *
 * Set-up, in the order Linux drivers/net/hyperv/netvsc.c
 * (netvsc_connect_vsp, netvsc_init_buf) and rndis_filter.c
 * (rndis_filter_device_add) use and openvmm's netvsp accepts: NVSP INIT
 * with one version at a time, newest first, until the host says SUCCESS;
 * NDIS_CONFIG (NVSP 2 and later, before the receive buffer: openvmm
 * refuses the buffer without it) and NDIS_VERSION, neither answered; the
 * receive buffer through a GPADL and SEND_RECV_BUF (id 0xCAFE), the send
 * buffer and SEND_SEND_BUF (its section size from the host); then RNDIS
 * INITIALIZE, QUERY of the maximum frame size and the permanent address,
 * SET of the offload parameters (TCP and UDP checksums; other checksums a
 * caller leaves to the device, and all of them when the host refused, are
 * completed by the driver in the send section), QUERY of the media
 * connect status, SET of the packet filter. Each request waits at most
 * 5 s (Linux's RNDIS timeout). Removal (a rescind, or the kernel's) takes
 * the netdev away first, then halts RNDIS and revokes the buffers when the
 * channel still stands, closes it and frees the buffers the host let go. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/dma.h"
#include "core/log.h"
#include "core/unaligned.h"
#include "drivers/netvsc/netvsc.h"
#include "drivers/netvsc/rndis.h"
#include "klib/format.h"

#define PAGE 4096u
#define RING_BYTES (16 * PAGE)    /* each way */
#define RX_BUF_BYTES (128 * PAGE) /* 512 KiB: about 290 sections of 1806 */
#define TX_BUF_BYTES (96 * PAGE)  /* 384 KiB: 64 sections of 6144 */
#define REQUEST_TIMEOUT_MS 5000u
#define ETH_HEADER 14u
#define MTU_MIN 576u
#define MTU_MAX 9000u
#define DEFAULT_MTU 1500u

static const struct vmbus_guid netvsc_class = {{0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
                                                0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e}};

void netvsc_fail(struct netvsc *n, const char *fmt, ...)
{
    char why[96];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (n->broken)
        return;
    n->broken = true;
    n->nvsp.done = n->rndis.done = true; /* a waiter gives up now */
    if (n->registered)
        netdev_set_link(&n->nd, false);
    vmbus_fail(n->vd, "netvsc: %s", why);
}

/* Sends an NVSP request; when want is non-zero waits for its completion
 * (into n->nvsp.msg). 0, or -1 (logged). */
static int nvsp_request(struct netvsc *n, const uint8_t *msg, size_t len, uint32_t want)
{
    n->nvsp.want = want;
    n->nvsp.waiting = want != 0;
    n->nvsp.done = false;
    uint64_t tid = want != 0 ? NETVSC_TID_REQUEST | want : 0;
    if (vmbus_send(n->vd, VMBUS_PKT_DATA_INBAND, msg, len, tid, want != 0) != 0) {
        kprintf("netvsc: NVSP message %u could not be sent\n", (unsigned)rd32(msg));
        return -1;
    }
    if (want == 0)
        return 0;
    bool ok = vmbus_wait_flag(&n->nvsp.done, REQUEST_TIMEOUT_MS);
    n->nvsp.waiting = false;
    if (!ok || n->broken) {
        if (!n->broken)
            kprintf("netvsc: no answer to NVSP message %u\n", (unsigned)rd32(msg));
        return -1;
    }
    return 0;
}

/* An RNDIS request through a send section on the control channel and its
 * completion (into n->rndis). 0 with the host's status, or -1. */
static int rndis_request(struct netvsc *n, const uint8_t *msg, size_t len, uint32_t *status)
{
    n->rndis.type = rd32(msg) | RNDIS_COMPLETION;
    n->rndis.req_id = rd32(msg + 8);
    n->rndis.waiting = true;
    n->rndis.done = false;
    struct netdev_buf part = {msg, len};
    int r = netvsc_send_section(n, NVSP_CHANNEL_CONTROL, &part, 1, len, NULL);
    bool ok = r == 0 && vmbus_wait_flag(&n->rndis.done, REQUEST_TIMEOUT_MS);
    n->rndis.waiting = false;
    if (!ok || n->broken) {
        if (!n->broken)
            kprintf("netvsc: no answer to RNDIS message %#x\n", (unsigned)rd32(msg));
        return -1;
    }
    *status = n->rndis.status;
    return 0;
}

static int rndis_query_u32(struct netvsc *n, uint32_t oid, uint32_t *value)
{
    uint8_t msg[64];
    uint32_t status;
    if (rndis_request(n, msg, rndis_query(msg, ++n->next_req_id, oid), &status) != 0)
        return -1;
    if (status != RNDIS_STATUS_SUCCESS || n->rndis.info_len < 4) {
        kprintf("netvsc: RNDIS query of OID %#x: status %#x, %u bytes\n", (unsigned)oid,
                (unsigned)status, (unsigned)n->rndis.info_len);
        return -1;
    }
    *value = rd32(n->rndis.info);
    return 0;
}

static int rndis_set_u32(struct netvsc *n, uint32_t oid, uint32_t value, uint32_t *status)
{
    uint8_t msg[64], v[4];
    wr32(v, value);
    return rndis_request(n, msg, rndis_set(msg, ++n->next_req_id, oid, v, 4), status);
}

static int negotiate(struct netvsc *n)
{
    uint8_t msg[NVSP_MSG_SIZE];
    for (unsigned i = 0; i < nvsp_nversions; i++) {
        struct nvsp_completion c;
        const char *why;
        if (nvsp_request(n, msg, nvsp_init(msg, nvsp_versions[i]), NVSP_INIT_COMPLETE) != 0)
            return -1;
        if (nvsp_parse_completion(n->nvsp.msg, n->nvsp.len, NVSP_INIT_COMPLETE, 0, &c, &why)) {
            netvsc_fail(n, "INIT: %s", why);
            return -1;
        }
        if (c.status == NVSP_STATUS_SUCCESS) {
            n->version = nvsp_versions[i];
            return 0;
        }
    }
    kprintf("netvsc: the host takes none of NVSP versions 6.1 to 1\n");
    return -1;
}

/* A buffer of bytes, its GPADL and the host's answer (want). */
static int offer_buffer(struct netvsc *n, uint8_t **buf, uint32_t bytes, uint32_t *gpadl,
                        uint32_t type, uint16_t id, uint32_t want, struct nvsp_completion *c)
{
    uint64_t gpa;
    const char *why;
    uint8_t msg[NVSP_MSG_SIZE];
    *buf = dma_alloc(bytes, PAGE, &gpa);
    if (*buf == NULL) {
        kprintf("netvsc: no memory for a %u-byte buffer\n", (unsigned)bytes);
        return -1;
    }
    if (vmbus_gpadl_create(n->vd, gpa, bytes, gpadl) != 0 ||
        nvsp_request(n, msg, nvsp_send_buf(msg, type, *gpadl, id), want) != 0)
        return -1;
    if (nvsp_parse_completion(n->nvsp.msg, n->nvsp.len, want, bytes, c, &why) != 0) {
        netvsc_fail(n, "buffer: %s", why);
        return -1;
    }
    if (c->status != NVSP_STATUS_SUCCESS) {
        kprintf("netvsc: the host refused the %s buffer (status %u)\n",
                type == NVSP_SEND_RECV_BUF ? "receive" : "send", (unsigned)c->status);
        return -1;
    }
    return 0;
}

static int setup_nvsp(struct netvsc *n)
{
    uint8_t msg[NVSP_MSG_SIZE];
    struct nvsp_completion c;
    if (negotiate(n) != 0)
        return -1;
    if (n->version >= NVSP_VERSION_2 &&
        nvsp_request(n, msg, nvsp_ndis_config(msg, DEFAULT_MTU + ETH_HEADER), 0) != 0)
        return -1;
    if (nvsp_request(n, msg, nvsp_ndis_version(msg, n->version), 0) != 0)
        return -1;
    n->rx_bytes = RX_BUF_BYTES;
    if (offer_buffer(n, &n->rxbuf, RX_BUF_BYTES, &n->rx_gpadl, NVSP_SEND_RECV_BUF, NVSP_RECV_BUF_ID,
                     NVSP_SEND_RECV_BUF_COMPLETE, &c) != 0)
        return -1;
    n->rx_end = c.sub_alloc_size * c.num_sub_allocs; /* checked inside the buffer */
    n->tx_bytes = TX_BUF_BYTES;
    if (offer_buffer(n, &n->txbuf, TX_BUF_BYTES, &n->tx_gpadl, NVSP_SEND_SEND_BUF, NVSP_SEND_BUF_ID,
                     NVSP_SEND_SEND_BUF_COMPLETE, &c) != 0)
        return -1;
    n->tx_section = c.section_size;
    n->tx_nsections = TX_BUF_BYTES / c.section_size;
    if (n->tx_nsections > NETVSC_MAX_SECTIONS)
        n->tx_nsections = NETVSC_MAX_SECTIONS;
    return 0;
}

static int setup_rndis(struct netvsc *n)
{
    uint8_t msg[64], info[32];
    uint32_t status, mtu, media;
    if (rndis_request(n, msg, rndis_initialize(msg, ++n->next_req_id), &status) != 0)
        return -1;
    if (status != RNDIS_STATUS_SUCCESS) {
        kprintf("netvsc: RNDIS INITIALIZE refused (status %#x)\n", (unsigned)status);
        return -1;
    }
    if (rndis_query_u32(n, RNDIS_OID_MAXIMUM_FRAME_SIZE, &mtu) != 0)
        return -1;
    if (mtu < MTU_MIN || mtu > MTU_MAX ||
        mtu + ETH_HEADER + RNDIS_PACKET_HEADER + RNDIS_CSUM_PPI_BYTES > n->tx_section) {
        netvsc_fail(n, "a maximum frame size of %u (expected %u to %u that fits a send section)",
                    (unsigned)mtu, MTU_MIN, MTU_MAX);
        return -1;
    }
    n->nd.mtu = (uint16_t)mtu;
    if (rndis_request(n, msg, rndis_query(msg, ++n->next_req_id, RNDIS_OID_PERMANENT_ADDRESS),
                      &status) != 0)
        return -1;
    if (status != RNDIS_STATUS_SUCCESS || n->rndis.info_len < 6 || (n->rndis.info[0] & 1)) {
        netvsc_fail(n, "the permanent address is not a unicast MAC (status %#x, %u bytes)",
                    (unsigned)status, (unsigned)n->rndis.info_len);
        return -1;
    }
    memcpy(n->nd.mac, n->rndis.info, 6);
    size_t ilen = rndis_offload_csum(info);
    if (rndis_request(
            n, msg,
            rndis_set(msg, ++n->next_req_id, RNDIS_OID_OFFLOAD_PARAMETERS, info, (uint32_t)ilen),
            &status) != 0)
        return -1;
    n->tx_csum = status == RNDIS_STATUS_SUCCESS;
    if (rndis_query_u32(n, RNDIS_OID_MEDIA_CONNECT_STATUS, &media) != 0)
        return -1;
    n->nd.link_up = media == 0; /* 0 connected, 1 disconnected */
    uint32_t filter = RNDIS_FILTER_DIRECTED | RNDIS_FILTER_ALL_MULTICAST | RNDIS_FILTER_BROADCAST;
    if (rndis_set_u32(n, RNDIS_OID_PACKET_FILTER, filter, &status) != 0)
        return -1;
    if (status != RNDIS_STATUS_SUCCESS) {
        kprintf("netvsc: the host refused packet filter %#x (status %#x)\n", (unsigned)filter,
                (unsigned)status);
        return -1;
    }
    return 0;
}

/* Closes the channel and frees what the host let go of. */
static void release(struct vmbus_dev *vd, struct netvsc *n)
{
    if (vd->state != VMBUS_CH_CLOSED || vd->gpadl_live)
        vmbus_close(vd);
    if (n->rxbuf != NULL && vmbus_gpadl_destroy(vd, n->rx_gpadl) == 0)
        dma_free(n->rxbuf, n->rx_bytes);
    if (n->txbuf != NULL && vmbus_gpadl_destroy(vd, n->tx_gpadl) == 0)
        dma_free(n->txbuf, n->tx_bytes);
    vd->priv = NULL;
    free(n);
}

static int netvsc_probe(struct vmbus_dev *vd)
{
    struct netvsc *n = calloc(1, sizeof *n);
    if (n == NULL)
        return -1;
    n->vd = vd;
    vd->priv = n;
    if (vmbus_open(vd, RING_BYTES, RING_BYTES, netvsc_event) != 0) {
        vd->priv = NULL;
        free(n);
        return -1;
    }
    if (setup_nvsp(n) != 0 || setup_rndis(n) != 0) {
        release(vd, n);
        return -1;
    }
    n->nd.driver = "netvsc";
    n->nd.dev = &vd->dev;
    n->nd.ops = &netvsc_netdev_ops;
    n->nd.priv = n;
    n->nd.features = NETDEV_FEATURE_TX_CSUM; /* the host's, or the driver's own */
    kprintf("netvsc %s: NVSP %u.%u, %u send sections of %u bytes%s\n", vd->dev.name,
            (unsigned)(n->version >> 16), (unsigned)(n->version & 0xFFFF),
            (unsigned)n->tx_nsections, (unsigned)n->tx_section,
            n->tx_csum ? ", TCP and UDP checksum offload" : "");
    if (netdev_register(&n->nd) != 0) {
        release(vd, n);
        return -1;
    }
    n->registered = true;
    netvsc_event(vd); /* what arrived while registering */
    return 0;
}

static void netvsc_remove(struct vmbus_dev *vd)
{
    struct netvsc *n = vd->priv;
    if (n == NULL)
        return;
    if (n->registered)
        netdev_unregister(&n->nd);
    n->registered = false;
    if (!vd->rescinded && !n->broken && vd->state == VMBUS_CH_OPEN) {
        uint8_t msg[NVSP_MSG_SIZE], halt[16];
        struct netdev_buf part = {halt, rndis_halt(halt, ++n->next_req_id)};
        netvsc_send_section(n, NVSP_CHANNEL_CONTROL, &part, 1, part.len, NULL);
        nvsp_request(n, msg, nvsp_revoke(msg, NVSP_REVOKE_RECV_BUF, NVSP_RECV_BUF_ID), 0);
        nvsp_request(n, msg, nvsp_revoke(msg, NVSP_REVOKE_SEND_BUF, NVSP_SEND_BUF_ID), 0);
    }
    kprintf("netvsc %s: removed (%llu frames in, %llu out; host checksum verdicts %llu good, "
            "%llu bad; %llu unused host messages)\n",
            vd->dev.name, (unsigned long long)n->nd.stats.rx_packets,
            (unsigned long long)n->nd.stats.tx_packets, (unsigned long long)n->rx_csum_ok,
            (unsigned long long)n->rx_csum_bad, (unsigned long long)n->rx_unsolicited);
    release(vd, n);
}

static struct vmbus_driver netvsc_driver = {
    .drv = {.name = "netvsc", .bus = &vmbus_bus},
    .classes = &netvsc_class,
    .nclasses = 1,
    .probe = netvsc_probe,
    .remove = netvsc_remove,
};
VMBUS_DRIVER_REGISTER(netvsc_driver);
