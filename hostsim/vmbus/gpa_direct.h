/* GPA-direct packets (type 9) as the host takes them: after the 16-byte
 * descriptor, reserved u32 and range_count u32, then each range as
 * byte_count u32, byte_offset u32 and one u64 PFN (4 KiB pages) per page
 * the range touches; the payload starts at offset8 * 8, right after the
 * last range (Linux include/linux/hyperv.h struct vmbus_packet_mpb_array,
 * drivers/hv/channel.c vmbus_sendpacket_mpb_desc; openvmm
 * vm/devices/vmbus/vmbus_ring/src/lib.rs read_packet and gparange.rs).
 *
 * Everything is the guest's and checked: at least one range and no more
 * than the host takes, each range non-empty with its offset below 4096
 * and exactly the PFNs it touches, the list ending where the payload
 * begins, every page in guest RAM. Then the data is copied to or from the
 * pages, never through a pointer the guest chose. Pure logic. */
#ifndef HOSTSIM_VMBUS_GPA_DIRECT_H
#define HOSTSIM_VMBUS_GPA_DIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"
#include "hostsim/vmbus/ring.h"

#define VMBUS_HOST_GPA_MAX_RANGES 32 /* netvsc sends a page per range */

struct vmbus_host_gpa_range {
    uint32_t len, offset;
    const uint8_t *pfns; /* npfns little-endian u64s inside the packet */
    uint32_t npfns;
};

struct vmbus_host_gpa {
    struct vmbus_host_gpa_range range[VMBUS_HOST_GPA_MAX_RANGES];
    unsigned count;
};

/* Parses the range list of packet p (type 9, checked by ring.c). 0, or -1
 * with what was wrong and what was expected in err. */
int vmbus_host_gpa_parse(const struct vmbus_host_packet *p, const struct guest_mem *mem,
                         struct vmbus_host_gpa *out, char *err, size_t errlen);

/* Copies n bytes at byte `at` of range r out of guest memory into dst, or
 * from src into it. -1 when [at, at + n) is not inside the range (or a page
 * is no longer RAM). */
int vmbus_host_gpa_read(const struct guest_mem *mem, const struct vmbus_host_gpa_range *r,
                        uint32_t at, void *dst, size_t n);
int vmbus_host_gpa_write(const struct guest_mem *mem, const struct vmbus_host_gpa_range *r,
                         uint32_t at, const void *src, size_t n);

#endif
