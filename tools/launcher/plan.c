/* The run plan's parser (plan.h gives the format). */
#include "tools/launcher/plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const NAMES[PLAN_KINDS] = {
    [PLAN_CWD] = "cwd",
    [PLAN_ARG] = "arg",
    [PLAN_ENV] = "env",
    [PLAN_DEP] = "dep",
    [PLAN_NOTE] = "note",
    [PLAN_VMM] = "vmm",
    [PLAN_SCRATCH] = "scratch",
    [PLAN_TIMEOUT] = "timeout",
    [PLAN_KILL_AFTER] = "kill-after",
    [PLAN_TIMEOUT_RC] = "timeout-rc",
    [PLAN_EXIT_DEVICE] = "exit-device",
    [PLAN_SYMBOLIZE] = "symbolize",
};

const char *plan_kind_name(enum plan_kind kind)
{
    return kind < PLAN_KINDS ? NAMES[kind] : "?";
}

static int fail(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return -1;
}

/* A record's header "NAME LENGTH\n" at buf[*pos]: the kind and the length,
 * or -1 (an unknown name, a malformed or too large length). */
static int header(const char *buf, size_t len, size_t *pos, enum plan_kind *kind, size_t *vlen,
                  bool *end)
{
    size_t i = *pos, start = i;
    while (i < len && i - start < 16 && buf[i] != ' ')
        i++;
    if (i >= len || buf[i] != ' ')
        return -1;
    size_t nlen = i - start;
    *end = nlen == 3 && memcmp(buf + start, "end", 3) == 0;
    if (!*end) {
        size_t k;
        for (k = 0; k < PLAN_KINDS; k++)
            if (strlen(NAMES[k]) == nlen && memcmp(buf + start, NAMES[k], nlen) == 0)
                break;
        if (k == PLAN_KINDS)
            return -1;
        *kind = (enum plan_kind)k;
    }
    i++;
    size_t d0 = i, v = 0;
    while (i < len && buf[i] >= '0' && buf[i] <= '9' && i - d0 < 8) {
        v = v * 10 + (size_t)(buf[i] - '0');
        i++;
    }
    if (i == d0 || i >= len || buf[i] != '\n' || (buf[d0] == '0' && i - d0 > 1))
        return -1;
    *vlen = v;
    *pos = i + 1;
    return 0;
}

static bool is_key(enum plan_kind k)
{
    return k == PLAN_CWD || k == PLAN_ARG || k == PLAN_ENV;
}

/* A decimal number of seconds, as Python's repr(float) writes it: finite,
 * not negative. */
static int seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || v > 1e9)
        return -1;
    *out = v;
    return 0;
}

static int settings(struct plan *p, char *err, size_t size)
{
    size_t nvmm = 0;
    bool have_exit = false;
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_record *r = &p->rec[i];
        if (is_key(r->kind))
            continue;
        if (strlen(r->value) != r->len && r->kind != PLAN_NOTE)
            return fail(err, size, "a %s record holds a NUL byte", NAMES[r->kind]);
        switch (r->kind) {
        case PLAN_VMM:
            if (r->len == 0 && nvmm == 0)
                return fail(err, size, "an empty VMM program name");
            nvmm++;
            break;
        case PLAN_TIMEOUT:
        case PLAN_KILL_AFTER: {
            bool *has = r->kind == PLAN_TIMEOUT ? &p->has_timeout : &p->has_kill_after;
            double *v = r->kind == PLAN_TIMEOUT ? &p->timeout : &p->kill_after;
            if (*has || seconds(r->value, v))
                return fail(err, size, "a bad %s record", NAMES[r->kind]);
            *has = true;
            break;
        }
        case PLAN_TIMEOUT_RC: {
            char *end;
            long v = strtol(r->value, &end, 10);
            if (p->has_timeout_rc || end == r->value || *end || v < 0 || v > 255)
                return fail(err, size, "a bad timeout-rc record");
            p->has_timeout_rc = true;
            p->timeout_rc = (int)v;
            break;
        }
        case PLAN_EXIT_DEVICE:
            if (have_exit || r->len != 1 || (r->value[0] != '0' && r->value[0] != '1'))
                return fail(err, size, "a bad exit-device record");
            have_exit = true;
            p->exit_device = r->value[0] == '1';
            break;
        case PLAN_SCRATCH:
            if (p->scratch || r->value[0] != '/' || r->len < 2)
                return fail(err, size, "a bad scratch record (an absolute folder, once)");
            p->scratch = r->value;
            break;
        default:
            break;
        }
    }
    if (nvmm == 0)
        return fail(err, size, "no VMM command");
    if (!have_exit)
        return fail(err, size, "no exit-device record");
    if (p->has_kill_after != p->has_timeout)
        return fail(err, size, "a timeout without kill-after, or the reverse");
    return 0;
}

int plan_parse(struct plan *p, char *buf, size_t len, char *err, size_t errsize)
{
    size_t magic = sizeof(PLAN_MAGIC) - 1;
    memset(p, 0, sizeof(*p));
    if (len > PLAN_MAX_BYTES)
        return fail(err, errsize, "larger than %u bytes", PLAN_MAX_BYTES);
    if (len < magic || memcmp(buf, PLAN_MAGIC, magic) != 0)
        return fail(err, errsize, "not a plan of this version (no \"anyvm-plan 1\" line)");
    size_t pos = magic;
    bool key_open = true;
    p->key = buf + magic;
    for (;;) {
        enum plan_kind kind = PLAN_CWD;
        size_t vlen;
        bool end;
        size_t at = pos;
        if (header(buf, len, &pos, &kind, &vlen, &end))
            return fail(err, errsize, "a malformed record at byte %zu", at);
        if (vlen > len - pos || len - pos - vlen < 1 || buf[pos + vlen] != '\n')
            return fail(err, errsize, "a record at byte %zu runs past the end", at);
        if (end) {
            if (vlen != 0 || pos + 1 != len)
                return fail(err, errsize, "bytes after the end record");
            if (key_open)
                p->key_len = (size_t)(buf + at - p->key);
            break;
        }
        if (is_key(kind)) {
            if (!key_open)
                return fail(err, errsize, "a key record after the others");
        } else if (key_open) {
            key_open = false;
            p->key_len = (size_t)(buf + at - p->key);
        }
        if (p->n == PLAN_MAX_RECORDS)
            return fail(err, errsize, "more than %d records", PLAN_MAX_RECORDS);
        if (!is_key(kind))
            buf[pos + vlen] = 0; /* the key stays as written, for the comparison */
        p->rec[p->n++] = (struct plan_record){kind, buf + pos, vlen};
        pos += vlen + 1;
    }
    return settings(p, err, errsize);
}

size_t plan_words(const struct plan *p, enum plan_kind kind, char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n && n < max; i++)
        if (p->rec[i].kind == kind)
            out[n++] = (char *)p->rec[i].value;
    out[n] = NULL;
    return n;
}
