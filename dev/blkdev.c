/* Block device class: registration under names blk0, blk1, ..., request
 * checks every driver relies on (range, read-only), the counters, and
 * synchronous helpers that wait through the event loop's one wait primitive
 * (wait_until) and give up after BLKDEV_TIMEOUT_NS so a dead device cannot
 * hang the kernel. Pure logic apart from wait_until and the clock, which
 * host unit tests provide. */
#include "dev/blkdev.h"

#include <stdbool.h>
#include "klib/format.h"
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "core/log.h"
#include "core/time.h"

static struct blkdev *devices;
static unsigned registered;
static struct blkdev_watcher *watchers;

int blkdev_register(struct blkdev *bd)
{
    if (bd == NULL || bd->ops == NULL || bd->ops->submit == NULL) {
        kprintf("blkdev: registration without a submit operation refused\n");
        return -1;
    }
    if (bd->sector_size < 512 || bd->sector_size > 65536 ||
        (bd->sector_size & (bd->sector_size - 1)) != 0) {
        kprintf("blkdev: %s sector size %u refused (a power of two, 512 to 65536)\n",
                bd->driver ? bd->driver : "?", bd->sector_size);
        return -1;
    }
    ksnprintf(bd->name, sizeof bd->name, "blk%u", registered++);
    bd->next = NULL;
    struct blkdev **p = &devices;
    while (*p)
        p = &(*p)->next;
    *p = bd;
    uint64_t mib = bd->capacity / (1024 * 1024 / bd->sector_size);
    kprintf("%s: %s, %lu sectors of %u bytes (%lu MiB)%s%s%s%s\n", bd->name,
            bd->driver ? bd->driver : "?", (unsigned long)bd->capacity, bd->sector_size,
            (unsigned long)mib, bd->read_only ? ", read-only" : "",
            bd->has_flush ? ", write cache" : "", bd->serial[0] ? ", id " : "", bd->serial);
    return 0;
}

void blkdev_unregister(struct blkdev *bd)
{
    for (struct blkdev **p = &devices; *p; p = &(*p)->next) {
        if (*p == bd) {
            *p = bd->next;
            kprintf("%s: removed\n", bd->name);
            break;
        }
    }
    bd->next = NULL;
    for (struct blkdev_watcher *w = watchers; w; w = w->next)
        w->removed(bd);
}

void blkdev_watch(struct blkdev_watcher *w)
{
    w->next = watchers;
    watchers = w;
}

struct blkdev *blkdev_first(void)
{
    return devices;
}

struct blkdev *blkdev_find(const char *name)
{
    for (struct blkdev *bd = devices; bd; bd = bd->next)
        if (name && strcmp(bd->name, name) == 0)
            return bd;
    return NULL;
}

void blkdev_complete(struct blkdev *bd, struct blk_request *req, int status)
{
    bd->completions++;
    req->status = status;
    if (status != 0) {
        bd->stats.errors++;
    } else if (req->op == BLK_READ) {
        bd->stats.reads++;
        bd->stats.bytes_read += (uint64_t)req->count * bd->sector_size;
    } else if (req->op == BLK_WRITE) {
        bd->stats.writes++;
        bd->stats.bytes_written += (uint64_t)req->count * bd->sector_size;
    } else {
        bd->stats.flushes++;
    }
    if (req->done)
        req->done(req);
}

static const char *op_name(enum blk_op op)
{
    return op == BLK_READ ? "read" : op == BLK_WRITE ? "write" : "flush";
}

int blkdev_submit(struct blkdev *bd, struct blk_request *req)
{
    if (bd == NULL || req == NULL)
        return BLK_EINVAL;
    if (req->op != BLK_READ && req->op != BLK_WRITE && req->op != BLK_FLUSH) {
        kprintf("%s: request with unknown operation %d refused\n", bd->name, (int)req->op);
        bd->stats.errors++;
        return BLK_EINVAL;
    }
    if (req->op == BLK_WRITE && bd->read_only) {
        kprintf("%s: write of %u sectors at %lu refused: device is read-only\n", bd->name,
                req->count, (unsigned long)req->sector);
        bd->stats.errors++;
        return BLK_EROFS;
    }
    if (req->op == BLK_FLUSH) {
        if (!bd->has_flush) { /* no write cache: every write is already durable */
            blkdev_complete(bd, req, 0);
            return 0;
        }
    } else if (req->count == 0 || req->buf == NULL || req->sector >= bd->capacity ||
               req->count > bd->capacity - req->sector ||
               (uint64_t)req->count * bd->sector_size > 0xffffffffull) {
        kprintf("%s: %s of %u sectors at %lu refused: outside the device's %lu sectors or "
                "no buffer\n",
                bd->name, op_name(req->op), req->count, (unsigned long)req->sector,
                (unsigned long)bd->capacity);
        bd->stats.errors++;
        return BLK_EINVAL;
    }
    req->status = 1; /* not finished */
    int rc = bd->ops->submit(bd, req);
    if (rc != 0 && rc != BLK_EBUSY)
        bd->stats.errors++;
    return rc;
}

/* ---- synchronous helpers ---- */

/* Lives on the heap: when the device does not answer in time, the waiter
 * gives up but the driver still holds the request, so its memory must stay
 * valid (it is then deliberately never freed). */
struct sync_wait {
    struct blk_request req;
    bool finished;
};

static void sync_done(struct blk_request *req)
{
    ((struct sync_wait *)req->ctx)->finished = true;
}

static bool sync_finished(void *ctx)
{
    return ((struct sync_wait *)ctx)->finished;
}

/* A submit that found the device's queue full waits for any completion of
 * that device (it frees a slot), and tries again at least every
 * BLKDEV_BUSY_RETRY_NS in case the device was busy for another reason. */
#define BLKDEV_BUSY_RETRY_NS 1000000ull
struct busy_wait {
    const struct blkdev *bd;
    uint64_t completions;
};

static bool some_completion(void *ctx)
{
    struct busy_wait *b = ctx;
    return b->bd->completions != b->completions;
}

static int sync_request(struct blkdev *bd, enum blk_op op, uint64_t sector, void *buf,
                        uint32_t count)
{
    if (bd == NULL)
        return BLK_EINVAL;
    if (op == BLK_FLUSH && !bd->has_flush)
        return 0;
    struct sync_wait *w = calloc(1, sizeof *w);
    if (w == NULL)
        return BLK_EIO;
    w->req = (struct blk_request){
        .op = op, .sector = sector, .count = count, .buf = buf, .done = sync_done, .ctx = w};
    uint64_t deadline = time_now_ns() + BLKDEV_TIMEOUT_NS;
    int rc;
    for (;;) {
        struct busy_wait busy = {bd, bd->completions};
        rc = blkdev_submit(bd, &w->req);
        if (rc != BLK_EBUSY)
            break;
        uint64_t now = time_now_ns();
        if (now >= deadline) {
            kprintf("%s: %s at sector %lu: device queue still full after %lu ms\n", bd->name,
                    op_name(op), (unsigned long)sector,
                    (unsigned long)(BLKDEV_TIMEOUT_NS / 1000000));
            free(w);
            return BLK_EIO;
        }
        uint64_t retry = now + BLKDEV_BUSY_RETRY_NS;
        wait_until(some_completion, &busy, retry < deadline ? retry : deadline);
    }
    if (rc != 0) {
        free(w);
        return rc;
    }
    if (!wait_until(sync_finished, w, deadline)) {
        kprintf("%s: %s of %u sectors at %lu: no answer from the device after %lu ms; "
                "request abandoned\n",
                bd->name, op_name(op), count, (unsigned long)sector,
                (unsigned long)(BLKDEV_TIMEOUT_NS / 1000000));
        bd->stats.errors++;
        return BLK_EIO; /* w stays allocated: the driver still points at it */
    }
    rc = w->req.status;
    free(w);
    return rc;
}

int blkdev_read(struct blkdev *bd, uint64_t sector, void *buf, uint32_t count)
{
    return sync_request(bd, BLK_READ, sector, buf, count);
}

int blkdev_write(struct blkdev *bd, uint64_t sector, const void *buf, uint32_t count)
{
    /* The request type has one non-const buffer for both directions; a write
     * only reads it. */
    return sync_request(bd, BLK_WRITE, sector, (void *)buf, count);
}

int blkdev_flush(struct blkdev *bd)
{
    return sync_request(bd, BLK_FLUSH, 0, NULL, 0);
}
