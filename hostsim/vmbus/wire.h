/* The VMBus channel-management protocol on the wire, as hostsim's VMBus host
 * speaks it: message numbers, body offsets (counted after the 8-byte header
 * msgtype u32, padding u32), versions and sizes. Facts from Linux's
 * include/linux/hyperv.h (enum vmbus_channel_message_type, struct
 * vmbus_channel_offer_channel, vmbus_channel_initiate_contact,
 * vmbus_channel_version_response, vmbus_channel_gpadl_header/body,
 * vmbus_channel_open_channel, VERSION_*) and openvmm's
 * vm/devices/vmbus/vmbus_core/src/protocol.rs. The guest side (bus/vmbus in
 * the kernel) spells these on its own on purpose. All little-endian. */
#ifndef HOSTSIM_VMBUS_WIRE_H
#define HOSTSIM_VMBUS_WIRE_H

#define VMBUS_MESSAGE_TYPE 1 /* HvPostMessage type of every channel message */
#define VMBUS_HEADER_SIZE 8
#define VMBUS_MESSAGE_SINT 2

/* Connection ids the guest posts to (Linux hyperv_vmbus.h
 * VMBUS_MESSAGE_CONNECTION_ID, _ID_4): 1 below V5, 4 for a V5+ contact. */
#define VMBUS_CONNECTION_ID 1u
#define VMBUS_CONNECTION_ID_V5 4u

enum vmbus_msg {
    VMBUS_MSG_OFFERCHANNEL = 1,
    VMBUS_MSG_RESCIND_CHANNELOFFER = 2,
    VMBUS_MSG_REQUESTOFFERS = 3,
    VMBUS_MSG_ALLOFFERS_DELIVERED = 4,
    VMBUS_MSG_OPENCHANNEL = 5,
    VMBUS_MSG_OPENCHANNEL_RESULT = 6,
    VMBUS_MSG_CLOSECHANNEL = 7,
    VMBUS_MSG_GPADL_HEADER = 8,
    VMBUS_MSG_GPADL_BODY = 9,
    VMBUS_MSG_GPADL_CREATED = 10,
    VMBUS_MSG_GPADL_TEARDOWN = 11,
    VMBUS_MSG_GPADL_TORNDOWN = 12,
    VMBUS_MSG_RELID_RELEASED = 13,
    VMBUS_MSG_INITIATE_CONTACT = 14,
    VMBUS_MSG_VERSION_RESPONSE = 15,
    VMBUS_MSG_UNLOAD = 16,
    VMBUS_MSG_UNLOAD_RESPONSE = 17,
};

/* Versions, major << 16 | minor. */
#define VMBUS_VERSION_WIN7 0x10001u
#define VMBUS_VERSION_WIN8 0x20004u
#define VMBUS_VERSION_WIN8_1 0x30000u
#define VMBUS_VERSION_WIN10 0x40000u
#define VMBUS_VERSION_V4_1 0x40001u
#define VMBUS_VERSION_V5 0x50000u
#define VMBUS_VERSION_V5_1 0x50001u
#define VMBUS_VERSION_V5_2 0x50002u
#define VMBUS_VERSION_V5_3 0x50003u

/* Body sizes (after the header). */
#define VMBUS_OFFER_SIZE 188
#define VMBUS_INITIATE_CONTACT_SIZE 32
#define VMBUS_VERSION_RESPONSE_SIZE 8
#define VMBUS_OPENCHANNEL_SIZE 140
#define VMBUS_GPADL_HEADER_FIXED 12 /* relid, gpadl, range_buflen, rangecount */
#define VMBUS_GPADL_BODY_FIXED 8    /* msgnumber, gpadl */
#define VMBUS_GPA_RANGE_FIXED 8     /* byte_count, byte_offset, then pfns */

/* OFFERCHANNEL offsets. */
#define OFFER_IF_TYPE 0
#define OFFER_IF_INSTANCE 16
#define OFFER_FLAGS 48
#define OFFER_SUBCHANNEL_INDEX 172
#define OFFER_CHILD_RELID 176
#define OFFER_MONITOR_ID 180
#define OFFER_MONITOR_ALLOCATED 181
#define OFFER_DEDICATED_INTERRUPT 182
#define OFFER_CONNECTION_ID 184

/* OPENCHANNEL offsets. */
#define OPEN_RELID 0
#define OPEN_OPENID 4
#define OPEN_GPADL 8
#define OPEN_TARGET_VP 12
#define OPEN_DOWNSTREAM_PAGE 16
#define OPEN_NO_INTERRUPTS 0xFFFFFFFFu /* target_vp: the guest polls (openvmm protocol.rs) */

/* Result statuses the host sends. */
#define VMBUS_STATUS_OK 0u
#define VMBUS_STATUS_FAIL 0x8000FFFFu /* E_UNEXPECTED, openvmm's GPADL failure */

/* Ring buffers (hyperv.h struct hv_ring_buffer, vmpacket_descriptor). */
#define RING_WRITE_INDEX 0
#define RING_READ_INDEX 4
#define RING_INTERRUPT_MASK 8
#define RING_PENDING_SEND_SIZE 12
#define RING_FEATURE_BITS 64
#define RING_FEAT_PENDING_SEND_SIZE 0x1u
#define RING_PACKET_DESCRIPTOR 16
#define RING_TRAILER 8

enum vmbus_packet_type {
    VMBUS_PACKET_DATA_INBAND = 6,
    VMBUS_PACKET_DATA_XFER_PAGES = 7,
    VMBUS_PACKET_DATA_GPA_DIRECT = 9,
    VMBUS_PACKET_COMP = 0xB,
};
#define VMBUS_PACKET_FLAG_COMPLETION 0x1u

#endif
