/* The record of mapped ranges (sys/vma.h): a sorted array, first a small
 * one in .bss, then pages from the page allocator, doubled when full (an
 * allocator such as musl's mallocng makes one mapping per large block, so
 * the number is not bounded in advance; adjacent ranges are merged, which
 * keeps it low in practice). */
#include "sys/vma.h"

#include <stddef.h>
#include <string.h>

#include "core/page_alloc.h"
#include "sys/linux_abi.h"

struct range {
    uint64_t start, end;
};

#define INITIAL_SLOTS 16

static struct range initial[INITIAL_SLOTS];
static struct range *ranges = initial;
static unsigned count, capacity = INITIAL_SLOTS;

unsigned vma_count(void)
{
    return count;
}

/* Index of the first range that ends after addr (count when none). */
static unsigned first_ending_after(uint64_t addr)
{
    unsigned lo = 0, hi = count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (ranges[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool vma_covers(uint64_t start, uint64_t end)
{
    /* Adjacent ranges are merged, so a covered range lies in one. */
    unsigned i = first_ending_after(start);
    return start < end && i < count && ranges[i].start <= start && end <= ranges[i].end;
}

bool vma_overlaps(uint64_t start, uint64_t end)
{
    unsigned i = first_ending_after(start);
    return start < end && i < count && ranges[i].start < end;
}

static int grow(void)
{
    size_t bytes = (size_t)capacity * 2 * sizeof(struct range);
    size_t npages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t p = page_alloc(&kernel_pages, npages, 0);
    if (p == 0)
        return -LINUX_ENOMEM;
    struct range *bigger = (struct range *)(uintptr_t)p;
    memcpy(bigger, ranges, count * sizeof *ranges);
    if (ranges != initial)
        page_free(&kernel_pages, (uint64_t)(uintptr_t)ranges,
                  (capacity * sizeof *ranges + PAGE_SIZE - 1) / PAGE_SIZE);
    ranges = bigger;
    capacity = (unsigned)(npages * PAGE_SIZE / sizeof *ranges);
    return 0;
}

static void insert_at(unsigned i, uint64_t start, uint64_t end)
{
    memmove(&ranges[i + 1], &ranges[i], (count - i) * sizeof *ranges);
    ranges[i].start = start;
    ranges[i].end = end;
    count++;
}

static void remove_at(unsigned i)
{
    memmove(&ranges[i], &ranges[i + 1], (count - i - 1) * sizeof *ranges);
    count--;
}

int vma_add(uint64_t start, uint64_t end)
{
    unsigned i = first_ending_after(start);
    bool join_prev = i > 0 && ranges[i - 1].end == start;
    bool join_next = i < count && ranges[i].start == end;
    if (join_prev && join_next) {
        ranges[i - 1].end = ranges[i].end;
        remove_at(i);
    } else if (join_prev) {
        ranges[i - 1].end = end;
    } else if (join_next) {
        ranges[i].start = start;
    } else {
        if (count == capacity && grow() != 0)
            return -LINUX_ENOMEM;
        insert_at(i, start, end);
    }
    return 0;
}

int vma_remove(uint64_t start, uint64_t end)
{
    unsigned i = first_ending_after(start);
    struct range r = ranges[i];
    bool left = r.start < start, right = end < r.end;
    if (left && right) {
        if (count == capacity && grow() != 0)
            return -LINUX_ENOMEM;
        ranges[i].end = start;
        insert_at(i + 1, end, r.end);
    } else if (left) {
        ranges[i].end = start;
    } else if (right) {
        ranges[i].start = end;
    } else {
        remove_at(i);
    }
    return 0;
}

void vma_reset(void (*release)(uint64_t start, uint64_t end))
{
    for (unsigned i = 0; i < count; i++)
        release(ranges[i].start, ranges[i].end);
    if (ranges != initial)
        page_free(&kernel_pages, (uint64_t)(uintptr_t)ranges,
                  (capacity * sizeof *ranges + PAGE_SIZE - 1) / PAGE_SIZE);
    ranges = initial;
    capacity = INITIAL_SLOTS;
    count = 0;
}
