/* Unit tests for core/heap.c, backed by a host arena whose pages are handed
 * out by the kernel's own page allocator (core/page_alloc.c). */
#include <stdbool.h>
#include <stdint.h>
#include "core/heap.h"
#include "core/page_alloc.h"
#include "tests/unit/unit.h"

#define PG 4096u
#define ARENA_BYTES (64u << 20)

static uint8_t *arena;
static struct page_allocator pages;
static size_t page_limit; /* 0: no limit; else refuse beyond this many outstanding */
static size_t outstanding;
static bool misalign_next;

static void *src_alloc(void *ctx, size_t n)
{
    (void)ctx;
    if (page_limit != 0 && outstanding + n > page_limit)
        return NULL;
    uint64_t p = page_alloc(&pages, n, 0);
    if (p == 0)
        return NULL;
    outstanding += n;
    if (misalign_next) {
        misalign_next = false;
        return (void *)(uintptr_t)(p + 8);
    }
    return (void *)(uintptr_t)p;
}

static void src_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    uintptr_t u = (uintptr_t)p & ~(uintptr_t)(PG - 1); /* undo misalign_next */
    if (page_free(&pages, u, n) == 0)
        outstanding -= n;
}

static struct heap h;

static void setup(void)
{
    if (arena == NULL)
        arena = aligned_alloc(PG, ARENA_BYTES);
    /* Junk everywhere, so nothing relies on fresh pages being zero. */
    memset(arena, 0xa5, ARENA_BYTES);
    page_alloc_init(&pages);
    page_alloc_add(&pages, (uintptr_t)arena, ARENA_BYTES);
    page_limit = 0;
    outstanding = 0;
    misalign_next = false;
    heap_init(&h, (struct heap_page_source){src_alloc, src_free, NULL});
}

static bool in_arena(const void *p, size_t n)
{
    return (const uint8_t *)p >= arena && (const uint8_t *)p + n <= arena + ARENA_BYTES;
}

TEST(every_class_aligned_to_its_size)
{
    setup();
    for (size_t s = 16; s <= 2048; s *= 2) {
        size_t req[] = {s / 2 + 1, s};
        for (int k = 0; k < 2; k++) {
            if (req[k] <= 8)
                req[k] = s;
            uint8_t *p = heap_malloc(&h, req[k]);
            CHECK(p != NULL);
            CHECK(in_arena(p, s));
            CHECK_EQ((uintptr_t)p % s, 0u);
            memset(p, 0x11, req[k]);
        }
    }
    /* One slab page per class, but a 2048-byte slab holds one object (the
     * header takes the first slot), so that class took two. */
    CHECK_EQ(h.pages_in_use, 9u);
    CHECK_EQ(outstanding, 9u);
    CHECK_EQ(h.errors, 0u);
}

TEST(small_objects_are_distinct)
{
    setup();
    static uint32_t *objs[3000];
    for (uint32_t i = 0; i < 3000; i++) {
        objs[i] = heap_malloc(&h, 24);
        CHECK(objs[i] != NULL);
        for (int w = 0; w < 6; w++)
            objs[i][w] = i * 7 + (uint32_t)w;
    }
    for (uint32_t i = 0; i < 3000; i++)
        for (int w = 0; w < 6; w++)
            CHECK_EQ(objs[i][w], i * 7 + (uint32_t)w);
    /* 32-byte class: 127 objects per page. */
    CHECK_EQ(h.pages_in_use, (3000u + 126) / 127);
    CHECK_EQ(h.bytes_in_use, 3000u * 32);
    for (uint32_t i = 0; i < 3000; i++)
        heap_free(&h, objs[i]);
    CHECK_EQ(h.bytes_in_use, 0u);
    CHECK_EQ(h.errors, 0u);
    /* Freed objects are reused: no new pages. */
    size_t pages_before = h.pages_in_use;
    for (uint32_t i = 0; i < 3000; i++)
        objs[i] = heap_malloc(&h, 30);
    CHECK_EQ(h.pages_in_use, pages_before);
}

TEST(malloc_zero_gives_unique_pointers)
{
    setup();
    void *a = heap_malloc(&h, 0), *b = heap_malloc(&h, 0);
    CHECK(a != NULL && b != NULL);
    CHECK(a != b);
    heap_free(&h, a);
    heap_free(&h, b);
    heap_free(&h, NULL);
    CHECK_EQ(h.errors, 0u);
    CHECK_EQ(h.bytes_in_use, 0u);
}

TEST(large_allocations_take_and_return_pages)
{
    setup();
    uint8_t *p = heap_malloc(&h, 2049);
    CHECK(p != NULL);
    CHECK_EQ((uintptr_t)p % 16, 0u);
    CHECK_EQ(outstanding, 1u); /* header + 2049 bytes fit in one page */
    memset(p, 0x22, 2049);
    uint8_t *q = heap_malloc(&h, 100000);
    CHECK(q != NULL);
    CHECK_EQ(outstanding, 1u + (100000 + 16 + PG - 1) / PG);
    memset(q, 0x33, 100000);
    CHECK_EQ(p[2048], 0x22);
    CHECK_EQ(h.pages_in_use, outstanding);
    heap_free(&h, q);
    heap_free(&h, p);
    CHECK_EQ(outstanding, 0u);
    CHECK_EQ(h.pages_in_use, 0u);
    CHECK_EQ(h.bytes_in_use, 0u);
    CHECK_EQ(pages.nfree, 1u); /* all back, merged */
    CHECK_EQ(h.errors, 0u);
}

TEST(aligned_alloc_every_power_of_two_up_to_4mib)
{
    setup();
    for (size_t align = 1; align <= (4u << 20); align *= 2) {
        size_t sizes[] = {1, align, 3 * align + 5, 5000};
        for (int k = 0; k < 4; k++) {
            size_t before = outstanding;
            uint8_t *p = heap_aligned_alloc(&h, align, sizes[k]);
            CHECK(p != NULL);
            CHECK_EQ((uintptr_t)p % align, 0u);
            CHECK_EQ((uintptr_t)p % 16, 0u);
            CHECK(in_arena(p, sizes[k]));
            memset(p, 0x44, sizes[k]);
            if (sizes[k] > 2048 || align > 2048) {
                /* Head and tail were trimmed: header page + data pages. */
                size_t want =
                    align >= PG ? 1 + (sizes[k] + PG - 1) / PG : (align + sizes[k] + PG - 1) / PG;
                CHECK_EQ(outstanding - before, want);
            }
            heap_free(&h, p);
            if (sizes[k] > 2048 || align > 2048)
                CHECK_EQ(outstanding, before);
        }
    }
    CHECK_EQ(h.errors, 0u);
    CHECK_EQ(h.bytes_in_use, 0u);
    /* Only slab pages remain. */
    CHECK_EQ(outstanding, h.pages_in_use);
}

TEST(aligned_alloc_rejects_bad_alignment)
{
    setup();
    CHECK(heap_aligned_alloc(&h, 0, 16) == NULL);
    CHECK(heap_aligned_alloc(&h, 24, 16) == NULL);
    CHECK(heap_aligned_alloc(&h, 3, 1) == NULL);
    CHECK(heap_aligned_alloc(&h, (size_t)1 << 63, 16) == NULL);
    CHECK(heap_aligned_alloc(&h, 4096, SIZE_MAX - 100) == NULL);
    void *p = heap_aligned_alloc(&h, 64, 0);
    CHECK(p != NULL);
    CHECK_EQ((uintptr_t)p % 64, 0u);
    heap_free(&h, p);
    CHECK_EQ(h.errors, 0u);
}

TEST(calloc_zeroes_and_checks_overflow)
{
    setup();
    uint8_t *p = heap_malloc(&h, 200);
    memset(p, 0xff, 200);
    heap_free(&h, p);
    uint8_t *q = heap_calloc(&h, 50, 4);
    CHECK(q == p); /* reused the dirty object */
    for (int i = 0; i < 200; i++)
        CHECK_EQ(q[i], 0);
    uint8_t *big = heap_calloc(&h, 3000, 7);
    CHECK(big != NULL);
    for (int i = 0; i < 21000; i++)
        CHECK_EQ(big[i], 0);
    CHECK(heap_calloc(&h, SIZE_MAX / 2, 3) == NULL);
    CHECK(heap_calloc(&h, 3, SIZE_MAX / 2) == NULL);
    CHECK(heap_calloc(&h, (size_t)1 << 32, (size_t)1 << 32) == NULL);
    void *z = heap_calloc(&h, 0, 5);
    CHECK(z != NULL);
    heap_free(&h, z);
    heap_free(&h, q);
    heap_free(&h, big);
    CHECK_EQ(h.bytes_in_use, 0u);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 31);
}

static bool holds(const uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * 31))
            return false;
    return true;
}

TEST(realloc_preserves_contents)
{
    setup();
    uint8_t *p = heap_realloc(&h, NULL, 10); /* NULL: like malloc */
    CHECK(p != NULL);
    fill(p, 10, 1);
    p = heap_realloc(&h, p, 100); /* small -> small */
    CHECK(holds(p, 10, 1));
    fill(p, 100, 2);
    p = heap_realloc(&h, p, 10000); /* small -> large */
    CHECK(holds(p, 100, 2));
    fill(p, 10000, 3);
    p = heap_realloc(&h, p, 300000); /* large -> large */
    CHECK(holds(p, 10000, 3));
    fill(p, 300000, 4);
    p = heap_realloc(&h, p, 1000); /* large -> small */
    CHECK(holds(p, 1000, 4));
    CHECK_EQ(h.bytes_in_use, 1024u);
    uint8_t *same = heap_realloc(&h, p, 600); /* more than half of 1024: in place */
    CHECK(same == p);
    CHECK(holds(p, 600, 4));
    uint8_t *tiny = heap_realloc(&h, p, 0); /* shrinks to the minimum object */
    CHECK(tiny != NULL);
    CHECK_EQ(h.bytes_in_use, 16u);
    heap_free(&h, tiny);
    CHECK_EQ(h.bytes_in_use, 0u);
    CHECK_EQ(outstanding, h.pages_in_use);
    CHECK_EQ(h.errors, 0u);
}

TEST(realloc_failure_keeps_the_old_block)
{
    setup();
    uint8_t *p = heap_malloc(&h, 100);
    fill(p, 100, 9);
    page_limit = outstanding; /* no more pages */
    CHECK(heap_realloc(&h, p, 50000) == NULL);
    CHECK(holds(p, 100, 9));
    page_limit = 0;
    p = heap_realloc(&h, p, 50000);
    CHECK(p != NULL);
    CHECK(holds(p, 100, 9));
    heap_free(&h, p);
}

TEST(exhaustion_returns_null)
{
    setup();
    page_limit = 10;
    void *ptrs[64];
    int n = 0;
    while (n < 64 && (ptrs[n] = heap_malloc(&h, 2048)) != NULL)
        n++;
    CHECK_EQ(n, 10); /* one 2048-byte object per page */
    CHECK(heap_malloc(&h, 2048) == NULL);
    CHECK(heap_malloc(&h, 20000) == NULL);
    CHECK(heap_aligned_alloc(&h, 1 << 20, 16) == NULL);
    CHECK_EQ(h.pages_in_use, 10u);
    heap_free(&h, ptrs[3]);
    CHECK(heap_malloc(&h, 2000) == ptrs[3]);
    /* The whole arena cannot be exceeded either. */
    page_limit = 0;
    CHECK(heap_malloc(&h, ARENA_BYTES) == NULL);
    CHECK(heap_malloc(&h, SIZE_MAX) == NULL);
    CHECK(heap_malloc(&h, SIZE_MAX - 4000) == NULL);
    CHECK_EQ(h.errors, 0u);
}

TEST(invalid_free_detected)
{
    setup();
    /* A page the heap never saw, full of junk. */
    uint8_t *raw = src_alloc(NULL, 1);
    memset(raw, 0x5c, PG);
    heap_free(&h, raw + 64);
    CHECK_EQ(h.errors, 1u);
    CHECK(LOG_CONTAINS("heap: invalid free of"));
    CHECK(LOG_CONTAINS("bad magic"));
    /* Misaligned pointer into a real object. */
    uint8_t *p = heap_malloc(&h, 64);
    unit_log_clear();
    heap_free(&h, p + 1);
    CHECK_EQ(h.errors, 2u);
    CHECK(LOG_CONTAINS("misaligned"));
    /* 16-aligned but inside a 64-byte object. */
    heap_free(&h, p + 32);
    CHECK_EQ(h.errors, 3u);
    CHECK(LOG_CONTAINS("not the start of an object"));
    /* Inside a large allocation: same header page, and a later page. */
    uint8_t *big = heap_malloc(&h, 3 * PG);
    memset(big, 0, 3 * PG);
    heap_free(&h, big + 16);
    CHECK_EQ(h.errors, 4u);
    CHECK(LOG_CONTAINS("not the start of an allocation"));
    heap_free(&h, big + PG);
    CHECK_EQ(h.errors, 5u);
    /* realloc of a bad pointer fails and is counted too. */
    CHECK(heap_realloc(&h, raw + 64, 10) == NULL);
    CHECK_EQ(h.errors, 6u);
    CHECK(LOG_CONTAINS("heap: invalid realloc of"));
    /* The real blocks are unharmed and still free normally. */
    size_t in_use = h.bytes_in_use;
    heap_free(&h, p);
    heap_free(&h, big);
    CHECK_EQ(h.bytes_in_use, in_use - 64 - 4 * PG);
    CHECK_EQ(h.errors, 6u);
}

TEST(double_free_detected)
{
    setup();
    void *a = heap_malloc(&h, 40), *b = heap_malloc(&h, 40);
    heap_free(&h, a);
    heap_free(&h, a);
    CHECK_EQ(h.errors, 1u);
    CHECK(LOG_CONTAINS("double free"));
    /* The free list is intact: a comes back once, then fresh objects. */
    void *c = heap_malloc(&h, 40), *d = heap_malloc(&h, 40);
    CHECK(c == a);
    CHECK(d != a && d != b);
    /* Large: the header's magic is gone after the first free. */
    void *big = heap_malloc(&h, 50000);
    heap_free(&h, big);
    size_t out = outstanding;
    heap_free(&h, big);
    CHECK_EQ(h.errors, 2u);
    CHECK_EQ(outstanding, out);
    heap_free(&h, b);
    heap_free(&h, c);
    heap_free(&h, d);
    CHECK_EQ(h.errors, 2u);
    CHECK_EQ(h.bytes_in_use, 0u);
}

TEST(user_data_looking_like_a_free_object_is_fine)
{
    setup();
    uint64_t *p = heap_malloc(&h, 16);
    /* Copy what a free object looks like into a live one. */
    void *q = heap_malloc(&h, 16);
    heap_free(&h, q);
    memcpy(p, q, 16);
    heap_free(&h, p);
    CHECK_EQ(h.errors, 0u);
    CHECK_EQ(h.bytes_in_use, 0u);
}

TEST(unaligned_page_source_refused)
{
    setup();
    misalign_next = true;
    unit_log_clear();
    CHECK(heap_malloc(&h, 32) == NULL);
    CHECK(LOG_CONTAINS("unaligned"));
    CHECK_EQ(outstanding, 0u); /* handed back */
    void *p = heap_malloc(&h, 32);
    CHECK(p != NULL);
    heap_free(&h, p);
}

/* Many random malloc/free/realloc/aligned_alloc cycles, each block filled with
 * its own pattern and checked before every realloc and free. */
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t random_size(void)
{
    switch (rnd() % 8) {
    case 0:
        return rnd() % 17;
    case 1:
        return 2000 + rnd() % 100;
    case 2:
        return 2048 + rnd() % 30000;
    default:
        return rnd() % 600;
    }
}

TEST(random_cycles_against_shadow)
{
    setup();
    enum { SLOTS = 400 };
    static struct {
        uint8_t *p;
        size_t n;
        uint8_t seed;
        size_t align;
    } s[SLOTS];
    memset(s, 0, sizeof s);
    unsigned reallocs = 0, aligned = 0;
    for (int step = 0; step < 30000; step++) {
        int i = (int)(rnd() % SLOTS);
        uint64_t op = rnd() % 10;
        if (s[i].p == NULL) {
            size_t n = random_size();
            size_t align = 0;
            if (op < 2) {
                align = (size_t)1 << (rnd() % 14);
                s[i].p = heap_aligned_alloc(&h, align, n);
                aligned++;
            } else {
                s[i].p = heap_malloc(&h, n);
            }
            CHECK(s[i].p != NULL);
            CHECK_EQ((uintptr_t)s[i].p % 16, 0u);
            if (align != 0)
                CHECK_EQ((uintptr_t)s[i].p % align, 0u);
            s[i].n = n;
            s[i].seed = (uint8_t)rnd();
            s[i].align = align;
            fill(s[i].p, n, s[i].seed);
        } else if (op < 4) {
            CHECK(holds(s[i].p, s[i].n, s[i].seed));
            size_t n = random_size();
            uint8_t *q = heap_realloc(&h, s[i].p, n);
            CHECK(q != NULL);
            CHECK(holds(q, n < s[i].n ? n : s[i].n, s[i].seed));
            s[i].p = q;
            s[i].n = n;
            s[i].seed = (uint8_t)rnd();
            fill(q, n, s[i].seed);
            reallocs++;
        } else {
            CHECK(holds(s[i].p, s[i].n, s[i].seed));
            heap_free(&h, s[i].p);
            s[i].p = NULL;
        }
    }
    CHECK(reallocs > 3000 && aligned > 1000);
    for (int i = 0; i < SLOTS; i++) {
        if (s[i].p != NULL) {
            CHECK(holds(s[i].p, s[i].n, s[i].seed));
            heap_free(&h, s[i].p);
        }
    }
    CHECK_EQ(h.errors, 0u);
    CHECK_EQ(h.bytes_in_use, 0u);
    /* Everything but the slab pages went back to the source. */
    CHECK_EQ(outstanding, h.pages_in_use);
    CHECK_EQ(pages.free_bytes + (uint64_t)outstanding * PG, pages.total_bytes);
}

UNIT_MAIN()
