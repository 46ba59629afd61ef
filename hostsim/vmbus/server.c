/* hostsim's VMBus host: see server.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostsim/registry.h"
#include "hostsim/vmbus/server_internal.h"
#include "hostsim/vmbus/wire.h"

#define CONNECTION_ID_BASE 0x2000u /* openvmm's relid | 2 << 12 for VTL 0 */
#define NO_MONITOR 0xFF

const uint32_t vmbus_host_versions[] = {
    VMBUS_VERSION_V5_3,   VMBUS_VERSION_V5_2, VMBUS_VERSION_V5_1,
    VMBUS_VERSION_V5,     VMBUS_VERSION_V4_1, VMBUS_VERSION_WIN10,
    VMBUS_VERSION_WIN8_1, VMBUS_VERSION_WIN8, VMBUS_VERSION_WIN7,
};
const unsigned vmbus_host_nversions = sizeof vmbus_host_versions / sizeof vmbus_host_versions[0];

bool vmbus_host_version_known(uint32_t v)
{
    for (unsigned i = 0; i < vmbus_host_nversions; i++)
        if (vmbus_host_versions[i] == v)
            return true;
    return false;
}

static const char *message_name(uint32_t t)
{
    static const char *const names[] = {
        "type 0",
        "OFFERCHANNEL",
        "RESCIND_CHANNELOFFER",
        "REQUESTOFFERS",
        "ALLOFFERS_DELIVERED",
        "OPENCHANNEL",
        "OPENCHANNEL_RESULT",
        "CLOSECHANNEL",
        "GPADL_HEADER",
        "GPADL_BODY",
        "GPADL_CREATED",
        "GPADL_TEARDOWN",
        "GPADL_TORNDOWN",
        "RELID_RELEASED",
        "INITIATE_CONTACT",
        "VERSION_RESPONSE",
        "UNLOAD",
        "UNLOAD_RESPONSE",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : "an unknown type";
}

void vmbus_host_violation(struct vmbus_host *h, const char *fmt, ...)
{
    if (h->broken)
        return;
    h->broken = true;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    h->hooks.violation(h->hooks.ctx, what);
}

/* MISBEHAVE: true once, when kind is the fault asked for, on channel ch
 * (NULL: a fault of no channel). The shutdown service's channel is passed
 * over, so that the host can still ask the guest to shut down after the
 * fault (the tests end every faulty run so). */
bool vmbus_srv_misbehave_now(struct vmbus_host *h, const struct vmbus_host_channel *ch,
                             enum vmbus_host_misbehave kind, const char *what)
{
    if (h->misbehave != kind || h->misbehaved)
        return false;
    if (ch != NULL && strcmp(ch->service->name, "shutdown") == 0)
        return false;
    h->misbehaved = true;
    if (h->hooks.misbehaving != NULL)
        h->hooks.misbehaving(h->hooks.ctx, what);
    return true;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

uint32_t vmbus_srv_get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Posts a message: header type, then body. */
static void send(struct vmbus_host *h, unsigned vp, uint32_t type, const void *body, size_t len)
{
    uint8_t msg[VMBUS_HEADER_SIZE + VMBUS_OFFER_SIZE];
    memset(msg, 0, sizeof msg);
    put32(msg, type);
    if (len > 0)
        memcpy(msg + VMBUS_HEADER_SIZE, body, len);
    if (h->hooks.post(h->hooks.ctx, vp, h->sint, msg, VMBUS_HEADER_SIZE + len) != 0)
        vmbus_host_violation(h,
                             "the guest does not take VMBus messages (SINT %u of VP %u is "
                             "full) while the host sends %s",
                             h->sint, vp, message_name(type));
}

void vmbus_srv_send_words(struct vmbus_host *h, uint32_t type, const uint32_t *w, unsigned n)
{
    uint8_t body[16];
    for (unsigned i = 0; i < n; i++)
        put32(body + 4 * i, w[i]);
    send(h, h->target_vp, type, body, 4 * n);
}

void vmbus_host_init(struct vmbus_host *h, const struct guest_mem *mem, unsigned nvps,
                     uint32_t max_version, const struct vmbus_host_hooks *hooks)
{
    memset(h, 0, sizeof *h);
    h->mem = mem;
    h->nvps = nvps;
    h->max_version = max_version;
    h->hooks = *hooks;
    h->sint = VMBUS_MESSAGE_SINT;
}

void vmbus_host_destroy(struct vmbus_host *h)
{
    for (unsigned i = 0; i < VMBUS_HOST_MAX_GPADLS; i++)
        vmbus_host_gpadl_free(&h->gpadl[i]);
    h->broken = true;
}

struct vmbus_host_channel *vmbus_host_add_channel(struct vmbus_host *h,
                                                  const struct vmbus_host_service *s)
{
    if (h->nchannels == VMBUS_HOST_MAX_CHANNELS)
        return NULL;
    struct vmbus_host_channel *ch = &h->channel[h->nchannels++];
    memset(ch, 0, sizeof *ch);
    ch->host = h;
    ch->service = s;
    ch->relid = h->nchannels;
    ch->connection_id = CONNECTION_ID_BASE + ch->relid;
    ch->state = VMBUS_CH_OFFERED;
    return ch;
}

struct vmbus_host_channel *vmbus_srv_channel(struct vmbus_host *h, uint32_t relid)
{
    if (relid == 0 || relid > h->nchannels)
        return NULL;
    return &h->channel[relid - 1];
}

struct vmbus_host_gpadl *vmbus_srv_find_gpadl(struct vmbus_host *h, uint32_t id)
{
    for (unsigned i = 0; i < VMBUS_HOST_MAX_GPADLS; i++)
        if (h->gpadl[i].list != NULL && h->gpadl[i].id == id)
            return &h->gpadl[i];
    return NULL;
}

void vmbus_srv_close_channel(struct vmbus_host_channel *ch)
{
    if (!ch->open)
        return;
    ch->open = false;
    ch->ring_gpadl = NULL;
    if (ch->service->closed != NULL)
        ch->service->closed(ch);
}

/* UNLOAD, or a new INITIATE_CONTACT: channels closed, GPADLs gone. */
static void release_all(struct vmbus_host *h)
{
    for (unsigned i = 0; i < h->nchannels; i++) {
        vmbus_srv_close_channel(&h->channel[i]);
        if (h->channel[i].state == VMBUS_CH_OPEN)
            h->channel[i].state = VMBUS_CH_OFFERED;
        if (h->channel[i].state == VMBUS_CH_RESCINDED)
            h->channel[i].state = VMBUS_CH_RELEASED;
    }
    for (unsigned i = 0; i < VMBUS_HOST_MAX_GPADLS; i++)
        vmbus_host_gpadl_free(&h->gpadl[i]);
    h->connected = false;
    h->offers_sent = false;
}

static void initiate_contact(struct vmbus_host *h, uint32_t conn, const uint8_t *b, size_t n)
{
    if (n < VMBUS_INITIATE_CONTACT_SIZE) {
        vmbus_host_violation(h, "INITIATE_CONTACT of %zu bytes: expected at least %d", n,
                             VMBUS_INITIATE_CONTACT_SIZE);
        return;
    }
    uint32_t version = vmbus_srv_get32(b), target = vmbus_srv_get32(b + 4);
    uint32_t want_conn = version >= VMBUS_VERSION_V5 ? VMBUS_CONNECTION_ID_V5 : VMBUS_CONNECTION_ID;
    if (conn != want_conn) {
        vmbus_host_violation(h,
                             "INITIATE_CONTACT for version 0x%x on connection id %u: "
                             "expected %u",
                             version, conn, want_conn);
        return;
    }
    if (h->connected)
        release_all(h);
    unsigned sint = VMBUS_MESSAGE_SINT;
    if (version >= VMBUS_VERSION_V5)
        sint = b[8];
    if (sint >= 16) {
        vmbus_host_violation(h, "INITIATE_CONTACT asks for messages on SINT %u: expected 0-15",
                             sint);
        return;
    }
    uint32_t vp = version >= VMBUS_VERSION_WIN8_1 ? target : 0;
    if (vp >= h->nvps) {
        vmbus_host_violation(h, "INITIATE_CONTACT names target VP %u: expected below %u", vp,
                             h->nvps);
        return;
    }
    uint64_t m1, m2;
    memcpy(&m1, b + 16, 8);
    memcpy(&m2, b + 24, 8);
    bool supported = vmbus_host_version_known(version) && version <= h->max_version;
    uint8_t state = 0;
    if (supported && ((m1 == 0) != (m2 == 0))) {
        state = 2; /* one monitor page of two: openvmm refuses the connection */
        if (version < VMBUS_VERSION_WIN8)
            supported = false;
    }
    h->sint = sint;
    h->target_vp = vp;
    uint8_t body[VMBUS_VERSION_RESPONSE_SIZE] = {supported ? 1 : 0, state, 0, 0};
    uint32_t msg_conn = supported && version >= VMBUS_VERSION_V5 ? VMBUS_CONNECTION_ID_V5 : 0;
    put32(body + 4, msg_conn);
    send(h, vp, VMBUS_MSG_VERSION_RESPONSE, body, sizeof body);
    if (supported && state == 0) {
        h->connected = true;
        h->version = version;
        h->msg_conn_id = version >= VMBUS_VERSION_V5 ? VMBUS_CONNECTION_ID_V5 : VMBUS_CONNECTION_ID;
    }
}

static void offer(struct vmbus_host *h, const struct vmbus_host_channel *ch)
{
    uint8_t b[VMBUS_OFFER_SIZE];
    memset(b, 0, sizeof b);
    memcpy(b + OFFER_IF_TYPE, ch->service->class_guid, 16);
    memcpy(b + OFFER_IF_INSTANCE, ch->service->instance_guid, 16);
    put32(b + OFFER_CHILD_RELID, ch->relid);
    b[OFFER_MONITOR_ID] = NO_MONITOR; /* monitor_allocated 0: no monitor page use */
    b[OFFER_DEDICATED_INTERRUPT] = 1; /* signal with HvSignalEvent on connection_id */
    put32(b + OFFER_CONNECTION_ID, ch->connection_id);
    size_t len = sizeof b;
    if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_OFFER_SHORT,
                                "an OFFERCHANNEL of 100 body bytes"))
        len = 100;
    if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_OFFER_RELID0,
                                "an OFFERCHANNEL with child_relid 0"))
        put32(b + OFFER_CHILD_RELID, 0);
    send(h, h->target_vp, VMBUS_MSG_OFFERCHANNEL, b, len);
}

static void request_offers(struct vmbus_host *h)
{
    if (h->offers_sent) {
        vmbus_host_violation(h, "a second REQUESTOFFERS on one connection: expected one");
        return;
    }
    h->offers_sent = true;
    for (unsigned i = 0; i < h->nchannels && !h->broken; i++)
        if (h->channel[i].state == VMBUS_CH_OFFERED)
            offer(h, &h->channel[i]);
    send(h, h->target_vp, VMBUS_MSG_ALLOFFERS_DELIVERED, NULL, 0);
}

/* A channel the guest may name: offered to it and not released. */
struct vmbus_host_channel *vmbus_srv_named(struct vmbus_host *h, const char *what, uint32_t relid)
{
    struct vmbus_host_channel *ch = vmbus_srv_channel(h, relid);
    if (ch == NULL || !h->offers_sent || ch->state == VMBUS_CH_RELEASED) {
        vmbus_host_violation(h,
                             "%s for relid %u: expected a channel offered to the guest "
                             "(relids 1-%u)",
                             what, relid, h->nchannels);
        return NULL;
    }
    return ch;
}

int vmbus_host_message(struct vmbus_host *h, uint32_t connection_id, const uint8_t *msg,
                       size_t size)
{
    if (h->broken)
        return -1;
    if (size < VMBUS_HEADER_SIZE) {
        vmbus_host_violation(h,
                             "a channel message of %zu bytes: expected at least the 8-byte "
                             "header",
                             size);
        return -1;
    }
    uint32_t type = vmbus_srv_get32(msg);
    const uint8_t *b = msg + VMBUS_HEADER_SIZE;
    size_t n = size - VMBUS_HEADER_SIZE;
    if (type == VMBUS_MSG_INITIATE_CONTACT) {
        initiate_contact(h, connection_id, b, n);
        return h->broken ? -1 : 0;
    }
    if (!h->connected) {
        vmbus_host_violation(h,
                             "%s (%u) before a version was agreed: expected "
                             "INITIATE_CONTACT",
                             message_name(type), type);
        return -1;
    }
    if (connection_id != h->msg_conn_id) {
        vmbus_host_violation(h,
                             "%s on connection id %u: expected %u, as agreed for version "
                             "0x%x",
                             message_name(type), connection_id, h->msg_conn_id, h->version);
        return -1;
    }
    switch (type) {
    case VMBUS_MSG_REQUESTOFFERS:
        request_offers(h);
        break;
    case VMBUS_MSG_GPADL_HEADER:
        vmbus_srv_gpadl_header(h, b, n);
        break;
    case VMBUS_MSG_GPADL_BODY:
        vmbus_srv_gpadl_body(h, b, n);
        break;
    case VMBUS_MSG_GPADL_TEARDOWN:
        vmbus_srv_gpadl_teardown(h, b, n);
        break;
    case VMBUS_MSG_OPENCHANNEL:
        vmbus_srv_open_channel(h, b, n);
        break;
    case VMBUS_MSG_CLOSECHANNEL:
        vmbus_srv_close_message(h, b, n);
        break;
    case VMBUS_MSG_RELID_RELEASED:
        vmbus_srv_relid_released(h, b, n);
        break;
    case VMBUS_MSG_UNLOAD: {
        unsigned vp = h->target_vp;
        release_all(h);
        h->target_vp = vp;
        send(h, vp, VMBUS_MSG_UNLOAD_RESPONSE, NULL, 0);
        break;
    }
    default:
        vmbus_host_violation(h,
                             "%s (%u): expected a message a guest sends (3, 5, 7, 8, 9, 11, "
                             "13, 14, 16)",
                             message_name(type), type);
    }
    return h->broken ? -1 : 0;
}

/* The faults this back end injects on purpose (--misbehave KIND): the one
 * list hostsim's --help, `--misbehave help` and the tests read. */
static const struct hostsim_misbehave vmbus_misbehave_kinds[] = {
    {"vmbus-offer-short", "vmbus", VMBUS_MISBEHAVE_OFFER_SHORT,
     "the first OFFERCHANNEL is cut to 100 of its 188 body bytes"},
    {"vmbus-offer-relid0", "vmbus", VMBUS_MISBEHAVE_OFFER_RELID0,
     "the first OFFERCHANNEL carries child_relid 0"},
    {"vmbus-gpadl-status", "vmbus", VMBUS_MISBEHAVE_GPADL_STATUS,
     "the first GPADL_CREATED reports status 0x8000FFFF"},
    {"vmbus-gpadl-id", "vmbus", VMBUS_MISBEHAVE_GPADL_ID,
     "the first GPADL_CREATED names the GPADL id + 1"},
    {"vmbus-ring-index", "vmbus", VMBUS_MISBEHAVE_RING_INDEX,
     "the first host-to-guest packet publishes write index = ring size + 8"},
    {"vmbus-packet-len", "vmbus", VMBUS_MISBEHAVE_PACKET_LEN,
     "the first host-to-guest packet's len8 claims the whole ring"},
    {"vmbus-rescind-open", "vmbus", VMBUS_MISBEHAVE_RESCIND_OPEN,
     "the first OPENCHANNEL: RESCIND_CHANNELOFFER before OPENCHANNEL_RESULT"},
    {NULL, NULL, 0, NULL},
};

static const struct hostsim_backend vmbus_backend = {
    .name = "vmbus",
    .summary = "the Hyper-V model's VMBus host and integration services",
    .misbehave = vmbus_misbehave_kinds,
};
HOSTSIM_REGISTER_BACKEND(vmbus_backend);
