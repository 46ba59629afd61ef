/* drivers/fbcon/fbcon.c: the framebuffer console draws into a buffer that
 * stands in for the framebuffer: glyphs from the generated font at their
 * cells, in the colour fields the mode gives, line ends, tabs, wrapping,
 * scrolling, UTF-8 (the Latin-1 range from the font, anything else and
 * broken sequences as the replacement glyph). */
#include <stdint.h>
#include "drivers/fbcon/fbcon.h"
#include "drivers/fbcon/font.h"
#include "unit.h"

#define W 40 /* pixels: 5 columns */
#define H 48 /* pixels: 3 rows */
#define PITCH (W * 4 + 16)

static uint8_t mem[PITCH * H];
static struct fbcon fc;

static struct framebuffer mode(void)
{
    struct framebuffer fb = {.kind = FRAMEBUFFER_RGB,
                             .addr = 0xC0000000,
                             .pitch = PITCH,
                             .width = W,
                             .height = H,
                             .bpp = 32};
    fb.rgb[FB_BLUE].pos = 0;
    fb.rgb[FB_GREEN].pos = 8;
    fb.rgb[FB_RED].pos = 16;
    for (int i = 0; i < 3; i++)
        fb.rgb[i].size = 8;
    return fb;
}

static void start(void)
{
    memset(mem, 0x77, sizeof mem);
    struct framebuffer fb = mode();
    const char *why = NULL;
    CHECK_EQ(fbcon_setup(&fc, mem, &fb, &why), 0);
}

static uint32_t px(unsigned x, unsigned y)
{
    uint32_t v;
    memcpy(&v, mem + y * PITCH + x * 4, 4);
    return v;
}

/* Whether the cell at (col, row) shows glyph g exactly. */
static int cell_is(unsigned col, unsigned row, const uint8_t *g)
{
    for (unsigned y = 0; y < FBCON_FONT_HEIGHT; y++)
        for (unsigned x = 0; x < 8; x++) {
            uint32_t want = (g[y] & (0x80 >> x)) ? 0xC0C0C0u : 0;
            if (px(col * 8 + x, row * 16 + y) != want)
                return 0;
        }
    return 1;
}

#define ASCII(c) fbcon_font_ascii[(c)-0x20]

TEST(setup_clears_and_sizes)
{
    start();
    CHECK_EQ(fc.cols, 5u);
    CHECK_EQ(fc.rows, 3u);
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++)
            CHECK_EQ(px(x, y), 0u);
    CHECK_EQ(mem[W * 4], 0x77); /* the pitch's padding is not the screen */
}

TEST(refuses_what_it_cannot_draw)
{
    struct framebuffer fb = mode();
    const char *why = NULL;
    fb.bpp = 16;
    CHECK_EQ(fbcon_setup(&fc, mem, &fb, &why), -1);
    fb = mode();
    fb.kind = FRAMEBUFFER_EGA_TEXT;
    CHECK_EQ(fbcon_setup(&fc, mem, &fb, &why), -1);
    fb = mode();
    fb.width = 7;
    CHECK_EQ(fbcon_setup(&fc, mem, &fb, &why), -1);
    CHECK(strstr(why, "smaller") != NULL);
}

TEST(draws_text_lines_and_tabs)
{
    start();
    fbcon_write_text(&fc, "Hi\nA\tB", 6);
    CHECK(cell_is(0, 0, ASCII('H')));
    CHECK(cell_is(1, 0, ASCII('i')));
    CHECK(cell_is(0, 1, ASCII('A')));
    CHECK(cell_is(4, 1, ASCII(' '))); /* the tab filled to column 8: past the last column */
    CHECK(cell_is(0, 2, ASCII('B')));
    CHECK(!cell_is(0, 0, ASCII('X')));
}

TEST(wraps_and_scrolls)
{
    start();
    fbcon_write_text(&fc, "abcdefgh", 8); /* row 0: abcde, row 1: fgh */
    CHECK(cell_is(4, 0, ASCII('e')));
    CHECK(cell_is(0, 1, ASCII('f')));
    fbcon_write_text(&fc, "\nxy\nz", 5); /* row 2: xy, then a scroll: z on the last row */
    CHECK(cell_is(0, 0, ASCII('f')));
    CHECK(cell_is(0, 1, ASCII('x')));
    CHECK(cell_is(1, 1, ASCII('y')));
    CHECK(cell_is(0, 2, ASCII('z')));
    CHECK(cell_is(1, 2, ASCII(' ')));
    CHECK_EQ(mem[W * 4], 0x77);
}

TEST(utf8)
{
    start();
    /* ö (U+00F6), € (no glyph in the Latin-1 set), a cut sequence, a stray
     * continuation byte; ö split over two writes */
    fbcon_write_text(&fc,
                     "\xC3\xB6\xE2\x82\xAC\xC3"
                     "a\x80",
                     8);
    CHECK(cell_is(0, 0, fbcon_font_latin1[0xF6 - 0xA0]));
    CHECK(cell_is(1, 0, fbcon_font_fallback));
    CHECK(cell_is(2, 0, fbcon_font_fallback));
    CHECK(cell_is(3, 0, ASCII('a')));
    CHECK(cell_is(4, 0, fbcon_font_fallback));
    fbcon_write_text(&fc, "\xC3", 1);
    fbcon_write_text(&fc, "\xB6", 1);
    CHECK(cell_is(0, 1, fbcon_font_latin1[0xF6 - 0xA0]));
}

TEST(colours_follow_the_fields)
{
    memset(mem, 0, sizeof mem);
    struct framebuffer fb = mode();
    fb.rgb[FB_RED].pos = 0; /* RGB order instead of BGR: grey is grey either way */
    fb.rgb[FB_BLUE].pos = 16;
    fb.rgb[FB_GREEN].size = 6; /* a 6-bit field gets the top bits of the level */
    const char *why = NULL;
    CHECK_EQ(fbcon_setup(&fc, mem, &fb, &why), 0);
    CHECK_EQ(fc.fg, 0xC000C0u | (0xC0u >> 2) << 8);
}

UNIT_MAIN()
