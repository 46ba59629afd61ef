/* What the libFuzzer harnesses here share: a way to report a broken
 * invariant, and a reader of the fuzz input. Header only; each harness is
 * one program (Makefile: fuzzers). */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An invariant the code under test broke: say which (file, line and the
 * condition as written), then crash so that libFuzzer keeps the input. */
#define BROKEN_IF(cond)                                                                            \
    do {                                                                                           \
        if (cond) {                                                                                \
            fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input not read yet. */
struct fuzz_input {
    const uint8_t *p;
    size_t n;
};

/* The next `bytes` bytes (1 to 4), the first one most significant. Once the
 * input is used up it reads as zeros, so a short input still drives every
 * step; a harness that loops "while input remains" tests in->n. */
static inline uint32_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v <<= 8;
        if (in->n) {
            v |= *in->p++;
            in->n--;
        }
    }
    return v;
}

#endif
