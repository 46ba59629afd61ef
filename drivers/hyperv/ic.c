/* The integration services' common driver (drivers/hyperv/ic.h). Linux
 * drivers/hv/hv_util.c is the reference for the exchange: every request is
 * answered in place with the same length, the host's transaction id and
 * flags TRANSACTION|RESPONSE; NEGOTIATE picks a framework and a service
 * version (framework 3.0 or 1.0). A malformed request is refused with the
 * fail status when it can be framed, and closes the channel when it cannot. */
#include <stdlib.h>

#include "core/log.h"
#include "drivers/hyperv/ic.h"

/* KVP requests carry the whole hv_kvp_msg union, about 7.5 KiB (Linux
 * reads them into 4 pages): the rings and the buffer have room for one. */
#define IC_RING_BYTES (4 * 4096u)
#define IC_PACKET_MAX (4 * 4096u)

static const struct ic_version frameworks[] = {{3, 0}, {1, 0}};

struct ic {
    const struct ic_service *svc;
    bool negotiated;
    uint8_t buf[IC_PACKET_MAX];
};

static void ic_request(struct vmbus_dev *vd, struct ic *ic, const struct vmbus_pkt *pkt)
{
    uint8_t *p = ic->buf + pkt->offset;
    size_t len = pkt->len - pkt->offset;
    struct ic_message m;
    const char *why;
    if (pkt->type != VMBUS_PKT_DATA_INBAND || ic_parse(p, len, &m, &why) != 0) {
        vmbus_fail(vd, "%s: %s", ic->svc->name,
                   pkt->type != VMBUS_PKT_DATA_INBAND ? "a packet that is not inband" : why);
        return;
    }
    uint32_t status = IC_STATUS_OK;
    void (*after)(void) = NULL;
    if (m.type == IC_MSG_NEGOTIATE) {
        struct ic_version fw, ver;
        if (ic_negotiate(&m, frameworks, 2, ic->svc->versions, ic->svc->nversions, &fw, &ver,
                         &why) == 0) {
            kprintf("hyperv %s: framework %u.%u, version %u.%u\n", ic->svc->name, fw.major,
                    fw.minor, ver.major, ver.minor);
            ic->negotiated = true;
        } else {
            kprintf("hyperv %s: negotiation: %s\n", ic->svc->name, why);
            status = IC_STATUS_FAIL;
        }
    } else if (m.type == ic->svc->type && ic->negotiated) {
        status = ic->svc->handle(&m, &why);
        if (status == IC_STATUS_FAIL)
            kprintf("hyperv %s: request refused: %s\n", ic->svc->name, why);
        else if (status == IC_STATUS_OK)
            after = ic->svc->after;
    } else {
        kprintf("hyperv %s: message type %u %s; refused\n", ic->svc->name, m.type,
                ic->negotiated ? "of another service" : "before negotiation");
        status = IC_STATUS_FAIL;
    }
    ic_respond(p, status);
    if (vmbus_send(vd, VMBUS_PKT_DATA_INBAND, p, len, pkt->transaction_id, false) != 0)
        kprintf("hyperv %s: the response could not be sent\n", ic->svc->name);
    if (after != NULL)
        after();
}

static void ic_event(struct vmbus_dev *vd)
{
    struct ic *ic = vd->priv;
    struct vmbus_pkt pkt;
    int r;
    while ((r = vmbus_recv(vd, ic->buf, sizeof ic->buf, &pkt)) == 1)
        ic_request(vd, ic, &pkt);
}

int ic_probe(struct vmbus_dev *vd, const struct ic_service *svc)
{
    struct ic *ic = calloc(1, sizeof *ic);
    if (ic == NULL)
        return -1;
    ic->svc = svc;
    vd->priv = ic;
    if (vmbus_open(vd, IC_RING_BYTES, IC_RING_BYTES, ic_event) != 0) {
        vd->priv = NULL;
        free(ic);
        return -1;
    }
    ic_event(vd); /* a request may be waiting already */
    return 0;
}
