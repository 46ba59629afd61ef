/* sys/mem.c and sys/vma.c through __anyvm_syscall, on a pool of host
 * memory given to the page allocator (tests/unit/host_sys.h): anonymous
 * mappings zeroed, a record of what was handed out so that only that is
 * ever freed or zeroed, and Linux's checks on every argument. */
#include "core/page_alloc.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "sys/vma.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

#define PAGE 4096ul
#define POOL (1ul << 20)
#define RW (LINUX_PROT_READ | LINUX_PROT_WRITE)
#define ANON (LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS)

static void fresh(void)
{
    host_sys_reset(POOL);
    memset(host_pool, 0xa5, POOL); /* what a previous owner left */
}

static long map(uint64_t len)
{
    return SC(LINUX_NR_mmap, 0, len, RW, ANON, -1, 0);
}

static bool in_pool(long p, uint64_t len)
{
    uintptr_t base = (uintptr_t)host_pool;
    return (uintptr_t)p >= base && (uintptr_t)p + len <= base + POOL;
}

static bool all(long p, uint64_t len, uint8_t v)
{
    const uint8_t *b = (const uint8_t *)p;
    for (uint64_t i = 0; i < len; i++)
        if (b[i] != v)
            return false;
    return true;
}

TEST(anonymous_memory_is_whole_zeroed_pages_from_the_allocator)
{
    fresh();
    uint64_t free0 = kernel_pages.free_bytes;
    long a = map(1), b = map(3 * PAGE);
    CHECK(a > 0 && b > 0);
    CHECK_EQ(a % PAGE, 0);
    CHECK_EQ(b % PAGE, 0);
    CHECK(in_pool(a, PAGE) && in_pool(b, 3 * PAGE));
    CHECK(all(a, PAGE, 0) && all(b, 3 * PAGE, 0));
    CHECK(b >= a + (long)PAGE || a >= b + 3 * (long)PAGE); /* one byte took a whole page */
    CHECK_EQ(kernel_pages.free_bytes, free0 - 4 * PAGE);
    /* A shared anonymous mapping is the same thing here. */
    long s = SC(LINUX_NR_mmap, 0, PAGE, RW, LINUX_MAP_SHARED | LINUX_MAP_ANONYMOUS, -1, 0);
    CHECK(in_pool(s, PAGE) && all(s, PAGE, 0));
    /* The address is only a hint: not taken. */
    static uint8_t elsewhere[2 * PAGE];
    uintptr_t hint = ((uintptr_t)elsewhere + PAGE - 1) & ~(PAGE - 1);
    long h = SC(LINUX_NR_mmap, hint, PAGE, RW, ANON, -1, 0);
    CHECK(in_pool(h, PAGE));
}

TEST(mmap_refuses_what_it_cannot_give)
{
    fresh();
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, LINUX_MAP_PRIVATE, 1, 0), -LINUX_ENODEV);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, LINUX_MAP_PRIVATE, 42, 0), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, LINUX_MAP_PRIVATE, -1, 0), -LINUX_EBADF);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, ANON, -1, 1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, 0, RW, ANON, -1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, LINUX_MAP_ANONYMOUS, -1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, LINUX_MAP_ANONYMOUS | 0xf, -1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, -1, RW, ANON, -1, 0), -LINUX_ENOMEM); /* rounds past 2^64 */
    CHECK_EQ(SC(LINUX_NR_mmap, 0, 1ull << 48, RW, ANON, -1, 0), -LINUX_ENOMEM);
    CHECK_EQ(map(POOL * 2), -LINUX_ENOMEM);
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, ANON | LINUX_MAP_HUGETLB, -1, 0), -LINUX_ENOMEM);
    CHECK_EQ(vma_count(), 0u);
}

TEST(map_fixed_only_inside_a_mapping_made_here)
{
    fresh();
    long a = map(4 * PAGE);
    memset((void *)a, 7, 4 * PAGE);
    long r = SC(LINUX_NR_mmap, a + PAGE, 2 * PAGE, RW, ANON | LINUX_MAP_FIXED, -1, 0);
    CHECK_EQ(r, a + (long)PAGE);
    CHECK(all(a, PAGE, 7) && all(a + PAGE, 2 * PAGE, 0) && all(a + 3 * PAGE, PAGE, 7));
    /* Beyond the mapping, unaligned, elsewhere entirely: refused, untouched. */
    CHECK_EQ(SC(LINUX_NR_mmap, a + 3 * PAGE, 2 * PAGE, RW, ANON | LINUX_MAP_FIXED, -1, 0),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mmap, a + 1, PAGE, RW, ANON | LINUX_MAP_FIXED, -1, 0), -LINUX_EINVAL);
    static uint8_t mine[3 * PAGE];
    memset(mine, 9, sizeof mine);
    uintptr_t page = ((uintptr_t)mine + PAGE - 1) & ~(PAGE - 1);
    CHECK_EQ(SC(LINUX_NR_mmap, page, PAGE, RW, ANON | LINUX_MAP_FIXED, -1, 0), -LINUX_EINVAL);
    CHECK(all((long)mine, sizeof mine, 9));
    CHECK_EQ(SC(LINUX_NR_mmap, 0, PAGE, RW, ANON | LINUX_MAP_FIXED, -1, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mmap, -PAGE, 2 * PAGE, RW, ANON | LINUX_MAP_FIXED, -1, 0), -LINUX_ENOMEM);
    CHECK(all(a + 3 * PAGE, PAGE, 7));
    /* MAP_FIXED_NOREPLACE: EEXIST over a mapping, and no place elsewhere. */
    CHECK_EQ(SC(LINUX_NR_mmap, a, PAGE, RW, ANON | LINUX_MAP_FIXED_NOREPLACE, -1, 0),
             -LINUX_EEXIST);
    CHECK_EQ(SC(LINUX_NR_mmap, page, PAGE, RW, ANON | LINUX_MAP_FIXED_NOREPLACE, -1, 0),
             -LINUX_EINVAL);
    CHECK(all(a, PAGE, 7));
}

TEST(munmap_frees_only_what_mmap_gave)
{
    fresh();
    uint64_t free0 = kernel_pages.free_bytes;
    long a = map(4 * PAGE);
    CHECK_EQ(SC(LINUX_NR_munmap, a + PAGE, PAGE), 0); /* a hole in the middle */
    CHECK_EQ(vma_count(), 2u);
    CHECK_EQ(kernel_pages.free_bytes, free0 - 3 * PAGE);
    CHECK_EQ(SC(LINUX_NR_munmap, a + PAGE, PAGE), -LINUX_EINVAL); /* not twice */
    CHECK_EQ(SC(LINUX_NR_munmap, a, 2 * PAGE), -LINUX_EINVAL);    /* reaches into the hole */
    CHECK_EQ(kernel_pages.free_bytes, free0 - 3 * PAGE);
    static uint8_t mine[2 * PAGE];
    uintptr_t page = ((uintptr_t)mine + PAGE - 1) & ~(PAGE - 1);
    CHECK_EQ(SC(LINUX_NR_munmap, page, PAGE), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_munmap, a + 1, PAGE), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_munmap, a, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_munmap, a, -1), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_munmap, 0, PAGE), -LINUX_EINVAL);
    CHECK_EQ(kernel_pages.free_bytes, free0 - 3 * PAGE);
    /* The length is rounded up to the page. */
    CHECK_EQ(SC(LINUX_NR_munmap, a, 1), 0);
    CHECK_EQ(SC(LINUX_NR_munmap, a + 2 * PAGE, 2 * PAGE), 0);
    CHECK_EQ(vma_count(), 0u);
    CHECK_EQ(kernel_pages.free_bytes, free0);
    /* Adjacent mappings are one range: one call frees both. */
    long b = map(PAGE), c = map(PAGE);
    long lo = b < c ? b : c;
    if ((b > c ? b - c : c - b) == (long)PAGE) {
        CHECK_EQ(vma_count(), 1u);
        CHECK_EQ(SC(LINUX_NR_munmap, lo, 2 * PAGE), 0);
        CHECK_EQ(kernel_pages.free_bytes, free0);
    }
}

TEST(mremap_shrinks_in_place_and_moves_to_grow)
{
    fresh();
    uint64_t free0 = kernel_pages.free_bytes;
    long a = map(4 * PAGE);
    memset((void *)a, 3, 4 * PAGE);
    CHECK_EQ(SC(LINUX_NR_mremap, a, 4 * PAGE, 2 * PAGE, 0), a);
    CHECK_EQ(kernel_pages.free_bytes, free0 - 2 * PAGE);
    CHECK_EQ(SC(LINUX_NR_mremap, a, 2 * PAGE, 2 * PAGE, 0), a);
    CHECK_EQ(SC(LINUX_NR_mremap, a, 2 * PAGE, 3 * PAGE, 0), -LINUX_ENOMEM);
    long b = SC(LINUX_NR_mremap, a, 2 * PAGE, 5 * PAGE, LINUX_MREMAP_MAYMOVE);
    CHECK(in_pool(b, 5 * PAGE));
    CHECK(all(b, 2 * PAGE, 3) && all(b + 2 * PAGE, 3 * PAGE, 0));
    CHECK_EQ(kernel_pages.free_bytes, free0 - 5 * PAGE);
    CHECK_EQ(SC(LINUX_NR_munmap, a, PAGE), -LINUX_EINVAL); /* the old range is gone */
    /* Part of a mapping moves; the rest stays. */
    long c = SC(LINUX_NR_mremap, b + 4 * PAGE, PAGE, 2 * PAGE, LINUX_MREMAP_MAYMOVE);
    CHECK(c > 0 && c != b + 4 * (long)PAGE);
    CHECK_EQ(SC(LINUX_NR_munmap, b, 4 * PAGE), 0);
    CHECK_EQ(SC(LINUX_NR_munmap, c, 2 * PAGE), 0);
    CHECK_EQ(kernel_pages.free_bytes, free0);
}

TEST(mremap_refusals)
{
    fresh();
    long a = map(2 * PAGE);
    static uint8_t mine[2 * PAGE];
    uintptr_t page = ((uintptr_t)mine + PAGE - 1) & ~(PAGE - 1);
    CHECK_EQ(SC(LINUX_NR_mremap, page, PAGE, 2 * PAGE, LINUX_MREMAP_MAYMOVE), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_mremap, a, 3 * PAGE, 4 * PAGE, LINUX_MREMAP_MAYMOVE), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_mremap, a + 1, PAGE, 2 * PAGE, LINUX_MREMAP_MAYMOVE), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mremap, a, PAGE, 0, LINUX_MREMAP_MAYMOVE), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mremap, a, 0, PAGE, LINUX_MREMAP_MAYMOVE), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mremap, a, PAGE, 2 * PAGE, 8), -LINUX_EINVAL);
    CHECK_EQ(
        SC(LINUX_NR_mremap, a, PAGE, 2 * PAGE, LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED, a + PAGE),
        -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mremap, a, PAGE, PAGE, LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_DONTUNMAP),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mremap, a, 2 * PAGE, POOL * 2, LINUX_MREMAP_MAYMOVE), -LINUX_ENOMEM);
    CHECK_EQ(SC(LINUX_NR_munmap, a, 2 * PAGE), 0); /* still all there */
}

TEST(madvise_mprotect_msync_accept_mapped_ranges_only)
{
    fresh();
    long a = map(2 * PAGE);
    memset((void *)a, 5, 2 * PAGE);
    CHECK_EQ(SC(LINUX_NR_madvise, a, PAGE, LINUX_MADV_FREE), 0);
    CHECK(all(a, PAGE, 5));
    CHECK_EQ(SC(LINUX_NR_madvise, a, 1, LINUX_MADV_DONTNEED), 0); /* reads as zeros after */
    CHECK(all(a, PAGE, 0) && all(a + PAGE, PAGE, 5));
    CHECK_EQ(SC(LINUX_NR_madvise, a, PAGE, LINUX_MADV_WILLNEED), 0);
    CHECK_EQ(SC(LINUX_NR_madvise, a, PAGE, 99), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_madvise, a + 1, PAGE, LINUX_MADV_NORMAL), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_madvise, a, 3 * PAGE, LINUX_MADV_DONTNEED), -LINUX_ENOMEM);
    CHECK_EQ(SC(LINUX_NR_madvise, a, -1, LINUX_MADV_NORMAL), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_madvise, 0x1000, 0, LINUX_MADV_NORMAL), 0);
    CHECK(all(a + PAGE, PAGE, 5));

    CHECK_EQ(SC(LINUX_NR_mprotect, a, 2 * PAGE, 0), 0); /* PROT_NONE */
    CHECK_EQ(SC(LINUX_NR_mprotect, a, PAGE, RW | LINUX_PROT_EXEC), 0);
    CHECK_EQ(SC(LINUX_NR_mprotect, a, 3 * PAGE, RW), -LINUX_ENOMEM);
    CHECK_EQ(SC(LINUX_NR_mprotect, a, PAGE, 0x10), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mprotect, a, PAGE, LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mprotect, a + 8, PAGE, RW), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_mprotect, a, 0, RW), 0);
    CHECK_EQ(SC(LINUX_NR_mprotect, a, -1, RW), -LINUX_ENOMEM);

    CHECK_EQ(SC(LINUX_NR_msync, a, 2 * PAGE, LINUX_MS_SYNC), 0);
    CHECK_EQ(SC(LINUX_NR_msync, a, PAGE, LINUX_MS_ASYNC | LINUX_MS_INVALIDATE), 0);
    CHECK_EQ(SC(LINUX_NR_msync, a, PAGE, LINUX_MS_ASYNC | LINUX_MS_SYNC), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_msync, a, PAGE, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_msync, a + 1, PAGE, 0), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_msync, a, 3 * PAGE, 0), -LINUX_ENOMEM);
    CHECK_EQ(SC(LINUX_NR_msync, a, 0, 0), 0);
}

/* What musl's allocators do (src/malloc/lite_malloc.c, mallocng/malloc.c):
 * ask brk for the break, try to move it, and map when that fails; mallocng
 * then maps meta areas PROT_NONE and opens one page at a time. */
TEST(no_brk_heap_so_musl_falls_back_to_mmap)
{
    fresh();
    long brk = SC(LINUX_NR_brk, 0);
    CHECK_EQ(brk, 0);
    CHECK(SC(LINUX_NR_brk, brk + 2 * PAGE) != brk + 2 * (long)PAGE);
    CHECK_EQ(SC(LINUX_NR_brk, 0x10000000), 0);
    long meta = SC(LINUX_NR_mmap, 0, 4 * PAGE, 0, ANON, -1, 0);
    CHECK(in_pool(meta, 4 * PAGE));
    CHECK_EQ(SC(LINUX_NR_mprotect, meta + PAGE, PAGE, RW), 0);
}

TEST(the_record_grows_past_its_first_table_and_reset_frees_everything)
{
    fresh();
    uint64_t free0 = kernel_pages.free_bytes;
    long kept[40];
    uint64_t kernel[40];
    for (int i = 0; i < 40; i++) {
        kept[i] = map(PAGE);
        CHECK(kept[i] > 0);
        kernel[i] = page_alloc(&kernel_pages, 1, 0); /* the kernel's page: a gap */
        CHECK(kernel[i] != 0);
    }
    CHECK_EQ(vma_count(), 40u);
    for (int i = 0; i < 40; i++) {
        CHECK_EQ(SC(LINUX_NR_munmap, (long)kernel[i], PAGE), -LINUX_EINVAL);
        page_free(&kernel_pages, kernel[i], 1);
    }
    for (int i = 0; i < 20; i++)
        CHECK_EQ(SC(LINUX_NR_munmap, kept[i], PAGE), 0);
    CHECK_EQ(vma_count(), 20u);
    sys_reset(); /* the other 20, and the grown table */
    CHECK_EQ(vma_count(), 0u);
    CHECK_EQ(kernel_pages.free_bytes, free0);
}

TEST(mapping_fails_cleanly_when_memory_runs_out)
{
    host_sys_reset(8 * PAGE);
    long got = 0, n = 0;
    while ((got = map(PAGE)) > 0)
        n++;
    CHECK_EQ(got, -LINUX_ENOMEM);
    CHECK(n >= 6 && n <= 8); /* page 0 of the pool may be left out */
    CHECK_EQ(kernel_pages.free_bytes, 0u);
}

UNIT_MAIN()
