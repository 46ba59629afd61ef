/* One VMBus ring buffer as the host sees it (Linux include/linux/hyperv.h
 * struct hv_ring_buffer and vmpacket_descriptor; drivers/hv/ring_buffer.c;
 * openvmm vm/devices/vmbus/vmbus_ring): a control page (write_index @0,
 * read_index @4, interrupt_mask @8, pending_send_sz @12, feature_bits @64)
 * followed by the data pages, which may lie anywhere in guest memory (the
 * GPADL's page list). Packets: a 16-byte descriptor (type u16, offset8 u16,
 * len8 u16, flags u16, transaction id u64), the payload from offset8 * 8,
 * padded to 8, then an 8-byte trailer holding the old write index << 32.
 *
 * The host keeps its own copy of the index it owns (read index of the
 * guest-to-host ring, write index of the host-to-guest ring) and never
 * trusts the one in guest memory; the index the guest owns is checked
 * (below the data size, 8-aligned) every time it is read. Pure logic. */
#ifndef HOSTSIM_VMBUS_RING_H
#define HOSTSIM_VMBUS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"

struct vmbus_host_ring {
    const struct guest_mem *mem;
    const uint64_t *pfn; /* pfn[0]: control page; then the data pages */
    unsigned npages;
    uint32_t size;  /* data bytes */
    uint32_t index; /* the host's own index */
    /* A fault for the next write (server.h misbehave): 1 publishes the
     * write index size + 8, 2 writes len8 covering the whole ring. */
    int corrupt_next;
};

struct vmbus_host_packet {
    uint16_t type, offset8, len8, flags;
    uint64_t transaction_id;
    const uint8_t *data; /* the whole packet, descriptor first (len8 * 8 bytes) */
    const uint8_t *payload;
    uint32_t payload_len; /* (len8 - offset8) * 8 */
};

enum vmbus_ring_result {
    VMBUS_RING_OK,
    VMBUS_RING_EMPTY, /* reading: nothing there */
    VMBUS_RING_FULL,  /* writing: no room; pending_send_sz is set */
    VMBUS_RING_BROKEN /* the guest broke a rule: err says which */
};

/* npages >= 2 pages from pfn (not copied: it must outlive the ring). For
 * the host-to-guest ring (outbound) the control page gets feature_bits 1
 * (pending_send_sz honoured) and both indices 0; for the guest-to-host ring
 * the host starts from index 0 and the guest must too. Returns 0, or -1
 * with the reason in err (a page outside RAM). */
int vmbus_host_ring_init(struct vmbus_host_ring *r, const struct guest_mem *mem,
                         const uint64_t *pfn, unsigned npages, bool outbound, char *err,
                         size_t errlen);

/* Reads the next packet of the guest-to-host ring into buf (cap bytes) and
 * consumes it. *signal is set when the guest, a writer waiting for room
 * (pending_send_sz), must be interrupted: the free space crossed its need.
 * OK, EMPTY, or BROKEN with err (indices, descriptor, a packet larger than
 * cap). */
enum vmbus_ring_result vmbus_host_ring_read(struct vmbus_host_ring *r, struct vmbus_host_packet *p,
                                            uint8_t *buf, size_t cap, bool *signal, char *err,
                                            size_t errlen);

/* Writes one packet (descriptor with offset8 2, the payload padded to 8,
 * the trailer) to the host-to-guest ring and publishes it. *signal is set
 * when the guest must be interrupted: it had not masked interrupts and the
 * ring was empty. OK, FULL (pending_send_sz set to the need), or BROKEN. */
enum vmbus_ring_result vmbus_host_ring_write(struct vmbus_host_ring *r, uint16_t type,
                                             uint16_t flags, uint64_t transaction_id,
                                             const void *payload, size_t len, bool *signal,
                                             char *err, size_t errlen);

/* The same with an extra header of hlen bytes (a multiple of 8) between
 * the descriptor and the payload, offset8 past it: a transfer-page
 * packet's pageset and ranges (hyperv.h vmtransfer_page_packet_header). */
enum vmbus_ring_result vmbus_host_ring_write_hdr(struct vmbus_host_ring *r, uint16_t type,
                                                 uint16_t flags, uint64_t transaction_id,
                                                 const void *hdr, size_t hlen, const void *payload,
                                                 size_t len, bool *signal, char *err,
                                                 size_t errlen);

#endif
