/* libFuzzer harness: memory-map sanitising (core/memmap.c) on arbitrary
 * loader maps and exclude lists. Input:
 *
 *   byte 0  entries (mod 129), byte 1  exclude ranges (mod 9),
 *   byte 2  max_out (mod 80)
 *   per entry, 11 bytes: type (u8: 1 RAM, anything else not), base shift,
 *           length shift, base (u32), length (u32): value = u32 << (shift mod 33)
 *   per exclude, 10 bytes: base shift, end shift, base (u32), end (u32)
 *
 * (missing bytes end the lists early). Shifts let small inputs reach page
 * multiples, 4 GiB boundaries and entries that run past 2^64. Seeds:
 * tests/fuzz/mkseeds.py.
 *
 * The result is checked against the definition directly (sorted, disjoint
 * with a gap between ranges, page-aligned, inside the union of RAM entries,
 * clear of every non-RAM entry and every exclude range) and against a second
 * implementation (sort the event points, test each segment, merge, round
 * inwards); with a smaller max_out the result is the prefix and the rest is
 * counted as dropped.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_memmap.c core/memmap.c */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/memmap.h"

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

#define MAX_IN 128
#define MAX_EX 8
#define BIG_OUT 512

struct input {
    const uint8_t *p;
    size_t n;
};

static bool take(struct input *in, void *dst, size_t k)
{
    if (in->n < k)
        return false;
    memcpy(dst, in->p, k);
    in->p += k;
    in->n -= k;
    return true;
}

static uint64_t scaled(uint8_t shift, uint32_t v)
{
    return (uint64_t)v << (shift % 33);
}

static uint64_t end_of(const struct memmap_entry *e)
{
    return e->length > UINT64_MAX - e->base ? UINT64_MAX : e->base + e->length;
}

static bool overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    return a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1; /* empty ranges overlap nothing */
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static struct memmap_entry in[MAX_IN];
static struct mem_range ex[MAX_EX];
static size_t nin, nex;

static bool usable_at(uint64_t x)
{
    bool ram = false;
    for (size_t i = 0; i < nin; i++) {
        if (x >= in[i].base && x < end_of(&in[i])) {
            if (in[i].type != MEMMAP_RAM)
                return false;
            ram = true;
        }
    }
    for (size_t i = 0; i < nex; i++)
        if (x >= ex[i].base && x < ex[i].end)
            return false;
    return ram;
}

/* The second implementation: every maximal usable interval, rounded inwards
 * to pages, in order. Returns how many (all of them: ref has room). */
static size_t reference(struct mem_range *ref)
{
    static uint64_t ev[2 * (MAX_IN + MAX_EX) + 1];
    size_t nev = 0;
    ev[nev++] = 0;
    for (size_t i = 0; i < nin; i++) {
        if (in[i].length == 0)
            continue;
        ev[nev++] = in[i].base;
        ev[nev++] = end_of(&in[i]);
    }
    for (size_t i = 0; i < nex; i++) {
        if (ex[i].end <= ex[i].base)
            continue;
        ev[nev++] = ex[i].base;
        ev[nev++] = ex[i].end;
    }
    qsort(ev, nev, sizeof ev[0], cmp_u64);
    size_t nref = 0;
    for (size_t k = 0; k < nev;) {
        if (!usable_at(ev[k])) {
            k++;
            continue;
        }
        uint64_t lo = ev[k];
        while (k < nev && (ev[k] == lo || usable_at(ev[k])))
            k++;
        uint64_t hi = k < nev ? ev[k] : UINT64_MAX;
        if (lo > UINT64_MAX - (PAGE_SIZE - 1))
            continue;
        lo = (lo + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
        hi = hi / PAGE_SIZE * PAGE_SIZE;
        if (lo < hi)
            ref[nref++] = (struct mem_range){lo, hi};
    }
    return nref;
}

/* The union of the RAM entries, as sorted disjoint intervals. */
static size_t ram_union(struct mem_range *u)
{
    static struct mem_range r[MAX_IN];
    size_t n = 0, nu = 0;
    for (size_t i = 0; i < nin; i++)
        if (in[i].type == MEMMAP_RAM && in[i].length != 0)
            r[n++] = (struct mem_range){in[i].base, end_of(&in[i])};
    for (size_t i = 1; i < n; i++) /* insertion sort by base: n is small */
        for (size_t j = i; j > 0 && r[j].base < r[j - 1].base; j--) {
            struct mem_range t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        if (nu > 0 && r[i].base <= u[nu - 1].end) {
            if (r[i].end > u[nu - 1].end)
                u[nu - 1].end = r[i].end;
        } else {
            u[nu++] = r[i];
        }
    }
    return nu;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input inp = {data, size};
    uint8_t head[3] = {0, 0, 0};
    take(&inp, head, 3);
    size_t want_in = head[0] % (MAX_IN + 1), want_ex = head[1] % (MAX_EX + 1);
    size_t max_out = head[2] % 80;
    nin = nex = 0;
    for (size_t i = 0; i < want_in; i++) {
        uint8_t t[3];
        uint32_t b, l;
        if (!take(&inp, t, 3) || !take(&inp, &b, 4) || !take(&inp, &l, 4))
            break;
        in[nin++] = (struct memmap_entry){scaled(t[1], b), scaled(t[2], l), t[0]};
    }
    for (size_t i = 0; i < want_ex; i++) {
        uint8_t t[2];
        uint32_t b, e;
        if (!take(&inp, t, 2) || !take(&inp, &b, 4) || !take(&inp, &e, 4))
            break;
        ex[nex++] = (struct mem_range){scaled(t[0], b), scaled(t[1], e)};
    }

    /* Exactly sized copies so ASan sees any access past the ends. */
    struct memmap_entry *cin = malloc(nin * sizeof *cin + 1);
    struct mem_range *cex = malloc(nex * sizeof *cex + 1);
    memcpy(cin, in, nin * sizeof *cin);
    memcpy(cex, ex, nex * sizeof *cex);
    static struct mem_range full[BIG_OUT], ref[BIG_OUT], u[MAX_IN];
    size_t dropped = 12345;
    size_t n = memmap_sanitize(cin, nin, cex, nex, full, BIG_OUT, &dropped);
    if (n > BIG_OUT || dropped != 0)
        abort();

    /* Against the definition. */
    size_t nu = ram_union(u);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const struct mem_range *r = &full[i];
        if (r->base >= r->end || r->base % PAGE_SIZE || r->end % PAGE_SIZE)
            abort();
        if (i > 0 && full[i - 1].end >= r->base)
            abort(); /* sorted, and touching ranges would have been merged */
        for (size_t j = 0; j < nin; j++)
            if (in[j].type != MEMMAP_RAM && overlap(r->base, r->end, in[j].base, end_of(&in[j])))
                abort();
        for (size_t j = 0; j < nex; j++)
            if (overlap(r->base, r->end, ex[j].base, ex[j].end))
                abort();
        size_t k = 0;
        while (k < nu && u[k].end < r->end)
            k++;
        if (k == nu || u[k].base > r->base)
            abort(); /* not inside one stretch of RAM */
        total += r->end - r->base;
    }
    if (mem_ranges_total(full, n) != total)
        abort();

    /* Against the second implementation. */
    size_t nref = reference(ref);
    if (nref != n || memcmp(ref, full, n * sizeof ref[0]) != 0)
        abort();

    /* A smaller output table keeps the first ranges and counts the rest. */
    struct mem_range *small = malloc(max_out * sizeof *small + 1);
    size_t m = memmap_sanitize(cin, nin, cex, nex, small, max_out, &dropped);
    if (m != (n < max_out ? n : max_out) || dropped != n - m ||
        memcmp(small, full, m * sizeof small[0]) != 0)
        abort();
    if (memmap_sanitize(cin, nin, cex, nex, NULL, 0, NULL) != 0)
        abort();
    free(small);
    free(cin);
    free(cex);
    return 0;
}
