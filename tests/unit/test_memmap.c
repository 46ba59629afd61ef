/* Unit tests for core/memmap.c: memory-map sanitising. */
#include <stdbool.h>
#include <stdint.h>
#include "core/memmap.h"
#include "core/page_alloc.h"
#include "tests/unit/unit.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define RAM MEMMAP_RAM
#define RES MEMMAP_RESERVED

static struct mem_range out[256];
static size_t dropped;

static size_t run(const struct memmap_entry *in, size_t n, const struct mem_range *ex, size_t nex,
                  size_t max_out)
{
    memset(out, 0xa5, sizeof out);
    dropped = 12345;
    return memmap_sanitize(in, n, ex, nex, out, max_out, &dropped);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define RANGE_IS(i, b, e) (out[i].base == (b) && out[i].end == (e))

TEST(single_aligned_ram)
{
    struct memmap_entry in[] = {{1 * MiB, 127 * MiB, RAM}};
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 1u);
    CHECK(RANGE_IS(0, 1 * MiB, 128 * MiB));
    CHECK_EQ(dropped, 0u);
    CHECK_EQ(mem_ranges_total(out, 1), 127 * MiB);
}

TEST(empty_inputs)
{
    CHECK_EQ(run(NULL, 0, NULL, 0, 16), 0u);
    CHECK_EQ(dropped, 0u);
    CHECK_EQ(run(NULL, 5, NULL, 0, 16), 0u);
    struct memmap_entry res[] = {{0, 1 * MiB, RES}};
    CHECK_EQ(run(res, N(res), NULL, 0, 16), 0u);
    CHECK_EQ(mem_ranges_total(out, 0), 0u);
}

TEST(qemu_like_map)
{
    struct memmap_entry in[] = {
        {0, 0x9fc00, RAM},          {0x9fc00, 0x400, RES},     {0xf0000, 0x10000, RES},
        {0x100000, 0x7ee0000, RAM}, {0x7fe0000, 0x20000, RES}, {0xfffc0000, 0x40000, RES},
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 2u);
    CHECK(RANGE_IS(0, 0, 0x9f000));
    CHECK(RANGE_IS(1, 0x100000, 0x7fe0000));
}

TEST(unsorted_input_gives_sorted_output)
{
    struct memmap_entry in[] = {
        {64 * MiB, 1 * MiB, RAM},
        {1 * MiB, 1 * MiB, RAM},
        {16 * MiB, 1 * MiB, RAM},
        {4 * MiB, 1 * MiB, RAM},
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 4u);
    CHECK(RANGE_IS(0, 1 * MiB, 2 * MiB));
    CHECK(RANGE_IS(1, 4 * MiB, 5 * MiB));
    CHECK(RANGE_IS(2, 16 * MiB, 17 * MiB));
    CHECK(RANGE_IS(3, 64 * MiB, 65 * MiB));
}

TEST(overlapping_and_adjacent_ram_merges)
{
    struct memmap_entry in[] = {
        {2 * MiB, 4 * MiB, RAM}, /* 2..6 */
        {1 * MiB, 2 * MiB, RAM}, /* 1..3 */
        {3 * MiB, 1 * MiB, RAM}, /* inside */
        {6 * MiB, 2 * MiB, RAM}, /* touches 6 */
        {0x1800, 0x1800, RAM},   /* 0x1800..0x3000 */
        {0, 0x1800, RAM},        /* 0..0x1800: together whole pages */
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 2u);
    CHECK(RANGE_IS(0, 0, 0x3000));
    CHECK(RANGE_IS(1, 1 * MiB, 8 * MiB));
}

TEST(reserved_wins_over_ram)
{
    struct memmap_entry in[] = {
        {0x9f800, 0xc00, RES}, /* unaligned both sides: 0x9f800..0xa0400 */
        {0, 1 * MiB, RAM},
        {0x40000, 0x1000, MEMMAP_ACPI_RECLAIM},
        {0x50000, 0x1000, MEMMAP_ACPI_NVS},
        {0x60000, 0x1000, MEMMAP_UNUSABLE},
        {0x70000, 0x1000, 77}, /* unknown types are not RAM either */
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 6u);
    CHECK(RANGE_IS(0, 0, 0x40000));
    CHECK(RANGE_IS(1, 0x41000, 0x50000));
    CHECK(RANGE_IS(2, 0x51000, 0x60000));
    CHECK(RANGE_IS(3, 0x61000, 0x70000));
    CHECK(RANGE_IS(4, 0x71000, 0x9f000));
    CHECK(RANGE_IS(5, 0xa1000, 1 * MiB));
}

TEST(reserved_covering_ram_entirely)
{
    struct memmap_entry in[] = {{1 * MiB, 1 * MiB, RAM}, {0, 4 * MiB, RES}, {8 * MiB, MiB, RAM}};
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 1u);
    CHECK(RANGE_IS(0, 8 * MiB, 9 * MiB));
}

TEST(zero_length_entries)
{
    struct memmap_entry in[] = {
        {0x5000, 0, RAM},
        {1 * MiB, 1 * MiB, RAM},
        {1 * MiB + 0x8000, 0, RES}, /* a zero-length reserved entry cuts nothing */
        {UINT64_MAX, 0, RES},
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 1u);
    CHECK(RANGE_IS(0, 1 * MiB, 2 * MiB));
}

TEST(unaligned_edges_round_inward)
{
    struct memmap_entry in[] = {
        {0x1234, 0x5678 - 0x1234, RAM}, /* -> 0x2000..0x5000 */
        {0x10001, 0xffe, RAM},          /* inside one page: nothing */
        {0x20800, 0x1000, RAM},         /* straddles: nothing whole */
        {0x30fff, 0x2002, RAM},         /* 0x30fff..0x33001 -> 0x31000..0x33000 */
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 2u);
    CHECK(RANGE_IS(0, 0x2000, 0x5000));
    CHECK(RANGE_IS(1, 0x31000, 0x33000));
}

TEST(overflowing_entries_are_clipped_never_wrapped)
{
    struct memmap_entry in[] = {
        /* Would wrap to a small end: clipped at 2^64-1, last page dropped. */
        {0xffffffff00000000ULL, UINT64_MAX, RAM},
        {1 * MiB, 1 * MiB, RAM},
    };
    CHECK_EQ(run(in, N(in), NULL, 0, 16), 2u);
    CHECK(RANGE_IS(0, 1 * MiB, 2 * MiB));
    CHECK(RANGE_IS(1, 0xffffffff00000000ULL, 0xfffffffffffff000ULL));
    CHECK_EQ(dropped, 0u);

    /* A reserved entry running past 2^64 removes everything above its base. */
    struct memmap_entry in2[] = {
        {0x180000, UINT64_MAX - 5, RES},
        {1 * MiB, 1 * MiB, RAM},
        {4 * MiB, 1 * MiB, RAM},
    };
    CHECK_EQ(run(in2, N(in2), NULL, 0, 16), 1u);
    CHECK(RANGE_IS(0, 1 * MiB, 0x180000));

    /* RAM in the last page only: nothing usable survives. */
    struct memmap_entry in3[] = {{UINT64_MAX - 0xfff, 0x1000, RAM},
                                 {UINT64_MAX - 10, 5, RAM},
                                 {UINT64_MAX, UINT64_MAX, RAM}};
    CHECK_EQ(run(in3, N(in3), NULL, 0, 16), 0u);

    /* Whole address space as RAM. */
    struct memmap_entry in4[] = {{0, UINT64_MAX, RAM}, {0, UINT64_MAX, RAM}};
    CHECK_EQ(run(in4, N(in4), NULL, 0, 16), 1u);
    CHECK(RANGE_IS(0, 0, 0xfffffffffffff000ULL));
}

TEST(exclude_ranges)
{
    struct memmap_entry in[] = {{0, 0x9fc00, RAM}, {1 * MiB, 127 * MiB, RAM}};
    struct mem_range ex[] = {
        {0, 1 * MiB},                  /* the first MiB */
        {0x200000, 0x2c0123},          /* the kernel image, unaligned end */
        {0x4000000, 0x4000000},        /* empty: ignored */
        {0x6000000, 0x5000000},        /* inverted: ignored */
        {0x7000800, 0x7001000 + 0x10}, /* initrd, unaligned both sides */
    };
    CHECK_EQ(run(in, N(in), ex, N(ex), 16), 3u);
    CHECK(RANGE_IS(0, 1 * MiB, 0x200000));
    CHECK(RANGE_IS(1, 0x2c1000, 0x7000000));
    CHECK(RANGE_IS(2, 0x7002000, 128 * MiB));
    CHECK_EQ(mem_ranges_total(out, 3),
             0x100000ULL + (0x7000000 - 0x2c1000) + (128 * MiB - 0x7002000));
}

TEST(more_ranges_than_max_out_are_counted)
{
    struct memmap_entry in[10];
    for (int i = 0; i < 10; i++)
        in[i] = (struct memmap_entry){(uint64_t)(9 - i) * 2 * MiB, 1 * MiB, RAM};
    CHECK_EQ(run(in, 10, NULL, 0, 3), 3u);
    CHECK_EQ(dropped, 7u);
    /* The lowest ones are kept, in order. */
    CHECK(RANGE_IS(0, 0, 1 * MiB));
    CHECK(RANGE_IS(1, 2 * MiB, 3 * MiB));
    CHECK(RANGE_IS(2, 4 * MiB, 5 * MiB));
    /* Nothing written past max_out. */
    CHECK_EQ(out[3].base, 0xa5a5a5a5a5a5a5a5ULL);
    CHECK_EQ(run(in, 10, NULL, 0, 0), 0u);
    CHECK_EQ(dropped, 10u);
    CHECK_EQ(memmap_sanitize(in, 10, NULL, 0, out, 4, NULL), 4u);
}

/* Random maps in a small space, checked against a brute-force reference: the
 * space is cut into 256-byte cells (every edge is a multiple of 256), a cell
 * is usable when RAM covers it and nothing else does, and a page is usable
 * when all its 16 cells are. */
#define REF_PAGES 96 /* entries start in the first half, end anywhere */
#define CELL 256
#define CELLS (REF_PAGES * 4096 / CELL)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

TEST(random_maps_match_reference)
{
    struct memmap_entry in[128];
    struct mem_range ex[4];
    size_t total_ranges = 0;
    for (int iter = 0; iter < 400; iter++) {
        size_t n = 1 + rnd() % 40, nex = rnd() % 5;
        if (iter % 50 == 0)
            n = 128;
        for (size_t i = 0; i < n; i++) {
            uint64_t b = rnd() % (CELLS / 2),
                     len = rnd() % 3 == 0 ? rnd() % 4 : rnd() % (CELLS / 3);
            uint32_t type = rnd() % 4 == 0 ? 1 + (uint32_t)(rnd() % 5) : RAM;
            in[i] = (struct memmap_entry){b * CELL, len * CELL, type};
        }
        for (size_t i = 0; i < nex; i++) {
            uint64_t b = rnd() % (CELLS / 2), len = rnd() % 20;
            ex[i] = (struct mem_range){b * CELL, (b + len) * CELL};
        }
        bool cell_ok[CELLS];
        for (int c = 0; c < CELLS; c++) {
            uint64_t x = (uint64_t)c * CELL;
            bool ram = false, blocked = false;
            for (size_t i = 0; i < n; i++) {
                if (x >= in[i].base && x < in[i].base + in[i].length) {
                    if (in[i].type == RAM)
                        ram = true;
                    else
                        blocked = true;
                }
            }
            for (size_t i = 0; i < nex; i++)
                if (x >= ex[i].base && x < ex[i].end)
                    blocked = true;
            cell_ok[c] = ram && !blocked;
        }
        struct mem_range want[REF_PAGES];
        size_t nwant = 0;
        bool inside = false;
        for (int p = 0; p <= REF_PAGES; p++) {
            bool ok = p < REF_PAGES;
            for (int k = 0; ok && k < 4096 / CELL; k++)
                ok = cell_ok[p * (4096 / CELL) + k];
            if (ok && !inside) {
                want[nwant].base = (uint64_t)p * 4096;
                inside = true;
            } else if (!ok && inside) {
                want[nwant++].end = (uint64_t)p * 4096;
                inside = false;
            }
        }
        size_t got = run(in, n, ex, nex, 256);
        total_ranges += got;
        if (got != nwant)
            printf("  iteration %d: got %zu ranges, want %zu\n", iter, got, nwant);
        CHECK_EQ(got, nwant);
        CHECK_EQ(dropped, 0u);
        for (size_t i = 0; i < nwant; i++)
            CHECK(RANGE_IS(i, want[i].base, want[i].end));
    }
    /* The generator does produce fragmented maps. */
    CHECK(total_ranges > 800);
}

/* What mm_init does with the loader's map (core/mm.c: memmap_reserved,
 * memmap_sanitize, page_alloc_add), then every page taken from the
 * allocator one at a time: none is a page the initrd touches, however the
 * loader placed it (unaligned, at either end of a RAM range, across two),
 * and every other RAM page above the first MiB and outside the image is
 * handed out. */
TEST(the_initrd_is_never_handed_out)
{
    struct page_allocator a;
    const uint64_t image_start = 1 * MiB, image_end = 1 * MiB + 300 * KiB + 123;
    struct {
        uint64_t base, size;
    } initrds[] = {
        {8 * MiB + 17, 300 * KiB}, /* unaligned both ends */
        {16 * MiB - 4096, 4096},   /* the last page of the first range */
        {16 * MiB - 100, 200},     /* across the end of one range (a hole follows) */
        {24 * MiB, 1},             /* the first page of the second range */
        {image_end + 1, 5000},     /* right after the image */
        {3 * MiB + 4095, 2},       /* two pages, one byte each */
    };
    struct bootinfo bi;
    memset(&bi, 0, sizeof bi);
    bi.memmap[0] = (struct memmap_entry){0, 0x9fc00, RAM};
    bi.memmap[1] = (struct memmap_entry){1 * MiB, 15 * MiB, RAM};
    bi.memmap[2] = (struct memmap_entry){24 * MiB, 8 * MiB, RAM};
    bi.memmap_count = 3;
    for (unsigned k = 0; k < N(initrds); k++) {
        bi.initrd_base = initrds[k].base;
        bi.initrd_size = initrds[k].size;
        struct mem_range ex[MEMMAP_RESERVED_MAX];
        size_t nex = memmap_reserved(&bi, image_start, image_end, ex);
        CHECK_EQ(nex, 3u);
        size_t n = run(bi.memmap, bi.memmap_count, ex, nex, 16);
        page_alloc_init(&a);
        for (size_t i = 0; i < n; i++)
            CHECK_EQ(page_alloc_add(&a, out[i].base, out[i].end - out[i].base), 0);
        uint64_t first = bi.initrd_base & ~(PAGE_SIZE - 1);
        uint64_t last = (bi.initrd_base + bi.initrd_size - 1) & ~(PAGE_SIZE - 1);
        uint64_t pages = 0, p;
        while ((p = page_alloc(&a, 1, 0)) != 0) {
            CHECK(p < first || p > last);
            CHECK(p >= 1 * MiB && (p >= ((image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))));
            pages++;
        }
        uint64_t ram_pages = (16 * MiB - 1 * MiB + 8 * MiB) / PAGE_SIZE;
        uint64_t image_pages = (image_end - image_start + PAGE_SIZE - 1) / PAGE_SIZE;
        uint64_t initrd_pages = 0;
        for (uint64_t q = first; q <= last; q += PAGE_SIZE)
            if ((q >= 1 * MiB && q < 16 * MiB) || (q >= 24 * MiB && q < 32 * MiB))
                initrd_pages++;
        /* the page right after the image may hold the image's last bytes and
         * the initrd's first ones: counted once */
        if (first < image_start + image_pages * PAGE_SIZE)
            initrd_pages--;
        CHECK_EQ(pages, ram_pages - image_pages - initrd_pages);
    }
    /* no initrd: two ranges reserved */
    bi.initrd_size = 0;
    struct mem_range ex[MEMMAP_RESERVED_MAX];
    CHECK_EQ(memmap_reserved(&bi, image_start, image_end, ex), 2u);
    /* one that runs past 2^64 is clipped, never wrapped */
    bi.initrd_base = UINT64_MAX - 10;
    bi.initrd_size = 100;
    CHECK_EQ(memmap_reserved(&bi, image_start, image_end, ex), 3u);
    CHECK(ex[2].end == UINT64_MAX && ex[2].base == UINT64_MAX - 10);
}

TEST(full_table_of_128_entries)
{
    /* 128 one-page RAM entries, every other one shadowed by a reserved one. */
    struct memmap_entry in[128];
    for (int i = 0; i < 64; i++) {
        in[i] = (struct memmap_entry){(uint64_t)(63 - i) * 0x2000, 0x2000, RAM};
        in[64 + i] = (struct memmap_entry){(uint64_t)i * 0x2000 + 0x1000, 0x1000, RES};
    }
    CHECK_EQ(run(in, 128, NULL, 0, 256), 64u);
    for (int i = 0; i < 64; i++)
        CHECK(RANGE_IS(i, (uint64_t)i * 0x2000, (uint64_t)i * 0x2000 + 0x1000));
    CHECK_EQ(mem_ranges_total(out, 64), 64 * 4096ULL);
}

TEST(total_of_ranges)
{
    struct mem_range r[] = {{0, 0x1000}, {0x10000, 0x30000}, {5, 5}};
    CHECK_EQ(mem_ranges_total(r, 3), 0x21000ULL);
    CHECK_EQ(mem_ranges_total(r, 1), 0x1000ULL);
}

UNIT_MAIN()
