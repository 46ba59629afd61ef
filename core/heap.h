/* Kernel heap: malloc/free/calloc/realloc/aligned_alloc on pages from a page
 * source. Small sizes come from per-size-class slabs, large ones straight from
 * pages with a header. Pure logic apart from the memory it is given, so host
 * tests can back it with malloc'd arenas. */
#ifndef CORE_HEAP_H
#define CORE_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_page_source {
    /* Returns the address of npages contiguous, page-aligned, usable pages, or
     * NULL. free_pages gives them back; it may be given any page-aligned
     * sub-range of what alloc_pages returned (aligned_alloc above a page
     * returns the unneeded head and tail of its over-sized request at once). */
    void *(*alloc_pages)(void *ctx, size_t npages);
    void (*free_pages)(void *ctx, void *p, size_t npages);
    void *ctx;
};

#define HEAP_NCLASSES 8 /* 16, 32, ..., 2048 bytes */

struct heap {
    struct heap_page_source src;
    void *free_list[HEAP_NCLASSES];
    size_t bytes_in_use;
    size_t pages_in_use;
    unsigned long errors; /* invalid frees detected */
};

void heap_init(struct heap *h, struct heap_page_source src);
void *heap_malloc(struct heap *h, size_t size);
void *heap_calloc(struct heap *h, size_t n, size_t size); /* overflow-checked */
void *heap_realloc(struct heap *h, void *p, size_t size);
/* align: a power of two; size need not be a multiple of it. */
void *heap_aligned_alloc(struct heap *h, size_t align, size_t size);
/* Frees p; a pointer the heap never gave out is detected where possible
 * (bad header magic), counted in errors and reported with kprintf. */
void heap_free(struct heap *h, void *p);

#endif
