/* hostsim's VMBus host: the channel-management protocol (Linux
 * include/linux/hyperv.h, drivers/hv/connection.c and channel_mgmt.c for
 * what the guest sends; openvmm vm/devices/vmbus/vmbus_server channels.rs
 * for the host's rules), strict:
 *   - INITIATE_CONTACT with a version from WIN7 up to the cap, exact
 *     matches only (VERSION_RESPONSE version_supported 0 otherwise), on
 *     connection id 4 from V5 and 1 below; a new contact while connected
 *     first releases everything;
 *   - REQUESTOFFERS once per connection, answered by one OFFERCHANNEL per
 *     channel (relids from 1) and ALLOFFERS_DELIVERED;
 *   - GPADL_HEADER/BODY/CREATED, GPADL_TEARDOWN/TORNDOWN, OPENCHANNEL/
 *     RESULT, CLOSECHANNEL, RESCIND_CHANNELOFFER on a host command, then the
 *     guest's CLOSECHANNEL (when open) and RELID_RELEASED; UNLOAD/RESPONSE.
 * Anything else - an unknown or short message, a message before contact or
 * on the wrong connection id, an unknown relid or GPADL, a second open, a
 * close of a closed channel, a broken ring - is a protocol violation: it is
 * reported through the violation hook with what was expected, and the host
 * stops answering. Pure logic: messages leave through the post hook, ring
 * signals through the signal hook. */
#ifndef HOSTSIM_VMBUS_SERVER_H
#define HOSTSIM_VMBUS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/gpadl.h"
#include "hostsim/vmbus/ring.h"
#include "hostsim/vmbus/service.h"

#define VMBUS_HOST_MAX_CHANNELS 8
#define VMBUS_HOST_MAX_GPADLS 32
#define VMBUS_HOST_PACKET_MAX 4096 /* the largest packet a service takes */

enum vmbus_host_channel_state {
    VMBUS_CH_OFFERED,   /* offered (or waiting for REQUESTOFFERS) */
    VMBUS_CH_OPEN,      /* OPENCHANNEL answered */
    VMBUS_CH_RESCINDED, /* RESCIND sent; waiting for close and RELID_RELEASED */
    VMBUS_CH_RELEASED,  /* gone until the next connection */
};

struct vmbus_host;

struct vmbus_host_channel {
    struct vmbus_host *host;
    const struct vmbus_host_service *service;
    uint32_t relid, connection_id;
    enum vmbus_host_channel_state state;
    bool open;                         /* rings set up (also while rescinded, until closed) */
    uint32_t openid, gpadl, target_vp; /* target_vp 0xFFFFFFFF: never signalled */
    struct vmbus_host_ring in, out;    /* guest-to-host, host-to-guest */
    const struct vmbus_host_gpadl *ring_gpadl;
};

/* Faults the host injects on purpose (--misbehave KIND), each once, so
 * tests can show that the guest survives a host that breaks the protocol. */
enum vmbus_host_misbehave {
    VMBUS_MISBEHAVE_NONE,
    VMBUS_MISBEHAVE_OFFER_SHORT,  /* the first offer is cut to 100 of 188 body bytes */
    VMBUS_MISBEHAVE_OFFER_RELID0, /* the first offer carries child_relid 0 */
    VMBUS_MISBEHAVE_GPADL_STATUS, /* the first GPADL_CREATED says 0x8000FFFF */
    VMBUS_MISBEHAVE_GPADL_ID,     /* the first GPADL_CREATED names the id + 1 */
    VMBUS_MISBEHAVE_RING_INDEX,   /* the first host packet publishes write index = size + 8 */
    VMBUS_MISBEHAVE_PACKET_LEN,   /* the first host packet's len8 claims the whole ring */
    VMBUS_MISBEHAVE_RESCIND_OPEN, /* the first OPENCHANNEL: RESCIND before the result */
};

struct vmbus_host_hooks {
    /* Posts one channel message to SINT sint of VP vp. 0, or -1 when the
     * guest's queue is full. */
    int (*post)(void *ctx, unsigned vp, unsigned sint, const void *msg, size_t len);
    /* Interrupts VP vp for channel relid (its event flag in SINT sint). */
    void (*signal)(void *ctx, unsigned vp, unsigned sint, uint32_t relid);
    /* The guest broke the protocol; `what` says how and what was expected. */
    void (*violation)(void *ctx, const char *what);
    /* The host misbehaves now, on purpose (may be NULL). */
    void (*misbehaving)(void *ctx, const char *what);
    void *ctx;
};

struct vmbus_host {
    const struct guest_mem *mem;
    struct vmbus_host_hooks hooks;
    unsigned nvps;
    uint32_t max_version;
    bool connected, offers_sent, broken;
    enum vmbus_host_misbehave misbehave;
    bool misbehaved; /* the fault was injected */
    uint32_t version, target_vp, msg_conn_id;
    unsigned sint;
    struct vmbus_host_channel channel[VMBUS_HOST_MAX_CHANNELS];
    unsigned nchannels;
    struct vmbus_host_gpadl gpadl[VMBUS_HOST_MAX_GPADLS];
    uint8_t packet[VMBUS_HOST_PACKET_MAX];
};

/* The host's versions, newest first (WIN7 .. V5_3); max_version caps them
 * (it must be one of them). */
extern const uint32_t vmbus_host_versions[];
extern const unsigned vmbus_host_nversions;
bool vmbus_host_version_known(uint32_t v);

void vmbus_host_init(struct vmbus_host *h, const struct guest_mem *mem, unsigned nvps,
                     uint32_t max_version, const struct vmbus_host_hooks *hooks);
/* Frees what the guest made (GPADLs); the host is unusable afterwards. */
void vmbus_host_destroy(struct vmbus_host *h);
/* Adds a channel for service s (before the guest connects). Its relid is
 * its position + 1, its connection id 0x2000 + relid. NULL when full. */
struct vmbus_host_channel *vmbus_host_add_channel(struct vmbus_host *h,
                                                  const struct vmbus_host_service *s);

/* A channel message the guest posted to connection_id (HvPostMessage
 * payload, size bytes). Returns 0, or -1 after a violation. */
int vmbus_host_message(struct vmbus_host *h, uint32_t connection_id, const uint8_t *msg,
                       size_t size);
/* The guest signalled channel relid (HvSignalEvent on its connection id):
 * every packet waiting in its ring goes to the service. */
void vmbus_host_channel_signalled(struct vmbus_host *h, uint32_t relid);
/* Host command: rescinds channel relid. 0, or -1 when it is not offered. */
int vmbus_host_rescind(struct vmbus_host *h, uint32_t relid);

/* A service's reply: one packet on the host-to-guest ring. 0, or -1 when
 * the ring is full or broken (a broken ring is a violation). */
int vmbus_host_channel_send(struct vmbus_host_channel *ch, uint16_t type, uint16_t flags,
                            uint64_t transaction_id, const void *payload, size_t len);
/* A service's transfer-page packet (type 7, completion requested): the
 * pageset header and ranges (hlen bytes, a multiple of 8), then the
 * payload. 0, or -1 as vmbus_host_channel_send. */
int vmbus_host_channel_send_xfer(struct vmbus_host_channel *ch, uint64_t transaction_id,
                                 const void *hdr, size_t hlen, const void *payload, size_t len);
/* A service's access to a GPADL the guest made on its channel (netvsc's
 * buffers), by id: the complete GPADL of that channel, or NULL. Read and
 * write it with vmbus_host_gpadl_read/_write (gpadl.h). */
const struct vmbus_host_gpadl *vmbus_host_channel_gpadl(struct vmbus_host_channel *ch, uint32_t id);
/* A service's report of a violation on its channel (printf-style). */
void vmbus_host_violation(struct vmbus_host *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
