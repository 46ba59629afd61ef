#include "core/mm.h"

#include "arch/x86_64/paging.h"
#include "core/log.h"
#include "core/memmap.h"
#include "core/page_alloc.h"

struct page_allocator kernel_pages;
struct heap kernel_heap;

extern char __image_start[], __image_end[];

static void *heap_pages(void *ctx, size_t npages)
{
    (void)ctx;
    uint64_t p = page_alloc(&kernel_pages, npages, 0);
    return p ? (void *)(uintptr_t)p : NULL;
}

static void heap_release(void *ctx, void *p, size_t npages)
{
    (void)ctx;
    page_free(&kernel_pages, (uint64_t)(uintptr_t)p, npages);
}

uint64_t mm_init(const struct bootinfo *bi)
{
    struct mem_range exclude[MEMMAP_RESERVED_MAX];
    size_t nexclude = memmap_reserved(bi, (uint64_t)(uintptr_t)__image_start,
                                      (uint64_t)(uintptr_t)__image_end, exclude);
    static struct mem_range ranges[BOOTINFO_MEMMAP_MAX];
    size_t dropped = 0;
    size_t n = memmap_sanitize(bi->memmap, bi->memmap_count, exclude, nexclude, ranges,
                               BOOTINFO_MEMMAP_MAX, &dropped);
    if (dropped)
        kprintf("mm: %zu memory ranges did not fit and are unused\n", dropped);

    page_alloc_init(&kernel_pages);
    uint64_t usable = 0;
    /* Low ranges first: they are mapped already, and the page tables for
     * anything above 4 GiB are allocated from them. */
    for (size_t i = 0; i < n; i++) {
        uint64_t end =
            ranges[i].end < IDENTITY_MAPPED_LIMIT ? ranges[i].end : IDENTITY_MAPPED_LIMIT;
        if (ranges[i].base < end &&
            page_alloc_add(&kernel_pages, ranges[i].base, end - ranges[i].base) == 0)
            usable += end - ranges[i].base;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t base =
            ranges[i].base > IDENTITY_MAPPED_LIMIT ? ranges[i].base : IDENTITY_MAPPED_LIMIT;
        if (base >= ranges[i].end)
            continue;
        if (paging_identity_map(base, ranges[i].end - base, false) != 0) {
            kprintf("mm: RAM at %#lx-%#lx left unused: cannot map it\n", (unsigned long)base,
                    (unsigned long)ranges[i].end);
            continue;
        }
        if (page_alloc_add(&kernel_pages, base, ranges[i].end - base) == 0)
            usable += ranges[i].end - base;
    }
    heap_init(&kernel_heap, (struct heap_page_source){heap_pages, heap_release, NULL});
    return usable;
}
