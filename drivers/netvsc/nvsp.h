/* NVSP, the network VSP protocol netvsc speaks on its VMBus channel: the
 * guest's encoders and the checked parsers of what the host sends. Pure
 * logic over byte buffers with explicit offsets.
 *
 * Layouts from Linux drivers/net/hyperv/hyperv_net.h (struct nvsp_message
 * and its nvsp_1_* / nvsp_2_* members, NVSP_PROTOCOL_VERSION_*,
 * NVSP_STAT_*) at commit 67fa8c3578d8, and openvmm
 * vm/devices/net/netvsp/src/protocol.rs at commit 1488a37b7cfe. Every
 * message starts with msg_type u32 @0; the guest pads its messages to 40
 * bytes (the v6.1 size; hosts read what the type needs). Host-to-guest
 * data comes as VMBus transfer-page packets (type 7): pageset_id u16 @16,
 * sender_owns u8, reserved u8, range_count u32 @20, then ranges of
 * (byte_count u32, byte_offset u32) into the receive buffer (openvmm
 * vm/devices/vmbus/vmbus_ring/src/lib.rs TransferPageHeader/Range). */
#ifndef DRIVERS_NETVSC_NVSP_H
#define DRIVERS_NETVSC_NVSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVSP_MSG_SIZE 40u

enum nvsp_type {
    NVSP_INIT = 1,
    NVSP_INIT_COMPLETE = 2,
    NVSP_SEND_NDIS_VERSION = 100,
    NVSP_SEND_RECV_BUF = 101,
    NVSP_SEND_RECV_BUF_COMPLETE = 102,
    NVSP_REVOKE_RECV_BUF = 103,
    NVSP_SEND_SEND_BUF = 104,
    NVSP_SEND_SEND_BUF_COMPLETE = 105,
    NVSP_REVOKE_SEND_BUF = 106,
    NVSP_SEND_RNDIS_PKT = 107,
    NVSP_SEND_RNDIS_PKT_COMPLETE = 108,
    NVSP_SEND_NDIS_CONFIG = 125,
};

/* Versions, major << 16 | minor; the guest tries them newest first. */
#define NVSP_VERSION_1 0x00002u
#define NVSP_VERSION_2 0x30002u
#define NVSP_VERSION_4 0x40000u
#define NVSP_VERSION_5 0x50000u
#define NVSP_VERSION_6 0x60000u
#define NVSP_VERSION_61 0x60001u
extern const uint32_t nvsp_versions[];
extern const unsigned nvsp_nversions;

#define NVSP_STATUS_SUCCESS 1u
#define NVSP_STATUS_FAIL 2u
#define NVSP_CHANNEL_DATA 0u
#define NVSP_CHANNEL_CONTROL 1u
#define NVSP_NO_SECTION 0xFFFFFFFFu
#define NVSP_RECV_BUF_ID 0xCAFEu /* Linux's NETVSC_RECEIVE_BUFFER_ID */
#define NVSP_SEND_BUF_ID 0u      /* Linux's NETVSC_SEND_BUFFER_ID */
#define NVSP_MIN_SECTION 68u     /* Linux netvsc_init_buf's minimum section sizes */

/* Encoders: write an NVSP_MSG_SIZE message into buf, return its size. */
size_t nvsp_init(uint8_t *buf, uint32_t version);
size_t nvsp_ndis_config(uint8_t *buf, uint32_t mtu); /* v2+: capabilities 0 */
size_t nvsp_ndis_version(uint8_t *buf, uint32_t nvsp_version);
size_t nvsp_send_buf(uint8_t *buf, uint32_t type, uint32_t gpadl, uint16_t id);
size_t nvsp_revoke(uint8_t *buf, uint32_t type, uint16_t id);
size_t nvsp_rndis_pkt(uint8_t *buf, uint32_t channel, uint32_t section, uint32_t size);
size_t nvsp_rndis_complete(uint8_t *buf, uint32_t status);

/* A completion's message from the host, checked against the type the
 * request expects. */
struct nvsp_completion {
    uint32_t type, status;
    uint32_t section_size;                   /* SEND_SEND_BUF_COMPLETE */
    uint32_t sub_alloc_size, num_sub_allocs; /* SEND_RECV_BUF_COMPLETE */
};
/* 0, or -1 with *why: shorter than the type needs, another type, and for
 * a receive buffer of buf_bytes: not exactly one section at offset 0 of
 * at least NVSP_MIN_SECTION bytes, sections past the buffer; for a send
 * buffer of buf_bytes: a section size below NVSP_MIN_SECTION, not
 * 4-aligned or larger than the buffer (Linux netvsc_init_buf, DPDK
 * hn_nvs_conn_chim). The status is reported, not judged. */
int nvsp_parse_completion(const uint8_t *p, size_t len, uint32_t want, uint32_t buf_bytes,
                          struct nvsp_completion *out, const char **why);

/* A transfer-page packet's ranges, after the checks. */
struct nvsp_xfer {
    uint32_t channel; /* NVSP_CHANNEL_DATA or _CONTROL */
    uint32_t count;
    const uint8_t *ranges; /* count * (byte_count u32, byte_offset u32) */
};
/* pkt: the whole VMBus packet (descriptor first), len bytes, payload at
 * offset. Checks: the transfer-page header and its ranges fit before the
 * payload, the pageset is NVSP_RECV_BUF_ID, at least one range, the
 * payload is an NVSP 107 message; each range is non-empty and inside the
 * receive buffer of buf_bytes. 0, or -1 with *why. */
int nvsp_parse_xfer(const uint8_t *pkt, size_t len, size_t offset, uint32_t buf_bytes,
                    struct nvsp_xfer *out, const char **why);
/* Range i of a checked transfer: byte offset and count. */
void nvsp_xfer_range(const struct nvsp_xfer *x, uint32_t i, uint32_t *off, uint32_t *count);

#endif
