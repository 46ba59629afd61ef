/* GPADL assembly and checks: see gpadl.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostsim/vmbus/gpadl.h"
#include "hostsim/vmbus/wire.h"

#define PAGE 4096u

/* Parses and checks the finished list into g->pfn. */
static int finish(struct vmbus_host_gpadl *g, const struct guest_mem *mem, char *err, size_t errlen)
{
    size_t at = 0, npfn = 0;
    g->pfn = malloc(g->buflen); /* no more PFNs than list bytes / 8 */
    if (g->pfn == NULL) {
        snprintf(err, errlen, "out of memory for GPADL %u", g->id);
        return -1;
    }
    for (unsigned r = 0; r < g->rangecount; r++) {
        uint32_t count, offset;
        if (at + VMBUS_GPA_RANGE_FIXED > g->buflen) {
            snprintf(err, errlen, "GPADL %u: range %u starts past range_buflen %u", g->id, r,
                     g->buflen);
            return -1;
        }
        memcpy(&count, g->list + at, 4);
        memcpy(&offset, g->list + at + 4, 4);
        at += VMBUS_GPA_RANGE_FIXED;
        if (count == 0 || offset >= PAGE) {
            snprintf(err, errlen,
                     "GPADL %u range %u: byte_count %u, byte_offset %u: expected "
                     "a count above 0 and an offset below 4096",
                     g->id, r, count, offset);
            return -1;
        }
        uint64_t pages = ((uint64_t)offset + count + PAGE - 1) / PAGE;
        if (at + pages * 8 > g->buflen) {
            snprintf(err, errlen,
                     "GPADL %u range %u: %u bytes at offset %u need %llu PFNs, "
                     "past range_buflen %u",
                     g->id, r, count, offset, (unsigned long long)pages, g->buflen);
            return -1;
        }
        if (r == 0) {
            g->first_offset = offset;
            g->first_bytes = count;
        }
        for (uint64_t i = 0; i < pages; i++, at += 8) {
            uint64_t pfn;
            memcpy(&pfn, g->list + at, 8);
            if (pfn > (UINT64_MAX >> 12) || guest_mem_ptr(mem, pfn * PAGE, PAGE) == NULL) {
                snprintf(err, errlen, "GPADL %u range %u: PFN 0x%llx is not guest RAM", g->id, r,
                         (unsigned long long)pfn);
                return -1;
            }
            g->pfn[npfn++] = pfn;
        }
    }
    if (at != g->buflen) {
        snprintf(err, errlen, "GPADL %u: %u ranges take %zu bytes, range_buflen says %u", g->id,
                 g->rangecount, at, g->buflen);
        return -1;
    }
    g->npfn = (unsigned)npfn;
    g->complete = true;
    return 1;
}

int vmbus_host_gpadl_begin(struct vmbus_host_gpadl *g, uint32_t relid, uint32_t id, uint16_t buflen,
                           uint16_t rangecount, const uint8_t *bytes, size_t n,
                           const struct guest_mem *mem, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    g->id = id;
    g->relid = relid;
    g->buflen = buflen;
    g->rangecount = rangecount;
    if (rangecount == 0 || buflen < (size_t)rangecount * (VMBUS_GPA_RANGE_FIXED + 8) ||
        buflen % 8 != 0) {
        snprintf(err, errlen,
                 "GPADL %u: range_buflen %u for %u ranges: expected at least 16 "
                 "bytes per range, a multiple of 8",
                 id, buflen, rangecount);
        return -1;
    }
    if (n > buflen || n % 8 != 0) {
        snprintf(err, errlen,
                 "GPADL %u: the header carries %zu bytes of ranges: expected a "
                 "multiple of 8, at most range_buflen %u",
                 id, n, buflen);
        return -1;
    }
    g->list = malloc(buflen);
    if (g->list == NULL) {
        snprintf(err, errlen, "out of memory for GPADL %u", id);
        return -1;
    }
    memcpy(g->list, bytes, n);
    g->have = n;
    return g->have == buflen ? finish(g, mem, err, errlen) : 0;
}

int vmbus_host_gpadl_append(struct vmbus_host_gpadl *g, const uint8_t *bytes, size_t n,
                            const struct guest_mem *mem, char *err, size_t errlen)
{
    if (g->complete || n == 0 || n % 8 != 0 || n > g->buflen - g->have) {
        snprintf(err, errlen,
                 "GPADL %u: a body of %zu bytes with %zu of %u still missing: "
                 "expected 8 to %zu bytes, a multiple of 8",
                 g->id, n, g->buflen - g->have, g->buflen, g->buflen - g->have);
        return -1;
    }
    memcpy(g->list + g->have, bytes, n);
    g->have += n;
    return g->have == g->buflen ? finish(g, mem, err, errlen) : 0;
}

void vmbus_host_gpadl_free(struct vmbus_host_gpadl *g)
{
    free(g->list);
    free(g->pfn);
    memset(g, 0, sizeof *g);
}

/* The host bytes behind byte off of the first range, and how many follow
 * on the same page (at most n); NULL outside the range or RAM. */
static uint8_t *gpadl_span(const struct vmbus_host_gpadl *g, const struct guest_mem *mem,
                           uint64_t off, size_t n, size_t *chunk)
{
    uint64_t at = off + g->first_offset;
    uint64_t page = at / PAGE, in = at % PAGE;
    if (page >= g->npfn)
        return NULL;
    *chunk = PAGE - in < n ? (size_t)(PAGE - in) : n;
    return guest_mem_ptr(mem, g->pfn[page] * PAGE + in, *chunk);
}

static int gpadl_copy(const struct vmbus_host_gpadl *g, const struct guest_mem *mem, uint64_t off,
                      uint8_t *host, size_t n, bool in)
{
    if (!g->complete || off > g->first_bytes || n > g->first_bytes - off)
        return -1;
    for (size_t done = 0; done < n;) { /* check every page before copying */
        size_t chunk = 0;
        if (gpadl_span(g, mem, off + done, n - done, &chunk) == NULL)
            return -1;
        done += chunk;
    }
    while (n > 0) {
        size_t chunk = 0;
        uint8_t *p = gpadl_span(g, mem, off, n, &chunk);
        if (in)
            memcpy(p, host, chunk);
        else
            memcpy(host, p, chunk);
        host += chunk;
        off += chunk;
        n -= chunk;
    }
    return 0;
}

int vmbus_host_gpadl_read(const struct vmbus_host_gpadl *g, const struct guest_mem *mem,
                          uint64_t off, void *dst, size_t n)
{
    return gpadl_copy(g, mem, off, dst, n, false);
}

int vmbus_host_gpadl_write(const struct vmbus_host_gpadl *g, const struct guest_mem *mem,
                           uint64_t off, const void *src, size_t n)
{
    return gpadl_copy(g, mem, off, (uint8_t *)(uintptr_t)src, n, true);
}
