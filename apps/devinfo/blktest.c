/* Block actions for the host tests:
 *   verify: the first `units` 512-byte units hold pattern `tag` (pattern.c);
 *           read in chunks with several requests in flight at once;
 *   write:  write pattern `tag` there (synchronous writes), flush, read back;
 *   rotest: a write to a read-only device must be refused with an error.
 * Each prints one "devinfo: PASS ..." or "devinfo: FAIL ..." line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anyvm/wait.h>

#include "devinfo.h"

#define CHUNK_BYTES (32 * 1024)
#define IN_FLIGHT 4
#define IO_TIMEOUT_NS 10000000000ull

/* What the actions need to know of a disk; false after a FAIL line. */
static bool describe(struct anyvm_blk *b, const char *what, struct anyvm_blk_info *in)
{
    if (anyvm_blk_info(b, in) == 0)
        return true;
    printf("devinfo: FAIL %s: the disk is gone (%d)\n", what, -errno);
    return false;
}

/* Converts units of 512 bytes to device sectors; 0 when they do not map. */
static int units_to_sectors(const struct anyvm_blk_info *in, uint64_t units, uint64_t *sectors)
{
    uint32_t per = in->sector_size / PATTERN_UNIT;
    if (units == 0 || units % per != 0 || units / per > in->sectors) {
        printf("devinfo: FAIL %s: %lu units of 512 bytes are not a whole number of its %u-byte "
               "sectors within its %lu sectors\n",
               in->name, (unsigned long)units, in->sector_size, (unsigned long)in->sectors);
        return -1;
    }
    *sectors = units / per;
    return 0;
}

/* A chunk's request is in flight while busy; once done ran, unchecked
 * until its result was looked at. done runs from the kernel's loop, only
 * while devinfo waits. */
struct chunk {
    struct anyvm_blk_request req;
    uint8_t *buf;
    bool busy;
    bool unchecked;
};

static void chunk_done(struct anyvm_blk_request *req)
{
    struct chunk *k = req->ctx;
    k->busy = false;
    k->unchecked = true;
}

/* A request finished (its chunk waits to be checked), or none is left to
 * wait for. */
static bool some_finished(void *ctx)
{
    struct chunk *c = ctx;
    bool busy = false;
    for (int i = 0; i < IN_FLIGHT; i++) {
        if (c[i].unchecked)
            return true;
        busy |= c[i].busy;
    }
    return !busy;
}

/* A chunk is outstanding while its request runs or its result is unchecked. */
static bool outstanding(const struct chunk *c)
{
    for (int i = 0; i < IN_FLIGHT; i++)
        if (c[i].busy || c[i].unchecked)
            return true;
    return false;
}

static bool all_idle(void *ctx)
{
    struct chunk *c = ctx;
    for (int i = 0; i < IN_FLIGHT; i++)
        if (c[i].busy)
            return false;
    return true;
}

/* Reads [0, sectors) with up to IN_FLIGHT requests outstanding and checks
 * each chunk against the pattern. Returns 0, or -1 after a FAIL line. The
 * chunks live on the heap: after a timeout they are never freed, since the
 * kernel may still complete their requests. */
static int read_and_check(struct anyvm_blk *b, const struct anyvm_blk_info *in, uint64_t sectors,
                          char tag, const char *what)
{
    uint32_t per_chunk = CHUNK_BYTES / in->sector_size;
    if (per_chunk == 0)
        per_chunk = 1;
    uint32_t upb = in->sector_size / PATTERN_UNIT;
    struct chunk *c = calloc(IN_FLIGHT, sizeof *c);
    bool have_memory = c != NULL;
    for (int i = 0; have_memory && i < IN_FLIGHT; i++)
        have_memory = (c[i].buf = aligned_alloc(4096, (size_t)per_chunk * in->sector_size)) != NULL;
    if (!have_memory) {
        printf("devinfo: FAIL %s %s: no memory\n", what, in->name);
        for (int i = 0; c && i < IN_FLIGHT; i++)
            free(c[i].buf);
        free(c);
        return -1;
    }
    int result = 0;
    unsigned max_seen = 0;
    uint64_t next = 0;
    while (result == 0 && (next < sectors || outstanding(c))) {
        /* Check the chunks that finished. */
        for (int i = 0; i < IN_FLIGHT && result == 0; i++) {
            struct chunk *k = &c[i];
            if (!k->unchecked)
                continue;
            if (k->req.error != 0) {
                printf("devinfo: FAIL %s %s: read of sectors %lu+%u failed (%d)\n", what, in->name,
                       (unsigned long)k->req.sector, k->req.count, -k->req.error);
                result = -1;
                break;
            }
            long bad = pattern_check(k->buf, k->req.sector * upb, (size_t)k->req.count * upb, tag);
            if (bad >= 0) {
                uint64_t off = k->req.sector * in->sector_size + (uint64_t)bad;
                printf("devinfo: FAIL %s %s: byte %lu (512-byte unit %lu, offset %lu) is 0x%02x, "
                       "pattern %c wants something else\n",
                       what, in->name, (unsigned long)off, (unsigned long)(off / 512),
                       (unsigned long)(off % 512), k->buf[bad], tag);
                result = -1;
                break;
            }
            k->unchecked = false;
        }
        /* Reissue the idle ones as one batch: completions run only while
         * devinfo waits, so the kernel holds all of them at once even when
         * the device answers each before the next is submitted. */
        for (int i = 0; i < IN_FLIGHT && result == 0 && next < sectors; i++) {
            struct chunk *k = &c[i];
            if (k->busy || k->unchecked)
                continue;
            uint32_t n = sectors - next < per_chunk ? (uint32_t)(sectors - next) : per_chunk;
            k->req = (struct anyvm_blk_request){.op = ANYVM_BLK_READ,
                                                .sector = next,
                                                .count = n,
                                                .buf = k->buf,
                                                .done = chunk_done,
                                                .ctx = k};
            if (anyvm_blk_submit(b, &k->req) != 0) {
                if (errno == EAGAIN) /* the queue is full: try again later */
                    break;
                printf("devinfo: FAIL %s %s: submit of sectors %lu+%u refused (%d)\n", what,
                       in->name, (unsigned long)next, n, -errno);
                result = -1;
                break;
            }
            k->busy = true;
            next += n;
        }
        unsigned busy = 0;
        for (int i = 0; i < IN_FLIGHT; i++)
            busy += c[i].busy;
        if (busy > max_seen)
            max_seen = busy;
        if (result == 0 && !anyvm_wait_until(some_finished, c, anyvm_now_ns() + IO_TIMEOUT_NS)) {
            printf("devinfo: FAIL %s %s: no completion within %lu s\n", what, in->name,
                   (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
            return -1; /* the chunks stay allocated: the device may still write them */
        }
    }
    /* Even after a failure the buffers are freed only once the device is done. */
    if (!anyvm_wait_until(all_idle, c, anyvm_now_ns() + IO_TIMEOUT_NS)) {
        printf("devinfo: FAIL %s %s: requests still in flight after %lu s\n", what, in->name,
               (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
        return -1;
    }
    for (int i = 0; i < IN_FLIGHT; i++)
        free(c[i].buf);
    free(c);
    if (result == 0)
        printf("devinfo: %s %s: %lu sectors checked, up to %u in flight\n", what, in->name,
               (unsigned long)sectors, max_seen);
    return result;
}

int devinfo_verify(struct anyvm_blk *b, char tag, uint64_t units)
{
    struct anyvm_blk_info in;
    uint64_t sectors;
    if (!describe(b, "verify", &in) || units_to_sectors(&in, units, &sectors) != 0)
        return -1;
    if (read_and_check(b, &in, sectors, tag, "verify") != 0)
        return -1;
    printf("devinfo: PASS verify %s pattern %c, %lu units\n", in.name, tag, (unsigned long)units);
    return 0;
}

int devinfo_write(struct anyvm_blk *b, char tag, uint64_t units)
{
    struct anyvm_blk_info in;
    uint64_t sectors;
    if (!describe(b, "write", &in) || units_to_sectors(&in, units, &sectors) != 0)
        return -1;
    uint32_t per_chunk = CHUNK_BYTES / in.sector_size ? CHUNK_BYTES / in.sector_size : 1;
    uint32_t upb = in.sector_size / PATTERN_UNIT;
    uint8_t *buf = aligned_alloc(4096, (size_t)per_chunk * in.sector_size);
    if (buf == NULL) {
        printf("devinfo: FAIL write %s: no memory\n", in.name);
        return -1;
    }
    for (uint64_t s = 0; s < sectors;) {
        uint32_t n = sectors - s < per_chunk ? (uint32_t)(sectors - s) : per_chunk;
        pattern_fill(buf, s * upb, (size_t)n * upb, tag);
        if (anyvm_blk_write(b, s, buf, n) != 0) {
            printf("devinfo: FAIL write %s: sectors %lu+%u failed (%d)\n", in.name,
                   (unsigned long)s, n, -errno);
            free(buf);
            return -1;
        }
        s += n;
    }
    free(buf);
    if (anyvm_blk_flush(b) != 0) {
        printf("devinfo: FAIL write %s: flush failed (%d)\n", in.name, -errno);
        return -1;
    }
    printf("devinfo: write %s: %lu sectors written, flush %s\n", in.name, (unsigned long)sectors,
           in.has_flush ? "done" : "not needed (no write cache)");
    if (read_and_check(b, &in, sectors, tag, "read-back") != 0)
        return -1;
    printf("devinfo: PASS write %s pattern %c, %lu units, flushed\n", in.name, tag,
           (unsigned long)units);
    return 0;
}

/* Must never run: a refused request is not completed. */
static void never_done(struct anyvm_blk_request *req)
{
    ((struct chunk *)req->ctx)->busy = true;
}

static bool chunk_busy(void *ctx)
{
    return ((struct chunk *)ctx)->busy;
}

int devinfo_rotest(struct anyvm_blk *b)
{
    struct anyvm_blk_info in;
    if (!describe(b, "rotest", &in))
        return -1;
    if (!in.read_only) {
        printf("devinfo: FAIL rotest %s: the device is not marked read-only\n", in.name);
        return -1;
    }
    uint8_t *buf = aligned_alloc(4096, in.sector_size);
    if (buf == NULL)
        return -1;
    if (anyvm_blk_read(b, 0, buf, 1) != 0) {
        printf("devinfo: FAIL rotest %s: reading sector 0 failed (%d)\n", in.name, -errno);
        free(buf);
        return -1;
    }
    /* Writing back what is there: harmless even if it were wrongly accepted. */
    int sync_err = anyvm_blk_write(b, 0, buf, 1) == 0 ? 0 : errno;
    /* Should the write wrongly be queued, it refers to c and buf: both stay
     * until it finished, or forever when it never does. */
    struct chunk *c = calloc(1, sizeof *c);
    if (c == NULL) {
        free(buf);
        return -1;
    }
    c->req = (struct anyvm_blk_request){
        .op = ANYVM_BLK_WRITE, .sector = 0, .count = 1, .buf = buf, .done = never_done, .ctx = c};
    int async_err = anyvm_blk_submit(b, &c->req) == 0 ? 0 : errno;
    if (async_err == 0 && !anyvm_wait_until(chunk_busy, c, anyvm_now_ns() + IO_TIMEOUT_NS)) {
        printf("devinfo: FAIL rotest %s: a write was accepted and never finished\n", in.name);
        return -1;
    }
    bool completed = c->busy;
    free(c);
    free(buf);
    if (sync_err != EROFS || async_err != EROFS || completed) {
        printf("devinfo: FAIL rotest %s: write returned %d (synchronous) and %d (submit), "
               "%d expected\n",
               in.name, -sync_err, -async_err, -EROFS);
        return -1;
    }
    printf("devinfo: PASS rotest %s: write refused with error %d (read-only)\n", in.name,
           -sync_err);
    return 0;
}
