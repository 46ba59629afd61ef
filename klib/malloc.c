/* The platform's allocator: the kernel heap (core/heap.c) under the C names.
 * Apps get it too: musl 1.2.3 lets a program supply malloc, free, calloc,
 * realloc and aligned_alloc (its own malloc is a weak definition, and its
 * other allocation functions call these), so one heap serves the kernel and
 * the app, and musl's internal allocations (__libc_malloc) stay apart in
 * its own. */
#include <stdlib.h>

#include "core/mm.h"

void *malloc(size_t size)
{
    return heap_malloc(&kernel_heap, size);
}

void *calloc(size_t n, size_t size)
{
    return heap_calloc(&kernel_heap, n, size);
}

void *realloc(void *p, size_t size)
{
    return heap_realloc(&kernel_heap, p, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return heap_aligned_alloc(&kernel_heap, align, size);
}

void free(void *p)
{
    heap_free(&kernel_heap, p);
}
