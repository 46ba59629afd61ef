/* libFuzzer harness: the kernel command line (core/cmdline.c) over arbitrary
 * text. An accepted line must keep every limit and every pointer inside the
 * struct's storage, lookups must find the last occurrence of a key, and the
 * parse must survive a round trip: writing the result back out with every
 * value and argument quoted and parsing that again gives the same result. A
 * rejection leaves nothing half-parsed and says why.
 *   clang -fsanitize=fuzzer,address,undefined -I. -DANYVM_HOST_TEST \
 *     tests/fuzz/fuzz_cmdline.c core/cmdline.c */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
}

/* A string that starts inside c->storage and ends (NUL) inside it. */
static void check_in_storage(const struct cmdline *c, const char *s)
{
    const char *lo = c->storage, *hi = c->storage + sizeof c->storage;
    if (s < lo || s >= hi || memchr(s, '\0', (size_t)(hi - s)) == NULL)
        abort();
}

static void check_accepted(const struct cmdline *c)
{
    if (c->nparams > CMDLINE_MAX_PARAMS || c->argc > CMDLINE_MAX_ARGS || c->argv[c->argc] != NULL)
        abort();
    for (unsigned i = 0; i < c->nparams; i++) {
        const char *k = c->params[i].key, *v = c->params[i].value;
        check_in_storage(c, k);
        if (k[0] == '\0' || strpbrk(k, "=\" \t\n") != NULL)
            abort(); /* keys are non-empty, unquoted words without '=' */
        if (v != NULL) {
            check_in_storage(c, v);
            if (strchr(v, '"') != NULL)
                abort(); /* quotes are always removed */
        }
        for (const char *p = k; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                abort();
    }
    for (unsigned i = 0; i < c->argc; i++) {
        check_in_storage(c, c->argv[i]);
        if (strchr(c->argv[i], '"') != NULL)
            abort();
    }
    /* cmdline_get: the last occurrence wins, "" for a bare flag. */
    for (unsigned i = 0; i < c->nparams; i++) {
        const char *k = c->params[i].key;
        unsigned last = i;
        for (unsigned j = i + 1; j < c->nparams; j++)
            if (strcmp(c->params[j].key, k) == 0)
                last = j;
        const char *got = cmdline_get(c, k), *want = c->params[last].value;
        if (got == NULL || (want != NULL ? got != want : got[0] != '\0') || !cmdline_has(c, k))
            abort();
        (void)cmdline_is_linux_param(k);
    }
}

/* Writes c back as a command line, every value and argument quoted; returns
 * its length, or -1 when it does not fit in cap. */
static long serialize(const struct cmdline *c, char *out, size_t cap)
{
    size_t n = 0;
#define PUT(str)                                                                                   \
    do {                                                                                           \
        size_t l_ = strlen(str);                                                                   \
        if (n + l_ + 1 > cap)                                                                      \
            return -1;                                                                             \
        memcpy(out + n, str, l_);                                                                  \
        n += l_;                                                                                   \
    } while (0)
    for (unsigned i = 0; i < c->nparams; i++) {
        PUT(c->params[i].key);
        if (c->params[i].value != NULL) {
            PUT("=\"");
            PUT(c->params[i].value);
            PUT("\"");
        }
        PUT(" ");
    }
    if (c->argc > 0) {
        PUT("--");
        for (unsigned i = 0; i < c->argc; i++) {
            PUT(" \"");
            PUT(c->argv[i]);
            PUT("\"");
        }
    }
#undef PUT
    out[n] = '\0';
    return (long)n;
}

static int same(const struct cmdline *a, const struct cmdline *b)
{
    if (a->nparams != b->nparams || a->argc != b->argc)
        return 0;
    for (unsigned i = 0; i < a->nparams; i++) {
        if (strcmp(a->params[i].key, b->params[i].key) != 0)
            return 0;
        if ((a->params[i].value == NULL) != (b->params[i].value == NULL))
            return 0;
        if (a->params[i].value && strcmp(a->params[i].value, b->params[i].value) != 0)
            return 0;
    }
    for (unsigned i = 0; i < a->argc; i++)
        if (strcmp(a->argv[i], b->argv[i]) != 0)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The line as a boot loader leaves it: NUL-terminated (the input may hold
     * earlier NULs too: the line ends at the first). Exact size for ASan. */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    static struct cmdline c, again;
    char err[80];
    memset(err, 'x', sizeof err);
    if (cmdline_parse(text, &c, err, sizeof err) == 0) {
        if (err[0] != '\0')
            abort();
        check_accepted(&c);
        static char line[CMDLINE_MAX_BYTES];
        if (serialize(&c, line, sizeof line) >= 0) {
            if (cmdline_parse(line, &again, err, sizeof err) != 0 || !same(&c, &again))
                abort();
            check_accepted(&again);
        }
    } else {
        if (err[0] == '\0' || memchr(err, '\0', sizeof err) == NULL)
            abort(); /* a rejection always says why, NUL-terminated */
        if (c.nparams != 0 || c.argc != 0 || c.argv[0] != NULL)
            abort(); /* nothing half-parsed left behind */
    }
    /* A tiny error buffer must still be terminated, never overrun. */
    char small[3];
    if (cmdline_parse(text, &c, small, sizeof small) != 0 && memchr(small, '\0', 3) == NULL)
        abort();
    (void)cmdline_parse(text, &c, NULL, 0);
    (void)cmdline_get(&c, "console");
    free(text);
    return 0;
}
