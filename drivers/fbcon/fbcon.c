/* The framebuffer text console's drawing (fbcon.h). Pure logic. */
#include "drivers/fbcon/fbcon.h"

#include <string.h>

#include "drivers/fbcon/font.h"

#define TAB 8
#define GREY 0xC0 /* of 255: the foreground's red, green and blue */

static uint32_t colour(const struct framebuffer *fb, uint8_t level)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 3; i++)
        v |= (uint32_t)(level >> (8 - fb->rgb[i].size)) << fb->rgb[i].pos;
    return v;
}

static void fill_rows(struct fbcon *fc, uint32_t first_line, uint32_t lines)
{
    for (uint32_t y = first_line; y < first_line + lines; y++) {
        uint32_t *p = (uint32_t *)(fc->base + (size_t)y * fc->pitch);
        for (uint32_t x = 0; x < fc->cols * FBCON_FONT_WIDTH; x++)
            p[x] = fc->bg;
    }
}

int fbcon_setup(struct fbcon *fc, void *base, const struct framebuffer *fb, const char **why)
{
    memset(fc, 0, sizeof *fc);
    if (fb->kind != FRAMEBUFFER_RGB || fb->bpp != 32) {
        *why = "not 32-bit direct colour";
        return -1;
    }
    for (unsigned i = 0; i < 3; i++)
        if (fb->rgb[i].size == 0 || fb->rgb[i].size > 8 || fb->rgb[i].pos > 24) {
            *why = "colour fields this console cannot draw";
            return -1;
        }
    fc->base = base;
    fc->pitch = fb->pitch;
    fc->cols = fb->width / FBCON_FONT_WIDTH;
    fc->rows = fb->height / FBCON_FONT_HEIGHT;
    if (fc->cols == 0 || fc->rows == 0) {
        *why = "smaller than one character";
        return -1;
    }
    fc->fg = colour(fb, GREY);
    fc->bg = colour(fb, 0);
    fill_rows(fc, 0, fc->rows * FBCON_FONT_HEIGHT);
    return 0;
}

static const uint8_t *glyph(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7F)
        return fbcon_font_ascii[cp - 0x20];
    if (cp >= 0xA0 && cp < 0x100)
        return fbcon_font_latin1[cp - 0xA0];
    return fbcon_font_fallback;
}

static void newline(struct fbcon *fc)
{
    fc->col = 0;
    if (fc->row + 1 < fc->rows) {
        fc->row++;
        return;
    }
    size_t row_bytes = (size_t)fc->pitch * FBCON_FONT_HEIGHT;
    memmove(fc->base, fc->base + row_bytes, row_bytes * (fc->rows - 1));
    fill_rows(fc, (fc->rows - 1) * FBCON_FONT_HEIGHT, FBCON_FONT_HEIGHT);
}

static void draw(struct fbcon *fc, uint32_t cp)
{
    if (fc->col == fc->cols)
        newline(fc);
    const uint8_t *g = glyph(cp);
    for (uint32_t y = 0; y < FBCON_FONT_HEIGHT; y++) {
        uint32_t *p =
            (uint32_t *)(fc->base + (size_t)(fc->row * FBCON_FONT_HEIGHT + y) * fc->pitch) +
            fc->col * FBCON_FONT_WIDTH;
        for (uint32_t x = 0; x < FBCON_FONT_WIDTH; x++)
            p[x] = (g[y] & (0x80 >> x)) ? fc->fg : fc->bg;
    }
    fc->col++;
}

static void control(struct fbcon *fc, uint32_t c)
{
    if (c == '\n')
        newline(fc);
    else if (c == '\r')
        fc->col = 0;
    else if (c == '\t')
        do
            draw(fc, ' ');
        while (fc->col % TAB != 0 && fc->col < fc->cols);
    /* other control characters (escape sequences included) draw nothing */
}

void fbcon_write_text(struct fbcon *fc, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)buf[i];
        if (fc->utf8_left > 0) {
            if ((b & 0xC0) == 0x80) {
                fc->utf8_cp = fc->utf8_cp << 6 | (b & 0x3F);
                if (--fc->utf8_left == 0)
                    draw(fc, fc->utf8_cp);
                continue;
            }
            fc->utf8_left = 0;
            draw(fc, 0xFFFD); /* a sequence cut short */
        }
        if (b < 0x20 || b == 0x7F)
            control(fc, b);
        else if (b < 0x80)
            draw(fc, b);
        else if (b >= 0xC2 && b <= 0xF4) {
            fc->utf8_left = b >= 0xF0 ? 3 : (b >= 0xE0 ? 2 : 1);
            fc->utf8_cp = b & (0x3F >> fc->utf8_left);
        } else
            draw(fc, 0xFFFD);
    }
}
