/* Block device class: what file systems and apps see of any disk, whichever
 * driver is underneath (virtio-blk, pvscsi, storvsc, NVMe). */
#ifndef DEV_BLKDEV_H
#define DEV_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

struct blkdev;

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

/* An asynchronous request. The driver calls done() exactly once, from the
 * event loop (never in an interrupt handler: core/event.h), with status 0 or
 * a negative error. Several may be in flight at once. */
struct blk_request {
    enum blk_op op;
    uint64_t sector; /* in units of the device's sector_size */
    uint32_t count;  /* sectors */
    void *buf;       /* count * sector_size bytes, physically contiguous */
    int status;
    void (*done)(struct blk_request *req);
    void *ctx;
};

#define BLK_EIO (-5)
#define BLK_EROFS (-30)
#define BLK_EINVAL (-22)
#define BLK_EBUSY (-16)

struct blkdev_ops {
    /* Queues req; returns 0, or a negative error when it cannot be queued
     * (then done() is not called). Only blkdev_submit calls it, with a
     * request it has checked: a known operation, no write to a read-only
     * device, no flush without a write cache, a buffer, and sectors inside
     * the capacity whose bytes fit in 32 bits; drivers do not check again. */
    int (*submit)(struct blkdev *bd, struct blk_request *req);
};

struct blkdev_stats {
    uint64_t reads, writes, flushes, errors;
    uint64_t bytes_read, bytes_written;
};

struct device;

struct blkdev {
    char name[16]; /* "blk0", ... assigned at registration */
    const char *driver;
    struct device *dev; /* the device behind it (core/device.h), set by the driver */
    uint32_t sector_size;
    uint64_t capacity; /* sectors */
    bool read_only;
    bool has_flush;
    const struct blkdev_ops *ops;
    void *priv;
    struct blkdev_stats stats;
    char serial[24];      /* the device's identification string, "" when it has none */
    uint64_t completions; /* requests finished, any status (the class counts) */
    struct blkdev *next;
};

int blkdev_register(struct blkdev *bd);
/* Called by drivers before the device goes away (removal), after failing
 * what it still held; its name is not reused. */
void blkdev_unregister(struct blkdev *bd);

/* Told when a disk leaves the class (blkdev_unregister; its driver frees it
 * afterwards), so that whoever keeps pointers to it (api/blk.c's handles)
 * lets go of them. Thread context. */
struct blkdev_watcher {
    void (*removed)(struct blkdev *bd);
    struct blkdev_watcher *next;
};
void blkdev_watch(struct blkdev_watcher *w);
/* Called by drivers when a request finishes (status 0 or a negative error):
 * counts it and calls req->done. */
void blkdev_complete(struct blkdev *bd, struct blk_request *req, int status);
struct blkdev *blkdev_first(void);
struct blkdev *blkdev_find(const char *name);

/* Checks the request (range within capacity, write to a read-only device
 * refused with BLK_EROFS) and submits it. A flush on a device without a
 * write cache (has_flush false) has nothing to do: done() is called with 0
 * before blkdev_submit returns. */
int blkdev_submit(struct blkdev *bd, struct blk_request *req);
/* Synchronous helpers: submit and wait (wait_until, core/event.h). Return 0
 * or a negative error; a request the device has not finished after
 * BLKDEV_TIMEOUT_NS fails with BLK_EIO and a log line. Thread context. */
#define BLKDEV_TIMEOUT_NS 5000000000ull
int blkdev_read(struct blkdev *bd, uint64_t sector, void *buf, uint32_t count);
int blkdev_write(struct blkdev *bd, uint64_t sector, const void *buf, uint32_t count);
int blkdev_flush(struct blkdev *bd);

#endif
