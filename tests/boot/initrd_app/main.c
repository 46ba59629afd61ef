/* The initrd as an app sees it (tests/boot/test_initrd.py): lists the tree
 * from "/" (readdir order, which is the archive's), prints each small text
 * file, sums the big one three ways (read in odd-sized pieces, pread from
 * the end backwards, stdio), and shows the errors a read-only tree gives.
 * With --fill it first takes all the memory malloc will give and writes
 * it: the initrd's pages must not be among them, so the sums still match.
 *
 *   initrd [--fill] [--sum PATH] [--errors] [--cwd DIR] [--libc]
 *
 * --libc: the C library's functions on top of the calls (realpath, scandir,
 * nftw, fgets) on /dir and /link.
 *
 * Every line is compared by the test; the exit status is 0 when every check
 * the app makes itself (d_type against lstat, the three sums agree) held. */
#define _GNU_SOURCE /* nftw's FTW_PHYS */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

static void fail(const char *what, const char *path)
{
    printf("FAIL %s %s: %s\n", what, path, strerror(errno));
    failures++;
}

static const char *errname(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {{ENOENT, "ENOENT"}, {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},
                 {EROFS, "EROFS"},   {ELOOP, "ELOOP"},     {ENXIO, "ENXIO"},
                 {EEXIST, "EEXIST"}, {EINVAL, "EINVAL"},   {EACCES, "EACCES"}};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == e)
            return names[i].name;
    return "?";
}

/* FNV-1a, 64 bits: the test computes the same over the file it packed. */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}
#define FNV_START 0xcbf29ce484222325ull

static void show_text(const char *path, off_t size)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return fail("open", path);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n != size)
        return fail("read", path);
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    printf("  text: %s\n", buf);
}

static void list(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return fail("opendir", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) {
            fail("lstat", path);
            continue;
        }
        if (e->d_type != (st.st_mode >> 12 & 15) || e->d_ino != st.st_ino)
            fail("d_type or d_ino", path);
        if (S_ISDIR(st.st_mode)) {
            printf("d %s\n", path);
            list(path);
        } else if (S_ISLNK(st.st_mode)) {
            char target[256];
            ssize_t n = readlink(path, target, sizeof target - 1);
            if (n < 0) {
                fail("readlink", path);
                continue;
            }
            target[n] = '\0';
            printf("l %s -> %s\n", path, target);
        } else if (S_ISREG(st.st_mode)) {
            printf("f %s %lld\n", path, (long long)st.st_size);
            size_t len = strlen(path);
            if (len > 4 && strcmp(path + len - 4, ".txt") == 0)
                show_text(path, st.st_size);
        } else {
            printf("? %s %o\n", path, (unsigned)st.st_mode);
        }
    }
    closedir(d);
}

static void sum(const char *path)
{
    static unsigned char buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail("open", path);
    struct stat st;
    if (fstat(fd, &st) != 0)
        return fail("fstat", path);
    /* 1: read, in pieces of an odd size */
    uint64_t h1 = FNV_START;
    long long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, 4093)) > 0) {
        h1 = fnv(h1, buf, (size_t)n);
        total += n;
    }
    /* 2: pread, the last piece first (each piece's sum is its own; the
     * pieces are put back in order in buf-sized steps) */
    off_t end = lseek(fd, 0, SEEK_END);
    uint64_t h2 = FNV_START;
    for (off_t at = 0; at < end; at += (off_t)sizeof buf) {
        size_t want = end - at < (off_t)sizeof buf ? (size_t)(end - at) : sizeof buf;
        if (pread(fd, buf, want, at) != (ssize_t)want)
            return fail("pread", path);
        h2 = fnv(h2, buf, want);
    }
    close(fd);
    /* 3: stdio */
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fail("fopen", path);
    uint64_t h3 = FNV_START;
    size_t k;
    while ((k = fread(buf, 1, 1000, f)) > 0)
        h3 = fnv(h3, buf, k);
    fclose(f);
    if (total != st.st_size || end != st.st_size || h1 != h2 || h1 != h3) {
        errno = 0;
        fail("sums differ", path);
    }
    printf("sum %s %lld %016llx\n", path, (long long)total, (unsigned long long)h1);
}

static void expect_error(const char *what, int r, int want)
{
    int e = errno;
    printf("%s: %s\n", what, r >= 0 ? "ok" : errname(e));
    if (!(r < 0 && e == want))
        failures++;
}

static void errors(void)
{
    struct stat st;
    char buf[8];
    expect_error("open /missing", open("/missing", O_RDONLY), ENOENT);
    expect_error("open /hello.txt O_WRONLY", open("/hello.txt", O_WRONLY), EROFS);
    expect_error("open /new O_CREAT", open("/new", O_WRONLY | O_CREAT, 0644), EROFS);
    expect_error("open /hello.txt/", open("/hello.txt/", O_RDONLY), ENOTDIR);
    expect_error("open /dir O_RDWR", open("/dir", O_RDWR), EISDIR);
    expect_error("opendir /hello.txt", opendir("/hello.txt") ? 0 : -1, ENOTDIR);
    expect_error("stat /dir/missing", stat("/dir/missing", &st), ENOENT);
    expect_error("readlink /hello.txt", (int)readlink("/hello.txt", buf, sizeof buf), EINVAL);
    expect_error("access /hello.txt W_OK", access("/hello.txt", W_OK), EROFS);
    expect_error("fopen /hello.txt w", fopen("/hello.txt", "w") ? 0 : -1, EROFS);
}

static void cwd(const char *dir)
{
    char here[256];
    if (chdir(dir) != 0)
        return fail("chdir", dir);
    if (getcwd(here, sizeof here) == NULL)
        return fail("getcwd", dir);
    printf("cwd %s\n", here);
    list(".");
    if (chdir("/") != 0)
        fail("chdir", "/");
}

static int walked(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    printf("nftw %s %s %d\n", path, type == FTW_D ? "d" : type == FTW_F ? "f" : "?", ftw->level);
    return 0;
}

static void libc(void)
{
    char real[PATH_MAX];
    printf("realpath /link: %s\n", realpath("/link", real) ? real : strerror(errno));
    printf("realpath dir/./sub/../note.txt: %s\n",
           realpath("dir/./sub/../note.txt", real) ? real : strerror(errno));
    struct dirent **names;
    int n = scandir("/dir", &names, NULL, alphasort);
    if (n < 0)
        return fail("scandir", "/dir");
    printf("scandir /dir:");
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]->d_name);
        free(names[i]);
    }
    printf("\n");
    free(names);
    if (nftw("/dir", walked, 4, FTW_PHYS) != 0)
        fail("nftw", "/dir");
    FILE *f = fopen("/link", "r");
    char line[64];
    if (f == NULL || fgets(line, sizeof line, f) == NULL)
        return fail("fgets", "/link");
    fclose(f);
    printf("fgets /link: %s", line);
}

/* Takes all the memory malloc gives, in 1 MiB pieces, and writes it; keeps
 * it all but the last two pieces (room for opendir and open files). */
static void fill(void)
{
    enum { PIECE = 1 << 20 };
    void *newest = NULL, *before = NULL, *p;
    unsigned mib = 0;
    while ((p = malloc(PIECE)) != NULL) {
        memset(p, 0xa5, PIECE);
        before = newest;
        newest = p;
        mib++;
    }
    free(newest);
    free(before);
    printf("filled %u MiB\n", mib);
}

int main(int argc, char **argv)
{
    const char *sum_path = NULL, *cwd_dir = NULL;
    int want_errors = 0, want_fill = 0, want_libc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fill") == 0)
            want_fill = 1;
        else if (strcmp(argv[i], "--errors") == 0)
            want_errors = 1;
        else if (strcmp(argv[i], "--libc") == 0)
            want_libc = 1;
        else if (strcmp(argv[i], "--sum") == 0 && i + 1 < argc)
            sum_path = argv[++i];
        else if (strcmp(argv[i], "--cwd") == 0 && i + 1 < argc)
            cwd_dir = argv[++i];
    }
    if (want_fill)
        fill();
    printf("list /\n");
    list("/");
    if (sum_path)
        sum(sum_path);
    if (cwd_dir)
        cwd(cwd_dir);
    if (want_errors)
        errors();
    if (want_libc)
        libc();
    printf("initrd app: %d failure%s\n", failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
