/* The VMBus connection: posting messages to the host, taking its messages
 * from SINT2, version negotiation, offers and rescinds.
 *
 * Sources: Linux drivers/hv/connection.c (vmbus_post_msg's retry rule:
 * INSUFFICIENT_BUFFERS and INSUFFICIENT_MEMORY, and INVALID_CONNECTION_ID for
 * any message but INITIATE_CONTACT, are retried up to 100 times with a
 * growing delay; every other status is final), include/linux/hyperv.h and
 * openvmm's vmbus_server channels.rs for the order of the handshake:
 * INITIATE_CONTACT / VERSION_RESPONSE, REQUESTOFFERS, the offers,
 * ALLOFFERS_DELIVERED; after a RESCIND_CHANNELOFFER the guest closes the
 * channel and sends RELID_RELEASED.
 *
 * The host's messages only change state here (vmbus_pump never waits and
 * never probes); devices are added and removed in vmbus_settle, from the
 * bus start and from the SynIC's work item, so a driver's probe can wait for
 * its replies (which vmbus_pump takes meanwhile). */
#include <stdlib.h>
#include <string.h>

#include "bus/vmbus/vmbus.h"
#include "bus/vmbus/vmbus_version.h"
#include "core/log.h"
#include "core/param.h"
#include "core/time.h"
#include "klib/format.h"
#include "hv/hyperv/hypercall_abi.h"
#include "hv/hyperv/hyperv.h"

#define POST_TRIES 100
#define POST_DELAY_MAX_NS 10000000ull /* 10 ms: 100 tries stay within a second */
#define HV_VMBUS_MESSAGE 1u           /* the SynIC message type of VMBus messages */

struct vmbus_conn {
    struct vmbus_negotiation neg;
    bool connected, answered, offers_done;
    struct vmbus_version_response answer;
    uint32_t post_conn_id; /* where messages go */
    struct vmbus_dev *channels;
    unsigned offers, violations;
    bool pumping, settling;
    uint16_t last_status; /* of the last post that failed */
};
static struct vmbus_conn conn;

static bool retry_status(uint16_t st, bool contact)
{
    return st == HV_STATUS_INSUFFICIENT_BUFFERS || st == HV_STATUS_INSUFFICIENT_MEMORY ||
           (st == HV_STATUS_INVALID_CONNECTION_ID && !contact);
}

static int post_to(uint32_t conn_id, const void *msg, size_t len, bool contact)
{
    uint64_t delay = 1000;
    uint16_t st = HV_STATUS_SUCCESS;
    for (int i = 0; i < POST_TRIES; i++) {
        st = hyperv_post_message(conn_id, HV_VMBUS_MESSAGE, msg, len);
        if (st == HV_STATUS_SUCCESS)
            return 0;
        if (!retry_status(st, contact))
            break;
        conn.last_status = st;
        sleep_ns(delay);
        if (delay < POST_DELAY_MAX_NS)
            delay *= 2;
    }
    conn.last_status = st;
    if (!contact)
        kprintf("vmbus: posting message type %u failed: %s (%#x)\n",
                (unsigned)((const uint8_t *)msg)[0], hv_status_name(st), st);
    return -1;
}

int vmbus_post(const void *msg, size_t len)
{
    return post_to(conn.post_conn_id, msg, len, false);
}

static void violation(const char *what, const char *why)
{
    if (conn.violations++ < 20)
        kprintf("vmbus: host message refused: %s: %s\n", what, why);
}

struct vmbus_dev *vmbus_channel_by_relid(uint32_t relid)
{
    for (struct vmbus_dev *vd = conn.channels; vd; vd = vd->next)
        if (vd->offer.child_relid == relid && !vd->gone)
            return vd;
    return NULL;
}

struct vmbus_dev *vmbus_channel_by_gpadl(uint32_t gpadl)
{
    for (struct vmbus_dev *vd = conn.channels; vd; vd = vd->next) {
        if (vd->gpadl_live && vd->gpadl == gpadl)
            return vd;
        for (unsigned i = 0; i < VMBUS_BUFFER_GPADLS; i++)
            if (vd->buffer_gpadl[i].live && vd->buffer_gpadl[i].id == gpadl)
                return vd;
    }
    return NULL;
}

static void take_offer(const struct vmbus_offer *o)
{
    /* Offers after ALLOFFERS_DELIVERED are devices added later (hot add). */
    if (!conn.connected) {
        violation("OFFERCHANNEL", "before the connection");
        return;
    }
    if (vmbus_channel_by_relid(o->child_relid) != NULL) {
        violation("OFFERCHANNEL", "a relid already offered");
        return;
    }
    struct vmbus_dev *vd = calloc(1, sizeof *vd);
    if (vd == NULL) {
        kprintf("vmbus: no memory for the offer of relid %u\n", (unsigned)o->child_relid);
        return;
    }
    vd->offer = *o;
    struct vmbus_dev **tail = &conn.channels;
    while (*tail)
        tail = &(*tail)->next;
    *tail = vd; /* in the order offered */
    conn.offers++;
}

static void take_rescind(uint32_t relid)
{
    struct vmbus_dev *vd = vmbus_channel_by_relid(relid);
    if (vd == NULL) {
        violation("RESCIND_CHANNELOFFER", "an unknown relid");
        return;
    }
    vd->rescinded = true;
}

static void handle(const struct hv_message *m)
{
    if (m->type != HV_VMBUS_MESSAGE) {
        violation("SynIC message", "a message type other than VMBus's");
        return;
    }
    struct vmbus_host_msg msg;
    const char *why;
    if (vmbus_msg_parse(m->payload, m->payload_size, &msg, &why) != 0) {
        violation("message", why);
        return;
    }
    switch (msg.type) {
    case VMBUS_VERSION_RESPONSE:
        if (conn.connected || conn.answered) {
            violation("VERSION_RESPONSE", "none was asked for");
            return;
        }
        conn.answer = msg.u.version;
        conn.answered = true;
        return;
    case VMBUS_OFFERCHANNEL:
        take_offer(&msg.u.offer);
        return;
    case VMBUS_ALLOFFERS_DELIVERED:
        if (!conn.connected || conn.offers_done)
            violation("ALLOFFERS_DELIVERED", "none was asked for");
        conn.offers_done = true;
        return;
    case VMBUS_RESCIND_CHANNELOFFER:
        take_rescind(msg.u.relid);
        return;
    case VMBUS_OPENCHANNEL_RESULT:
    case VMBUS_GPADL_CREATED:
    case VMBUS_GPADL_TORNDOWN:
        vmbus_channel_reply(&msg);
        return;
    default:
        violation("message", "a type the guest never asked for");
        return;
    }
}

static void on_flag(void *ctx, unsigned relid)
{
    (void)ctx;
    struct vmbus_dev *vd = relid == 0 ? NULL : vmbus_channel_by_relid(relid);
    if (vd != NULL && vd->state == VMBUS_CH_OPEN && vd->on_event != NULL)
        work_queue(&vd->work);
}

void vmbus_pump(void)
{
    if (conn.pumping)
        return;
    conn.pumping = true;
    struct hv_message m;
    while (hyperv_synic_take(HV_VMBUS_SINT, &m))
        handle(&m);
    hyperv_synic_events(HV_VMBUS_SINT, on_flag, NULL);
    conn.pumping = false;
}

static bool flag_set(void *ctx)
{
    vmbus_pump();
    return *(const bool *)ctx;
}

bool vmbus_wait_flag(const bool *flag, unsigned timeout_ms)
{
    return wait_until(flag_set, (void *)flag, time_now_ns() + timeout_ms * 1000000ull);
}

static const char *class_name(const struct vmbus_guid *g)
{
    static const struct {
        const char *guid, *name;
    } known[] = {
        {"0e0b6031-5213-4934-818b-38d90ced39db", "shutdown"},
        {"9527e630-d0ae-497b-adce-e80ab0175caf", "timesync"},
        {"57164f39-9115-4e78-ab55-382f3bd5422d", "heartbeat"},
        {"a9a0f4e7-5a45-4d96-b827-8a841e8c03e6", "kvp"},
        {"f8615163-df3e-46c5-913f-f2d2f965ed0e", "netvsc"},
        {"ba6163d9-04a1-4d29-b605-72e2ffb1dc7f", "storvsc"},
    };
    char text[37];
    vmbus_guid_format(g, text);
    for (unsigned i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(text, known[i].guid) == 0)
            return known[i].name;
    return NULL;
}

/* vmbus.list: each offer on its own line as it becomes a device, with what
 * the host said of it (a listing for someone reading the boot log; devinfo
 * lists the devices with their drivers). */
KERNEL_PARAM(param_vmbus_list, "vmbus.list", "print each VMBus offer: relid, class, instance");

static void add_device(struct vmbus_dev *vd)
{
    char text[37];
    vmbus_guid_format(&vd->offer.if_type, text);
    const char *name = class_name(&vd->offer.if_type);
    if (param_present(&param_vmbus_list)) {
        char inst[37];
        vmbus_guid_format(&vd->offer.if_instance, inst);
        kprintf("vmbus: offer relid %u: %s (class %s), instance %s, connection id %u\n",
                (unsigned)vd->offer.child_relid, name != NULL ? name : "unknown", text, inst,
                (unsigned)vd->offer.connection_id);
    }
    /* "relid 3 timesync", or the class GUID when it has no name here */
    ksnprintf(vd->dev.name, sizeof vd->dev.name, "relid %u %s", (unsigned)vd->offer.child_relid,
              name != NULL ? name : text);
    vd->dev.bus = &vmbus_bus;
    vd->added = true;
    device_add(&vd->dev);
}

void vmbus_settle(void)
{
    if (conn.settling)
        return;
    conn.settling = true;
    vmbus_pump();
    for (struct vmbus_dev **p = &conn.channels; *p;) {
        struct vmbus_dev *vd = *p;
        if (!vd->added && !vd->rescinded) {
            add_device(vd);
            p = &conn.channels; /* the list may have changed while probing */
            continue;
        }
        if (vd->violation != NULL && !vd->gone) {
            const char *why = vd->violation;
            vd->violation = NULL;
            if (vd->state == VMBUS_CH_OPEN || vd->gpadl_live)
                vmbus_fail(vd, "%s", why);
        }
        if (vd->rescinded && !vd->gone) {
            if (vd->added)
                device_remove(&vd->dev); /* the driver closes the channel */
            if (vd->state != VMBUS_CH_CLOSED)
                vmbus_close(vd);
            uint8_t msg[VMBUS_MSG_MAX];
            vmbus_post(msg, vmbus_msg_relid_released(msg, vd->offer.child_relid));
            kprintf("vmbus: relid %u rescinded\n", (unsigned)vd->offer.child_relid);
            vd->gone = true;
            p = &conn.channels;
            continue;
        }
        p = &vd->next;
    }
    conn.settling = false;
}

/* INITIATE_CONTACT for each version, newest first, until one is agreed;
 * then the offers. */
int vmbus_connect(uint64_t interrupt_page, uint64_t monitor1, uint64_t monitor2)
{
    uint8_t msg[VMBUS_MSG_MAX];
    const char *why = NULL;
    unsigned answers = 0;
    vmbus_negotiation_start(&conn.neg);
    enum vmbus_negotiation_step step = vmbus_negotiation_next(&conn.neg);
    while (step == VMBUS_NEGOTIATION_OFFER) {
        uint32_t v = conn.neg.offered;
        size_t len = vmbus_msg_initiate_contact(msg, v, 0, interrupt_page, monitor1, monitor2);
        conn.answered = false;
        if (post_to(vmbus_contact_connection_id(v), msg, len, true) != 0) {
            step = vmbus_negotiation_next(&conn.neg); /* nobody listens there: older */
            continue;
        }
        if (!vmbus_wait_flag(&conn.answered, 1000)) {
            kprintf("vmbus: no answer to INITIATE_CONTACT %u.%u\n", v >> 16, v & 0xFFFF);
            return -1;
        }
        answers++;
        step = vmbus_negotiation_answer(&conn.neg, &conn.answer, &why);
    }
    if (answers == 0) {
        kprintf("vmbus: no connection: the host took no INITIATE_CONTACT on connection ids 4 "
                "and 1 (%s)\n",
                hv_status_name(conn.last_status));
        return -1;
    }
    if (step != VMBUS_NEGOTIATION_DONE) {
        kprintf("vmbus: no connection: %s\n", why ? why : "no version in common with the host");
        return -1;
    }
    conn.connected = true;
    conn.post_conn_id = conn.neg.msg_conn_id;
    kprintf("vmbus: connected, protocol %u.%u\n", conn.neg.version >> 16,
            conn.neg.version & 0xFFFF);
    size_t len = vmbus_msg_request_offers(msg);
    if (vmbus_post(msg, len) != 0)
        return -1;
    if (!vmbus_wait_flag(&conn.offers_done, 5000)) {
        kprintf("vmbus: the host did not finish its offers (%u so far)\n", conn.offers);
        return -1;
    }
    kprintf("vmbus: %u offer%s\n", conn.offers, conn.offers == 1 ? "" : "s");
    return 0;
}
