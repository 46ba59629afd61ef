/* devinfo's minimal responder: makes a network device answer ARP requests
 * for one IPv4 address, ICMP echo requests to it, and (optionally) UDP
 * datagrams to the echo port 7: enough for a host test to reach the guest
 * with ping before a TCP/IP stack exists. Pure packet logic, no hardware access: it is given a
 * received Ethernet frame and writes the reply frame into a buffer, so host
 * unit tests and fuzzers drive it with malformed frames.
 *
 * Every length and field is checked (Ethernet type and addresses; ARP
 * hardware/protocol types and sizes; IPv4 version, IHL, total length, header
 * checksum, fragments; ICMP and UDP lengths and checksums) and a frame that
 * fails a check is dropped and counted, never answered.
 * References: RFC 826 (ARP), RFC 791 (IPv4), RFC 792 (ICMP), RFC 768 (UDP),
 * RFC 862 (echo service), RFC 1071 (checksum). */
#ifndef APPS_DEVINFO_PING_RESPONDER_H
#define APPS_DEVINFO_PING_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_HLEN 14
#define ETH_ZLEN 60 /* shortest frame without the FCS; replies are padded to it */
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define PING_UDP_ECHO_PORT 7

struct ping_counters {
    uint64_t frames;       /* frames looked at */
    uint64_t arp_replies;  /* ARP requests for our address answered */
    uint64_t echo_replies; /* ICMP echo requests answered */
    uint64_t udp_replies;  /* UDP echo datagrams answered */
    uint64_t ignored;      /* well formed, but not for us or not answered */
    uint64_t malformed;    /* dropped: a length, field or checksum was wrong */
    uint64_t unsupported;  /* dropped: IPv4 fragments (never reassembled) */
    uint64_t no_room;      /* dropped: the reply did not fit the buffer */
};

struct ping_responder {
    uint8_t mac[6];
    uint8_t ip[4]; /* network order */
    bool udp_echo; /* answer UDP datagrams to port 7 */
    /* Leave ICMP/UDP checksums of replies for the device to complete
     * (virtio NEEDS_CSUM semantics: the field holds the pseudo-header sum,
     * see struct ping_reply); the IPv4 header checksum is always computed. */
    bool tx_csum_offload;
    uint16_t ip_id; /* identification of the next IPv4 reply */
    struct ping_counters count;
    char last_error[80]; /* why the last malformed frame was dropped */
};

enum ping_result {
    PING_REPLY,     /* out holds a reply of reply->len bytes */
    PING_IGNORED,   /* nothing to answer */
    PING_MALFORMED, /* dropped; last_error says why */
    PING_UNSUPPORTED,
    PING_NO_ROOM,
};

enum ping_kind { PING_KIND_NONE, PING_KIND_ARP, PING_KIND_ICMP, PING_KIND_UDP };

struct ping_reply {
    size_t len;
    enum ping_kind kind;
    /* With tx_csum_offload: the transport checksum over [csum_start, len of
     * the IP datagram) still has to be stored at csum_start + csum_offset. */
    bool csum_partial;
    uint16_t csum_start, csum_offset;
};

void ping_responder_init(struct ping_responder *r, const uint8_t mac[6], const uint8_t ip[4]);

/* Looks at one received frame; on PING_REPLY the reply frame is in out
 * (out_size bytes available; ETH_ZLEN at least is needed for any reply). */
enum ping_result ping_responder_handle(struct ping_responder *r, const uint8_t *frame, size_t len,
                                       uint8_t *out, size_t out_size, struct ping_reply *reply);

/* Parses a dotted-quad IPv4 address ("10.0.0.2"); 0 or -1. */
int ping_parse_ipv4(const char *s, uint8_t ip[4]);

#endif
