/* fs/cpio_newc.h: the newc reader. Offsets are counted from the archive's
 * start and every size is compared with what is left before it is added,
 * so a field of 0xffffffff can neither wrap an offset nor reach past the
 * end. */
#include "fs/cpio_newc.h"

#include <string.h>

#define FIELD_LEN 8
#define NAME_SIZE_FIELD 11 /* namesize is the 12th field after the magic */
#define FIELDS 13

static const char trailer[] = "TRAILER!!!";

void cpio_newc_init(struct cpio_newc_reader *r, const void *base, size_t size)
{
    r->base = base;
    r->size = size;
    r->off = 0;
    r->ended = false;
    r->error = NULL;
    r->error_off = 0;
}

bool cpio_newc_magic(const void *base, size_t size)
{
    return size >= CPIO_MAGIC_LEN && (memcmp(base, "070701", CPIO_MAGIC_LEN) == 0 ||
                                      memcmp(base, "070702", CPIO_MAGIC_LEN) == 0);
}

static enum cpio_newc_result fail(struct cpio_newc_reader *r, const char *why, size_t at)
{
    r->error = why;
    r->error_off = at;
    return CPIO_ERROR;
}

/* Eight hexadecimal digits, either case, and nothing else. */
static bool hex8(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < FIELD_LEN; i++) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

static size_t pad4(size_t n)
{
    return (4 - (n & 3)) & 3;
}

static uint32_t byte_sum(const uint8_t *p, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += p[i];
    return sum;
}

enum cpio_newc_result cpio_newc_next(struct cpio_newc_reader *r, struct cpio_newc_entry *e)
{
    size_t at = r->off;
    if (r->ended)
        return CPIO_END;
    if (r->error != NULL)
        return CPIO_ERROR;
    if (at >= r->size)
        return fail(r, "it ends without a TRAILER!!! entry", at);
    size_t left = r->size - at;
    if (left < CPIO_HEADER_SIZE)
        return fail(r, "a header is cut short by the end of the archive", at);
    const uint8_t *h = r->base + at;
    if (!cpio_newc_magic(h, CPIO_HEADER_SIZE))
        return fail(r, "no newc magic (070701 or 070702) where a header should start", at);
    bool with_crc = h[5] == '2';
    uint32_t f[FIELDS];
    for (int i = 0; i < FIELDS; i++)
        if (!hex8(h + CPIO_MAGIC_LEN + i * FIELD_LEN, &f[i]))
            return fail(r, "a header field is not 8 hexadecimal digits", at);
    uint32_t namesize = f[NAME_SIZE_FIELD];
    if (namesize == 0)
        return fail(r, "an entry has a name size of 0 (the NUL counts)", at);
    left -= CPIO_HEADER_SIZE;
    if (namesize > left)
        return fail(r, "a name runs past the end of the archive", at);
    const char *name = (const char *)h + CPIO_HEADER_SIZE;
    if (name[namesize - 1] != '\0' || memchr(name, '\0', namesize - 1) != NULL)
        return fail(r, "a name does not end with its only NUL", at);
    size_t name_end = CPIO_HEADER_SIZE + namesize;
    size_t name_pad = pad4(name_end);
    left -= namesize;
    if (namesize == sizeof trailer && memcmp(name, trailer, sizeof trailer) == 0) {
        /* r->off: past the trailer's name and padding (what follows may be
         * zero padding, or another archive) */
        r->off = at + name_end + (name_pad < left ? name_pad : left);
        r->ended = true;
        return CPIO_END;
    }
    uint32_t filesize = f[6];
    if (name_pad > left || filesize > left - name_pad)
        return fail(r, "an entry's data runs past the end of the archive", at);
    left -= name_pad + filesize;
    size_t data_pad = pad4(filesize);
    /* The last entry's data padding may be missing only if no trailer
     * follows, which is an error of its own at the next call. */
    if (data_pad > left)
        data_pad = left;

    e->ino = f[0];
    e->mode = f[1];
    e->uid = f[2];
    e->gid = f[3];
    e->nlink = f[4];
    e->mtime = f[5];
    e->devmajor = f[7];
    e->devminor = f[8];
    e->rdevmajor = f[9];
    e->rdevminor = f[10];
    e->name = name;
    e->name_len = namesize - 1;
    e->data = h + name_end + name_pad;
    e->size = filesize;
    e->offset = at;
    e->checksum_ok = !with_crc || byte_sum(e->data, filesize) == f[12];
    r->off = at + name_end + name_pad + filesize + data_pad;
    return CPIO_ENTRY;
}
