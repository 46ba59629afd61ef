/* Hyper-V's synthetic NIC (netvsc): what the driver's control part
 * (netvsc.c: probe, NVSP and RNDIS set-up, remove) and its data part
 * (netvsc_data.c: the channel's packets, transmit) share. */
#ifndef DRIVERS_NETVSC_NETVSC_H
#define DRIVERS_NETVSC_NETVSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/vmbus/vmbus.h"
#include "dev/netdev.h"
#include "drivers/netvsc/nvsp.h"

#define NETVSC_MAX_SECTIONS 128u /* send sections the driver tracks */
#define NETVSC_PACKET_MAX 4096u  /* the largest VMBus packet taken from the host */
#define NETVSC_DONE_BATCH 64u    /* receive completions sent together */
/* Transaction ids: the NVSP request waiting for its completion (the
 * request's completion type in the low bits), and one per send in flight:
 * a sequence number (bits 16-47) and the section (bits 0-15), so a
 * completion naming a section with another send's id is caught. */
#define NETVSC_TID_REQUEST (1ull << 62)
#define NETVSC_TID_SEND (1ull << 61)
#define NETVSC_TID_SEND_ID(seq, section) (NETVSC_TID_SEND | (uint64_t)(seq) << 16 | (section))

struct netvsc {
    struct vmbus_dev *vd;
    struct netdev nd;
    bool registered, broken;
    uint32_t version; /* NVSP */
    uint8_t *rxbuf, *txbuf;
    uint32_t rx_bytes, tx_bytes;
    uint32_t rx_end; /* where the host's receive sections end (sections * size) */
    uint32_t rx_gpadl, tx_gpadl;
    uint32_t tx_section, tx_nsections;
    uint64_t tx_busy[NETVSC_MAX_SECTIONS / 64];
    uint32_t tx_seq[NETVSC_MAX_SECTIONS]; /* the sequence number of each send in flight */
    uint32_t next_seq;
    bool tx_csum; /* the host took TCP and UDP checksum offload */
    /* The one NVSP request waiting for its completion. */
    struct {
        uint32_t want;
        bool waiting, done;
        uint8_t msg[NVSP_MSG_SIZE];
        size_t len;
    } nvsp;
    /* The one RNDIS request waiting for its completion. */
    struct {
        uint32_t type, req_id;
        bool waiting, done;
        uint32_t status;
        uint8_t info[16];
        uint32_t info_len;
    } rndis;
    uint32_t next_req_id;
    uint64_t done_tid[NETVSC_DONE_BATCH]; /* receive completions owed */
    unsigned ndone;
    uint64_t rx_csum_ok, rx_csum_bad; /* the host's checksum verdicts */
    uint64_t rx_unsolicited;          /* in-band NVSP messages dropped */
    uint8_t pkt[NETVSC_PACKET_MAX];
};

/* The host broke the protocol: logs, closes the channel (vmbus_fail),
 * takes the link down and wakes whoever waits. */
void netvsc_fail(struct netvsc *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The channel's event: takes every packet the host sent (netvsc_data.c). */
void netvsc_event(struct vmbus_dev *vd);
/* Sends the pieces (total bytes) from a free send section as an NVSP
 * RNDIS packet on channel (data or control); with soft, the checksum it
 * describes is completed in the section's frame (after parts[0], the
 * RNDIS header) first. 0; 1 when no section or ring room is free now; -1
 * when the channel is broken or the checksum does not fit the frame. */
int netvsc_send_section(struct netvsc *n, uint32_t channel, const struct netdev_buf *parts,
                        unsigned nparts, size_t total, const struct netdev_tx_offload *soft);
extern const struct netdev_ops netvsc_netdev_ops;

#endif
