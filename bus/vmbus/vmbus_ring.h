/* VMBus ring buffers, as pure logic over the shared memory, so the host
 * tests can co-simulate both ends. A channel has two rings in one GPADL:
 * outbound (guest writes, host reads) and inbound (host writes, guest
 * reads). Each is a 4 KiB control page followed by its data area.
 *
 * Layouts (Linux include/linux/hyperv.h struct hv_ring_buffer and
 * vmpacket_descriptor; openvmm vm/devices/vmbus/vmbus_ring/src/lib.rs):
 *   control page: write_index u32 @0 (a byte offset into the data area,
 *   owned by the writer), read_index u32 @4 (the reader's),
 *   interrupt_mask u32 @8 (set by the reader), pending_send_sz u32 @12 (set
 *   by a writer waiting for room), feature_bits u32 @64 (bit 0: the writer
 *   uses pending_send_sz);
 *   packet: type u16 @0, offset8 u16 @2 (payload offset / 8, >= 2), len8
 *   u16 @4 (length / 8 without the trailer), flags u16 @6 (bit 0 completion
 *   requested), transaction id u64 @8; then an 8-byte trailer holding the
 *   writer's previous write_index << 32. Everything wraps modulo the data
 *   size; a writer needs strictly more free bytes than it writes, so a full
 *   ring is never mistaken for an empty one.
 * Signalling (Linux drivers/hv/ring_buffer.c hv_signal_on_write and
 * hv_pkt_iter_close; openvmm commit_write / commit_read): the writer
 * signals only when the reader has not masked interrupts and the ring was
 * empty before its write; the reader signals a writer that set
 * pending_send_sz when the free space grows past it.
 *
 * Only our own index is trusted: the guest keeps it here and never reads it
 * back; the host's index is checked on every use. */
#ifndef BUS_VMBUS_VMBUS_RING_H
#define BUS_VMBUS_VMBUS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMBUS_RING_CONTROL_BYTES 4096u
#define VMBUS_PKT_DESC_BYTES 16u
#define VMBUS_RING_TRAILER_BYTES 8u

#define VMBUS_PKT_DATA_INBAND 6u
#define VMBUS_PKT_DATA_USING_XFER_PAGES 7u
#define VMBUS_PKT_DATA_USING_GPA_DIRECT 9u
#define VMBUS_PKT_COMP 0xBu
#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED 1u

struct vmbus_ring_control {
    uint32_t write_index;
    uint32_t read_index;
    uint32_t interrupt_mask;
    uint32_t pending_send_sz;
    uint32_t reserved[12];
    uint32_t feature_bits;
};
_Static_assert(__builtin_offsetof(struct vmbus_ring_control, feature_bits) == 64,
               "hyperv.h hv_ring_buffer");

struct vmbus_ring {
    volatile struct vmbus_ring_control *ctl;
    volatile uint8_t *data;
    uint32_t size; /* data bytes */
    uint32_t own;  /* our index: write_index outbound, read_index inbound */
    bool outbound;
};

enum vmbus_ring_result {
    VMBUS_RING_OK,
    VMBUS_RING_EMPTY,   /* read: nothing there */
    VMBUS_RING_FULL,    /* write: no room now; pending_send_sz is set */
    VMBUS_RING_TOO_BIG, /* write: never fits; read: larger than the buffer */
    VMBUS_RING_BROKEN,  /* the host broke the protocol: *why says how */
};

/* One piece of a packet to write. */
struct vmbus_sg {
    const void *p;
    size_t len;
};

/* A packet read: its descriptor fields; the bytes (descriptor included)
 * are in the caller's buffer, the payload at offset. */
struct vmbus_pkt {
    uint16_t type, flags;
    uint32_t offset, len; /* bytes: offset8 * 8, len8 * 8 */
    uint64_t transaction_id;
};

/* Sets up a ring over its control page (at pages) and data area (the rest
 * of bytes, a multiple of 4096 with at least one data page). The pages are
 * the guest's, zeroed; an outbound ring announces pending_send_sz support. */
int vmbus_ring_init(struct vmbus_ring *r, void *pages, uint32_t bytes, bool outbound);

/* Writes one packet (the pieces, padded with zeros to 8 bytes, then the
 * trailer). *signal: the host must be told (HvSignalEvent). */
enum vmbus_ring_result vmbus_ring_write(struct vmbus_ring *r, const struct vmbus_sg *parts,
                                        unsigned nparts, bool *signal, const char **why);

/* Reads the next packet into buf after checking its descriptor, and moves
 * past it. *signal: a writer waiting for room must be told. */
enum vmbus_ring_result vmbus_ring_read(struct vmbus_ring *r, void *buf, size_t buflen,
                                       struct vmbus_pkt *pkt, bool *signal, const char **why);

/* The reader's interrupt mask: set while draining; clearing returns true
 * when data arrived meanwhile (drain again: no interrupt will come). */
void vmbus_ring_mask(struct vmbus_ring *r);
bool vmbus_ring_unmask(struct vmbus_ring *r);

/* A DATA_INBAND (or COMP) descriptor for payload_len bytes: offset8 2,
 * len8 covering the padded payload. */
void vmbus_pkt_desc(uint8_t desc[VMBUS_PKT_DESC_BYTES], uint16_t type, size_t payload_len,
                    uint64_t transaction_id, bool completion_requested);

#endif
