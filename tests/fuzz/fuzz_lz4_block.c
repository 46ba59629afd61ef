/* libFuzzer harness: the self-decompressing image's LZ4 block decoder
 * (boot/zimage/lz4_block.c) over arbitrary blocks. Its copies are inline
 * rep movs, which AddressSanitizer does not see, so the destination lies
 * between canary bytes that must survive. Invariants: never more output
 * than the destination holds; what one decoding gives, a second one into a
 * destination of exactly that size gives again; decoding in place (the
 * block copied inside its own destination, at a gap the input's first byte
 * chooses) gives the same bytes or is refused, never other bytes.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_lz4_block.c boot/zimage/lz4_block.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/zimage/lz4_block.h"

#define CAP 8192
#define GUARD 64
#define CANARY 0xA5

static uint8_t area[GUARD + CAP + GUARD];
static uint8_t first[CAP];
static uint8_t place[CAP + 4096 + GUARD];

static void check_guards(const uint8_t *buf, size_t cap)
{
    for (size_t i = 0; i < GUARD; i++)
        if (buf[i] != CANARY || buf[GUARD + cap + i] != CANARY)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t gap = data[0] * 16u;
    const uint8_t *block = data + 1;
    size_t len = size - 1;
    if (len > 4096)
        return 0;

    memset(area, CANARY, sizeof area);
    size_t out = 0;
    enum lz4_status st = lz4_block_decode(area + GUARD, CAP, block, len, &out);
    check_guards(area, CAP);
    if (out > CAP)
        abort();
    if (st != LZ4_OK)
        return 0;
    memcpy(first, area + GUARD, out);

    memset(area, CANARY, sizeof area);
    size_t again = 0;
    if (lz4_block_decode(area + GUARD, out, block, len, &again) != LZ4_OK || again != out ||
        memcmp(area + GUARD, first, out) != 0)
        abort();
    check_guards(area, out);

    /* In place: the block at gap bytes into a destination of out bytes. */
    if (gap >= out)
        return 0;
    memset(place, CANARY, sizeof place);
    memcpy(place + gap, block, len);
    size_t in_place = 0;
    st = lz4_block_decode(place, out, place + gap, len, &in_place);
    if (st == LZ4_OK) {
        if (in_place != out || memcmp(place, first, out) != 0)
            abort();
    } else if (st != LZ4_OVERTAKES_SRC || memcmp(place, first, in_place) != 0) {
        abort();
    }
    if (place[(gap + len > out ? gap + len : out)] != CANARY)
        abort();
    return 0;
}
