/* VMBus channel-management messages (bus/vmbus/vmbus_msg.h). Every field is
 * read and written at its byte offset; H means "after the 8-byte header". */
#include "bus/vmbus/vmbus_msg.h"

#include <string.h>

#include "core/unaligned.h"
#include "klib/format.h"

#define H VMBUS_MSG_HEADER
#define PAGE 4096u

/* Minimum total sizes of the host's messages (header included). */
#define OFFER_SIZE (H + 188u)
#define RESCIND_SIZE (H + 4u)
#define EMPTY_SIZE H
#define OPEN_RESULT_SIZE (H + 12u)
#define GPADL_CREATED_SIZE (H + 12u)
#define GPADL_TORNDOWN_SIZE (H + 4u)
#define VERSION_RESPONSE_SIZE (H + 8u)
#define VERSION_RESPONSE_V6_SIZE (H + 12u)

/* GPADL ranges: the byte counts fit in u32 and the range list's size in
 * the header's u16 range_buflen (8 + 8 * npfns). */
#define GPADL_MAX_PFNS ((0xFFFFu - 8u) / 8u)

static size_t header(uint8_t *buf, enum vmbus_msgtype type, size_t body)
{
    memset(buf, 0, H + body);
    wr32(buf, type);
    return H + body;
}

static bool relid_ok(uint32_t relid)
{
    return relid != 0 && relid < VMBUS_RELID_LIMIT;
}

static int parse_offer(const uint8_t *b, struct vmbus_offer *o, const char **why)
{
    memcpy(o->if_type.b, b + 0, 16);
    memcpy(o->if_instance.b, b + 16, 16);
    o->chn_flags = rd16(b + 48);
    o->mmio_megabytes = rd16(b + 50);
    memcpy(o->user_defined, b + 52, sizeof o->user_defined);
    o->sub_channel_index = rd16(b + 172);
    o->child_relid = rd32(b + 176);
    o->monitor_id = b[180];
    uint8_t monitor_allocated = b[181];
    uint16_t dedicated = rd16(b + 182);
    o->connection_id = rd32(b + 184);
    if (!relid_ok(o->child_relid)) {
        *why = "offer with a relid of 0 or beyond 2047";
        return -1;
    }
    if ((o->connection_id & ~VMBUS_CONNECTION_ID_MASK) != 0) {
        *why = "offer with a connection id wider than 24 bits";
        return -1;
    }
    if ((monitor_allocated & ~1u) != 0 || (dedicated & ~1u) != 0) {
        *why = "offer with reserved bits set in its flags";
        return -1;
    }
    o->monitor_allocated = monitor_allocated;
    o->dedicated_interrupt = dedicated;
    return 0;
}

int vmbus_msg_parse(const uint8_t *buf, size_t len, struct vmbus_host_msg *out, const char **why)
{
    *why = NULL;
    memset(out, 0, sizeof *out);
    if (len < H || len > VMBUS_MSG_MAX) {
        *why = len < H ? "shorter than its header" : "longer than 240 bytes";
        return -1;
    }
    uint32_t type = rd32(buf);
    const uint8_t *b = buf + H;
    size_t need;
    switch (type) {
    case VMBUS_OFFERCHANNEL:
        need = OFFER_SIZE;
        break;
    case VMBUS_RESCIND_CHANNELOFFER:
        need = RESCIND_SIZE;
        break;
    case VMBUS_ALLOFFERS_DELIVERED:
    case VMBUS_UNLOAD_RESPONSE:
        need = EMPTY_SIZE;
        break;
    case VMBUS_OPENCHANNEL_RESULT:
        need = OPEN_RESULT_SIZE;
        break;
    case VMBUS_GPADL_CREATED:
        need = GPADL_CREATED_SIZE;
        break;
    case VMBUS_GPADL_TORNDOWN:
        need = GPADL_TORNDOWN_SIZE;
        break;
    case VMBUS_VERSION_RESPONSE:
        need = VERSION_RESPONSE_SIZE;
        break;
    default:
        *why = "a message type the host does not send";
        return -1;
    }
    if (len < need) {
        *why = "shorter than its type's size";
        return -1;
    }
    out->type = (enum vmbus_msgtype)type;
    switch (out->type) {
    case VMBUS_OFFERCHANNEL:
        return parse_offer(b, &out->u.offer, why);
    case VMBUS_RESCIND_CHANNELOFFER:
        out->u.relid = rd32(b);
        break;
    case VMBUS_OPENCHANNEL_RESULT:
        out->u.open_result.relid = rd32(b);
        out->u.open_result.openid = rd32(b + 4);
        out->u.open_result.status = rd32(b + 8);
        break;
    case VMBUS_GPADL_CREATED:
        out->u.gpadl_created.relid = rd32(b);
        out->u.gpadl_created.gpadl = rd32(b + 4);
        out->u.gpadl_created.status = rd32(b + 8);
        break;
    case VMBUS_GPADL_TORNDOWN:
        out->u.gpadl = rd32(b);
        return 0;
    case VMBUS_VERSION_RESPONSE: {
        struct vmbus_version_response *v = &out->u.version;
        if (b[0] > 1) {
            *why = "version response whose version_supported is neither 0 nor 1";
            return -1;
        }
        v->supported = b[0];
        v->connection_state = b[1];
        v->msg_conn_id = rd32(b + 4);
        if (len >= VERSION_RESPONSE_V6_SIZE) {
            v->has_features = true;
            v->supported_features = rd32(b + 8);
        }
        return 0;
    }
    default:
        return 0;
    }
    /* The messages that name a channel. */
    uint32_t relid = rd32(b);
    if (!relid_ok(relid)) {
        *why = "a relid of 0 or beyond 2047";
        return -1;
    }
    return 0;
}

size_t vmbus_msg_initiate_contact(uint8_t *buf, uint32_t version, uint32_t target_vcpu,
                                  uint64_t interrupt_page, uint64_t monitor1, uint64_t monitor2)
{
    size_t n = header(buf, VMBUS_INITIATE_CONTACT, 32);
    uint8_t *b = buf + H;
    wr32(b + 0, version);
    wr32(b + 4, target_vcpu);
    if (version >= VMBUS_VERSION_WIN10_V5) {
        b[8] = 2; /* msg_sint: VMBus's SINT */
        b[9] = 0; /* msg_vtl */
        /* feature flags @12 (V6): none asked for */
    } else {
        wr64(b + 8, interrupt_page);
    }
    wr64(b + 16, monitor1);
    wr64(b + 24, monitor2);
    return n;
}

size_t vmbus_msg_request_offers(uint8_t *buf)
{
    return header(buf, VMBUS_REQUESTOFFERS, 0);
}

size_t vmbus_msg_open_channel(uint8_t *buf, uint32_t relid, uint32_t openid, uint32_t gpadl,
                              uint32_t target_vp, uint32_t downstream_page_offset)
{
    size_t n = header(buf, VMBUS_OPENCHANNEL, 140);
    uint8_t *b = buf + H;
    wr32(b + 0, relid);
    wr32(b + 4, openid);
    wr32(b + 8, gpadl);
    wr32(b + 12, target_vp);
    wr32(b + 16, downstream_page_offset);
    /* userdata[120] @20: zero */
    return n;
}

static size_t relid_only(uint8_t *buf, enum vmbus_msgtype type, uint32_t relid)
{
    size_t n = header(buf, type, 4);
    wr32(buf + H, relid);
    return n;
}

size_t vmbus_msg_close_channel(uint8_t *buf, uint32_t relid)
{
    return relid_only(buf, VMBUS_CLOSECHANNEL, relid);
}

size_t vmbus_msg_relid_released(uint8_t *buf, uint32_t relid)
{
    return relid_only(buf, VMBUS_RELID_RELEASED, relid);
}

size_t vmbus_msg_gpadl_teardown(uint8_t *buf, uint32_t relid, uint32_t gpadl)
{
    size_t n = header(buf, VMBUS_GPADL_TEARDOWN, 8);
    wr32(buf + H, relid);
    wr32(buf + H + 4, gpadl);
    return n;
}

size_t vmbus_msg_unload(uint8_t *buf)
{
    return header(buf, VMBUS_UNLOAD, 0);
}

unsigned vmbus_gpadl_messages(uint32_t npfns)
{
    if (npfns == 0 || npfns > GPADL_MAX_PFNS)
        return 0;
    if (npfns <= VMBUS_GPADL_HEADER_PFNS)
        return 1;
    uint32_t rest = npfns - VMBUS_GPADL_HEADER_PFNS;
    return 1 + (rest + VMBUS_GPADL_BODY_PFNS - 1) / VMBUS_GPADL_BODY_PFNS;
}

size_t vmbus_msg_gpadl_part(uint8_t *buf, unsigned part, uint32_t relid, uint32_t gpadl,
                            const uint64_t *pfns, uint32_t npfns)
{
    if (part >= vmbus_gpadl_messages(npfns))
        return 0;
    if (part == 0) {
        uint32_t here = npfns < VMBUS_GPADL_HEADER_PFNS ? npfns : VMBUS_GPADL_HEADER_PFNS;
        size_t n = header(buf, VMBUS_GPADL_HEADER, 12 + 8 + 8 * here);
        uint8_t *b = buf + H;
        wr32(b + 0, relid);
        wr32(b + 4, gpadl);
        wr16(b + 8, (uint16_t)(8 + 8 * npfns)); /* range_buflen: the whole list */
        wr16(b + 10, 1);                        /* rangecount */
        wr32(b + 12, npfns * PAGE);             /* byte_count */
        wr32(b + 16, 0);                        /* byte_offset */
        for (uint32_t i = 0; i < here; i++)
            wr64(b + 20 + 8 * i, pfns[i]);
        return n;
    }
    uint32_t first = VMBUS_GPADL_HEADER_PFNS + (part - 1) * VMBUS_GPADL_BODY_PFNS;
    uint32_t here = npfns - first < VMBUS_GPADL_BODY_PFNS ? npfns - first : VMBUS_GPADL_BODY_PFNS;
    size_t n = header(buf, VMBUS_GPADL_BODY, 8 + 8 * here);
    uint8_t *b = buf + H;
    wr32(b + 0, 0); /* msgnumber: left 0 as Linux does; openvmm calls it reserved */
    wr32(b + 4, gpadl);
    for (uint32_t i = 0; i < here; i++)
        wr64(b + 8 + 8 * i, pfns[first + i]);
    return n;
}

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

void vmbus_guid_format(const struct vmbus_guid *g, char out[37])
{
    const uint8_t *b = g->b;
    ksnprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)rd32(b),
              (unsigned)rd16(b + 4), (unsigned)rd16(b + 6), b[8], b[9], b[10], b[11], b[12], b[13],
              b[14], b[15]);
}
