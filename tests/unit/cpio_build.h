/* Writing cpio newc archives in host tests, good ones and broken ones
 * (fs/cpio_newc.h has the layout). An archive is built in a struct
 * cpio_build: entries one after another, then the trailer. cb_entry takes
 * the usual fields; cb_raw writes any header text as given, to break it. */
#ifndef TESTS_UNIT_CPIO_BUILD_H
#define TESTS_UNIT_CPIO_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CB_MAX (1u << 20)

struct cpio_build {
    uint8_t *p; /* CB_MAX bytes */
    size_t len;
};

/* The numeric fields of one header, in the archive's order after the
 * magic; check is the 070702 checksum. */
struct cb_fields {
    uint32_t ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
        namesize, check;
};

static inline void cb_init(struct cpio_build *b)
{
    if (b->p == NULL)
        b->p = malloc(CB_MAX);
    if (b->p == NULL)
        abort();
    memset(b->p, 0, CB_MAX);
    b->len = 0;
}

static inline void cb_bytes(struct cpio_build *b, const void *p, size_t n)
{
    if (n > CB_MAX - b->len)
        abort();
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline void cb_pad(struct cpio_build *b)
{
    while (b->len % 4)
        cb_bytes(b, "", 1);
}

static inline void cb_header(struct cpio_build *b, const char *magic, const struct cb_fields *f)
{
    char h[111];
    snprintf(h, sizeof h, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic, f->ino,
             f->mode, f->uid, f->gid, f->nlink, f->mtime, f->filesize, f->devmajor, f->devminor,
             f->rdevmajor, f->rdevminor, f->namesize, f->check);
    cb_bytes(b, h, 110);
}

/* One whole entry: header, name (with its NUL) and data, each padded. */
static inline void cb_full(struct cpio_build *b, const char *magic, struct cb_fields f,
                           const char *name, const void *data)
{
    cb_header(b, magic, &f);
    cb_bytes(b, name, strlen(name) + 1);
    cb_pad(b);
    cb_bytes(b, data, f.filesize);
    cb_pad(b);
}

static inline uint32_t cb_sum(const void *data, uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += ((const uint8_t *)data)[i];
    return s;
}

static inline void cb_entry(struct cpio_build *b, const char *name, uint32_t mode, const void *data,
                            uint32_t size)
{
    static uint32_t ino = 100;
    struct cb_fields f = {.ino = ino++,
                          .mode = mode,
                          .nlink = (mode & 0170000) == 0040000 ? 2 : 1,
                          .mtime = 1700000000,
                          .filesize = size,
                          .namesize = (uint32_t)strlen(name) + 1};
    cb_full(b, "070701", f, name, data);
}

static inline void cb_file(struct cpio_build *b, const char *name, const char *text)
{
    cb_entry(b, name, 0100644, text, (uint32_t)strlen(text));
}

static inline void cb_dir(struct cpio_build *b, const char *name)
{
    cb_entry(b, name, 040755, "", 0);
}

static inline void cb_link(struct cpio_build *b, const char *name, const char *target)
{
    cb_entry(b, name, 0120777, target, (uint32_t)strlen(target));
}

static inline void cb_trailer(struct cpio_build *b)
{
    cb_entry(b, "TRAILER!!!", 0, "", 0);
}

#endif
