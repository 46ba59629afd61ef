/* A text console drawn on a linear framebuffer (struct framebuffer, 32-bit
 * direct-colour pixels): for machines without a serial port, such as
 * Hyper-V Gen2, whose boot log then shows on the screen. Light grey on
 * black, 8x16 cells from the top left, UTF-8 decoded (characters the font
 * lacks are drawn as its replacement glyph), scrolling a row at a time.
 * The drawing is pure logic on the memory it is given, so host tests draw
 * into a buffer. */
#ifndef DRIVERS_FBCON_FBCON_H
#define DRIVERS_FBCON_FBCON_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "core/console.h"

struct fbcon {
    struct console console;
    uint8_t *base;  /* the framebuffer's first pixel */
    uint32_t pitch; /* bytes a pixel line */
    uint32_t cols, rows;
    uint32_t col, row;
    uint32_t fg, bg;    /* pixel values */
    uint32_t utf8_cp;   /* the character being decoded */
    unsigned utf8_left; /* continuation bytes still expected */
};

/* Prepares fc to draw on fb, whose first byte is at base, and clears the
 * screen. Returns 0, or -1 with the reason in *why (not 32-bit direct
 * colour, smaller than one cell). */
int fbcon_setup(struct fbcon *fc, void *base, const struct framebuffer *fb, const char **why);

/* Draws n bytes of text. */
void fbcon_write_text(struct fbcon *fc, const char *buf, size_t n);

/* Sets up a console on the framebuffer the platform describes (identity-
 * mapped below 4 GiB) and registers it; returns 0, or -1 after saying why
 * not. */
int fbcon_console_start(const struct framebuffer *fb);

#endif
