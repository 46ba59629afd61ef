/* Page tables. entry.S identity-maps the first 4 GiB with 2 MiB pages
 * (3-4 GiB uncached for MMIO); this adds what boot could not: unmapping the
 * null page, and identity-mapping more (RAM above 4 GiB, 64-bit BARs). */
#ifndef ARCH_X86_64_PAGING_H
#define ARCH_X86_64_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define IDENTITY_MAPPED_LIMIT 0x100000000ull

/* Replaces the first 2 MiB mapping with 4 KiB pages and leaves page 0 out,
 * so a null pointer dereference faults. Call after the boot structures and
 * the BIOS data area have been read. */
void paging_guard_null_page(void);

/* Identity-maps [base, base + len) with 2 MiB pages, uncached when mmio (below
 * 4 GiB, where boot mapped everything, this only makes device memory
 * uncached). Page tables come from the page allocator. Returns 0, or -1 when out of memory or
 * the range is beyond the 48-bit address space. */
int paging_identity_map(uint64_t base, uint64_t len, bool mmio);

#endif
