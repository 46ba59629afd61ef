/* GPA-direct packets, host side: see gpa_direct.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hostsim/vmbus/gpa_direct.h"
#include "hostsim/vmbus/wire.h"

#define PAGE 4096u
#define DESCRIPTOR 16u
#define HEADER 8u       /* reserved, range_count */
#define RANGE_HEADER 8u /* byte_count, byte_offset */

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t pfn_at(const struct vmbus_host_gpa_range *r, uint32_t i)
{
    uint64_t v;
    memcpy(&v, r->pfns + 8 * i, 8);
    return v;
}

int vmbus_host_gpa_parse(const struct vmbus_host_packet *p, const struct guest_mem *mem,
                         struct vmbus_host_gpa *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    uint32_t end = (uint32_t)p->offset8 * 8;
    if (p->type != VMBUS_PACKET_DATA_GPA_DIRECT || end < DESCRIPTOR + HEADER) {
        snprintf(err, errlen,
                 "GPA-direct packet of type %u with payload offset %u: expected type 9 and "
                 "room for the range header (24 bytes)",
                 p->type, end);
        return -1;
    }
    uint32_t count = get32(p->data + DESCRIPTOR + 4);
    if (count == 0 || count > VMBUS_HOST_GPA_MAX_RANGES) {
        snprintf(err, errlen, "GPA-direct packet with %u ranges: expected 1 to %d", count,
                 VMBUS_HOST_GPA_MAX_RANGES);
        return -1;
    }
    uint32_t at = DESCRIPTOR + HEADER;
    for (uint32_t i = 0; i < count; i++) {
        if (end - at < RANGE_HEADER) {
            snprintf(err, errlen,
                     "GPA-direct range %u's header at byte %u runs past the payload offset %u", i,
                     at, end);
            return -1;
        }
        struct vmbus_host_gpa_range *r = &out->range[i];
        r->len = get32(p->data + at);
        r->offset = get32(p->data + at + 4);
        if (r->len == 0 || r->offset >= PAGE) {
            snprintf(err, errlen,
                     "GPA-direct range %u of %u bytes at page offset %u: expected a length "
                     "above 0 and an offset below 4096",
                     i, r->len, r->offset);
            return -1;
        }
        uint64_t pages = ((uint64_t)r->offset + r->len + PAGE - 1) / PAGE;
        at += RANGE_HEADER;
        if (pages * 8 > end - at) {
            snprintf(err, errlen,
                     "GPA-direct range %u of %u bytes at offset %u needs %llu PFNs; only %u "
                     "bytes remain before the payload offset %u",
                     i, r->len, r->offset, (unsigned long long)pages, end - at, end);
            return -1;
        }
        r->npfns = (uint32_t)pages;
        r->pfns = p->data + at;
        at += (uint32_t)pages * 8;
        for (uint32_t k = 0; k < r->npfns; k++) {
            uint64_t pfn = pfn_at(r, k);
            if (pfn > UINT64_MAX / PAGE || guest_mem_ptr(mem, pfn * PAGE, PAGE) == NULL) {
                snprintf(err, errlen, "GPA-direct range %u: page %u (PFN 0x%llx) is not guest RAM",
                         i, k, (unsigned long long)pfn);
                return -1;
            }
        }
    }
    if (at != end) {
        snprintf(err, errlen,
                 "GPA-direct ranges end at byte %u but the payload starts at %u: expected the "
                 "payload right after the last range",
                 at, end);
        return -1;
    }
    out->count = count;
    return 0;
}

/* Walks [at, at + n) of the range page by page. */
static int copy(const struct guest_mem *mem, const struct vmbus_host_gpa_range *r, uint32_t at,
                uint8_t *buf, size_t n, bool to_guest)
{
    if (at > r->len || n > r->len - at)
        return -1;
    uint64_t pos = (uint64_t)r->offset + at;
    while (n > 0) {
        uint32_t page = (uint32_t)(pos / PAGE), in = (uint32_t)(pos % PAGE);
        size_t chunk = PAGE - in < n ? PAGE - in : n;
        uint8_t *g = guest_mem_ptr(mem, pfn_at(r, page) * PAGE + in, chunk);
        if (g == NULL)
            return -1;
        if (to_guest)
            memcpy(g, buf, chunk);
        else
            memcpy(buf, g, chunk);
        buf += chunk;
        pos += chunk;
        n -= chunk;
    }
    return 0;
}

int vmbus_host_gpa_read(const struct guest_mem *mem, const struct vmbus_host_gpa_range *r,
                        uint32_t at, void *dst, size_t n)
{
    return copy(mem, r, at, dst, n, false);
}

int vmbus_host_gpa_write(const struct guest_mem *mem, const struct vmbus_host_gpa_range *r,
                         uint32_t at, const void *src, size_t n)
{
    return copy(mem, r, at, (uint8_t *)(uintptr_t)src, n, true);
}
