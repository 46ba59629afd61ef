/* Memory-map sanitising. The loader's map is untrusted: entries come in any
 * order, overlap, have zero length, or run past 2^64.
 *
 * Method: an address x is usable when some RAM entry covers it and no non-RAM
 * entry and no exclude range does. Usability can only change at an entry's
 * base or end ("events"), so we walk the events in ascending order, testing
 * usability at each one, and emit every maximal usable interval, rounded
 * inwards to pages. The output is therefore sorted, merged and disjoint by
 * construction, and no scratch memory is needed. Cost: O(events * entries),
 * about 65k steps for a full 128-entry map and a few hundred for a usual one.
 *
 * All intervals are half-open [base, end) with end <= UINT64_MAX: an entry
 * running past 2^64 is clipped at UINT64_MAX (never wrapped), so the last byte
 * of the address space is never usable; it could not be a whole page anyway. */
#include "core/memmap.h"

#include <stdbool.h>

static uint64_t clipped_end(uint64_t base, uint64_t length)
{
    if (length > UINT64_MAX - base)
        return UINT64_MAX;
    return base + length;
}

struct sweep {
    const struct memmap_entry *in;
    size_t n;
    const struct mem_range *exclude;
    size_t nexclude;
};

static bool usable(const struct sweep *s, uint64_t x)
{
    bool ram = false;
    for (size_t i = 0; i < s->n; i++) {
        const struct memmap_entry *e = &s->in[i];
        if (x < e->base || x >= clipped_end(e->base, e->length))
            continue;
        if (e->type != MEMMAP_RAM)
            return false; /* any non-RAM type wins over RAM */
        ram = true;
    }
    if (!ram)
        return false;
    for (size_t i = 0; i < s->nexclude; i++)
        if (x >= s->exclude[i].base && x < s->exclude[i].end)
            return false;
    return true;
}

static void consider(uint64_t v, uint64_t x, uint64_t *best, bool *found)
{
    if (v > x && (!*found || v < *best)) {
        *best = v;
        *found = true;
    }
}

/* Smallest event strictly above x; false when there is none. */
static bool next_event(const struct sweep *s, uint64_t x, uint64_t *next)
{
    bool found = false;
    for (size_t i = 0; i < s->n; i++) {
        const struct memmap_entry *e = &s->in[i];
        if (e->length == 0)
            continue;
        consider(e->base, x, next, &found);
        consider(clipped_end(e->base, e->length), x, next, &found);
    }
    for (size_t i = 0; i < s->nexclude; i++) {
        if (s->exclude[i].end <= s->exclude[i].base)
            continue;
        consider(s->exclude[i].base, x, next, &found);
        consider(s->exclude[i].end, x, next, &found);
    }
    return found;
}

struct output {
    struct mem_range *out;
    size_t max_out;
    size_t count;
    size_t dropped;
};

static void emit(struct output *o, uint64_t base, uint64_t end)
{
    if (base > UINT64_MAX - (PAGE_SIZE - 1))
        return;
    base = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    end &= ~(PAGE_SIZE - 1);
    if (base >= end)
        return;
    if (o->count == o->max_out) {
        o->dropped++;
        return;
    }
    o->out[o->count].base = base;
    o->out[o->count].end = end;
    o->count++;
}

size_t memmap_sanitize(const struct memmap_entry *in, size_t n, const struct mem_range *exclude,
                       size_t nexclude, struct mem_range *out, size_t max_out, size_t *dropped)
{
    struct sweep s = {in, in != NULL ? n : 0, exclude, exclude != NULL ? nexclude : 0};
    struct output o = {out, out != NULL ? max_out : 0, 0, 0};

    uint64_t x = 0;
    uint64_t start = 0;
    bool inside = false;
    for (;;) {
        bool u = usable(&s, x);
        if (u && !inside) {
            start = x;
            inside = true;
        } else if (!u && inside) {
            emit(&o, start, x);
            inside = false;
        }
        if (!next_event(&s, x, &x))
            break;
    }
    /* Unreachable: the highest event is some range's end, where nothing that
     * ends there covers it. Kept so a mistake cannot lose a range silently. */
    if (inside)
        emit(&o, start, UINT64_MAX);

    if (dropped != NULL)
        *dropped = o.dropped;
    return o.count;
}

size_t memmap_reserved(const struct bootinfo *bi, uint64_t image_start, uint64_t image_end,
                       struct mem_range *out)
{
    size_t n = 0;
    out[n++] = (struct mem_range){0, MEMMAP_LOW_END};
    out[n++] = (struct mem_range){image_start, image_end};
    if (bi->initrd_size != 0)
        out[n++] =
            (struct mem_range){bi->initrd_base, clipped_end(bi->initrd_base, bi->initrd_size)};
    return n;
}

uint64_t mem_ranges_total(const struct mem_range *r, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].end > r[i].base)
            total += r[i].end - r[i].base;
    return total;
}
