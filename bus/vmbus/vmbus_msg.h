/* VMBus channel-management messages: the guest's encoders and the parsers of
 * what the host sends. Pure logic over byte buffers with explicit offsets, so
 * a layout mistake shows up against the golden bytes of the unit tests.
 *
 * Each message is the payload of an HvPostMessage of type 1 (guest to host)
 * or a SynIC message on SINT2 (host to guest), at most 240 bytes, and starts
 * with an 8-byte header: msgtype u32, padding u32. Layouts (offsets after
 * the header) from Linux include/linux/hyperv.h (enum
 * vmbus_channel_message_type, struct vmbus_channel_*) and openvmm
 * vm/devices/vmbus/vmbus_core/src/protocol.rs; the tables are in
 * docs/hyperv.md. */
#ifndef BUS_VMBUS_VMBUS_MSG_H
#define BUS_VMBUS_VMBUS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMBUS_MSG_MAX 240u
#define VMBUS_MSG_HEADER 8u
#define VMBUS_MESSAGE_TYPE 1u /* HvPostMessage type of every VMBus message */

enum vmbus_msgtype {
    VMBUS_OFFERCHANNEL = 1,
    VMBUS_RESCIND_CHANNELOFFER = 2,
    VMBUS_REQUESTOFFERS = 3,
    VMBUS_ALLOFFERS_DELIVERED = 4,
    VMBUS_OPENCHANNEL = 5,
    VMBUS_OPENCHANNEL_RESULT = 6,
    VMBUS_CLOSECHANNEL = 7,
    VMBUS_GPADL_HEADER = 8,
    VMBUS_GPADL_BODY = 9,
    VMBUS_GPADL_CREATED = 10,
    VMBUS_GPADL_TEARDOWN = 11,
    VMBUS_GPADL_TORNDOWN = 12,
    VMBUS_RELID_RELEASED = 13,
    VMBUS_INITIATE_CONTACT = 14,
    VMBUS_VERSION_RESPONSE = 15,
    VMBUS_UNLOAD = 16,
    VMBUS_UNLOAD_RESPONSE = 17,
};

/* Protocol versions, major << 16 | minor (hyperv.h VERSION_*). */
#define VMBUS_VERSION_WIN8 0x00020004u
#define VMBUS_VERSION_WIN8_1 0x00030000u
#define VMBUS_VERSION_WIN10 0x00040000u
#define VMBUS_VERSION_WIN10_V4_1 0x00040001u
#define VMBUS_VERSION_WIN10_V5 0x00050000u
#define VMBUS_VERSION_WIN10_V5_1 0x00050001u
#define VMBUS_VERSION_WIN10_V5_2 0x00050002u
#define VMBUS_VERSION_WIN10_V5_3 0x00050003u
#define VMBUS_VERSION_V6_0 0x00060000u

/* Relids index the 2048 event flags of SINT2; relid 0 is never a channel
 * (hyperv.h INVALID_RELID; openvmm assigns relids from 1). */
#define VMBUS_RELID_LIMIT 2048u
#define VMBUS_CONNECTION_ID_MASK 0x00FFFFFFu

/* GPADL capacity of one message: the header holds 26 PFNs of one range,
 * each body 28: (240 - 8 - 12 - 8) / 8 and (240 - 16) / 8. */
#define VMBUS_GPADL_HEADER_PFNS 26u
#define VMBUS_GPADL_BODY_PFNS 28u

struct vmbus_guid {
    uint8_t b[16]; /* as on the wire: first three fields little-endian */
};

struct vmbus_offer {
    struct vmbus_guid if_type, if_instance;
    uint16_t chn_flags;
    uint16_t mmio_megabytes;
    uint8_t user_defined[120];
    uint16_t sub_channel_index;
    uint32_t child_relid;
    uint8_t monitor_id;
    bool monitor_allocated;
    bool dedicated_interrupt;
    uint32_t connection_id;
};

struct vmbus_version_response {
    bool supported;
    uint8_t connection_state; /* 0 ok, 1 low resources, 2 failed */
    uint32_t msg_conn_id;
    bool has_features;
    uint32_t supported_features; /* V6 */
};

/* What a host message said, after every check. */
struct vmbus_host_msg {
    enum vmbus_msgtype type;
    union {
        struct vmbus_offer offer;              /* OFFERCHANNEL */
        uint32_t relid;                        /* RESCIND_CHANNELOFFER */
        struct vmbus_version_response version; /* VERSION_RESPONSE */
        struct {
            uint32_t relid, openid, status;
        } open_result; /* OPENCHANNEL_RESULT */
        struct {
            uint32_t relid, gpadl, status;
        } gpadl_created; /* GPADL_CREATED */
        uint32_t gpadl;  /* GPADL_TORNDOWN */
    } u;
};

/* Parses one message from the host (buf, len: the SynIC payload). 0, or -1
 * with why in *why (a static string): a length below the type's size, a
 * message the guest sends (or an unknown type), a relid of 0 or beyond
 * VMBUS_RELID_LIMIT, a connection id with bits above 23, a boolean field
 * with other bits set. Longer messages than a type's size are accepted
 * (later versions append fields) up to VMBUS_MSG_MAX. */
int vmbus_msg_parse(const uint8_t *buf, size_t len, struct vmbus_host_msg *out, const char **why);

/* Encoders: write the message into buf (at least VMBUS_MSG_MAX bytes) and
 * return its length. */
/* INITIATE_CONTACT: below WIN10_V5 the u64 @8 is the interrupt page;
 * from V5 on it is msg_sint (= 2) and msg_vtl (= 0), and from V6 also
 * feature flags (0). */
size_t vmbus_msg_initiate_contact(uint8_t *buf, uint32_t version, uint32_t target_vcpu,
                                  uint64_t interrupt_page, uint64_t monitor1, uint64_t monitor2);
size_t vmbus_msg_request_offers(uint8_t *buf);
size_t vmbus_msg_open_channel(uint8_t *buf, uint32_t relid, uint32_t openid, uint32_t gpadl,
                              uint32_t target_vp, uint32_t downstream_page_offset);
size_t vmbus_msg_close_channel(uint8_t *buf, uint32_t relid);
size_t vmbus_msg_gpadl_teardown(uint8_t *buf, uint32_t relid, uint32_t gpadl);
size_t vmbus_msg_relid_released(uint8_t *buf, uint32_t relid);
size_t vmbus_msg_unload(uint8_t *buf);

/* A GPADL of one range of npfns pages (byte offset 0, npages * 4096 bytes)
 * as one GPADL_HEADER and the GPADL_BODY messages that follow it. Call
 * with part = 0, 1, ... until it returns 0: each call writes one message
 * and returns its length. */
size_t vmbus_msg_gpadl_part(uint8_t *buf, unsigned part, uint32_t relid, uint32_t gpadl,
                            const uint64_t *pfns, uint32_t npfns);
/* How many messages a GPADL of npfns pages takes. */
unsigned vmbus_gpadl_messages(uint32_t npfns);

bool vmbus_guid_equal(const struct vmbus_guid *a, const struct vmbus_guid *b);
/* "0e0b6031-5213-4934-818b-38d90ced39db" (37 bytes with the NUL). */
void vmbus_guid_format(const struct vmbus_guid *g, char out[37]);

#endif
