/* The framebuffer console's glyphs: 8 pixels wide, FBCON_FONT_HEIGHT rows,
 * one byte a row, the most significant bit leftmost. Generated at build time
 * from a Debian console font by tools/psf_to_c.py (Makefile, FBCON_FONT). */
#ifndef DRIVERS_FBCON_FONT_H
#define DRIVERS_FBCON_FONT_H

#include <stdint.h>

#define FBCON_FONT_WIDTH 8
#define FBCON_FONT_HEIGHT 16

extern const uint8_t fbcon_font_ascii[0x7F - 0x20][FBCON_FONT_HEIGHT];   /* U+0020-U+007E */
extern const uint8_t fbcon_font_latin1[0x100 - 0xA0][FBCON_FONT_HEIGHT]; /* U+00A0-U+00FF */
extern const uint8_t fbcon_font_fallback[FBCON_FONT_HEIGHT];             /* anything else */

#endif
