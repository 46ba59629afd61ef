/* The platform's allocator: the kernel heap (core/heap.c) under the C names.
 * Apps get it too: musl 1.2.3 lets a program supply malloc, free, calloc,
 * realloc and aligned_alloc (its own malloc is a weak definition, and its
 * other allocation functions call these), so one heap serves the kernel and
 * the app, and musl's internal allocations (__libc_malloc) stay apart in
 * its own.
 *
 * A failure sets errno to ENOMEM as C requires (POSIX malloc), but only
 * once the app runs: errno lives in the app's thread (musl reaches it
 * through the thread pointer, %fs), which does not exist while the kernel
 * starts, and the kernel itself reads NULL, not errno. */
#include <stdint.h>
#include <stdlib.h>

#include "core/arch.h"
#include "core/mm.h"

#define LINUX_ENOMEM 12 /* include/uapi/asm-generic/errno-base.h */

int *__errno_location(void); /* musl's */

static void *failed(void)
{
    if (arch_get_fs_base() != 0) /* the app's thread pointer is set */
        *__errno_location() = LINUX_ENOMEM;
    return NULL;
}

void *malloc(size_t size)
{
    void *p = heap_malloc(&kernel_heap, size);
    return p != NULL ? p : failed();
}

void *calloc(size_t n, size_t size)
{
    void *p = heap_calloc(&kernel_heap, n, size);
    return p != NULL ? p : failed();
}

void *realloc(void *p, size_t size)
{
    void *q = heap_realloc(&kernel_heap, p, size);
    return q != NULL ? q : failed();
}

void *aligned_alloc(size_t align, size_t size)
{
    void *p = heap_aligned_alloc(&kernel_heap, align, size);
    return p != NULL ? p : failed();
}

void free(void *p)
{
    heap_free(&kernel_heap, p);
}
