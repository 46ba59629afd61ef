/* A guest physical address descriptor list being built from GPADL_HEADER
 * and GPADL_BODY messages (Linux include/linux/hyperv.h struct
 * vmbus_channel_gpadl_header, _body, gpa_range; openvmm vmbus_server
 * channels.rs Gpadl::append, vmbus_ring gparange.rs validate_gpa_ranges).
 * The header declares range_buflen, the byte size of the whole range list
 * (each range: byte_count u32, byte_offset u32, then one u64 PFN per page
 * the range touches), and rangecount; the header carries the start of the
 * list and each body appends PFNs until range_buflen bytes have arrived.
 * Then every range is checked (byte_count > 0, byte_offset < 4096, the
 * right number of PFNs, each page in guest RAM) and the PFNs are kept as
 * one page list. Pure logic. */
#ifndef HOSTSIM_VMBUS_GPADL_H
#define HOSTSIM_VMBUS_GPADL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostsim/guest_mem.h"

struct vmbus_host_gpadl {
    uint32_t id, relid;
    uint16_t buflen, rangecount;
    uint8_t *list; /* range_buflen bytes as they arrive */
    size_t have;
    bool complete; /* every byte arrived and the list is valid */
    uint64_t *pfn; /* the pages of all ranges, in order */
    unsigned npfn;
    /* The first range's offset and byte count (a ring GPADL has one range
     * of whole pages). */
    uint32_t first_offset, first_bytes;
};

/* From a GPADL_HEADER: bytes are the range list's start (n bytes, at most
 * buflen). Returns 1 when the list is already complete and valid, 0 when
 * bodies must follow, -1 with the reason in err. */
int vmbus_host_gpadl_begin(struct vmbus_host_gpadl *g, uint32_t relid, uint32_t id, uint16_t buflen,
                           uint16_t rangecount, const uint8_t *bytes, size_t n,
                           const struct guest_mem *mem, char *err, size_t errlen);
/* From a GPADL_BODY: n bytes of PFNs (a multiple of 8, no more than
 * missing). 1 complete, 0 more to come, -1 with err. */
int vmbus_host_gpadl_append(struct vmbus_host_gpadl *g, const uint8_t *bytes, size_t n,
                            const struct guest_mem *mem, char *err, size_t errlen);
void vmbus_host_gpadl_free(struct vmbus_host_gpadl *g);

/* A service's access to a complete GPADL's memory (netvsc's receive and
 * send buffers): byte off of its first range (the bytes from first_offset
 * in its first page on, across its pages, first_bytes in all). Copies n
 * bytes out or in; 0, or -1 (nothing copied) when [off, off + n) is not
 * inside the range or a page is not guest RAM. */
int vmbus_host_gpadl_read(const struct vmbus_host_gpadl *g, const struct guest_mem *mem,
                          uint64_t off, void *dst, size_t n);
int vmbus_host_gpadl_write(const struct vmbus_host_gpadl *g, const struct guest_mem *mem,
                           uint64_t off, const void *src, size_t n);

#endif
