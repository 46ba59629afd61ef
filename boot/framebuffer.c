/* The framebuffer a loader describes, checked before it enters the platform
 * description. Pure logic. */
#include <stdint.h>

#include "boot/bootinfo.h"
#include "core/log.h"

#define FB_MAX_DIMENSION 32768u      /* pixels or characters: larger is no display */
#define PHYS_ADDR_LIMIT (1ull << 52) /* x86-64's architectural MAXPHYADDR (SDM 4.1.4) */

/* The pixel sizes each kind may have, bit n for n bits: direct colour in
 * 15, 16, 24 or 32; palette indices of 1-8 bits; EGA text cells of a
 * character byte and an attribute byte. */
static const uint64_t allowed_bpp[] = {
    [FRAMEBUFFER_RGB] = 1ull << 15 | 1ull << 16 | 1ull << 24 | 1ull << 32,
    [FRAMEBUFFER_INDEXED] = 0x1FEull,
    [FRAMEBUFFER_EGA_TEXT] = 1ull << 16,
};

static const char *const kind_names[] = {
    [FRAMEBUFFER_RGB] = "RGB",
    [FRAMEBUFFER_INDEXED] = "indexed",
    [FRAMEBUFFER_EGA_TEXT] = "EGA text",
};

const char *framebuffer_kind_name(enum framebuffer_kind k)
{
    return k < sizeof kind_names / sizeof kind_names[0] && kind_names[k] ? kind_names[k] : "none";
}

/* Whether [a, a + n) and the map entry e share a byte (neither end may wrap). */
static int overlaps(const struct memmap_entry *e, uint64_t a, uint64_t n)
{
    if (e->length == 0 || n == 0)
        return 0;
    return a >= e->base ? a - e->base < e->length : e->base - a < n;
}

/* NULL when fb is coherent, else why not. */
static const char *problem(const struct bootinfo *bi, const struct framebuffer *fb)
{
    if (fb->kind >= sizeof allowed_bpp / sizeof allowed_bpp[0] || fb->bpp > 63 ||
        !(allowed_bpp[fb->kind] >> fb->bpp & 1))
        return "unknown type or bad pixel size";
    for (unsigned i = 0; fb->kind == FRAMEBUFFER_RGB && i < 3; i++)
        if (fb->rgb[i].size == 0 || fb->rgb[i].pos + fb->rgb[i].size > fb->bpp)
            return "colour field outside the pixel";
    if (fb->width == 0 || fb->height == 0 || fb->width > FB_MAX_DIMENSION ||
        fb->height > FB_MAX_DIMENSION)
        return "bad width or height";
    if ((uint64_t)fb->pitch * 8 < (uint64_t)fb->width * fb->bpp)
        return "pitch shorter than a line";
    uint64_t size = (uint64_t)fb->pitch * fb->height;
    if (fb->addr == 0 || fb->addr >= PHYS_ADDR_LIMIT || size > PHYS_ADDR_LIMIT - fb->addr)
        return "beyond physical memory";
    for (uint32_t i = 0; i < bi->memmap_count; i++)
        if (bi->memmap[i].type == MEMMAP_RAM && overlaps(&bi->memmap[i], fb->addr, size))
            return "overlaps RAM";
    return NULL;
}

int bootinfo_set_framebuffer(struct bootinfo *bi, const struct framebuffer *fb, const char *who)
{
    const char *why = problem(bi, fb);
    if (why != NULL) {
        kprintf("%s: framebuffer %ux%ux%u at %#llx ignored: %s\n", who, fb->width, fb->height,
                fb->bpp, (unsigned long long)fb->addr, why);
        return -1;
    }
    bi->framebuffer = *fb;
    return 0;
}
