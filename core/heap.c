/* Kernel heap over a page source.
 *
 * Small sizes (up to 2048 bytes) come from slabs: one page per refill, with a
 * slab header at the start of the page (magic + size class) and objects of
 * the class size s at offsets s, 2s, ... so every object is aligned to its
 * class size. Free objects are threaded into one list per class through their
 * first word; their second word holds FREE_MARK, which makes double frees
 * cheap to suspect (and then confirmed on the list). Slab pages are kept for
 * reuse, never returned to the source.
 *
 * Large sizes take whole pages with a large header (magic, page count, the
 * pointer handed out) at the start of the first page. The pointer is at
 * offset max(16, align) in that page when align < PAGE, else at the start of
 * the page after the header page.
 *
 * Either way the header of a pointer p sits at the start of the page holding
 * byte p-1: every pointer handed out is at least 16 bytes past a header.
 * That is how heap_free finds it by masking.
 *
 * malloc(0) (and realloc(p, 0)) return a unique 16-byte object, never NULL
 * unless memory is exhausted; free them as usual. */
#include "core/heap.h"

#include <stdbool.h>
#include <string.h>
#include "core/log.h"

#define HEAP_PAGE ((uintptr_t)4096)
#define HEAP_MIN_SIZE ((size_t)16)
#define HEAP_MAX_SMALL (HEAP_MIN_SIZE << (HEAP_NCLASSES - 1)) /* 2048 */
#define SLAB_MAGIC 0x51ab0a11u
#define LARGE_MAGIC 0x1a26e0b1u
#define FREE_MARK ((uintptr_t)0xf4eef4eef4eef4eeULL)

struct slab_header {
    uint32_t magic;
    uint32_t class_index;
};

struct large_header {
    uint32_t magic;
    uint32_t npages; /* from this header's page on */
    uintptr_t user;  /* the pointer handed out, to refuse interior pointers */
};

struct free_object {
    struct free_object *next;
    uintptr_t mark;
};

_Static_assert(sizeof(struct slab_header) <= HEAP_MIN_SIZE, "slab header too big");
_Static_assert(sizeof(struct large_header) <= HEAP_MIN_SIZE, "large header too big");
_Static_assert(sizeof(struct free_object) <= HEAP_MIN_SIZE, "objects too small");

static size_t class_size(unsigned c)
{
    return HEAP_MIN_SIZE << c;
}

static unsigned class_of(size_t size)
{
    unsigned c = 0;
    while (class_size(c) < size)
        c++;
    return c;
}

void heap_init(struct heap *h, struct heap_page_source src)
{
    memset(h, 0, sizeof *h);
    h->src = src;
}

static void report(struct heap *h, const char *what, void *p, const char *why)
{
    h->errors++;
    kprintf("heap: invalid %s of %p (%s)\n", what, p, why);
}

/* Pages from the source; a misaligned answer would break the masking in
 * heap_free, so it is refused (and handed back). */
static void *source_alloc(struct heap *h, size_t npages)
{
    void *p = h->src.alloc_pages(h->src.ctx, npages);
    if (p != NULL && ((uintptr_t)p & (HEAP_PAGE - 1)) != 0) {
        kprintf("heap: page source returned unaligned pages %p, refused\n", p);
        h->src.free_pages(h->src.ctx, p, npages);
        return NULL;
    }
    return p;
}

static int refill(struct heap *h, unsigned c)
{
    uint8_t *page = source_alloc(h, 1);
    if (page == NULL)
        return -1;
    struct slab_header *sh = (struct slab_header *)page;
    sh->magic = SLAB_MAGIC;
    sh->class_index = c;
    size_t s = class_size(c);
    /* Pushed from the top down, so the list hands out ascending addresses. */
    for (size_t off = HEAP_PAGE - s; off >= s; off -= s) {
        struct free_object *o = (struct free_object *)(page + off);
        o->next = h->free_list[c];
        o->mark = FREE_MARK;
        h->free_list[c] = o;
    }
    h->pages_in_use++;
    return 0;
}

static void *small_alloc(struct heap *h, unsigned c)
{
    if (h->free_list[c] == NULL && refill(h, c) < 0)
        return NULL;
    struct free_object *o = h->free_list[c];
    h->free_list[c] = o->next;
    o->mark = 0;
    h->bytes_in_use += class_size(c);
    return o;
}

/* size > 0, align a power of two >= 16. */
static void *large_alloc(struct heap *h, size_t size, size_t align)
{
    const size_t page = HEAP_PAGE;
    if (size > SIZE_MAX - page - align)
        return NULL;
    size_t data_pages = (size + page - 1) / page;
    uint8_t *hdr_page, *user;
    size_t npages;
    if (align < page) {
        /* Header and data share the first page. */
        npages = (align + size + page - 1) / page;
        if (npages > UINT32_MAX)
            return NULL;
        hdr_page = source_alloc(h, npages);
        if (hdr_page == NULL)
            return NULL;
        user = hdr_page + align;
    } else {
        /* Ask for align bytes more than needed: somewhere in the first align
         * bytes after the first page lies an aligned address, with room for
         * the header page before it. Hand back the head and the tail. */
        size_t total = align / page + data_pages;
        npages = 1 + data_pages;
        if (npages > UINT32_MAX)
            return NULL;
        uint8_t *region = source_alloc(h, total);
        if (region == NULL)
            return NULL;
        uintptr_t u = ((uintptr_t)region + page + align - 1) & ~(uintptr_t)(align - 1);
        user = (uint8_t *)u;
        hdr_page = user - page;
        size_t head = (size_t)(hdr_page - region) / page;
        size_t tail = total - head - npages;
        if (head != 0)
            h->src.free_pages(h->src.ctx, region, head);
        if (tail != 0)
            h->src.free_pages(h->src.ctx, user + data_pages * page, tail);
    }
    struct large_header *lh = (struct large_header *)hdr_page;
    lh->magic = LARGE_MAGIC;
    lh->npages = (uint32_t)npages;
    lh->user = (uintptr_t)user;
    h->pages_in_use += npages;
    h->bytes_in_use += npages * page;
    return user;
}

void *heap_malloc(struct heap *h, size_t size)
{
    if (size == 0)
        size = 1;
    if (size <= HEAP_MAX_SMALL)
        return small_alloc(h, class_of(size));
    return large_alloc(h, size, HEAP_MIN_SIZE);
}

void *heap_calloc(struct heap *h, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = heap_malloc(h, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void *heap_aligned_alloc(struct heap *h, size_t align, size_t size)
{
    if (align == 0 || (align & (align - 1)) != 0)
        return NULL;
    if (align < HEAP_MIN_SIZE)
        align = HEAP_MIN_SIZE;
    if (size == 0)
        size = 1;
    /* Slab objects are aligned to their class size. */
    if (size <= HEAP_MAX_SMALL && align <= HEAP_MAX_SMALL)
        return small_alloc(h, class_of(size > align ? size : align));
    return large_alloc(h, size, align);
}

enum kind { KIND_INVALID, KIND_SMALL, KIND_LARGE };

struct block {
    enum kind kind;
    unsigned class_index;    /* KIND_SMALL */
    struct large_header *lh; /* KIND_LARGE */
    size_t capacity;         /* usable bytes from the pointer on */
    const char *why;         /* KIND_INVALID */
};

static struct block lookup(void *p)
{
    struct block b = {.kind = KIND_INVALID, .why = "bad magic"};
    uintptr_t u = (uintptr_t)p;
    if ((u & (HEAP_MIN_SIZE - 1)) != 0) {
        b.why = "misaligned";
        return b;
    }
    uintptr_t page = (u - 1) & ~(HEAP_PAGE - 1);
    uint32_t magic = *(const uint32_t *)page;
    if (magic == SLAB_MAGIC) {
        const struct slab_header *sh = (const struct slab_header *)page;
        if (sh->class_index >= HEAP_NCLASSES)
            return b;
        size_t s = class_size(sh->class_index);
        size_t off = u - page;
        if (off < s || off + s > HEAP_PAGE || (off & (s - 1)) != 0) {
            b.why = "not the start of an object";
            return b;
        }
        b.kind = KIND_SMALL;
        b.class_index = sh->class_index;
        b.capacity = s;
    } else if (magic == LARGE_MAGIC) {
        struct large_header *lh = (struct large_header *)page;
        if (lh->user != u) {
            b.why = "not the start of an allocation";
            return b;
        }
        b.kind = KIND_LARGE;
        b.lh = lh;
        b.capacity = page + (size_t)lh->npages * HEAP_PAGE - u;
    }
    return b;
}

static bool on_free_list(const struct heap *h, unsigned c, const struct free_object *o)
{
    for (const struct free_object *f = h->free_list[c]; f != NULL; f = f->next)
        if (f == o)
            return true;
    return false;
}

static void release(struct heap *h, void *p, const struct block *b)
{
    if (b->kind == KIND_SMALL) {
        struct free_object *o = p;
        o->next = h->free_list[b->class_index];
        o->mark = FREE_MARK;
        h->free_list[b->class_index] = o;
        h->bytes_in_use -= b->capacity;
    } else {
        size_t n = b->lh->npages;
        b->lh->magic = 0; /* a second free of p now fails the magic check */
        h->pages_in_use -= n;
        h->bytes_in_use -= n * HEAP_PAGE;
        h->src.free_pages(h->src.ctx, b->lh, n);
    }
}

void heap_free(struct heap *h, void *p)
{
    if (p == NULL)
        return;
    struct block b = lookup(p);
    if (b.kind == KIND_INVALID) {
        report(h, "free", p, b.why);
        return;
    }
    /* The mark alone could be user data; the list walk makes it certain. */
    if (b.kind == KIND_SMALL && ((struct free_object *)p)->mark == FREE_MARK &&
        on_free_list(h, b.class_index, p)) {
        report(h, "free", p, "double free");
        return;
    }
    release(h, p, &b);
}

void *heap_realloc(struct heap *h, void *p, size_t size)
{
    if (p == NULL)
        return heap_malloc(h, size);
    if (size == 0)
        size = 1;
    struct block b = lookup(p);
    if (b.kind == KIND_INVALID) {
        report(h, "realloc", p, b.why);
        return NULL;
    }
    /* Keep the block while the new size uses more than half of it. */
    if (size <= b.capacity && (size > b.capacity / 2 || b.capacity == HEAP_MIN_SIZE))
        return p;
    void *q = heap_malloc(h, size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, size < b.capacity ? size : b.capacity);
    release(h, p, &b);
    return q;
}
