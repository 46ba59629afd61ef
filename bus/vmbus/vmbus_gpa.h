/* GPA-direct packets (VMBUS_PKT_DATA_USING_GPA_DIRECT, type 9): a packet
 * whose descriptor is followed by page ranges of guest memory the host reads
 * or writes in place, then the payload. storvsc sends its data buffers this
 * way. Layout (Linux include/linux/hyperv.h struct vmbus_packet_mpb_array
 * and vmbus_channel_packet_page_buffer; drivers/hv/channel.c
 * vmbus_sendpacket_mpb_desc; openvmm vm/devices/vmbus/vmbus_ring/src/lib.rs
 * read_packet):
 *   descriptor (16 bytes): type 9 u16, offset8 u16 (where the payload
 *   starts, in 8-byte units), len8 u16, flags u16, transaction id u64;
 *   reserved u32 @16, range_count u32 @20;
 *   each range: byte_count u32, byte_offset u32 (into its first page, below
 *   4096), then one u64 page frame number (4 KiB pages) per page the range
 *   touches;
 *   the payload at offset8 * 8, padded to 8 bytes.
 * Pure encoding: the send call is in vmbus.h (vmbus_send_gpa). */
#ifndef BUS_VMBUS_VMBUS_GPA_H
#define BUS_VMBUS_VMBUS_GPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMBUS_GPA_HEADER_BYTES 8u       /* reserved, range_count */
#define VMBUS_GPA_RANGE_HEADER_BYTES 8u /* byte_count, byte_offset */
#define VMBUS_GPA_PAGE 4096u

/* One range: len bytes from byte offset `offset` of page pfns[0], running
 * on through pfns[1] ... (npfns = the pages it touches). */
struct vmbus_gpa_range {
    uint32_t len, offset;
    const uint64_t *pfns;
    uint32_t npfns;
};

/* The pages a range of len bytes from offset touches. */
uint32_t vmbus_gpa_pages(uint32_t offset, uint32_t len);

/* Writes the descriptor and the range list for a packet with payload_len
 * bytes of payload into out (cap bytes). Returns the bytes written (the
 * payload's offset, a multiple of 8), or 0 when a range is empty, its
 * offset is not below 4096, its page count is not what it touches, or the
 * whole does not fit out or the u16 length fields. */
size_t vmbus_gpa_encode(uint8_t *out, size_t cap, const struct vmbus_gpa_range *ranges,
                        unsigned nranges, size_t payload_len, uint64_t transaction_id,
                        bool completion_requested);

#endif
