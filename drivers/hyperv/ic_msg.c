/* IC framing, negotiation and service bodies (drivers/hyperv/ic_msg.h). */
#include "drivers/hyperv/ic_msg.h"

#include <string.h>

#include "core/unaligned.h"

#define SHUTDOWN_MIN_BODY 12u
#define HEARTBEAT_MIN_BODY 8u
#define TIMESYNC_V4_MIN_BODY 17u
#define TIMESYNC_V3_MIN_BODY 25u
/* 100 ns units between 1601-01-01 and 1970-01-01 (Linux hv_util.c
 * WLTIMEDELTA). */
#define EPOCH_1601_TO_1970 116444736000000000ull

int ic_parse(uint8_t *pkt, size_t len, struct ic_message *m, const char **why)
{
    if (len < IC_BODY) {
        *why = "shorter than the pipe and IC headers";
        return -1;
    }
    uint32_t msgsize = rd32(pkt + 4);
    if (msgsize < IC_HEADER || msgsize > len - IC_PIPE_HEADER) {
        *why = "a pipe message size outside the packet";
        return -1;
    }
    const uint8_t *h = pkt + IC_PIPE_HEADER;
    m->framework = (struct ic_version){rd16(h), rd16(h + 2)};
    m->type = rd16(h + 4);
    m->version = (struct ic_version){rd16(h + 6), rd16(h + 8)};
    m->body_len = rd16(h + 10);
    m->status = rd32(h + 12);
    m->transaction_id = h[16];
    m->flags = h[17];
    if (m->body_len > msgsize - IC_HEADER) {
        *why = "an IC body larger than the pipe message";
        return -1;
    }
    if (!(m->flags & IC_FLAG_REQUEST) || (m->flags & IC_FLAG_RESPONSE)) {
        *why = "an IC message that is not a request";
        return -1;
    }
    m->body = pkt + IC_BODY;
    return 0;
}

void ic_respond(uint8_t *pkt, uint32_t status)
{
    wr32(pkt + IC_PIPE_HEADER + 12, status);
    pkt[IC_PIPE_HEADER + 17] = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE;
}

static bool choose(const uint8_t *list, unsigned n, const struct ic_version *ours, unsigned nours,
                   struct ic_version *out)
{
    for (unsigned i = 0; i < nours; i++)
        for (unsigned k = 0; k < n; k++)
            if (rd16(list + 4 * k) == ours[i].major && rd16(list + 4 * k + 2) == ours[i].minor) {
                *out = ours[i];
                return true;
            }
    return false;
}

int ic_negotiate(struct ic_message *m, const struct ic_version *fw, unsigned nfw,
                 const struct ic_version *ours, unsigned nours, struct ic_version *fw_out,
                 struct ic_version *ver_out, const char **why)
{
    uint8_t *b = m->body;
    if (m->body_len < 8) {
        *why = "a negotiate body without its counts";
        return -1;
    }
    unsigned nf = rd16(b), nv = rd16(b + 2);
    if (8u + 4u * (nf + nv) > m->body_len) {
        *why = "version lists longer than the negotiate body";
        return -1;
    }
    bool ok =
        choose(b + 8, nf, fw, nfw, fw_out) && choose(b + 8 + 4 * nf, nv, ours, nours, ver_out);
    /* The answer's lists hold one version each, so they fit where the
     * host's two lists were (each list holds at least one when ok). */
    wr16(b, ok ? 1 : 0);
    wr16(b + 2, ok ? 1 : 0);
    if (!ok) {
        *why = "no version in common with the host";
        return -1;
    }
    wr16(b + 8, fw_out->major);
    wr16(b + 10, fw_out->minor);
    wr16(b + 12, ver_out->major);
    wr16(b + 14, ver_out->minor);
    return 0;
}

int ic_shutdown_flags(const struct ic_message *m, uint32_t *flags, const char **why)
{
    if (m->body_len < SHUTDOWN_MIN_BODY) {
        *why = "a shutdown body without its flags";
        return -1;
    }
    *flags = rd32(m->body + 8);
    return 0;
}

int ic_heartbeat_answer(struct ic_message *m, const char **why)
{
    if (m->body_len < HEARTBEAT_MIN_BODY) {
        *why = "a heartbeat body without its sequence number";
        return -1;
    }
    wr64(m->body, rd64(m->body) + 1);
    return 0;
}

int ic_timesync(const struct ic_message *m, uint64_t *unix_ns, uint8_t *flags, const char **why)
{
    bool v4 = m->version.major >= 4;
    if (m->body_len < (v4 ? TIMESYNC_V4_MIN_BODY : TIMESYNC_V3_MIN_BODY)) {
        *why = "a timesync body too short for its version";
        return -1;
    }
    uint64_t t = rd64(m->body);
    *flags = m->body[v4 ? 16 : 24];
    if (t < EPOCH_1601_TO_1970 || (t - EPOCH_1601_TO_1970) > UINT64_MAX / 100) {
        *why = "a host time before 1970 or beyond 2554";
        return -1;
    }
    *unix_ns = (t - EPOCH_1601_TO_1970) * 100;
    return 0;
}
