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
 * defines rep movsb: right for d <= s and for an LZ4 match whose source
 * overlaps its destination (d - s < n), where each byte read has been
 * written before. A count of 0 is skipped: even an empty rep costs an
 * emulated instruction. */
static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n != 0)
        __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* The same in 4-byte words, a quarter of the iterations, when every word
 * read was written before the read or is never written: the source at least
 * 4 bytes behind the destination (a match), or at or after it (literals). */
static void copy_words(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t words = n / 4;
    if (words != 0)
        __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    copy_bytes(d, s, n % 4);
}

/* A length whose nibble was 15: adds the following bytes to *len until one
 * below 255. */
static enum lz4_status more_length(const uint8_t **ip, const uint8_t *end, size_t *len)
{
    const uint8_t *p = *ip;
    size_t n = *len;
    uint8_t b;
    do {
        if (p == end)
            return LZ4_TRUNCATED;
        /* Longer than any destination: stop before the sum could wrap. */
        if (n > SIZE_MAX / 2)
            return LZ4_DST_FULL;
        b = *p++;
        n += b;
    } while (b == BYTE_MORE);
    *ip = p;
    *len = n;
    return LZ4_OK;
}

enum lz4_status lz4_block_decode(uint8_t *dst, size_t dst_cap, const uint8_t *src, size_t src_len,
                                 size_t *out_len)
{
    const uint8_t *ip = src;
    const uint8_t *const iend = src + src_len;
    uint8_t *op = dst;
    uint8_t *const oend = dst + dst_cap;
    /* Compared as addresses: the two buffers may be one. In place, the
     * output grows towards the input from below; input that starts below
     * the output and reaches into it would be overwritten before it is
     * read, so it is refused. */
    uintptr_t s0 = (uintptr_t)src, d0 = (uintptr_t)dst;
    int in_place = s0 >= d0 && s0 - d0 < dst_cap;
    enum lz4_status st = LZ4_OK;
    if (s0 < d0 && d0 - s0 < src_len) {
        *out_len = 0;
        return LZ4_OVERTAKES_SRC;
    }

    while (ip < iend) {
        unsigned token = *ip++;
        size_t lit = token >> 4;
        if (lit == NIBBLE_MORE && (st = more_length(&ip, iend, &lit)) != LZ4_OK)
            break;
        if (lit > (size_t)(iend - ip)) {
            st = LZ4_TRUNCATED;
            break;
        }
        if (lit > (size_t)(oend - op)) {
            st = LZ4_DST_FULL;
            break;
        }
        /* In place op <= ip holds here (it does at the start, and each
         * match below keeps it), so a forward copy in words is safe. */
        copy_words(op, ip, lit);
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
        if (mlen > (size_t)(oend - op)) {
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
            copy_bytes(op, op - offset, mlen);
        op += mlen;
    }
    *out_len = (size_t)(op - dst);
    return st;
}
