/* The VMBus host's GPADL messages: GPADL_HEADER and GPADL_BODY assembled
 * by gpadl.c and answered with GPADL_CREATED, GPADL_TEARDOWN answered with
 * GPADL_TORNDOWN (server.h has the rules). */
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/server_internal.h"
#include "hostsim/vmbus/wire.h"

static void gpadl_done(struct vmbus_host *h, struct vmbus_host_gpadl *g, int rc, const char *err)
{
    if (rc < 0) {
        vmbus_host_violation(h, "%s", err);
        vmbus_host_gpadl_free(g);
        return;
    }
    if (rc == 1) {
        uint32_t w[3] = {g->relid, g->id, VMBUS_STATUS_OK};
        const struct vmbus_host_channel *ch = vmbus_srv_channel(h, g->relid);
        if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_GPADL_ID,
                                    "GPADL_CREATED names GPADL id + 1"))
            w[1]++;
        if (vmbus_srv_misbehave_now(h, ch, VMBUS_MISBEHAVE_GPADL_STATUS,
                                    "GPADL_CREATED with status 0x8000FFFF")) {
            w[2] = VMBUS_STATUS_FAIL;
            vmbus_host_gpadl_free(g); /* refused: the host keeps nothing */
        }
        vmbus_srv_send_words(h, VMBUS_MSG_GPADL_CREATED, w, 3);
    }
}

void vmbus_srv_gpadl_header(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < VMBUS_GPADL_HEADER_FIXED) {
        vmbus_host_violation(h, "GPADL_HEADER of %zu bytes: expected at least %d", n,
                             VMBUS_GPADL_HEADER_FIXED);
        return;
    }
    uint32_t relid = vmbus_srv_get32(b), id = vmbus_srv_get32(b + 4);
    uint16_t buflen, count;
    memcpy(&buflen, b + 8, 2);
    memcpy(&count, b + 10, 2);
    if (vmbus_srv_named(h, "GPADL_HEADER", relid) == NULL)
        return;
    if (vmbus_srv_find_gpadl(h, id) != NULL) {
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

void vmbus_srv_gpadl_body(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < VMBUS_GPADL_BODY_FIXED + 8) {
        vmbus_host_violation(h, "GPADL_BODY of %zu bytes: expected at least %d", n,
                             VMBUS_GPADL_BODY_FIXED + 8);
        return;
    }
    uint32_t id = vmbus_srv_get32(b + 4);
    struct vmbus_host_gpadl *g = vmbus_srv_find_gpadl(h, id);
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

void vmbus_srv_gpadl_teardown(struct vmbus_host *h, const uint8_t *b, size_t n)
{
    if (n < 8) {
        vmbus_host_violation(h, "GPADL_TEARDOWN of %zu bytes: expected 8", n);
        return;
    }
    uint32_t relid = vmbus_srv_get32(b), id = vmbus_srv_get32(b + 4);
    struct vmbus_host_gpadl *g = vmbus_srv_find_gpadl(h, id);
    if (g == NULL || !g->complete || g->relid != relid) {
        vmbus_host_violation(h,
                             "GPADL_TEARDOWN of GPADL id %u on relid %u: expected a created "
                             "GPADL of that channel",
                             id, relid);
        return;
    }
    struct vmbus_host_channel *ch = vmbus_srv_channel(h, relid);
    if (ch != NULL && ch->open && ch->ring_gpadl == g) {
        vmbus_host_violation(h,
                             "GPADL_TEARDOWN of GPADL id %u while relid %u's rings use it: "
                             "expected CLOSECHANNEL first",
                             id, relid);
        return;
    }
    vmbus_host_gpadl_free(g);
    uint32_t w[1] = {id};
    vmbus_srv_send_words(h, VMBUS_MSG_GPADL_TORNDOWN, w, 1);
}

const struct vmbus_host_gpadl *vmbus_host_channel_gpadl(struct vmbus_host_channel *ch, uint32_t id)
{
    const struct vmbus_host_gpadl *g = vmbus_srv_find_gpadl(ch->host, id);
    return g != NULL && g->complete && g->relid == ch->relid ? g : NULL;
}
