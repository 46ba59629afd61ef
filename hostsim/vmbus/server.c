/* hostsim's VMBus host: see server.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostsim/registry.h"
#include "hostsim/vmbus/server.h"
#include "hostsim/vmbus/wire.h"

#define PAGE 4096u
#define MAX_PACKETS_PER_SIGNAL 1024 /* a budget: a guest cannot keep the host busy */
#define CONNECTION_ID_BASE 0x2000u  /* openvmm's relid | 2 << 12 for VTL 0 */
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

/* MISBEHAVE: true once, when kind is the fault asked for. */
static bool misbehave_now(struct vmbus_host *h, enum vmbus_host_misbehave kind, const char *what)
{
    if (h->misbehave != kind || h->misbehaved)
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

static uint32_t get32(const uint8_t *p)
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

static void send_words(struct vmbus_host *h, uint32_t type, const uint32_t *w, unsigned n)
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

static struct vmbus_host_channel *channel(struct vmbus_host *h, uint32_t relid)
{
    if (relid == 0 || relid > h->nchannels)
        return NULL;
    return &h->channel[relid - 1];
}

static struct vmbus_host_gpadl *find_gpadl(struct vmbus_host *h, uint32_t id)
{
    for (unsigned i = 0; i < VMBUS_HOST_MAX_GPADLS; i++)
        if (h->gpadl[i].list != NULL && h->gpadl[i].id == id)
            return &h->gpadl[i];
    return NULL;
}

static void close_channel(struct vmbus_host_channel *ch)
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
        close_channel(&h->channel[i]);
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
    uint32_t version = get32(b), target = get32(b + 4);
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
    if (misbehave_now(h, VMBUS_MISBEHAVE_OFFER_SHORT, "an OFFERCHANNEL of 100 body bytes"))
        len = 100;
    if (misbehave_now(h, VMBUS_MISBEHAVE_OFFER_RELID0, "an OFFERCHANNEL with child_relid 0"))
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
static struct vmbus_host_channel *named(struct vmbus_host *h, const char *what, uint32_t relid)
{
    struct vmbus_host_channel *ch = channel(h, relid);
    if (ch == NULL || !h->offers_sent || ch->state == VMBUS_CH_RELEASED) {
        vmbus_host_violation(h,
                             "%s for relid %u: expected a channel offered to the guest "
                             "(relids 1-%u)",
                             what, relid, h->nchannels);
        return NULL;
    }
    return ch;
}

static void gpadl_done(struct vmbus_host *h, struct vmbus_host_gpadl *g, int rc, const char *err)
{
    if (rc < 0) {
        vmbus_host_violation(h, "%s", err);
        vmbus_host_gpadl_free(g);
        return;
    }
    if (rc == 1) {
        uint32_t w[3] = {g->relid, g->id, VMBUS_STATUS_OK};
        if (misbehave_now(h, VMBUS_MISBEHAVE_GPADL_ID, "GPADL_CREATED names GPADL id + 1"))
            w[1]++;
        if (misbehave_now(h, VMBUS_MISBEHAVE_GPADL_STATUS,
                          "GPADL_CREATED with status 0x8000FFFF")) {
            w[2] = VMBUS_STATUS_FAIL;
            vmbus_host_gpadl_free(g); /* refused: the host keeps nothing */
        }
        send_words(h, VMBUS_MSG_GPADL_CREATED, w, 3);
    }
}

static void gpadl_header(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < VMBUS_GPADL_HEADER_FIXED) {
        vmbus_host_violation(h, "GPADL_HEADER of %zu bytes: expected at least %d", n,
                             VMBUS_GPADL_HEADER_FIXED);
        return;
    }
    uint32_t relid = get32(b), id = get32(b + 4);
    uint16_t buflen, count;
    memcpy(&buflen, b + 8, 2);
    memcpy(&count, b + 10, 2);
    if (named(h, "GPADL_HEADER", relid) == NULL)
        return;
    if (find_gpadl(h, id) != NULL) {
        vmbus_host_violation(h, "GPADL_HEADER reuses GPADL id %u: expected an id not in use", id);
        return;
    }
    struct vmbus_host_gpadl *g = NULL;
    for (unsigned i = 0; i < VMBUS_HOST_MAX_GPADLS && g == NULL; i++)
        if (h->gpadl[i].list == NULL)
            g = &h->gpadl[i];
    if (g == NULL) {
        vmbus_host_violation(h,
                             "GPADL_HEADER for id %u: the guest already holds %d GPADLs, "
                             "hostsim's limit",
                             id, VMBUS_HOST_MAX_GPADLS);
        return;
    }
    char err[256];
    int rc = vmbus_host_gpadl_begin(g, relid, id, buflen, count, b + VMBUS_GPADL_HEADER_FIXED,
                                    n - VMBUS_GPADL_HEADER_FIXED, h->mem, err, sizeof err);
    gpadl_done(h, g, rc, err);
}

static void gpadl_body(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < VMBUS_GPADL_BODY_FIXED + 8) {
        vmbus_host_violation(h, "GPADL_BODY of %zu bytes: expected at least %d", n,
                             VMBUS_GPADL_BODY_FIXED + 8);
        return;
    }
    uint32_t id = get32(b + 4);
    struct vmbus_host_gpadl *g = find_gpadl(h, id);
    if (g == NULL || g->complete) {
        vmbus_host_violation(h,
                             "GPADL_BODY for GPADL id %u: expected one whose GPADL_HEADER "
                             "came and whose ranges are incomplete",
                             id);
        return;
    }
    char err[256];
    int rc = vmbus_host_gpadl_append(g, b + VMBUS_GPADL_BODY_FIXED, n - VMBUS_GPADL_BODY_FIXED,
                                     h->mem, err, sizeof err);
    gpadl_done(h, g, rc, err);
}

static void gpadl_teardown(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < 8) {
        vmbus_host_violation(h, "GPADL_TEARDOWN of %zu bytes: expected 8", n);
        return;
    }
    uint32_t relid = get32(b), id = get32(b + 4);
    struct vmbus_host_gpadl *g = find_gpadl(h, id);
    if (g == NULL || !g->complete || g->relid != relid) {
        vmbus_host_violation(h,
                             "GPADL_TEARDOWN of GPADL id %u on relid %u: expected a created "
                             "GPADL of that channel",
                             id, relid);
        return;
    }
    struct vmbus_host_channel *ch = channel(h, relid);
    if (ch != NULL && ch->open && ch->ring_gpadl == g) {
        vmbus_host_violation(h,
                             "GPADL_TEARDOWN of GPADL id %u while relid %u's rings use it: "
                             "expected CLOSECHANNEL first",
                             id, relid);
        return;
    }
    vmbus_host_gpadl_free(g);
    uint32_t w[1] = {id};
    send_words(h, VMBUS_MSG_GPADL_TORNDOWN, w, 1);
}

static void open_channel(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < VMBUS_OPENCHANNEL_SIZE) {
        vmbus_host_violation(h, "OPENCHANNEL of %zu bytes: expected %d", n, VMBUS_OPENCHANNEL_SIZE);
        return;
    }
    uint32_t relid = get32(b + OPEN_RELID), openid = get32(b + OPEN_OPENID);
    uint32_t id = get32(b + OPEN_GPADL), vp = get32(b + OPEN_TARGET_VP);
    uint32_t down = get32(b + OPEN_DOWNSTREAM_PAGE);
    struct vmbus_host_channel *ch = named(h, "OPENCHANNEL", relid);
    if (ch == NULL)
        return;
    if (ch->state != VMBUS_CH_OFFERED || ch->open) {
        vmbus_host_violation(h,
                             "OPENCHANNEL for relid %u, which is %s: expected a closed "
                             "channel",
                             relid, ch->open ? "open" : "rescinded");
        return;
    }
    struct vmbus_host_gpadl *g = find_gpadl(h, id);
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
    if (misbehave_now(h, VMBUS_MISBEHAVE_RESCIND_OPEN,
                      "RESCIND_CHANNELOFFER between OPENCHANNEL and its result")) {
        ch->state = VMBUS_CH_RESCINDED;
        uint32_t r[1] = {relid};
        send_words(h, VMBUS_MSG_RESCIND_CHANNELOFFER, r, 1);
    }
    send_words(h, VMBUS_MSG_OPENCHANNEL_RESULT, w, 3);
    if (ch->service->opened != NULL && !h->broken)
        ch->service->opened(ch);
}

static void close_message(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < 4) {
        vmbus_host_violation(h, "CLOSECHANNEL of %zu bytes: expected 4", n);
        return;
    }
    struct vmbus_host_channel *ch = named(h, "CLOSECHANNEL", get32(b));
    if (ch == NULL)
        return;
    if (!ch->open) {
        vmbus_host_violation(h,
                             "CLOSECHANNEL for relid %u, which is not open: expected an "
                             "open channel",
                             ch->relid);
        return;
    }
    close_channel(ch);
    if (ch->state == VMBUS_CH_OPEN)
        ch->state = VMBUS_CH_OFFERED;
}

static void relid_released(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < 4) {
        vmbus_host_violation(h, "RELID_RELEASED of %zu bytes: expected 4", n);
        return;
    }
    struct vmbus_host_channel *ch = named(h, "RELID_RELEASED", get32(b));
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
    uint32_t type = get32(msg);
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
        gpadl_header(h, b, n);
        break;
    case VMBUS_MSG_GPADL_BODY:
        gpadl_body(h, b, n);
        break;
    case VMBUS_MSG_GPADL_TEARDOWN:
        gpadl_teardown(h, b, n);
        break;
    case VMBUS_MSG_OPENCHANNEL:
        open_channel(h, b, n);
        break;
    case VMBUS_MSG_CLOSECHANNEL:
        close_message(h, b, n);
        break;
    case VMBUS_MSG_RELID_RELEASED:
        relid_released(h, b, n);
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

void vmbus_host_channel_signalled(struct vmbus_host *h, uint32_t relid)
{
    struct vmbus_host_channel *ch = channel(h, relid);
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
    struct vmbus_host_channel *ch = channel(h, relid);
    if (ch == NULL || h->broken || !h->offers_sent ||
        (ch->state != VMBUS_CH_OFFERED && ch->state != VMBUS_CH_OPEN))
        return -1;
    ch->state = VMBUS_CH_RESCINDED;
    uint32_t w[1] = {relid};
    send_words(h, VMBUS_MSG_RESCIND_CHANNELOFFER, w, 1);
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
    if (misbehave_now(h, VMBUS_MISBEHAVE_RING_INDEX,
                      "a host-to-guest packet published with write index past the ring"))
        ch->out.corrupt_next = 1;
    if (misbehave_now(h, VMBUS_MISBEHAVE_PACKET_LEN,
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
