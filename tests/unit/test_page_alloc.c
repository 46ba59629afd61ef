/* Unit tests for core/page_alloc.c. The allocator never touches the memory
 * it manages, so the addresses here are made up (any access would crash). */
#include <stdbool.h>
#include <stdint.h>
#include "core/page_alloc.h"
#include "tests/unit/unit.h"

#define PG 4096ULL
#define MiB (1024ULL * 1024)
#define BASE 0x100000000ULL /* 4 GiB: nothing of ours lives there */

static struct page_allocator a;

static bool extent_is(unsigned i, uint64_t base, uint64_t end)
{
    return i < a.nfree && a.free[i].base == base && a.free[i].end == end;
}

/* Checks the invariants: sorted, page-aligned, non-empty, not touching, and
 * free_bytes is their sum. */
static bool consistent(void)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < a.nfree; i++) {
        const struct mem_range *r = &a.free[i];
        if (r->base % PG || r->end % PG || r->base >= r->end)
            return false;
        if (i > 0 && a.free[i - 1].end >= r->base)
            return false;
        sum += r->end - r->base;
    }
    return sum == a.free_bytes;
}

TEST(init_is_empty)
{
    memset(&a, 0x5a, sizeof a);
    page_alloc_init(&a);
    CHECK_EQ(a.nfree, 0u);
    CHECK_EQ(a.free_bytes, 0u);
    CHECK_EQ(a.total_bytes, 0u);
    CHECK_EQ(a.lost_bytes, 0u);
    CHECK_EQ(page_alloc(&a, 1, 0), 0u);
}

TEST(add_rounds_inward_and_merges)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE + 0x123, 0x10000), 0); /* -> BASE+0x1000..BASE+0x10000 */
    CHECK(extent_is(0, BASE + 0x1000, BASE + 0x10000));
    CHECK_EQ(a.total_bytes, 0xf000u);
    CHECK_EQ(page_alloc_add(&a, BASE + 0x10000, 0x5000), 0); /* touches: merged */
    CHECK_EQ(a.nfree, 1u);
    CHECK(extent_is(0, BASE + 0x1000, BASE + 0x15000));
    CHECK_EQ(page_alloc_add(&a, BASE + 0x20000, 0x800), 0);  /* less than a page: nothing */
    CHECK_EQ(page_alloc_add(&a, BASE + 0x20800, 0x1000), 0); /* straddles: nothing */
    CHECK_EQ(page_alloc_add(&a, BASE, 0), 0);
    CHECK_EQ(a.nfree, 1u);
    CHECK_EQ(page_alloc_add(&a, BASE - 0x2000, 0x3000), 0); /* before, touching */
    CHECK(extent_is(0, BASE - 0x2000, BASE + 0x15000));
    CHECK_EQ(page_alloc_add(&a, 2 * BASE, 4 * PG), 0);
    CHECK_EQ(a.nfree, 2u);
    CHECK_EQ(a.total_bytes, a.free_bytes);
    CHECK_EQ(a.free_bytes, 0x17000u + 4 * PG);
    CHECK(consistent());
}

TEST(add_overlapping_is_refused)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE, 16 * PG), 0);
    CHECK_EQ(page_alloc_add(&a, BASE + 15 * PG, 2 * PG), -1);
    CHECK(LOG_CONTAINS("overlaps free memory"));
    CHECK_EQ(page_alloc_add(&a, BASE - PG, 2 * PG), -1);
    CHECK_EQ(page_alloc_add(&a, BASE + 4 * PG, PG), -1);
    CHECK_EQ(page_alloc_add(&a, BASE - MiB, 2 * MiB), -1); /* covers it */
    CHECK_EQ(a.nfree, 1u);
    CHECK_EQ(a.free_bytes, 16 * PG);
    CHECK_EQ(a.total_bytes, 16 * PG);
}

TEST(page_zero_is_never_handed_out)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, 0, 4 * PG), 0);
    CHECK(extent_is(0, PG, 4 * PG));
    CHECK_EQ(a.total_bytes, 3 * PG);
    CHECK_EQ(page_alloc(&a, 1, 0), PG);
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, 0, PG), 0);
    CHECK_EQ(a.nfree, 0u);
    CHECK_EQ(page_free(&a, 0, 1), -1);
    CHECK(LOG_CONTAINS("invalid range"));
}

TEST(add_near_the_top_never_wraps)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, UINT64_MAX - 0x10fff, UINT64_MAX), 0);
    CHECK(extent_is(0, 0xfffffffffffef000ULL, 0xfffffffffffff000ULL));
    CHECK_EQ(page_alloc_add(&a, UINT64_MAX - 5, 100), 0);
    CHECK_EQ(a.nfree, 1u);
    CHECK_EQ(page_alloc(&a, 16, 0), 0xfffffffffffef000ULL);
    CHECK_EQ(a.nfree, 0u);
    CHECK_EQ(page_alloc(&a, 1, 0), 0u);
    CHECK_EQ(page_free(&a, 0xfffffffffffef000ULL, 16), 0);
    CHECK_EQ(page_free(&a, 0xfffffffffffff000ULL, 2), -1); /* would wrap */
    /* Alignment larger than what is left at the top of the address space. */
    CHECK_EQ(page_alloc(&a, 1, 1ULL << 63), 0u);
    CHECK(consistent());
}

TEST(alloc_first_fit_and_exhaustion)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE, 4 * PG), 0);
    CHECK_EQ(page_alloc_add(&a, BASE + MiB, 8 * PG), 0);
    CHECK_EQ(page_alloc(&a, 5, 0), BASE + MiB); /* first extent too small */
    CHECK_EQ(page_alloc(&a, 2, 0), BASE);
    CHECK_EQ(page_alloc(&a, 2, 0), BASE + 2 * PG);
    CHECK_EQ(a.nfree, 1u);
    CHECK_EQ(page_alloc(&a, 4, 0), 0u); /* 3 left */
    CHECK_EQ(page_alloc(&a, 3, 0), BASE + MiB + 5 * PG);
    CHECK_EQ(a.nfree, 0u);
    CHECK_EQ(a.free_bytes, 0u);
    CHECK_EQ(page_alloc(&a, 1, 0), 0u);
    CHECK_EQ(page_alloc(&a, 0, 0), 0u);
    CHECK_EQ(page_alloc(&a, SIZE_MAX, 0), 0u);
    CHECK_EQ(a.total_bytes, 12 * PG);
}

TEST(alignment)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE + PG, 16 * MiB), 0);
    uint64_t p = page_alloc(&a, 1, 2 * MiB);
    CHECK_EQ(p, BASE + 2 * MiB);
    /* Split into two: before and after. */
    CHECK_EQ(a.nfree, 2u);
    CHECK(extent_is(0, BASE + PG, BASE + 2 * MiB));
    CHECK(extent_is(1, BASE + 2 * MiB + PG, BASE + 16 * MiB + PG));
    uint64_t q = page_alloc(&a, 3, 64 * 1024);
    CHECK_EQ(q, BASE + 64 * 1024);
    CHECK_EQ(q % (64 * 1024), 0u);
    /* Sub-page alignments behave like a page. */
    CHECK_EQ(page_alloc(&a, 1, 16), BASE + PG);
    CHECK_EQ(page_alloc(&a, 1, 1), BASE + 2 * PG);
    /* Not a power of two. */
    CHECK_EQ(page_alloc(&a, 1, 3 * PG), 0u);
    CHECK(LOG_CONTAINS("not a power of two"));
    /* An aligned request larger than any aligned slot fails. */
    CHECK_EQ(page_alloc(&a, 1, 32 * MiB), 0u);
    uint64_t big = page_alloc(&a, 2048, 8 * MiB);
    CHECK_EQ(big, BASE + 8 * MiB);
    CHECK(consistent());
    CHECK_EQ(page_free(&a, p, 1), 0);
    CHECK_EQ(page_free(&a, q, 3), 0);
    CHECK_EQ(page_free(&a, BASE + PG, 2), 0);
    CHECK_EQ(page_free(&a, big, 2048), 0);
    CHECK_EQ(a.nfree, 1u);
    CHECK(extent_is(0, BASE + PG, BASE + 16 * MiB + PG));
}

TEST(fragmentation_then_merge_back_to_one_extent)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE, 200 * PG), 0);
    uint64_t pages[200];
    for (int i = 0; i < 200; i++) {
        pages[i] = page_alloc(&a, 1, 0);
        CHECK_EQ(pages[i], BASE + (uint64_t)i * PG);
    }
    CHECK_EQ(a.nfree, 0u);
    /* Free every other page: 100 separate extents. */
    for (int i = 0; i < 200; i += 2)
        CHECK_EQ(page_free(&a, pages[i], 1), 0);
    CHECK_EQ(a.nfree, 100u);
    CHECK(consistent());
    /* Two contiguous pages cannot be found any more. */
    CHECK_EQ(page_alloc(&a, 2, 0), 0u);
    /* Free the rest in a scrambled order; each free bridges two extents. */
    for (int k = 0; k < 100; k++) {
        int i = 1 + 2 * ((k * 37) % 100);
        CHECK_EQ(page_free(&a, pages[i], 1), 0);
        CHECK(consistent());
    }
    CHECK_EQ(a.nfree, 1u);
    CHECK(extent_is(0, BASE, BASE + 200 * PG));
    CHECK_EQ(a.free_bytes, a.total_bytes);
    CHECK_EQ(page_alloc(&a, 200, 0), BASE);
}

TEST(double_free_and_overlap_refused)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE, 64 * PG), 0);
    uint64_t p = page_alloc(&a, 8, 0);
    CHECK_EQ(page_free(&a, p, 8), 0);
    unit_log_clear();
    CHECK_EQ(page_free(&a, p, 8), -1);
    CHECK(LOG_CONTAINS("double free or overlap"));
    CHECK_EQ(page_free(&a, p + 4 * PG, 1), -1);
    p = page_alloc(&a, 8, 0);
    CHECK_EQ(p, BASE);
    /* Straddling the end of the allocation into free memory. */
    CHECK_EQ(page_free(&a, p + 6 * PG, 4), -1);
    CHECK_EQ(a.free_bytes, 56 * PG);
    CHECK_EQ(page_free(&a, p, 8), 0);
    CHECK_EQ(a.free_bytes, 64 * PG);
    CHECK_EQ(a.nfree, 1u);
}

TEST(invalid_free_arguments)
{
    page_alloc_init(&a);
    CHECK_EQ(page_alloc_add(&a, BASE, 64 * PG), 0);
    unit_log_clear();
    CHECK_EQ(page_free(&a, BASE + 100 * PG + 1, 1), -1); /* unaligned */
    CHECK(LOG_CONTAINS("invalid range"));
    CHECK_EQ(page_free(&a, BASE + 100 * PG, 0), -1);
    CHECK_EQ(page_free(&a, 0, 1), -1);
    CHECK_EQ(page_free(&a, BASE, SIZE_MAX), -1);
    CHECK_EQ(page_free(&a, 0xffffffff00000000ULL, 0x100000), -1); /* wraps */
    CHECK_EQ(a.nfree, 1u);
    CHECK_EQ(a.free_bytes, 64 * PG);
}

/* Fills the extent table: 256 one-page extents two pages apart. */
static void fill_table(void)
{
    page_alloc_init(&a);
    for (int i = 0; i < PAGE_ALLOC_MAX_EXTENTS; i++)
        page_alloc_add(&a, BASE + (uint64_t)i * 2 * PG, PG);
}

TEST(table_full_on_free_counts_lost_pages)
{
    fill_table();
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS);
    unit_log_clear();
    /* Neither touching an extent: would need a new slot. */
    CHECK_EQ(page_free(&a, 2 * BASE, 3), 0);
    CHECK(LOG_CONTAINS("extent table full"));
    CHECK_EQ(a.lost_bytes, 3 * PG);
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS);
    /* Extending an extent or bridging two still works. */
    CHECK_EQ(page_free(&a, BASE + 2 * PAGE_ALLOC_MAX_EXTENTS * PG - PG, 1), 0); /* after the last */
    CHECK_EQ(page_free(&a, BASE + PG, 1), 0);                                   /* bridges 0,1 */
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS - 1);
    CHECK_EQ(a.lost_bytes, 3 * PG);
    CHECK(consistent());
    /* Now one slot is free again. */
    CHECK_EQ(page_free(&a, 2 * BASE, 3), 0);
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS);
    CHECK_EQ(a.lost_bytes, 3 * PG);
}

TEST(table_full_on_add_is_refused)
{
    fill_table();
    unit_log_clear();
    uint64_t total = a.total_bytes;
    CHECK_EQ(page_alloc_add(&a, 2 * BASE, MiB), -1);
    CHECK(LOG_CONTAINS("extent table full"));
    CHECK_EQ(a.total_bytes, total);
}

TEST(table_full_alloc_avoids_split)
{
    /* 256 extents of 4 pages each starting one page past a 1 MiB boundary. */
    page_alloc_init(&a);
    for (int i = 0; i < PAGE_ALLOC_MAX_EXTENTS; i++)
        CHECK_EQ(page_alloc_add(&a, BASE + (uint64_t)i * MiB + PG, 4 * PG), 0);
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS);
    /* Aligned 8 KiB would split [1000,5000) at 2000: take the top at 4000. */
    uint64_t p = page_alloc(&a, 1, 2 * PG);
    CHECK_EQ(p, BASE + 4 * PG);
    CHECK(extent_is(0, BASE + PG, BASE + 4 * PG));
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS);
    /* Extent 0 is now [1000,4000): the same request would split it at 2000
     * and its top (3000) is not aligned, so extent 1 serves it, at its top. */
    uint64_t q = page_alloc(&a, 1, 2 * PG);
    CHECK_EQ(q, BASE + MiB + 4 * PG);
    CHECK(extent_is(0, BASE + PG, BASE + 4 * PG));
    CHECK(extent_is(1, BASE + MiB + PG, BASE + MiB + 4 * PG));
    CHECK(consistent());
    CHECK_EQ(page_free(&a, p, 1), 0);
    CHECK_EQ(page_free(&a, q, 1), 0);
    CHECK_EQ(a.free_bytes, a.total_bytes);
    CHECK_EQ(a.nfree, (unsigned)PAGE_ALLOC_MAX_EXTENTS);
}

/* Random allocations and frees checked against a page bitmap. */
#define RPAGES 2048
static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(random_against_bitmap)
{
    static bool used[RPAGES];
    static struct {
        uint64_t addr;
        size_t n;
    } live[512];
    size_t nlive = 0;
    memset(used, 0, sizeof used);
    page_alloc_init(&a);
    /* Two separate regions with a hole between. */
    CHECK_EQ(page_alloc_add(&a, BASE, 1000 * PG), 0);
    CHECK_EQ(page_alloc_add(&a, BASE + 1100 * PG, (RPAGES - 1100) * PG), 0);
    for (int i = 1000; i < 1100; i++)
        used[i] = true; /* never free */
    uint64_t total = a.total_bytes;
    unsigned successes = 0;
    for (int step = 0; step < 20000; step++) {
        if (nlive < 512 && rnd() % 2 == 0) {
            size_t n = 1 + rnd() % (rnd() % 8 == 0 ? 64 : 4);
            uint64_t align = PG << (rnd() % 6);
            uint64_t p = page_alloc(&a, n, align);
            if (p == 0)
                continue;
            successes++;
            CHECK_EQ(p % align, 0u);
            CHECK(p >= BASE && p + n * PG <= BASE + RPAGES * PG);
            size_t first = (size_t)((p - BASE) / PG);
            for (size_t k = 0; k < n; k++) {
                CHECK(!used[first + k]);
                used[first + k] = true;
            }
            live[nlive].addr = p;
            live[nlive].n = n;
            nlive++;
        } else if (nlive > 0) {
            size_t i = rnd() % nlive;
            CHECK_EQ(page_free(&a, live[i].addr, live[i].n), 0);
            size_t first = (size_t)((live[i].addr - BASE) / PG);
            for (size_t k = 0; k < live[i].n; k++)
                used[first + k] = false;
            live[i] = live[--nlive];
        }
        uint64_t in_use = 0;
        for (size_t i = 0; i < nlive; i++)
            in_use += live[i].n * PG;
        CHECK_EQ(a.free_bytes + in_use, total);
        if (step % 100 == 0)
            CHECK(consistent());
    }
    CHECK(successes > 5000);
    while (nlive > 0) {
        CHECK_EQ(page_free(&a, live[nlive - 1].addr, live[nlive - 1].n), 0);
        nlive--;
    }
    CHECK_EQ(a.nfree, 2u);
    CHECK(extent_is(0, BASE, BASE + 1000 * PG));
    CHECK(extent_is(1, BASE + 1100 * PG, BASE + RPAGES * PG));
    CHECK_EQ(a.lost_bytes, 0u);
}

UNIT_MAIN()
