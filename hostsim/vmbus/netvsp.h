/* hostsim's synthetic NIC: the network VSP on a VMBus channel (NVSP and
 * RNDIS), a VMBus service (service.h) whose frames leave and arrive
 * through hooks (the Hyper-V machine puts a TAP device behind them).
 *
 * Protocol facts from Linux drivers/net/hyperv/hyperv_net.h (commit
 * 67fa8c3578d8), netvsc.c and rndis_filter.c for what a guest sends, and
 * openvmm vm/devices/net/netvsp/src/{lib.rs,protocol.rs,rndisprot.rs,
 * buffers.rs} (commit 1488a37b7cfe) for what a host answers and refuses.
 * Strict, as openvmm is:
 *   - NVSP INIT first and once: the newest version both sides know inside
 *     [min_ver, max_ver] is answered with status SUCCESS, none with FAIL;
 *     then NDIS_CONFIG (from NVSP 2 on, before the receive buffer),
 *     NDIS_VERSION, SEND_RECV_BUF (a GPADL of the channel, one range at
 *     offset 0; sections of 256 + MTU + 36 bytes, the first 16 kept for
 *     control messages), SEND_SEND_BUF (sections of 6144 bytes);
 *   - RNDIS packets (NVSP 107, completion requested) in send-buffer
 *     sections, completed with NVSP 108; control messages on channel 1
 *     (INITIALIZE first and once, QUERY, SET, HALT, KEEPALIVE), frames on
 *     channel 0 (PACKET_MSG: no OOB data, data inside the message, a
 *     checksum PPI's TCP/UDP header offset inside the frame);
 *   - to the guest: transfer-page packets of receive sections (one RNDIS
 *     message each, several frames per packet), the transaction id the
 *     first section's index; the guest's completion with that id frees
 *     them; no frames while the packet filter is 0; media connect and
 *     disconnect indications when the link changes; REVOKE_*_BUF drops a
 *     buffer.
 * Anything else is a protocol violation (vmbus_host_violation). */
#ifndef HOSTSIM_VMBUS_NETVSP_H
#define HOSTSIM_VMBUS_NETVSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/vmbus/server.h"

#define NETVSP_SEND_SECTION 6144u   /* openvmm's send-buffer section size */
#define NETVSP_CONTROL_SECTIONS 16u /* openvmm's RX_RESERVED_CONTROL_BUFFERS */
#define NETVSP_MAX_SECTIONS 4096u   /* receive sections hostsim tracks */
#define NETVSP_MAX_RANGES 32u       /* frames per transfer-page packet */
#define NETVSP_MTU 1500u

/* Faults injected on purpose (--misbehave netvsc-*), once each. */
enum netvsp_misbehave {
    NETVSP_MISBEHAVE_NONE,
    NETVSP_MISBEHAVE_RNDIS_LEN,      /* first frame to the guest: msg_len past its range */
    NETVSP_MISBEHAVE_RNDIS_OFFSET,   /* first frame: data_offset past the message */
    NETVSP_MISBEHAVE_RECV_SECTION,   /* first frame: a range outside the receive buffer */
    NETVSP_MISBEHAVE_TRANSACTION_ID, /* first frame the guest sends: completed with id + 1 */
    NETVSP_MISBEHAVE_UNSOLICITED,    /* first frame the guest sends: a receive-buffer
                                      * completion again, for a request long answered */
};

/* One frame to the guest; csum is the checksum PPI's receive value
 * (ndis_tcp_ip_checksum_info: TCP/UDP/IP ok b3/b4/b5, failed b0/b1/b2). */
struct netvsp_frame {
    const uint8_t *data;
    size_t len;
    uint32_t csum;
};

struct netvsp_hooks {
    /* A frame the guest sent. csum_offset != 0: its TCP (16) or UDP (6)
     * checksum at csum_start + csum_offset is the guest's to finish (the
     * pseudo-header sum is in place, as Linux's CHECKSUM_PARTIAL leaves
     * it). */
    void (*transmit)(void *ctx, const uint8_t *frame, size_t len, uint16_t csum_start,
                     uint16_t csum_offset);
    /* Receive sections came free (more frames may go). May be NULL. */
    void (*rx_room)(void *ctx);
    /* One line about what happened (hostsim's debug log). May be NULL. */
    void (*log)(void *ctx, const char *line);
    void *ctx;
};

struct netvsp {
    struct vmbus_host_service service;
    struct vmbus_host_channel *ch;
    struct netvsp_hooks hooks;
    uint8_t mac[6];
    bool link_up;
    uint32_t max_version; /* the newest NVSP version offered */
    enum netvsp_misbehave misbehave;
    bool misbehaved;
    /* NVSP */
    bool inited, ndis_config;
    uint32_t version;
    uint64_t recv_buf_tid; /* the guest's SEND_RECV_BUF transaction id */
    bool rx_buf, tx_buf;
    uint32_t rx_gpadl, tx_gpadl;
    uint16_t rx_id;
    uint32_t rx_section, rx_nsections;
    uint16_t rx_owner[NETVSP_MAX_SECTIONS]; /* 0 free, else the owning transaction + 1 */
    /* RNDIS */
    bool rndis_inited;
    uint32_t filter;
    uint8_t offload_tcp4, offload_tcp6, offload_udp4, offload_udp6; /* NDIS values: 2+ TX */
    uint8_t reply[160]; /* an RNDIS reply waiting for its request's completion */
    uint32_t reply_len;
    /* counters */
    uint64_t tx_frames, rx_frames, rx_dropped;
    uint8_t scratch[NETVSP_SEND_SECTION];
};

/* Sets up the service (name "netvsc", the NIC class GUID, an instance
 * GUID from the MAC). */
void netvsp_init(struct netvsp *v, const uint8_t mac[6], const struct netvsp_hooks *hooks);
/* Frames to the guest, n at most NETVSP_MAX_RANGES: returns how many were
 * taken (delivered, or dropped and counted: no receive buffer, the filter
 * says no, too long); fewer than n when the receive sections or the ring
 * ran out (the caller keeps the rest for rx_room). */
unsigned netvsp_deliver(struct netvsp *v, const struct netvsp_frame *f, unsigned n);
/* True when frames can go to the guest now. */
bool netvsp_can_deliver(const struct netvsp *v);
/* The receive checksum PPI value for a frame with final checksums: for
 * IPv4, IP ok (b5) or failed (b2) by its header checksum and, for an
 * unfragmented TCP or UDP datagram inside the frame, TCP/UDP ok (b3/b4)
 * or failed (b0/b1) by its checksum over the pseudo-header (RFC 1071, 768,
 * 9293); a UDP checksum of 0 says nothing. 0 (no verdict) for anything
 * else. */
uint32_t netvsp_rx_checksum(const uint8_t *frame, size_t len);
/* Host command: the link goes up or down; the guest gets an indication. */
void netvsp_set_link(struct netvsp *v, bool up);

/* RNDIS inside (netvsp_rndis.c): a message the guest sent from a send
 * section on channel 0 or 1 (len bytes in v->scratch). Returns the NVSP
 * status for its completion, or 0 after a violation; a reply waits in
 * v->reply until the completion went. */
uint32_t netvsp_rndis(struct netvsp *v, uint32_t channel, size_t len);
/* Sends an RNDIS message to the guest in one control section (a reply or
 * an indication). 0, or -1 after a violation. */
int netvsp_control_send(struct netvsp *v, const uint8_t *msg, uint32_t len);

#endif
