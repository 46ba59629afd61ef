#include "hostsim/firecracker/layout.h"
#include "hostsim/firecracker/ram.h"

/* Lays [start, start+size) out around one gap: what fits below the gap is
 * emitted; returns how much is left, which continues at *next. */
static uint64_t around_gap(struct fc_ram_region *out, unsigned *n, uint64_t start, uint64_t size,
                           uint64_t gap_start, uint64_t gap_size, uint64_t *next)
{
    if (start + size <= gap_start) {
        out[(*n)++] = (struct fc_ram_region){start, size};
        return 0;
    }
    uint64_t past_gap = gap_start + gap_size;
    if (start < gap_start) {
        out[(*n)++] = (struct fc_ram_region){start, gap_start - start};
        *next = past_gap;
        return start + size - gap_start;
    }
    *next = start > past_gap ? start : past_gap;
    return size;
}

unsigned fc_ram_regions(uint64_t size, struct fc_ram_region out[FC_RAM_MAX_REGIONS])
{
    unsigned n = 0;
    uint64_t next = 0;
    uint64_t left = around_gap(out, &n, 0, size, FC_MMIO32_START, FC_MMIO32_SIZE, &next);
    if (left == 0)
        return n;
    uint64_t start = next;
    left = around_gap(out, &n, start, left, FC_MMIO64_START, FC_MMIO64_SIZE, &next);
    if (left != 0)
        out[n++] = (struct fc_ram_region){next, left};
    return n;
}
