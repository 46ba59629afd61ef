/* libFuzzer harness: the run plan's parser (tools/launcher/plan.c), which
 * the native `anyvm` runs on files in the user's cache that anything may
 * have cut short or scribbled on. An accepted input must be exactly what
 * its records encode: written back out (the magic, each record as
 * NAME LENGTH\nVALUE\n, the end record) they give the input byte for byte,
 * so no byte of a plan is ignored. Every value lies inside the input, the
 * non-key ones end in a NUL there, the key is the records before the first
 * other one, and the settings the runner uses are in range.
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_run_plan.c \
 *     tools/launcher/plan.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/launcher/plan.h"

static struct plan p;

static bool is_key(enum plan_kind k)
{
    return k == PLAN_CWD || k == PLAN_ARG || k == PLAN_ENV;
}

static void check(const char *buf, size_t n, const char *orig)
{
    static char out[PLAN_MAX_BYTES + 64];
    size_t o = sizeof(PLAN_MAGIC) - 1, key_bytes = 0;
    bool key_done = false;
    memcpy(out, PLAN_MAGIC, o);
    for (size_t i = 0; i < p.n; i++) {
        const struct plan_record *r = &p.rec[i];
        if (r->value < buf || r->len > n || r->value + r->len > buf + n)
            abort(); /* a value outside the input */
        if (is_key(r->kind) && key_done)
            abort(); /* a key record after the others */
        if (!is_key(r->kind)) {
            key_done = true;
            if (r->value[r->len] != 0)
                abort(); /* a value the runner uses as a C string, unterminated */
        }
        size_t start = o;
        o += (size_t)snprintf(out + o, 64, "%s %zu\n", plan_kind_name(r->kind), r->len);
        memcpy(out + o, orig + (r->value - buf), r->len);
        o += r->len;
        out[o++] = '\n';
        if (!key_done)
            key_bytes += o - start;
    }
    memcpy(out + o, "end 0\n\n", 7);
    o += 7;
    if (o != n || memcmp(out, orig, n) != 0)
        abort(); /* the input holds more, or other, than its records */
    /* the key: the records before the first other one, as written */
    if (p.key != buf + sizeof(PLAN_MAGIC) - 1 || p.key_len != key_bytes)
        abort();
    if (p.has_timeout && !(p.timeout >= 0 && p.kill_after >= 0))
        abort();
    if (p.has_timeout_rc && (p.timeout_rc < 0 || p.timeout_rc > 255))
        abort();
    if (p.scratch && p.scratch[0] != '/')
        abort();
    char *words[4];
    if (plan_words(&p, PLAN_VMM, words, 3) == 0 || words[0][0] == 0)
        abort(); /* accepted without a program to run */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[PLAN_MAX_BYTES + 1];
    if (size > PLAN_MAX_BYTES)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char err[256];
    if (plan_parse(&p, buf, size, err, sizeof(err)) == 0)
        check(buf, size, (const char *)data);
    else if (err[0] == 0)
        abort(); /* a refusal says why */
    return 0;
}
