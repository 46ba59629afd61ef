/* The integration-service framework every Hyper-V IC shares (Linux
 * include/linux/hyperv.h struct vmbuspipe_hdr, icmsg_hdr,
 * icmsg_negotiate, ic_version; drivers/hv/hv_util.c; openvmm
 * vm/devices/hyperv_ic_protocol and hyperv_ic/src/common.rs). Each IC
 * message is one INBAND packet: a pipe header (flags u32 = 1, msgsize u32 =
 * the bytes after it), the 20-byte icmsg_hdr (icverframe u16 major, u16
 * minor @0; icmsgtype u16 @4; icvermsg @6; icmsgsize u16 @10; status u32
 * @12; ictransaction_id u8 @16; icflags u8 @17), then the body.
 *
 * The host speaks first: once the guest opens the channel it sends the
 * version negotiation (icmsgtype 0; body: framework count u16, message
 * count u16, reserved u32, the framework versions, then the message
 * versions, each u16 major, u16 minor) with icflags TRANSACTION|REQUEST;
 * the guest answers in place with TRANSACTION|RESPONSE, counts 1/1 and the
 * pair it chose, which must be among those offered. After that the host
 * sends the service's requests and checks each reply: same transaction id,
 * same message type, RESPONSE flags, sizes inside the packet. A reply
 * that breaks these rules is a VMBus violation; a guest that finds no
 * common version (counts 0/0) leaves the service unused, which is logged.
 * Pure logic; each service is a file of its own (ic_*.c). */
#ifndef HOSTSIM_VMBUS_IC_H
#define HOSTSIM_VMBUS_IC_H

#include <stdbool.h>
#include <stdint.h>

#include "hostsim/vmbus/server.h"
#include "hostsim/vmbus/service.h"

#define IC_PIPE_HEADER 8
#define IC_HEADER 20
#define IC_MSG_NEGOTIATE 0
#define IC_MSG_HEARTBEAT 1
#define IC_MSG_KVP 2
#define IC_MSG_SHUTDOWN 3
#define IC_MSG_TIMESYNC 4
#define IC_FLAG_TRANSACTION 0x1
#define IC_FLAG_REQUEST 0x2
#define IC_FLAG_RESPONSE 0x4
#define IC_STATUS_FAIL 0x80004005u
#define IC_MAX_VERSIONS 6

struct vmbus_ic;

struct ic_version {
    uint16_t major, minor;
};

/* What a service adds to the framework. */
struct vmbus_ic_kind {
    const char *name;
    const char *class_guid;    /* "0e0b6031-5213-4934-818b-38d90ced39db" */
    const char *instance_guid; /* the instance hostsim offers */
    uint16_t msgtype;
    struct ic_version versions[IC_MAX_VERSIONS]; /* the host's, oldest first */
    unsigned nversions;
    /* Versions agreed: may send the first request. */
    void (*ready)(struct vmbus_ic *ic);
    /* The guest's answer to the outstanding request: status and body. */
    void (*answer)(struct vmbus_ic *ic, uint32_t status, const uint8_t *body, uint16_t len);
    /* About once a second (periodic requests). */
    void (*tick)(struct vmbus_ic *ic);
};

/* What the services need from the machine. */
struct vmbus_ic_env {
    /* Logs what a service saw (a line without the newline). */
    void (*log)(void *ctx, const char *line);
    /* Tells the host's user what the guest reported (KVP's pairs); NULL:
     * through log. */
    void (*notice)(void *ctx, const char *line);
    /* The host's time of day in 100 ns units since 1601-01-01 UTC. */
    uint64_t (*wall_time)(void *ctx);
    /* The partition's reference time (100 ns units, TIME_REF_COUNT). */
    uint64_t (*reference_time)(void *ctx);
    void *ctx;
};

struct vmbus_ic {
    struct vmbus_host_service service; /* service.ctx = this */
    const struct vmbus_ic_kind *kind;
    struct vmbus_host_channel *channel;
    const struct vmbus_ic_env *env;
    bool open, ready, unusable;
    struct ic_version framework, message; /* agreed */
    bool outstanding;                     /* a request waits for its answer */
    uint16_t outstanding_type;
    uint8_t transaction_id;
    uint64_t state[4]; /* the service's own small state */
};

/* The framework versions hostsim offers: 1.0 and 3.0. */
extern const struct ic_version vmbus_ic_framework_versions[2];

/* Sets ic up for kind (the GUID strings parsed). 0, or -1 on a bad GUID. */
int vmbus_ic_init(struct vmbus_ic *ic, const struct vmbus_ic_kind *kind,
                  const struct vmbus_ic_env *env);
/* Sends a request of the service's message type with body (len bytes).
 * 0, or -1 when one is outstanding, the channel is not ready or full. */
int vmbus_ic_request(struct vmbus_ic *ic, const void *body, uint16_t len);
void vmbus_ic_tick(struct vmbus_ic *ic);
void vmbus_ic_logf(struct vmbus_ic *ic, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vmbus_ic_noticef(struct vmbus_ic *ic, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into the wire order (the first
 * three fields little-endian, hyperv.h GUID_INIT). 0 or -1. */
int vmbus_guid_parse(const char *s, uint8_t out[16]);

#endif
