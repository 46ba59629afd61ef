/* Memory-map sanitising: turns the loader's memory map (any order, overlaps,
 * zero lengths, reserved holes) into the sorted, page-aligned, non-overlapping
 * list of RAM ranges that are safe to hand to the page allocator. Pure logic. */
#ifndef CORE_MEMMAP_H
#define CORE_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include "boot/bootinfo.h"

#define PAGE_SIZE 4096ULL

struct mem_range {
    uint64_t base;
    uint64_t end; /* exclusive */
};

/* in: loader entries. exclude: ranges that must never be handed out (the
 * kernel image, the initrd, the first MiB, ...). Only type MEMMAP_RAM counts as
 * usable; any non-RAM entry overlapping a RAM entry wins over it. Results are
 * rounded inwards to PAGE_SIZE, sorted, merged, and written to out (at most
 * max_out; further ranges are dropped and counted in *dropped when non-NULL).
 * Returns the number of ranges written. */
size_t memmap_sanitize(const struct memmap_entry *in, size_t n, const struct mem_range *exclude,
                       size_t nexclude, struct mem_range *out, size_t max_out, size_t *dropped);

/* The ranges the page allocator must never hand out, into out (at most
 * MEMMAP_RESERVED_MAX; returns how many): the first MiB (the real-mode
 * area, the BIOS, the EBDA, the loaders' boot structures), the kernel's
 * image [image_start, image_end) with its .bss, and the initrd, which
 * stays where the loader put it for as long as the app runs: it is the
 * app's file tree, read in place (sys/files/). */
#define MEMMAP_RESERVED_MAX 3
#define MEMMAP_LOW_END 0x100000ull
size_t memmap_reserved(const struct bootinfo *bi, uint64_t image_start, uint64_t image_end,
                       struct mem_range *out);

/* Sum of the lengths of n ranges. */
uint64_t mem_ranges_total(const struct mem_range *r, size_t n);

#endif
