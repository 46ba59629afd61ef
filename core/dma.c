/* core/dma.h over the page allocator and the identity map. */
#include "core/dma.h"

#include <string.h>

#include "core/page_alloc.h"

#define PAGE 4096u

static size_t pages_for(size_t size)
{
    return (size + PAGE - 1) / PAGE;
}

void *dma_alloc(size_t size, size_t align, uint64_t *dev_addr)
{
    if (size == 0 || (align & (align - 1)) != 0)
        return NULL;
    uint64_t pa = page_alloc(&kernel_pages, pages_for(size), align > PAGE ? align : 0);
    if (pa == 0)
        return NULL;
    void *p = (void *)(uintptr_t)pa;
    memset(p, 0, pages_for(size) * PAGE);
    if (dev_addr)
        *dev_addr = pa;
    return p;
}

void dma_free(void *p, size_t size)
{
    if (p != NULL)
        page_free(&kernel_pages, (uint64_t)(uintptr_t)p, pages_for(size));
}

uint64_t dma_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}
