/* Physical page allocator over a sorted array of free extents.
 *
 * Invariants of a->free[0 .. nfree): every extent is page-aligned and
 * non-empty, extents are sorted by base, and no two overlap or touch (touching
 * ones are merged). free_bytes is the sum of their lengths.
 *
 * Page 0 is never handed out: page_alloc returns 0 for failure, so
 * page_alloc_add leaves the first page out of any range it is given.
 *
 * Nothing here dereferences a managed address, which is what lets the host
 * tests use made-up addresses. */
#include "core/page_alloc.h"

#include <stdbool.h>
#include <string.h>
#include "core/log.h"

#define PAGE_MASK (PAGE_SIZE - 1)

enum insert_result { INSERT_OK = 0, INSERT_OVERLAP = -1, INSERT_FULL = -2 };

void page_alloc_init(struct page_allocator *a)
{
    memset(a, 0, sizeof *a);
}

/* Index of the first extent whose base is >= base (nfree when none). */
static unsigned lower_bound(const struct page_allocator *a, uint64_t base)
{
    unsigned lo = 0, hi = a->nfree;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (a->free[mid].base < base)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void remove_at(struct page_allocator *a, unsigned i)
{
    memmove(&a->free[i], &a->free[i + 1], (a->nfree - i - 1) * sizeof a->free[0]);
    a->nfree--;
}

static void insert_at(struct page_allocator *a, unsigned i, uint64_t base, uint64_t end)
{
    memmove(&a->free[i + 1], &a->free[i], (a->nfree - i) * sizeof a->free[0]);
    a->free[i].base = base;
    a->free[i].end = end;
    a->nfree++;
}

/* Records [base, end) (page-aligned, non-empty) as free, merging with the
 * neighbours it touches. */
static enum insert_result insert_range(struct page_allocator *a, uint64_t base, uint64_t end)
{
    unsigned i = lower_bound(a, base);
    if (i > 0 && a->free[i - 1].end > base)
        return INSERT_OVERLAP;
    if (i < a->nfree && a->free[i].base < end)
        return INSERT_OVERLAP;
    bool join_prev = i > 0 && a->free[i - 1].end == base;
    bool join_next = i < a->nfree && a->free[i].base == end;
    if (join_prev && join_next) {
        a->free[i - 1].end = a->free[i].end;
        remove_at(a, i);
    } else if (join_prev) {
        a->free[i - 1].end = end;
    } else if (join_next) {
        a->free[i].base = base;
    } else {
        if (a->nfree == PAGE_ALLOC_MAX_EXTENTS)
            return INSERT_FULL;
        insert_at(a, i, base, end);
    }
    a->free_bytes += end - base;
    return INSERT_OK;
}

int page_alloc_add(struct page_allocator *a, uint64_t base, uint64_t len)
{
    if (len == 0 || base > UINT64_MAX - PAGE_MASK)
        return 0;
    uint64_t end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
    base = (base + PAGE_MASK) & ~PAGE_MASK;
    end &= ~PAGE_MASK;
    if (base == 0)
        base = PAGE_SIZE;
    if (base >= end)
        return 0;
    switch (insert_range(a, base, end)) {
    case INSERT_OK:
        a->total_bytes += end - base;
        return 0;
    case INSERT_OVERLAP:
        kprintf("page_alloc: range 0x%llx-0x%llx overlaps free memory, not added\n",
                (unsigned long long)base, (unsigned long long)end);
        return -1;
    case INSERT_FULL:
    default:
        kprintf("page_alloc: extent table full, range 0x%llx-0x%llx not added\n",
                (unsigned long long)base, (unsigned long long)end);
        return -1;
    }
}

uint64_t page_alloc(struct page_allocator *a, size_t npages, uint64_t align)
{
    if (align == 0)
        align = PAGE_SIZE;
    if ((align & (align - 1)) != 0) {
        kprintf("page_alloc: alignment 0x%llx is not a power of two\n", (unsigned long long)align);
        return 0;
    }
    if (align < PAGE_SIZE)
        align = PAGE_SIZE;
    if (npages == 0 || npages > UINT64_MAX / PAGE_SIZE)
        return 0;
    uint64_t size = (uint64_t)npages * PAGE_SIZE;

    for (unsigned i = 0; i < a->nfree; i++) {
        uint64_t base = a->free[i].base, end = a->free[i].end;
        if (base > UINT64_MAX - (align - 1))
            break; /* later extents are higher still */
        uint64_t start = (base + align - 1) & ~(align - 1);
        if (start >= end || end - start < size)
            continue;
        uint64_t stop = start + size;
        bool left = start > base, right = stop < end;
        if (left && right) {
            if (a->nfree < PAGE_ALLOC_MAX_EXTENTS) {
                a->free[i].end = start;
                insert_at(a, i + 1, stop, end);
            } else {
                /* Table full: a split needs one more slot. Take the top of
                 * the extent instead when that is aligned, else look on. */
                start = end - size;
                if ((start & (align - 1)) != 0)
                    continue;
                a->free[i].end = start;
            }
        } else if (left) {
            a->free[i].end = start;
        } else if (right) {
            a->free[i].base = stop;
        } else {
            remove_at(a, i);
        }
        a->free_bytes -= size;
        return start;
    }
    return 0;
}

int page_free(struct page_allocator *a, uint64_t addr, size_t npages)
{
    if (addr == 0 || (addr & PAGE_MASK) != 0 || npages == 0 || npages > UINT64_MAX / PAGE_SIZE ||
        (uint64_t)npages * PAGE_SIZE > UINT64_MAX - addr) {
        kprintf("page_free: invalid range 0x%llx (%llu pages), refused\n", (unsigned long long)addr,
                (unsigned long long)npages);
        return -1;
    }
    uint64_t size = (uint64_t)npages * PAGE_SIZE;
    switch (insert_range(a, addr, addr + size)) {
    case INSERT_OK:
        return 0;
    case INSERT_OVERLAP:
        kprintf("page_free: double free or overlap at 0x%llx (%llu pages), refused\n",
                (unsigned long long)addr, (unsigned long long)npages);
        return -1;
    case INSERT_FULL:
    default:
        /* The pages are valid but cannot be recorded: they are lost, and
         * counted so the loss is visible. */
        a->lost_bytes += size;
        kprintf("page_free: extent table full, losing 0x%llx (%llu pages)\n",
                (unsigned long long)addr, (unsigned long long)npages);
        return 0;
    }
}
