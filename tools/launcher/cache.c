/* The plan cache's key, lookup and input checks (cache.h). */
#define _GNU_SOURCE
#include "tools/launcher/cache.h"
#include "tools/launcher/read_all.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int grow(struct bytes *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* One record as plan.h writes it: "NAME LENGTH\nVALUE\n". */
static int record(struct bytes *b, const char *name, const char *value, size_t n)
{
    char head[64];
    int h = snprintf(head, sizeof(head), "%s %zu\n", name, n);
    if (grow(b, (size_t)h + n + 2)) /* and room for a NUL after it */
        return -1;
    memcpy(b->p + b->len, head, (size_t)h);
    memcpy(b->p + b->len + h, value, n);
    b->p[b->len + h + n] = '\n';
    b->len += (size_t)h + n + 1;
    return 0;
}

int cache_key(struct bytes *key, int argc, char **argv)
{
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return -1;
    int bad = record(key, "cwd", cwd, strlen(cwd));
    free(cwd);
    for (int i = 1; i < argc && !bad; i++)
        bad = record(key, "arg", argv[i], strlen(argv[i]));
    const char *names[] = CACHE_KEY_ENV;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !bad; i++) {
        const char *v = getenv(names[i]);
        char one[8192];
        int n = v ? snprintf(one, sizeof(one), "%s=%s", names[i], v)
                  : snprintf(one, sizeof(one), "%s", names[i]);
        if (n < 0 || (size_t)n >= sizeof(one))
            return -1;
        bad = record(key, "env", one, (size_t)n);
    }
    return bad;
}

/* FNV-1a, 64 bits (the FNV specification, draft-eastlake-fnv: offset basis
 * 0xcbf29ce484222325, prime 0x100000001b3). */
uint64_t cache_fnv1a64(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3u;
    }
    return h;
}

int cache_dir(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    int n;
    if (xdg && *xdg) {
        n = snprintf(out, size, "%s/anyvm/plans", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home)
            return -1;
        n = snprintf(out, size, "%s/.cache/anyvm/plans", home);
    }
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int why_not(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -1;
}

int cache_lookup(const struct bytes *key, struct plan *p, char **buf, char *why, size_t whysize)
{
    char dir[4096], path[4200];
    if (cache_dir(dir, sizeof(dir)))
        return why_not(why, whysize, "no cache folder (neither XDG_CACHE_HOME nor HOME)");
    snprintf(path, sizeof(path), "%s/%016" PRIx64 ".plan", dir, cache_fnv1a64(key->p, key->len));
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return why_not(why, whysize, "no plan %s", path);
    struct stat st;
    /* a plan is the user's own file nobody else could have written */
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
        st.st_size > (off_t)PLAN_MAX_BYTES) {
        close(fd);
        return why_not(why, whysize, "plan %s: not a regular file of ours, or too large", path);
    }
    size_t got = (size_t)st.st_size;
    *buf = read_all(fd, got);
    if (!*buf)
        return why_not(why, whysize, "plan %s: cannot read it", path);
    (*buf)[got] = 0;
    char err[256];
    if (plan_parse(p, *buf, got, err, sizeof(err)))
        return why_not(why, whysize, "plan %s: %s", path, err);
    if (p->key_len != key->len || memcmp(p->key, key->p, key->len) != 0)
        return why_not(why, whysize, "plan %s: made for another command", path);
    if (p->scratch)
        return why_not(why, whysize, "plan %s: has a scratch folder (not a cached plan)", path);
    return cache_deps_unchanged(p, why, whysize);
}

/* "f DEV INO SIZE MTIME_NS PATH": the regular file at PATH with that
 * identity, size and time; "d PATH": PATH exists; "- PATH": it does not. */
static int dep_unchanged(const char *d, char *why, size_t whysize)
{
    struct stat st;
    if ((d[0] == 'd' || d[0] == '-') && d[1] == ' ' && d[2]) {
        int there = stat(d + 2, &st) == 0;
        if (!there && errno != ENOENT)
            return why_not(why, whysize, "cannot tell whether %s exists", d + 2);
        if (there != (d[0] == 'd'))
            return why_not(why, whysize, "%s %s now", d + 2, there ? "exists" : "is gone");
        return 0;
    }
    unsigned long long dev, ino;
    long long size, mtime;
    int off = 0;
    if (d[0] != 'f' ||
        sscanf(d, "f %llu %llu %lld %lld %n", &dev, &ino, &size, &mtime, &off) != 4 || !off ||
        !d[off])
        return why_not(why, whysize, "a malformed dep record");
    const char *path = d + off;
    if (stat(path, &st) || !S_ISREG(st.st_mode))
        return why_not(why, whysize, "%s is gone or no file", path);
    long long ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    if ((unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino ||
        (long long)st.st_size != size || ns != mtime)
        return why_not(why, whysize, "%s changed", path);
    return 0;
}

int cache_deps_unchanged(const struct plan *p, char *why, size_t whysize)
{
    size_t deps = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->rec[i].kind != PLAN_DEP)
            continue;
        deps++;
        if (dep_unchanged(p->rec[i].value, why, whysize))
            return -1;
    }
    /* a cached plan always names the tool's own files at least */
    return deps ? 0 : why_not(why, whysize, "the plan names no inputs");
}
