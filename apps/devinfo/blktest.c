/* Block actions for the host tests:
 *   verify: the first `units` 512-byte units hold pattern `tag` (pattern.c);
 *           read in chunks with several requests in flight at once;
 *   write:  write pattern `tag` there (synchronous writes), flush, read back;
 *   rotest: a write to a read-only device must be refused with an error.
 * Each prints one "devinfo: PASS ..." or "devinfo: FAIL ..." line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/devinfo/devinfo.h"
#include "core/event.h"
#include "core/time.h"
#include "arch/x86_64/cpu.h"

#define CHUNK_BYTES (32 * 1024)
#define IN_FLIGHT 4
#define IO_TIMEOUT_NS 10000000000ull

/* Converts units of 512 bytes to device sectors; 0 when they do not map. */
static int units_to_sectors(struct blkdev *bd, uint64_t units, uint64_t *sectors)
{
    uint32_t per = bd->sector_size / PATTERN_UNIT;
    if (units == 0 || units % per != 0 || units / per > bd->capacity) {
        printf("devinfo: FAIL %s: %lu units of 512 bytes are not a whole number of its %u-byte "
               "sectors within its %lu sectors\n",
               bd->name, (unsigned long)units, bd->sector_size, (unsigned long)bd->capacity);
        return -1;
    }
    *sectors = units / per;
    return 0;
}

struct chunk {
    struct blk_request req;
    uint8_t *buf;
    volatile bool busy;
};

static void chunk_done(struct blk_request *req)
{
    ((struct chunk *)req->ctx)->busy = false;
}

static bool some_idle(void *ctx)
{
    struct chunk *c = ctx;
    for (int i = 0; i < IN_FLIGHT; i++)
        if (!c[i].busy)
            return true;
    return false;
}

/* A chunk is outstanding while its request runs or its result is unchecked. */
static bool outstanding(const struct chunk *c)
{
    for (int i = 0; i < IN_FLIGHT; i++)
        if (c[i].busy || c[i].req.done)
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
 * each chunk against the pattern. Returns 0, or -1 after a FAIL line. */
static int read_and_check(struct blkdev *bd, uint64_t sectors, char tag, const char *what)
{
    struct chunk c[IN_FLIGHT];
    uint32_t per_chunk = CHUNK_BYTES / bd->sector_size;
    if (per_chunk == 0)
        per_chunk = 1;
    uint32_t upb = bd->sector_size / PATTERN_UNIT;
    memset(c, 0, sizeof c);
    for (int i = 0; i < IN_FLIGHT; i++) {
        c[i].buf = aligned_alloc(4096, (size_t)per_chunk * bd->sector_size);
        if (c[i].buf == NULL) {
            printf("devinfo: FAIL %s %s: no memory\n", what, bd->name);
            return -1;
        }
    }
    int result = 0;
    unsigned max_seen = 0;
    uint64_t next = 0;
    while (result == 0 && (next < sectors || outstanding(c))) {
        /* Check the chunks that finished. */
        for (int i = 0; i < IN_FLIGHT && result == 0; i++) {
            struct chunk *k = &c[i];
            if (k->busy || k->req.done == NULL)
                continue;
            if (k->req.status != 0) {
                printf("devinfo: FAIL %s %s: read of sectors %lu+%u failed (%d)\n", what, bd->name,
                       (unsigned long)k->req.sector, k->req.count, k->req.status);
                result = -1;
                break;
            }
            long bad = pattern_check(k->buf, k->req.sector * upb, (size_t)k->req.count * upb, tag);
            if (bad >= 0) {
                uint64_t off = k->req.sector * bd->sector_size + (uint64_t)bad;
                printf("devinfo: FAIL %s %s: byte %lu (512-byte unit %lu, offset %lu) is 0x%02x, "
                       "pattern %c wants something else\n",
                       what, bd->name, (unsigned long)off, (unsigned long)(off / 512),
                       (unsigned long)(off % 512), k->buf[bad], tag);
                result = -1;
                break;
            }
            k->req.done = NULL;
        }
        /* Reissue the idle ones as one batch with interrupts off, so the
         * driver holds several requests at once even when the device answers
         * each before the next is submitted. */
        cpu_irq_disable();
        for (int i = 0; i < IN_FLIGHT && result == 0 && next < sectors; i++) {
            struct chunk *k = &c[i];
            if (k->busy || k->req.done != NULL)
                continue;
            uint32_t n = sectors - next < per_chunk ? (uint32_t)(sectors - next) : per_chunk;
            k->req = (struct blk_request){.op = BLK_READ,
                                          .sector = next,
                                          .count = n,
                                          .buf = k->buf,
                                          .done = chunk_done,
                                          .ctx = k};
            k->busy = true;
            int rc = blkdev_submit(bd, &k->req);
            if (rc == BLK_EBUSY) { /* the queue is full: try again later */
                k->busy = false;
                k->req.done = NULL;
                break;
            }
            if (rc != 0) {
                k->busy = false;
                k->req.done = NULL;
                printf("devinfo: FAIL %s %s: submit of sectors %lu+%u refused (%d)\n", what,
                       bd->name, (unsigned long)next, n, rc);
                result = -1;
                break;
            }
            next += n;
        }
        unsigned busy = 0;
        for (int i = 0; i < IN_FLIGHT; i++)
            busy += c[i].busy;
        cpu_irq_enable();
        if (busy > max_seen)
            max_seen = busy;
        if (result == 0 && !wait_until(some_idle, c, time_now_ns() + IO_TIMEOUT_NS)) {
            printf("devinfo: FAIL %s %s: no completion within %lu s\n", what, bd->name,
                   (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
            return -1; /* buffers stay allocated: the device may still write them */
        }
    }
    /* Even after a failure the buffers are freed only once the device is done. */
    if (!wait_until(all_idle, c, time_now_ns() + IO_TIMEOUT_NS)) {
        printf("devinfo: FAIL %s %s: requests still in flight after %lu s\n", what, bd->name,
               (unsigned long)(IO_TIMEOUT_NS / 1000000000ull));
        return -1;
    }
    for (int i = 0; i < IN_FLIGHT; i++)
        free(c[i].buf);
    if (result == 0)
        printf("devinfo: %s %s: %lu sectors checked, up to %u in flight\n", what, bd->name,
               (unsigned long)sectors, max_seen);
    return result;
}

int devinfo_verify(struct blkdev *bd, char tag, uint64_t units)
{
    uint64_t sectors;
    if (units_to_sectors(bd, units, &sectors) != 0)
        return -1;
    if (read_and_check(bd, sectors, tag, "verify") != 0)
        return -1;
    printf("devinfo: PASS verify %s pattern %c, %lu units\n", bd->name, tag, (unsigned long)units);
    return 0;
}

int devinfo_write(struct blkdev *bd, char tag, uint64_t units)
{
    uint64_t sectors;
    if (units_to_sectors(bd, units, &sectors) != 0)
        return -1;
    uint32_t per_chunk = CHUNK_BYTES / bd->sector_size ? CHUNK_BYTES / bd->sector_size : 1;
    uint32_t upb = bd->sector_size / PATTERN_UNIT;
    uint8_t *buf = aligned_alloc(4096, (size_t)per_chunk * bd->sector_size);
    if (buf == NULL) {
        printf("devinfo: FAIL write %s: no memory\n", bd->name);
        return -1;
    }
    for (uint64_t s = 0; s < sectors;) {
        uint32_t n = sectors - s < per_chunk ? (uint32_t)(sectors - s) : per_chunk;
        pattern_fill(buf, s * upb, (size_t)n * upb, tag);
        int rc = blkdev_write(bd, s, buf, n);
        if (rc != 0) {
            printf("devinfo: FAIL write %s: sectors %lu+%u failed (%d)\n", bd->name,
                   (unsigned long)s, n, rc);
            free(buf);
            return -1;
        }
        s += n;
    }
    free(buf);
    int rc = blkdev_flush(bd);
    if (rc != 0) {
        printf("devinfo: FAIL write %s: flush failed (%d)\n", bd->name, rc);
        return -1;
    }
    printf("devinfo: write %s: %lu sectors written, flush %s\n", bd->name, (unsigned long)sectors,
           bd->has_flush ? "done" : "not needed (no write cache)");
    if (read_and_check(bd, sectors, tag, "read-back") != 0)
        return -1;
    printf("devinfo: PASS write %s pattern %c, %lu units, flushed\n", bd->name, tag,
           (unsigned long)units);
    return 0;
}

/* Must never run: a refused request is not completed. */
static void never_done(struct blk_request *req)
{
    ((struct chunk *)req->ctx)->busy = true;
}

static bool chunk_busy(void *ctx)
{
    return ((struct chunk *)ctx)->busy;
}

int devinfo_rotest(struct blkdev *bd)
{
    if (!bd->read_only) {
        printf("devinfo: FAIL rotest %s: the device is not marked read-only\n", bd->name);
        return -1;
    }
    uint8_t *buf = aligned_alloc(4096, bd->sector_size);
    if (buf == NULL)
        return -1;
    int rc = blkdev_read(bd, 0, buf, 1);
    if (rc != 0) {
        printf("devinfo: FAIL rotest %s: reading sector 0 failed (%d)\n", bd->name, rc);
        free(buf);
        return -1;
    }
    /* Writing back what is there: harmless even if it were wrongly accepted. */
    int sync_rc = blkdev_write(bd, 0, buf, 1);
    struct chunk c = {.buf = buf};
    c.req = (struct blk_request){
        .op = BLK_WRITE, .sector = 0, .count = 1, .buf = buf, .done = never_done, .ctx = &c};
    int async_rc = blkdev_submit(bd, &c.req);
    /* Should the write wrongly have been queued, wait for it: it refers to
     * c and buf. */
    if (async_rc == 0 && !wait_until(chunk_busy, &c, time_now_ns() + IO_TIMEOUT_NS)) {
        printf("devinfo: FAIL rotest %s: a write was accepted and never finished\n", bd->name);
        return -1;
    }
    free(buf);
    if (sync_rc != BLK_EROFS || async_rc != BLK_EROFS || c.busy) {
        printf("devinfo: FAIL rotest %s: write returned %d (synchronous) and %d (submit), "
               "%d expected\n",
               bd->name, sync_rc, async_rc, BLK_EROFS);
        return -1;
    }
    printf("devinfo: PASS rotest %s: write refused with error %d (read-only)\n", bd->name, sync_rc);
    return 0;
}
