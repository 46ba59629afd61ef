/* NVSP messages (drivers/netvsc/nvsp.h cites the sources). */
#include "drivers/netvsc/nvsp.h"

#include <string.h>

#include "core/unaligned.h"

#define XFER_HEADER 8u    /* pageset_id u16, sender_owns u8, reserved u8, range_count u32 */
#define XFER_RANGE 8u     /* byte_count u32, byte_offset u32 */
#define PKT_DESC 16u      /* the VMBus packet descriptor */
#define RNDIS_PKT_MIN 16u /* 107: type, channel, section index, section size */
/* NDIS 6.1 below NVSP 5, 6.30 from it (Linux netvsc.c negotiate_nvsp_ver). */
#define NDIS_MAJOR 6u
#define NDIS_MINOR_OLD 1u
#define NDIS_MINOR_NEW 30u

const uint32_t nvsp_versions[] = {NVSP_VERSION_61, NVSP_VERSION_6, NVSP_VERSION_5,
                                  NVSP_VERSION_4,  NVSP_VERSION_2, NVSP_VERSION_1};
const unsigned nvsp_nversions = sizeof nvsp_versions / sizeof nvsp_versions[0];

static size_t msg(uint8_t *buf, uint32_t type)
{
    memset(buf, 0, NVSP_MSG_SIZE);
    wr32(buf, type);
    return NVSP_MSG_SIZE;
}

size_t nvsp_init(uint8_t *buf, uint32_t version)
{
    /* min = max: openvmm matches min_ver only, Linux asks one at a time. */
    msg(buf, NVSP_INIT);
    wr32(buf + 4, version);
    wr32(buf + 8, version);
    return NVSP_MSG_SIZE;
}

size_t nvsp_ndis_config(uint8_t *buf, uint32_t mtu)
{
    msg(buf, NVSP_SEND_NDIS_CONFIG);
    wr32(buf + 4, mtu); /* the frame's MTU: Linux sends MTU + 14 */
    return NVSP_MSG_SIZE;
}

size_t nvsp_ndis_version(uint8_t *buf, uint32_t nvsp_version)
{
    msg(buf, NVSP_SEND_NDIS_VERSION);
    wr32(buf + 4, NDIS_MAJOR);
    wr32(buf + 8, nvsp_version >= NVSP_VERSION_5 ? NDIS_MINOR_NEW : NDIS_MINOR_OLD);
    return NVSP_MSG_SIZE;
}

size_t nvsp_send_buf(uint8_t *buf, uint32_t type, uint32_t gpadl, uint16_t id)
{
    msg(buf, type);
    wr32(buf + 4, gpadl);
    wr16(buf + 8, id);
    return NVSP_MSG_SIZE;
}

size_t nvsp_revoke(uint8_t *buf, uint32_t type, uint16_t id)
{
    msg(buf, type);
    wr16(buf + 4, id);
    return NVSP_MSG_SIZE;
}

size_t nvsp_rndis_pkt(uint8_t *buf, uint32_t channel, uint32_t section, uint32_t size)
{
    msg(buf, NVSP_SEND_RNDIS_PKT);
    wr32(buf + 4, channel);
    wr32(buf + 8, section);
    wr32(buf + 12, size);
    return NVSP_MSG_SIZE;
}

size_t nvsp_rndis_complete(uint8_t *buf, uint32_t status)
{
    msg(buf, NVSP_SEND_RNDIS_PKT_COMPLETE);
    wr32(buf + 4, status);
    /* 8 bytes are all a host reads of it: Linux sends the whole message. */
    return NVSP_MSG_SIZE;
}

int nvsp_parse_completion(const uint8_t *p, size_t len, uint32_t want, uint32_t buf_bytes,
                          struct nvsp_completion *out, const char **why)
{
    memset(out, 0, sizeof *out);
    size_t need = want == NVSP_SEND_RECV_BUF_COMPLETE   ? 28u
                  : want == NVSP_INIT_COMPLETE          ? 16u
                  : want == NVSP_SEND_SEND_BUF_COMPLETE ? 12u
                                                        : 8u;
    if (len < 4 || rd32(p) != want) {
        *why = "a completion of another NVSP type than the request's";
        return -1;
    }
    if (len < need) {
        *why = "an NVSP completion shorter than its type";
        return -1;
    }
    out->type = want;
    out->status = rd32(p + (want == NVSP_INIT_COMPLETE ? 12 : 4));
    if (out->status != NVSP_STATUS_SUCCESS)
        return 0;
    if (want == NVSP_SEND_RECV_BUF_COMPLETE) {
        uint32_t nsec = rd32(p + 8), off = rd32(p + 12), size = rd32(p + 16);
        uint32_t count = rd32(p + 20), end = rd32(p + 24);
        if (nsec != 1 || off != 0 || size < NVSP_MIN_SECTION || count == 0 ||
            (uint64_t)size * count > buf_bytes || end > buf_bytes) {
            *why = "receive-buffer sections that are not one run of sections of at least 68 "
                   "bytes inside the buffer";
            return -1;
        }
        out->sub_alloc_size = size;
        out->num_sub_allocs = count;
    } else if (want == NVSP_SEND_SEND_BUF_COMPLETE) {
        uint32_t size = rd32(p + 8);
        if (size < NVSP_MIN_SECTION || size % 4 != 0 || size > buf_bytes) {
            *why = "a send-buffer section size below 68 bytes, not 4-aligned or past the buffer";
            return -1;
        }
        out->section_size = size;
    }
    return 0;
}

int nvsp_parse_xfer(const uint8_t *pkt, size_t len, size_t offset, uint32_t buf_bytes,
                    struct nvsp_xfer *out, const char **why)
{
    if (len < PKT_DESC + XFER_HEADER || offset > len) {
        *why = "a transfer-page packet shorter than its header";
        return -1;
    }
    uint16_t set = rd16(pkt + PKT_DESC);
    uint32_t count = rd32(pkt + PKT_DESC + 4);
    if (set != NVSP_RECV_BUF_ID) {
        *why = "a transfer-page set that is not the receive buffer";
        return -1;
    }
    if (count == 0 || (uint64_t)PKT_DESC + XFER_HEADER + (uint64_t)count * XFER_RANGE > offset) {
        *why = "transfer-page ranges that do not fit before the payload";
        return -1;
    }
    const uint8_t *m = pkt + offset;
    if (len - offset < RNDIS_PKT_MIN || rd32(m) != NVSP_SEND_RNDIS_PKT) {
        *why = "a transfer-page packet whose payload is not an NVSP RNDIS packet";
        return -1;
    }
    out->channel = rd32(m + 4);
    if (out->channel != NVSP_CHANNEL_DATA && out->channel != NVSP_CHANNEL_CONTROL) {
        *why = "an RNDIS packet on a channel type other than data or control";
        return -1;
    }
    out->count = count;
    out->ranges = pkt + PKT_DESC + XFER_HEADER;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t bytes = rd32(out->ranges + i * XFER_RANGE);
        uint32_t off = rd32(out->ranges + i * XFER_RANGE + 4);
        if (bytes == 0 || off > buf_bytes || bytes > buf_bytes - off) {
            *why = "a receive section outside the receive buffer";
            return -1;
        }
    }
    return 0;
}

void nvsp_xfer_range(const struct nvsp_xfer *x, uint32_t i, uint32_t *off, uint32_t *count)
{
    *count = rd32(x->ranges + i * XFER_RANGE);
    *off = rd32(x->ranges + i * XFER_RANGE + 4);
}
