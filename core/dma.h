/* Memory that devices read and write. Every driver gets device memory and
 * device addresses here and nowhere else, so the one place that knows how a
 * guest address becomes a device address is this file: today the identity
 * (no IOMMU, no memory encryption: a device sees guest-physical addresses,
 * and the kernel maps guest-physical memory 1:1). A platform with an IOMMU
 * or with encrypted memory (bounce buffers) changes dma.c, not the drivers. */
#ifndef CORE_DMA_H
#define CORE_DMA_H

#include <stddef.h>
#include <stdint.h>

/* size bytes of zeroed, physically contiguous memory aligned to align (a
 * power of two; at least a page is always used). Returns the kernel's
 * pointer and the device's address in *dev_addr; NULL when out of memory. */
void *dma_alloc(size_t size, size_t align, uint64_t *dev_addr);
/* Returns memory from dma_alloc (same size). */
void dma_free(void *p, size_t size);

/* The device address of kernel memory that a caller handed in (a block
 * request's buffer, a frame on the stack): any memory the kernel can reach
 * is reachable by devices here. The range must be physically contiguous,
 * which holds for every allocation of the kernel's heap and page allocator. */
uint64_t dma_addr(const void *p);

#endif
