/* The integration-service framework: see ic.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/ic.h"
#include "hostsim/vmbus/wire.h"

#define PIPE_FLAGS_DATA 1  /* vmbuspipe_hdr flags of a data message */
#define NEGOTIATE_FIXED 8  /* icframe_vercnt, icmsg_vercnt, reserved */
#define IC_PACKET_MAX 4096 /* a KVP message: 8 + 20 + 2580 bytes */

const struct ic_version vmbus_ic_framework_versions[2] = {{1, 0}, {3, 0}};

static void emit(struct vmbus_ic *ic, bool notice, const char *fmt, va_list ap)
{
    char line[1600]; /* a KVP pair: 255 + 1023 characters */
    int n = snprintf(line, sizeof line, "%s IC: ", ic->kind->name);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (notice && ic->env->notice != NULL)
        ic->env->notice(ic->env->ctx, line);
    else
        ic->env->log(ic->env->ctx, line);
}

void vmbus_ic_logf(struct vmbus_ic *ic, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(ic, false, fmt, ap);
    va_end(ap);
}

void vmbus_ic_noticef(struct vmbus_ic *ic, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(ic, true, fmt, ap);
    va_end(ap);
}

int vmbus_guid_parse(const char *s, uint8_t out[16])
{
    /* Field lengths in hex digits, and how each is stored. */
    static const unsigned digits[5] = {8, 4, 4, 4, 12};
    uint8_t raw[16];
    unsigned at = 0;
    for (unsigned f = 0; f < 5; f++) {
        for (unsigned d = 0; d < digits[f]; d += 2) {
            unsigned v = 0;
            for (unsigned k = 0; k < 2; k++) {
                char c = *s++;
                int x = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (x < 0)
                    return -1;
                v = v * 16 + (unsigned)x;
            }
            raw[at++] = (uint8_t)v;
        }
        if (*s != (f < 4 ? '-' : '\0'))
            return -1;
        s++;
    }
    /* Big-endian text; the first three fields go little-endian. */
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (unsigned i = 0; i < 16; i++)
        out[i] = raw[order[i]];
    return 0;
}

/* One IC message: pipe header, icmsg_hdr, body. */
static int send_message(struct vmbus_ic *ic, uint16_t type, struct ic_version frame,
                        struct ic_version msg, const void *body, uint16_t len)
{
    uint8_t p[IC_PACKET_MAX];
    if ((size_t)IC_PIPE_HEADER + IC_HEADER + len > sizeof p)
        return -1;
    memset(p, 0, IC_PIPE_HEADER + IC_HEADER);
    uint32_t flags = PIPE_FLAGS_DATA, size = IC_HEADER + len;
    memcpy(p, &flags, 4);
    memcpy(p + 4, &size, 4);
    uint8_t *h = p + IC_PIPE_HEADER;
    memcpy(h, &frame.major, 2);
    memcpy(h + 2, &frame.minor, 2);
    memcpy(h + 4, &type, 2);
    memcpy(h + 6, &msg.major, 2);
    memcpy(h + 8, &msg.minor, 2);
    memcpy(h + 10, &len, 2);
    h[16] = ++ic->transaction_id;
    h[17] = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST;
    memcpy(h + IC_HEADER, body, len);
    if (vmbus_host_channel_send(ic->channel, VMBUS_PACKET_DATA_INBAND, 0, 0, p,
                                IC_PIPE_HEADER + IC_HEADER + len) != 0)
        return -1;
    ic->outstanding = true;
    ic->outstanding_type = type;
    return 0;
}

static void negotiate(struct vmbus_ic *ic)
{
    const struct vmbus_ic_kind *k = ic->kind;
    uint8_t b[NEGOTIATE_FIXED + 4 * (2 + IC_MAX_VERSIONS)];
    uint16_t nframe = 2, nmsg = (uint16_t)k->nversions;
    memset(b, 0, sizeof b);
    memcpy(b, &nframe, 2);
    memcpy(b + 2, &nmsg, 2);
    uint8_t *v = b + NEGOTIATE_FIXED;
    for (unsigned i = 0; i < 2; i++, v += 4)
        memcpy(v, &vmbus_ic_framework_versions[i], 4);
    for (unsigned i = 0; i < k->nversions; i++, v += 4)
        memcpy(v, &k->versions[i], 4);
    struct ic_version one = {1, 0};
    if (send_message(ic, IC_MSG_NEGOTIATE, one, one, b, (uint16_t)(v - b)) != 0)
        vmbus_ic_logf(ic, "cannot send the version negotiation (ring full)");
}

static bool offered(const struct ic_version *list, unsigned n, struct ic_version v)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i].major == v.major && list[i].minor == v.minor)
            return true;
    return false;
}

static void negotiated(struct vmbus_ic *ic, uint32_t status, const uint8_t *b, uint16_t len)
{
    struct vmbus_host *h = ic->channel->host;
    if (len < NEGOTIATE_FIXED) {
        vmbus_host_violation(h, "%s IC: a negotiation answer of %u bytes: expected at least 8",
                             ic->kind->name, len);
        return;
    }
    uint16_t nframe, nmsg;
    memcpy(&nframe, b, 2);
    memcpy(&nmsg, b + 2, 2);
    if (nframe == 0 && nmsg == 0) {
        ic->unusable = true;
        vmbus_ic_logf(ic, "the guest shares no version (status 0x%x); the service is unused",
                      status);
        return;
    }
    if (nframe != 1 || nmsg != 1 || len < NEGOTIATE_FIXED + 8 || status != 0) {
        vmbus_host_violation(h,
                             "%s IC: negotiation answer with %u framework and %u message "
                             "versions, status 0x%x, %u bytes: expected 1 and 1 (the chosen "
                             "pair), status 0",
                             ic->kind->name, nframe, nmsg, status, len);
        return;
    }
    memcpy(&ic->framework, b + NEGOTIATE_FIXED, 4);
    memcpy(&ic->message, b + NEGOTIATE_FIXED + 4, 4);
    if (!offered(vmbus_ic_framework_versions, 2, ic->framework) ||
        !offered(ic->kind->versions, ic->kind->nversions, ic->message)) {
        vmbus_host_violation(h,
                             "%s IC: the guest chose framework %u.%u and message version "
                             "%u.%u: expected a pair the host offered",
                             ic->kind->name, ic->framework.major, ic->framework.minor,
                             ic->message.major, ic->message.minor);
        return;
    }
    ic->ready = true;
    vmbus_ic_logf(ic, "framework %u.%u, version %u.%u", ic->framework.major, ic->framework.minor,
                  ic->message.major, ic->message.minor);
    if (ic->kind->ready != NULL)
        ic->kind->ready(ic);
}

static void ic_opened(struct vmbus_host_channel *ch)
{
    struct vmbus_ic *ic = ch->service->ctx;
    ic->channel = ch;
    ic->open = true;
    ic->ready = ic->unusable = ic->outstanding = false;
    negotiate(ic);
}

static void ic_closed(struct vmbus_host_channel *ch)
{
    struct vmbus_ic *ic = ch->service->ctx;
    ic->open = ic->ready = ic->outstanding = false;
}

static void ic_packet(struct vmbus_host_channel *ch, const struct vmbus_host_packet *p)
{
    struct vmbus_ic *ic = ch->service->ctx;
    struct vmbus_host *h = ch->host;
    const char *name = ic->kind->name;
    if (p->type != VMBUS_PACKET_DATA_INBAND || p->payload_len < IC_PIPE_HEADER + IC_HEADER) {
        vmbus_host_violation(h,
                             "%s IC: a packet of type %u with %u bytes: expected INBAND (6) "
                             "with a pipe header and an icmsg_hdr (28 bytes)",
                             name, p->type, p->payload_len);
        return;
    }
    uint32_t pflags, psize;
    memcpy(&pflags, p->payload, 4);
    memcpy(&psize, p->payload + 4, 4);
    if (pflags != PIPE_FLAGS_DATA || psize < IC_HEADER || psize > p->payload_len - IC_PIPE_HEADER) {
        vmbus_host_violation(h,
                             "%s IC: pipe header flags %u, msgsize %u in a %u-byte payload: "
                             "expected flags 1 and 20 to %u bytes",
                             name, pflags, psize, p->payload_len, p->payload_len - IC_PIPE_HEADER);
        return;
    }
    const uint8_t *m = p->payload + IC_PIPE_HEADER;
    uint16_t type, size;
    uint32_t status;
    memcpy(&type, m + 4, 2);
    memcpy(&size, m + 10, 2);
    memcpy(&status, m + 12, 4);
    uint8_t tid = m[16], flags = m[17];
    if (!ic->outstanding) {
        vmbus_host_violation(h,
                             "%s IC: a message of type %u when no request waits: expected "
                             "only answers to the host's requests",
                             name, type);
        return;
    }
    if (flags != (IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE) || tid != ic->transaction_id ||
        type != ic->outstanding_type || size > psize - IC_HEADER) {
        vmbus_host_violation(h,
                             "%s IC: answer type %u, flags 0x%x, transaction %u, icmsgsize "
                             "%u: expected type %u, flags 0x5 (TRANSACTION|RESPONSE), "
                             "transaction %u, at most %u bytes",
                             name, type, flags, tid, size, ic->outstanding_type, ic->transaction_id,
                             psize - IC_HEADER);
        return;
    }
    ic->outstanding = false;
    if (type == IC_MSG_NEGOTIATE)
        negotiated(ic, status, m + IC_HEADER, size);
    else
        ic->kind->answer(ic, status, m + IC_HEADER, size);
}

int vmbus_ic_init(struct vmbus_ic *ic, const struct vmbus_ic_kind *kind,
                  const struct vmbus_ic_env *env)
{
    memset(ic, 0, sizeof *ic);
    ic->kind = kind;
    ic->env = env;
    ic->service.name = kind->name;
    ic->service.opened = ic_opened;
    ic->service.packet = ic_packet;
    ic->service.closed = ic_closed;
    ic->service.ctx = ic;
    if (vmbus_guid_parse(kind->class_guid, ic->service.class_guid) != 0 ||
        vmbus_guid_parse(kind->instance_guid, ic->service.instance_guid) != 0)
        return -1;
    return 0;
}

int vmbus_ic_request(struct vmbus_ic *ic, const void *body, uint16_t len)
{
    if (!ic->ready || ic->outstanding)
        return -1;
    return send_message(ic, ic->kind->msgtype, ic->framework, ic->message, body, len);
}

void vmbus_ic_tick(struct vmbus_ic *ic)
{
    if (ic->ready && ic->kind->tick != NULL)
        ic->kind->tick(ic);
}
