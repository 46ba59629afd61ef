/* Kernel memory: the sanitised memory map into the page allocator, the heap
 * on top of it. */
#ifndef CORE_MM_H
#define CORE_MM_H

#include <stdint.h>

#include "boot/bootinfo.h"
#include "core/heap.h"

/* Returns the number of usable bytes handed to the page allocator. */
uint64_t mm_init(const struct bootinfo *bi);

extern struct heap kernel_heap;

#endif
