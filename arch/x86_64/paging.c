#include "arch/x86_64/paging.h"

#include <string.h>

#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "core/page_alloc.h"

#define PTE_PRESENT 0x1ull
#define PTE_WRITE 0x2ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_LARGE 0x80ull
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define TWO_MIB 0x200000ull

extern uint64_t boot_pml4[512], boot_pd[2048];
static uint64_t low_pt[512] __attribute__((aligned(4096)));

void paging_guard_null_page(void)
{
    for (uint64_t i = 1; i < 512; i++)
        low_pt[i] = (i << 12) | PTE_PRESENT | PTE_WRITE;
    low_pt[0] = 0;
    boot_pd[0] = (uint64_t)(uintptr_t)low_pt | PTE_PRESENT | PTE_WRITE;
    cpu_write_cr3(cpu_read_cr3()); /* flush the old 2 MiB translation */
}

/* Marks the boot mapping of the 2 MiB page at a uncached, or, for the first
 * 2 MiB (4 KiB pages since paging_guard_null_page), the 4 KiB pages of
 * [base, end) within it. */
static void set_uncached_low(uint64_t a, uint64_t base, uint64_t end)
{
    uint64_t *pde = &boot_pd[a >> 21];
    if (*pde & PTE_LARGE) {
        *pde |= PTE_PCD | PTE_PWT;
        cpu_invlpg(a);
        return;
    }
    for (uint64_t p = base & ~0xFFFull; p < end && p < a + TWO_MIB; p += 4096) {
        if (p < a)
            continue;
        uint64_t *pte = &low_pt[(p >> 12) & 511];
        if (*pte & PTE_PRESENT) {
            *pte |= PTE_PCD | PTE_PWT;
            cpu_invlpg(p);
        }
    }
}

/* Returns the next-level table of entry e, allocating a zeroed one. */
static uint64_t *next_table(uint64_t *e)
{
    if (*e & PTE_PRESENT) {
        if (*e & PTE_LARGE)
            return NULL;
        return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
    }
    uint64_t page = page_alloc(&kernel_pages, 1, 0);
    if (page == 0 || page >= IDENTITY_MAPPED_LIMIT)
        return NULL;
    memset((void *)(uintptr_t)page, 0, 4096);
    *e = page | PTE_PRESENT | PTE_WRITE;
    return (uint64_t *)(uintptr_t)page;
}

int paging_identity_map(uint64_t base, uint64_t len, bool mmio)
{
    uint64_t start = base & ~(TWO_MIB - 1);
    uint64_t end = base + len;
    if (end < base || end > (1ull << 47)) {
        kprintf("paging: range %#lx+%#lx is outside the address space\n", (unsigned long)base,
                (unsigned long)len);
        return -1;
    }
    for (uint64_t a = start; a < end; a += TWO_MIB) {
        if (a < IDENTITY_MAPPED_LIMIT) {
            /* Mapped at boot; device memory must not be cached (the boot map
             * makes only 3-4 GiB uncached). */
            if (mmio)
                set_uncached_low(a, base, end);
            continue;
        }
        uint64_t *pdpt = next_table(&boot_pml4[(a >> 39) & 511]);
        uint64_t *pd = pdpt ? next_table(&pdpt[(a >> 30) & 511]) : NULL;
        if (pd == NULL) {
            kprintf("paging: cannot map %#lx: no memory for page tables\n", (unsigned long)a);
            return -1;
        }
        pd[(a >> 21) & 511] =
            a | PTE_PRESENT | PTE_WRITE | PTE_LARGE | (mmio ? (PTE_PCD | PTE_PWT) : 0);
        cpu_invlpg(a);
    }
    return 0;
}
