/* Disks, for apps (implemented in the kernel's api/ on the block device
 * class): whichever driver runs a disk (virtio-blk today; storvsc and
 * pvscsi later), an app sees the same calls. A handle stays valid after its
 * disk is removed: every call on it then fails with ENODEV. */
#ifndef ANYVM_BLK_H
#define ANYVM_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <anyvm/devices.h>

#ifdef __cplusplus
extern "C" {
#endif

struct anyvm_blk;

struct anyvm_blk_info {
    char name[16];        /* "blk0" */
    char driver[32];      /* "virtio-blk" */
    char serial[24];      /* the disk's identification, "" when it has none */
    uint32_t sector_size; /* bytes, a power of two from 512 */
    uint64_t sectors;
    bool read_only;
    bool has_flush;                     /* writes may be cached until anyvm_blk_flush */
    char device[ANYVM_DEVICE_NAME_MAX]; /* the device behind it (anyvm/devices.h), or "" */
};

/* The disks: the first (prev NULL) or the one after prev; NULL at the end,
 * or with errno ENODEV when prev was removed. */
struct anyvm_blk *anyvm_blk_next(struct anyvm_blk *prev);
/* The disk named name ("blk0"), or NULL with errno ENOENT. */
struct anyvm_blk *anyvm_blk_open(const char *name);
int anyvm_blk_info(struct anyvm_blk *b, struct anyvm_blk_info *out);

/* Synchronous transfers of count sectors from sector (buf holds count *
 * sector_size bytes): 0, or -1 with errno EIO (the device failed it, or did
 * not answer within 5 s), EROFS (a write to a read-only disk), EINVAL
 * (beyond the disk, or count 0), ENODEV (the disk was removed). Other
 * device work (completions, received frames) runs meanwhile, as it does
 * while the app waits (anyvm/wait.h). */
int anyvm_blk_read(struct anyvm_blk *b, uint64_t sector, void *buf, uint32_t count);
int anyvm_blk_write(struct anyvm_blk *b, uint64_t sector, const void *buf, uint32_t count);
int anyvm_blk_flush(struct anyvm_blk *b);

/* Asynchronous requests: anyvm_blk_submit queues r and returns 0 (r->done
 * is then called exactly once, from the kernel's loop while the app waits:
 * anyvm/wait.h; never from inside anyvm_blk_submit), or returns -1 with
 * errno as above, or EAGAIN (the device's queue is full: wait for a
 * completion and submit again), and never calls done. r, and buf, belong
 * to the kernel until done is called. A request still in flight when its
 * disk is removed finishes with ENODEV. */
enum anyvm_blk_op { ANYVM_BLK_READ, ANYVM_BLK_WRITE, ANYVM_BLK_FLUSH };
struct anyvm_blk_request {
    enum anyvm_blk_op op;
    uint64_t sector;
    uint32_t count;
    void *buf;
    int error; /* set before done(): 0 or an errno value */
    void (*done)(struct anyvm_blk_request *r);
    void *ctx;                  /* the app's */
    uint64_t kernel_private[8]; /* the kernel's while the request is queued */
};
int anyvm_blk_submit(struct anyvm_blk *b, struct anyvm_blk_request *r);

#ifdef __cplusplus
}
#endif

#endif
