/* Hyper-V integration-service (IC) messages as pure logic: the framing,
 * the version negotiation and the bodies of the shutdown, heartbeat and
 * timesync services, so each is pinned to golden bytes in the host tests.
 *
 * Layouts (Linux include/linux/hyperv.h: struct vmbuspipe_hdr, icmsg_hdr,
 * icmsg_negotiate, shutdown_msg_data, heartbeat_msg_data, ictimesync_data
 * and ictimesync_ref_data; openvmm vm/devices/hyperv_ic_protocol): every IC
 * message is the payload of one DATA_INBAND packet: an 8-byte pipe header
 * (flags u32 = 1, msgsize u32 = the bytes after it), a 20-byte icmsg_hdr
 * (framework version u16 major, u16 minor @0; msgtype u16 @4; message
 * version @6; icmsgsize u16 @10 = body bytes; status u32 @12;
 * transaction id u8 @16; flags u8 @17: 1 TRANSACTION, 2 REQUEST,
 * 4 RESPONSE), then the body. The guest answers in place: the same bytes
 * with flags TRANSACTION|RESPONSE and its status (Linux drivers/hv/hv_util.c). */
#ifndef DRIVERS_HYPERV_IC_MSG_H
#define DRIVERS_HYPERV_IC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IC_PIPE_HEADER 8u
#define IC_HEADER 20u
#define IC_BODY (IC_PIPE_HEADER + IC_HEADER) /* where the body starts */

enum ic_msgtype {
    IC_MSG_NEGOTIATE = 0,
    IC_MSG_HEARTBEAT = 1,
    IC_MSG_KVP = 2,
    IC_MSG_SHUTDOWN = 3,
    IC_MSG_TIMESYNC = 4,
};

#define IC_FLAG_TRANSACTION 1u
#define IC_FLAG_REQUEST 2u
#define IC_FLAG_RESPONSE 4u
#define IC_STATUS_OK 0u
#define IC_STATUS_FAIL 0x80004005u /* E_FAIL */

struct ic_version {
    uint16_t major, minor;
};

struct ic_message {
    struct ic_version framework, version;
    uint16_t type;
    uint32_t status;
    uint8_t transaction_id, flags;
    uint8_t *body; /* inside the caller's buffer */
    uint16_t body_len;
};

/* Checks the framing of the inband payload pkt (len bytes, as received):
 * room for both headers, the pipe's msgsize within len and at least the
 * IC header, the body size within msgsize, the REQUEST flag. 0 with *m,
 * or -1 with *why. */
int ic_parse(uint8_t *pkt, size_t len, struct ic_message *m, const char **why);

/* Turns pkt (as parsed) into the response: flags TRANSACTION|RESPONSE,
 * status as given; the rest stays as the host sent it. */
void ic_respond(uint8_t *pkt, uint32_t status);

/* The negotiate body: framework count u16 @0, message-version count u16
 * @2, reserved u32 @4, then the framework versions and then the message
 * versions, 4 bytes each. Picks the first of ours (newest first) that the
 * host lists, for each; rewrites the body to the answer (counts 1 and 1,
 * the two chosen versions) and returns 0; -1 with *why when the lists do
 * not fit the body or nothing is shared (the body then answers 0 and 0). */
int ic_negotiate(struct ic_message *m, const struct ic_version *fw, unsigned nfw,
                 const struct ic_version *ours, unsigned nours, struct ic_version *fw_out,
                 struct ic_version *ver_out, const char **why);

/* Shutdown: reason_code u32 @0, timeout_seconds u32 @4, flags u32 @8
 * (bit 0 force, bit 1 restart, bit 2 hibernate), display message @12. */
int ic_shutdown_flags(const struct ic_message *m, uint32_t *flags, const char **why);

/* Heartbeat: seq_num u64 @0; the answer is seq_num + 1. */
int ic_heartbeat_answer(struct ic_message *m, const char **why);

/* Timesync: version 4 (ictimesync_ref_data: parent time u64 @0, VM
 * reference time u64 @8, flags u8 @16), versions 1 and 3 (ictimesync_data:
 * parent time @0, child time @8, round trip @16, flags u8 @24). Times count
 * 100 ns since 1601-01-01 UTC. Gives the host's time as Unix nanoseconds
 * and the flags (1 SYNC: set the clock now; 2 SAMPLE); -1 for a body too
 * short or a time before 1970. */
#define IC_TIMESYNC_SYNC 1u
#define IC_TIMESYNC_SAMPLE 2u
int ic_timesync(const struct ic_message *m, uint64_t *unix_ns, uint8_t *flags, const char **why);

#endif
