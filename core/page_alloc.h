/* Physical page allocator over free extents (no per-page metadata, so adding
 * gigabytes of RAM costs a handful of instructions: the boot path must stay
 * small under the PVM emulator). Pure logic: it never touches the memory it
 * manages, so host unit tests can drive it with made-up addresses. */
#ifndef CORE_PAGE_ALLOC_H
#define CORE_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "core/memmap.h"

#define PAGE_ALLOC_MAX_EXTENTS 256

struct page_allocator {
    struct mem_range free[PAGE_ALLOC_MAX_EXTENTS]; /* sorted, non-adjacent */
    unsigned nfree;
    uint64_t free_bytes;
    uint64_t total_bytes;
    uint64_t lost_bytes; /* freed pages that could not be recorded (table full) */
};

void page_alloc_init(struct page_allocator *a);
/* Adds [base, base+len) after rounding inwards to pages; overlapping an already
 * free range is refused (returns -1). */
int page_alloc_add(struct page_allocator *a, uint64_t base, uint64_t len);
/* npages contiguous pages aligned to align bytes (a power of two >= PAGE_SIZE;
 * 0 means PAGE_SIZE). Returns the physical address, 0 when nothing fits. */
uint64_t page_alloc(struct page_allocator *a, size_t npages, uint64_t align);
/* Returns pages; double frees and overlap with free ranges are refused with -1. */
int page_free(struct page_allocator *a, uint64_t addr, size_t npages);

/* The kernel's allocator instance (core/mm.c). */
extern struct page_allocator kernel_pages;

#endif
