/* The LZ4 block decoder (lz4_block.h). The format (lz4's
 * doc/lz4_Block_format.md): a block is a series of sequences; each starts
 * with a token byte whose high nibble is the literal count and low nibble
 * the match length minus 4 (MINMATCH). A nibble of 15 continues in the
 * following bytes, each added, until one below 255. The literals follow
 * the token (and its length bytes), then a 2-byte little-endian offset
 * back into the output (1 to 65535; 0 is invalid) and the match length's
 * extra bytes. The last sequence has literals only: the block ends after
 * them. A match may overlap its own output (offset < length): it repeats
 * the bytes as a byte-by-byte forward copy does.
 *
 * Plain C without library calls: the stub (boot/zimage/) has no C library,
 * and it runs under emulators that pay per instruction (the PVM emulator of
 * docs/architecture.md), so copies go through rep movs. */
#include "boot/zimage/lz4_block.h"

#define MINMATCH 4
#define NIBBLE_MORE 15
#define BYTE_MORE 255

/* n bytes from s to d, forward, one byte at a time as the architecture
 * defines rep movsb: correct for d <= s and for an LZ4 match whose source
 * overlaps its destination (d - s < n), where each byte read has been
 * written before. */
static void copy_forward(uint8_t *d, const uint8_t *s, size_t n)
{
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* The same when the source is at least 4 bytes behind the destination (or
 * at or after it): every 4-byte word read was written before the read, so
 * whole words may be moved, a quarter of the iterations. */
static void copy_words(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t words = n / 4;
    size_t rest = n % 4;
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    copy_forward(d, s, rest);
}

/* A length whose nibble was 15: adds the following bytes to *len. */
static enum lz4_status more_length(const uint8_t **ip, const uint8_t *end, size_t *len)
{
    for (;;) {
        if (*ip >= end)
            return LZ4_TRUNCATED;
        uint8_t b = *(*ip)++;
        /* Longer than any destination: stop before the sum could wrap. */
        if (*len > SIZE_MAX / 2)
            return LZ4_DST_FULL;
        *len += b;
        if (b != BYTE_MORE)
            return LZ4_OK;
    }
}

enum lz4_status lz4_block_decode(uint8_t *dst, size_t dst_cap, const uint8_t *src, size_t src_len,
                                 size_t *out_len)
{
    const uint8_t *ip = src;
    const uint8_t *iend = src + src_len;
    uint8_t *op = dst;
    /* Compared as addresses: the two buffers may be one. */
    uintptr_t d0 = (uintptr_t)dst;
    int in_place = (uintptr_t)src >= d0 && (uintptr_t)src - d0 < dst_cap;
    enum lz4_status st = LZ4_OK;

    while (ip < iend) {
        uint8_t token = *ip++;
        size_t lit = token >> 4;
        if (lit == NIBBLE_MORE && (st = more_length(&ip, iend, &lit)) != LZ4_OK)
            break;
        if (lit > (size_t)(iend - ip)) {
            st = LZ4_TRUNCATED;
            break;
        }
        if (lit > dst_cap - (size_t)(op - dst)) {
            st = LZ4_DST_FULL;
            break;
        }
        /* In place op <= ip holds here (it does at the start, and each
         * step below keeps it), so the forward copy is safe. */
        copy_forward(op, ip, lit);
        op += lit;
        ip += lit;
        if (ip == iend)
            break; /* the last sequence: literals only */

        if (iend - ip < 2) {
            st = LZ4_TRUNCATED;
            break;
        }
        size_t offset = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (offset == 0 || offset > (size_t)(op - dst)) {
            st = LZ4_BAD_OFFSET;
            break;
        }
        size_t mlen = token & NIBBLE_MORE;
        if (mlen == NIBBLE_MORE && (st = more_length(&ip, iend, &mlen)) != LZ4_OK)
            break;
        mlen += MINMATCH;
        if (mlen > dst_cap - (size_t)(op - dst)) {
            st = LZ4_DST_FULL;
            break;
        }
        if (in_place && (uintptr_t)op + mlen > (uintptr_t)ip) {
            st = LZ4_OVERTAKES_SRC;
            break;
        }
        if (offset >= 4)
            copy_words(op, op - offset, mlen);
        else
            copy_forward(op, op - offset, mlen);
        op += mlen;
    }
    *out_len = (size_t)(op - dst);
    return st;
}
