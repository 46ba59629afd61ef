/* RNDIS inside NVSP: the guest's encoders and the checked parsers of the
 * messages the host puts in receive-buffer sections. Pure logic.
 *
 * Layouts from Linux drivers/net/hyperv/hyperv_net.h (struct rndis_message
 * and its members, RNDIS_MSG_*, RNDIS_OID_*, NDIS_OBJECT_TYPE_*, struct
 * ndis_offload_params, struct ndis_tcp_ip_checksum_info, struct
 * rndis_per_packet_info) at commit 67fa8c3578d8, and openvmm
 * vm/devices/net/netvsp/src/rndisprot.rs at commit 1488a37b7cfe. Every
 * message: type u32 @0, msg_len u32 @4 (the whole message), body @8; every
 * offset inside a body counts from byte 8. */
#ifndef DRIVERS_NETVSC_RNDIS_H
#define DRIVERS_NETVSC_RNDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RNDIS_PACKET_MSG 1u
#define RNDIS_INITIALIZE_MSG 2u
#define RNDIS_HALT_MSG 3u
#define RNDIS_QUERY_MSG 4u
#define RNDIS_SET_MSG 5u
#define RNDIS_INDICATE_STATUS_MSG 7u
#define RNDIS_KEEPALIVE_MSG 8u
#define RNDIS_COMPLETION 0x80000000u

#define RNDIS_STATUS_SUCCESS 0u
#define RNDIS_STATUS_MEDIA_CONNECT 0x4001000Bu
#define RNDIS_STATUS_MEDIA_DISCONNECT 0x4001000Cu

#define RNDIS_OID_PERMANENT_ADDRESS 0x01010101u
#define RNDIS_OID_CURRENT_ADDRESS 0x01010102u
#define RNDIS_OID_MAXIMUM_FRAME_SIZE 0x00010106u
#define RNDIS_OID_LINK_SPEED 0x00010107u
#define RNDIS_OID_PACKET_FILTER 0x0001010Eu
#define RNDIS_OID_MEDIA_CONNECT_STATUS 0x00010114u
#define RNDIS_OID_OFFLOAD_PARAMETERS 0xFC01020Cu

#define RNDIS_FILTER_DIRECTED 0x1u
#define RNDIS_FILTER_ALL_MULTICAST 0x4u
#define RNDIS_FILTER_BROADCAST 0x8u

#define RNDIS_PACKET_HEADER 44u /* type .. reserved: data_offset @8 .. @40 */
#define RNDIS_PPI_HEADER 12u    /* size, type, data_offset */
#define RNDIS_PPI_CHECKSUM 0u
#define RNDIS_CSUM_PPI_BYTES 16u /* a header and the u32 */
/* Checksum PPI bits. Transmit: IPv4 b0, IPv6 b1, TCP b2, UDP b3, TCP
 * header offset b16-25. Receive: TCP fail b0, UDP fail b1, IP fail b2, TCP
 * ok b3, UDP ok b4, IP ok b5 (ndis_tcp_ip_checksum_info). */
#define RNDIS_TX_CSUM_IPV4 0x1u
#define RNDIS_TX_CSUM_IPV6 0x2u
#define RNDIS_TX_CSUM_TCP 0x4u
#define RNDIS_TX_CSUM_UDP 0x8u
#define RNDIS_RX_CSUM_FAILED 0x7u
#define RNDIS_RX_CSUM_OK 0x38u

/* Encoders write into buf (room for the message) and return msg_len. */
size_t rndis_initialize(uint8_t *buf, uint32_t req_id);
size_t rndis_query(uint8_t *buf, uint32_t req_id, uint32_t oid);
size_t rndis_set(uint8_t *buf, uint32_t req_id, uint32_t oid, const void *info, uint32_t len);
size_t rndis_halt(uint8_t *buf, uint32_t req_id);
/* NDIS_OFFLOAD_PARAMETERS (revision 1, 20 bytes) asking TCP and UDP
 * checksums over IPv4 and IPv6 both ways, leaving everything else
 * unchanged. */
size_t rndis_offload_csum(uint8_t *info);
/* A PACKET_MSG header for a frame of frame_len bytes, with a checksum
 * PPI when csum_info != 0; the frame follows at the returned length. */
size_t rndis_packet_header(uint8_t *buf, size_t frame_len, uint32_t csum_info);

/* A completion or indication from the host, after its checks. */
struct rndis_reply {
    uint32_t type, req_id, status;
    const uint8_t *info; /* QUERY_CMPLT's answer, INDICATE's buffer */
    uint32_t info_len;
};
/* One control message in msg (len: the range's bytes): a completion
 * (INITIALIZE, QUERY, SET, KEEPALIVE) or INDICATE_STATUS. Checks: at least
 * 12 bytes, msg_len within len, a type the host may send, its fixed fields
 * inside msg_len, the info or status buffer inside msg_len. 0, or -1 with
 * *why. */
int rndis_parse_control(const uint8_t *msg, uint32_t len, struct rndis_reply *out,
                        const char **why);

/* A received data packet, after its checks. */
struct rndis_packet {
    const uint8_t *frame;
    uint32_t frame_len;
    bool has_csum;
    uint32_t csum; /* the checksum PPI's value */
};
/* One PACKET_MSG in msg (len bytes): msg_len within len and at least the
 * header; data_offset at least 36; data inside the message, 14 bytes or
 * more; no OOB data; the PPI list, when there is one, 4-aligned inside the
 * message and each element's size and data inside it (DPDK hn_rxtx.c
 * hn_rndis_rx_data, hn_rndis_rxinfo). 0, or -1 with *why. */
int rndis_parse_packet(const uint8_t *msg, uint32_t len, struct rndis_packet *out,
                       const char **why);

#endif
