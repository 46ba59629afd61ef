/* An LZ4 block decoder (the block format of lz4's doc/lz4_Block_format.md),
 * bounds-checked: it reads only [src, src + src_len) and writes only
 * [dst, dst + dst_cap), whatever the input. The self-decompressing image's
 * stub (boot/zimage/) runs it in 32-bit mode; host tests run it as it is. */
#ifndef ANYVM_BOOT_ZIMAGE_LZ4_BLOCK_H
#define ANYVM_BOOT_ZIMAGE_LZ4_BLOCK_H

#include <stddef.h>
#include <stdint.h>

enum lz4_status {
    LZ4_OK = 0,
    LZ4_TRUNCATED = 1,     /* a length, literal run or offset runs past the input */
    LZ4_DST_FULL = 2,      /* a literal run or match would write past dst_cap */
    LZ4_BAD_OFFSET = 3,    /* offset 0, or before the start of the output */
    LZ4_OVERTAKES_SRC = 4, /* a write would reach input not yet read */
};

/* Decodes the block at src into dst and stores the bytes written in
 * *out_len (also on error: what was written until then). When src lies
 * inside [dst, dst + dst_cap) the block is decoded in place: the output
 * grows towards the input, and a match that would overwrite input bytes
 * not yet read is refused (LZ4_OVERTAKES_SRC) rather than decoded wrongly;
 * tools/zimage.py places the input so that this never happens. Input that
 * starts below dst and reaches into it is refused the same way. */
enum lz4_status lz4_block_decode(uint8_t *dst, size_t dst_cap, const uint8_t *src, size_t src_len,
                                 size_t *out_len);

#endif
