/* Unit tests for boot/zimage/lz4_block.c, the decoder of the self-
 * decompressing image: blocks the `lz4` tool (Debian's lz4) writes for
 * varied inputs decode to exactly those inputs; malformed blocks are
 * refused without a write outside the destination; decoding in place is
 * right or refused, never wrong. The tool writes the frame format (lz4's
 * doc/lz4_Frame_format.md); frame_block() takes its one block out, as
 * tools/zimage.py does. */
#include "boot/zimage/lz4_block.h"
#include "tests/unit/unit.h"

#include <unistd.h>

#define CANARY 0xA5
#define GUARD 64
#define BIG (256 * 1024)

/* The lz4 tool's frame of in[0..n) in a malloc'd buffer, its size in *len. */
static uint8_t *lz4_tool(const uint8_t *in, size_t n, size_t *len)
{
    char in_path[] = "/tmp/anyvm-lz4-in-XXXXXX";
    char out_path[] = "/tmp/anyvm-lz4-out-XXXXXX";
    int fi = mkstemp(in_path), fo = mkstemp(out_path);
    if (fi < 0 || fo < 0 || write(fi, in, n) != (ssize_t)n)
        abort();
    close(fi);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "lz4 -12 -B7 --no-frame-crc -qq -f -c %s > %s", in_path, out_path);
    if (system(cmd) != 0) {
        fprintf(stderr, "lz4 failed (is Debian's lz4 installed? make setup)\n");
        abort();
    }
    off_t size = lseek(fo, 0, SEEK_END);
    uint8_t *buf = malloc((size_t)size + 1);
    if (buf == NULL || pread(fo, buf, (size_t)size, 0) != size)
        abort();
    close(fo);
    unlink(in_path);
    unlink(out_path);
    *len = (size_t)size;
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The frame's one block (NULL and *len 0 for a frame without blocks);
 * *stored is set when the tool stored it uncompressed. */
static const uint8_t *frame_block(const uint8_t *f, size_t n, size_t *len, int *stored)
{
    if (n < 11 || le32(f) != 0x184D2204)
        abort();
    size_t pos = 6 + ((f[4] & 0x08) ? 8 : 0) + ((f[4] & 0x01) ? 4 : 0) + 1;
    uint32_t size = le32(f + pos);
    pos += 4;
    *stored = (size >> 31) != 0;
    size &= 0x7FFFFFFF;
    if (pos + size > n)
        abort();
    *len = size;
    return size ? f + pos : NULL;
}

/* Compresses in[0..n) with the tool and decodes it: the result must be in,
 * exactly, with the bytes around the destination untouched. */
static int round_trip(const uint8_t *in, size_t n)
{
    size_t flen, blen;
    int stored;
    uint8_t *frame = lz4_tool(in, n, &flen);
    const uint8_t *block = frame_block(frame, flen, &blen, &stored);
    if (stored) {
        fprintf(stderr, "lz4 stored this input uncompressed: not a test of the decoder\n");
        free(frame);
        return 0;
    }
    uint8_t *buf = malloc(n + 2 * GUARD);
    memset(buf, CANARY, n + 2 * GUARD);
    size_t out = 12345;
    enum lz4_status st = lz4_block_decode(buf + GUARD, n, block, blen, &out);
    int ok = st == LZ4_OK && out == n && memcmp(buf + GUARD, in, n) == 0;
    for (size_t i = 0; i < GUARD; i++)
        ok = ok && buf[i] == CANARY && buf[GUARD + n + i] == CANARY;
    if (!ok)
        fprintf(stderr, "round trip of %zu bytes: status %d, %zu bytes out\n", n, st, out);
    free(buf);
    free(frame);
    return ok;
}

static uint32_t rng_state = 12345;
static uint8_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u; /* any fixed sequence will do */
    return (uint8_t)(rng_state >> 16);
}

TEST(empty_input)
{
    size_t flen, blen;
    int stored;
    uint8_t *frame = lz4_tool((const uint8_t *)"", 0, &flen);
    CHECK(frame_block(frame, flen, &blen, &stored) == NULL);
    free(frame);
    uint8_t dst[4] = {CANARY, CANARY, CANARY, CANARY};
    size_t out = 99;
    CHECK_EQ(lz4_block_decode(dst, sizeof dst, dst, 0, &out), LZ4_OK);
    CHECK_EQ(out, 0u);
    CHECK_EQ(dst[0], CANARY);
}

TEST(a_real_program)
{
    /* This test program's first 2 MiB: machine code, tables and strings,
     * as a kernel is. */
    FILE *f = fopen("/proc/self/exe", "rb");
    CHECK(f != NULL);
    uint8_t *buf = malloc(2 << 20);
    size_t n = fread(buf, 1, 2 << 20, f);
    fclose(f);
    int ok = n > 65536 && round_trip(buf, n);
    free(buf);
    CHECK(ok);
}

TEST(random_data_repeated)
{
    /* Random bytes do not compress; the same bytes twice do, as long
     * literal runs (length bytes past 255) and long matches. */
    uint8_t *buf = malloc(2 * 40000);
    for (size_t i = 0; i < 40000; i++)
        buf[i] = rng();
    memcpy(buf + 40000, buf, 40000);
    int ok = round_trip(buf, 80000);
    free(buf);
    CHECK(ok);
}

TEST(random_small_alphabet)
{
    /* Many short matches at varied offsets, some overlapping themselves. */
    uint8_t *buf = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        buf[i] = "abcd"[rng() & 3];
    int ok = round_trip(buf, BIG);
    free(buf);
    CHECK(ok);
}

TEST(highly_repetitive)
{
    uint8_t *buf = malloc(BIG);
    /* One byte: offset 1, a match overlapping all but one byte of itself. */
    memset(buf, 'x', BIG);
    CHECK(round_trip(buf, BIG));
    /* Periods 2, 3 (byte copies), 4, 5 and 7 (word copies, overlapping). */
    static const size_t periods[] = {2, 3, 4, 5, 7, 300};
    for (size_t p = 0; p < sizeof periods / sizeof periods[0]; p++) {
        for (size_t i = 0; i < BIG; i++)
            buf[i] = (uint8_t)("0123456789"[i % periods[p] % 10] + i % periods[p] / 10);
        if (!round_trip(buf, BIG))
            fail_msg("period %zu", periods[p]);
    }
    free(buf);
}

/* Decodes block into a destination of cap bytes between canaries; returns
 * the status, and fails the test on a write outside. */
static enum lz4_status decode_guarded(const uint8_t *block, size_t blen, size_t cap, size_t *out)
{
    uint8_t *buf = malloc(cap + 2 * GUARD);
    memset(buf, CANARY, cap + 2 * GUARD);
    enum lz4_status st = lz4_block_decode(buf + GUARD, cap, block, blen, out);
    for (size_t i = 0; i < GUARD; i++)
        if (buf[i] != CANARY || buf[GUARD + cap + i] != CANARY)
            fail_msg("a write outside the destination");
    if (*out > cap)
        fail_msg("out %zu past cap %zu", *out, cap);
    free(buf);
    return st;
}

TEST(malformed_blocks_refused)
{
    size_t out;
    /* A match before the start of the output, and offset 0. */
    static const uint8_t before_start[] = {0x10, 'a', 0x02, 0x00, 0x00};
    CHECK_EQ(decode_guarded(before_start, sizeof before_start, 100, &out), LZ4_BAD_OFFSET);
    static const uint8_t first_match[] = {0x00, 0x01, 0x00};
    CHECK_EQ(decode_guarded(first_match, sizeof first_match, 100, &out), LZ4_BAD_OFFSET);
    CHECK_EQ(out, 0u);
    static const uint8_t offset_zero[] = {0x10, 'a', 0x00, 0x00, 0x00};
    CHECK_EQ(decode_guarded(offset_zero, sizeof offset_zero, 100, &out), LZ4_BAD_OFFSET);
    /* Literals past the end of the input; a length whose extra bytes are
     * missing; an offset cut in half. */
    static const uint8_t short_literals[] = {0x50, 'a', 'b'};
    CHECK_EQ(decode_guarded(short_literals, sizeof short_literals, 100, &out), LZ4_TRUNCATED);
    static const uint8_t open_length[] = {0xF0, 0xFF, 0xFF};
    CHECK_EQ(decode_guarded(open_length, sizeof open_length, 100000, &out), LZ4_TRUNCATED);
    static const uint8_t half_offset[] = {0x1F, 'a', 0x01};
    CHECK_EQ(decode_guarded(half_offset, sizeof half_offset, 100, &out), LZ4_TRUNCATED);
    static const uint8_t open_match_length[] = {0x1F, 'a', 0x01, 0x00, 0xFF};
    CHECK_EQ(decode_guarded(open_match_length, sizeof open_match_length, 100000, &out),
             LZ4_TRUNCATED);
    /* Lengths past the end of the destination: literals, then a match
     * (1 + 19 bytes into 10). */
    static const uint8_t many_literals[] = {0x50, 'a', 'b', 'c', 'd', 'e'};
    CHECK_EQ(decode_guarded(many_literals, sizeof many_literals, 4, &out), LZ4_DST_FULL);
    CHECK_EQ(out, 0u);
    static const uint8_t long_match[] = {0x1F, 'a', 0x01, 0x00, 0x00};
    CHECK_EQ(decode_guarded(long_match, sizeof long_match, 10, &out), LZ4_DST_FULL);
    CHECK_EQ(decode_guarded(long_match, sizeof long_match, 20, &out), LZ4_OK);
    CHECK_EQ(out, 20u);
    /* A length of endless 255s stops rather than wrap around. */
    uint8_t *huge = malloc(1 << 20);
    memset(huge, 0xFF, 1 << 20);
    huge[0] = 0xF0;
    CHECK_EQ(decode_guarded(huge, 1 << 20, 100, &out), LZ4_TRUNCATED);
    free(huge);
}

TEST(input_below_reaching_into_output_refused)
{
    /* Input that starts below the destination and runs into it would be
     * overwritten before it is read: refused before any write. */
    uint8_t buf[64];
    memset(buf, CANARY, sizeof buf);
    buf[0] = 0x50;
    memcpy(buf + 1, "abcde", 5);
    size_t out = 99;
    CHECK_EQ(lz4_block_decode(buf + 4, 32, buf, 6, &out), LZ4_OVERTAKES_SRC);
    CHECK_EQ(out, 0u);
    CHECK_EQ(buf[5], 'e');
    CHECK_EQ(lz4_block_decode(buf + 8, 32, buf, 6, &out), LZ4_OK);
    CHECK(out == 5 && memcmp(buf + 8, "abcde", 5) == 0);
}

TEST(truncated_real_block)
{
    /* Every cut of a real block is refused or decodes a prefix of the
     * input, never more and never anything else. */
    uint8_t *in = malloc(20000);
    for (size_t i = 0; i < 20000; i++)
        in[i] = "abcdefgh"[rng() & 7];
    size_t flen, blen;
    int stored;
    uint8_t *frame = lz4_tool(in, 20000, &flen);
    const uint8_t *block = frame_block(frame, flen, &blen, &stored);
    CHECK(!stored && blen > 100);
    uint8_t *dst = malloc(20000);
    size_t refused = 0;
    for (size_t cut = 0; cut < blen; cut += 7) {
        size_t out;
        enum lz4_status st = lz4_block_decode(dst, 20000, block, cut, &out);
        CHECK(out <= 20000 && memcmp(dst, in, out) == 0);
        CHECK(st == LZ4_OK ? out < 20000 : st == LZ4_TRUNCATED || st == LZ4_BAD_OFFSET);
        refused += st != LZ4_OK;
    }
    CHECK(refused > 0);
    free(dst);
    free(frame);
    free(in);
}

TEST(in_place_right_or_refused)
{
    /* The block at gap bytes after the start of its own destination: the
     * decoding is right, or refused (LZ4_OVERTAKES_SRC) when the output
     * would reach input not yet read. With no gap it is refused; with a
     * gap of the output's size minus the input's plus a little it works
     * (tools/zimage.py finds the least such gap exactly). */
    size_t n = 100000;
    uint8_t *in = malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (i / 1000) % 3 ? "abcdefgh"[rng() & 7] : rng();
    size_t flen, blen;
    int stored;
    uint8_t *frame = lz4_tool(in, n, &flen);
    const uint8_t *block = frame_block(frame, flen, &blen, &stored);
    CHECK(!stored && blen < n);
    uint8_t *buf = malloc(2 * n + GUARD);
    size_t worked_below = 0, refused = 0;
    for (size_t gap = 0; gap <= n; gap += 997) {
        memset(buf, CANARY, 2 * n + GUARD);
        memcpy(buf + gap, block, blen);
        size_t out;
        enum lz4_status st = lz4_block_decode(buf, n, buf + gap, blen, &out);
        if (st == LZ4_OK) {
            CHECK(out == n && memcmp(buf, in, n) == 0);
            worked_below += gap < n;
        } else {
            CHECK_EQ(st, LZ4_OVERTAKES_SRC);
            CHECK(out < n && memcmp(buf, in, out) == 0);
            refused++;
        }
        CHECK_EQ(buf[(gap + blen > n ? gap + blen : n) + 1], CANARY);
    }
    CHECK(refused > 0 && worked_below > 0);
    free(buf);
    free(frame);
    free(in);
}

UNIT_MAIN()
