/* anyvm/blk.h on the block device class (dev/blkdev.h).
 *
 * Handles (api/handle.h): the class tells api/ when a disk leaves
 * (blkdev_watch), and its handle then no longer reaches it.
 *
 * Asynchronous requests: the class's request lives in the app's request
 * (kernel_private). The class calls its done from the loop, but also from
 * inside blkdev_submit (a flush on a disk without a write cache) and from a
 * driver letting go of a removed disk (inside anyvm_device_remove), which
 * is no place to run the app's code: the app may be in the middle of a
 * batch of submits. So every completion is queued here and the app's done
 * runs from a work item of its own, always from the loop. */
#include <anyvm/blk.h>

#include <stdalign.h>
#include <string.h>

#include "api/app_errno.h"
#include "api/device_name.h"
#include "api/handle.h"
#include "core/event.h"
#include "dev/blkdev.h"
#include "klib/format.h"

struct anyvm_blk {
    struct api_handle h; /* h.obj: the struct blkdev, NULL once removed */
};

/* What a queued request keeps in its kernel_private. */
struct blk_private {
    struct blk_request req;              /* the class's; req.ctx: the handle */
    struct anyvm_blk_request *next_done; /* completed, waiting for done_work */
};
_Static_assert(sizeof(struct blk_private) <=
                   sizeof(((struct anyvm_blk_request *)0)->kernel_private),
               "struct blk_private must fit in anyvm_blk_request's kernel_private");
_Static_assert(alignof(struct blk_private) <= alignof(uint64_t),
               "kernel_private is aligned for uint64_t only");

static struct api_handles disks;

static void disk_removed(struct blkdev *bd)
{
    api_handle_forget(&disks, bd);
}

static struct blkdev_watcher watcher = {.removed = disk_removed};

static struct anyvm_blk *handle_of(struct blkdev *bd)
{
    static bool watching;
    if (!watching) {
        blkdev_watch(&watcher);
        watching = true;
    }
    struct api_handle *h = api_handle_of(&disks, bd, sizeof(struct anyvm_blk));
    return h ? (struct anyvm_blk *)h : app_fail_null(APP_ENOMEM);
}

/* The disk behind b; NULL with errno set when there is none. */
static struct blkdev *disk_of(struct anyvm_blk *b)
{
    if (b == NULL) {
        app_fail(APP_EINVAL);
        return NULL;
    }
    if (b->h.obj == NULL)
        app_fail(APP_ENODEV);
    return b->h.obj;
}

/* The class's statuses (dev/blkdev.h) as errno values. */
static int errno_of(int status)
{
    switch (status) {
    case 0:
        return 0;
    case BLK_EROFS:
        return APP_EROFS;
    case BLK_EINVAL:
        return APP_EINVAL;
    case BLK_EBUSY:
        return APP_EAGAIN;
    case BLK_EIO:
    default:
        return APP_EIO;
    }
}

struct anyvm_blk *anyvm_blk_next(struct anyvm_blk *prev)
{
    struct blkdev *bd = blkdev_first();
    if (prev != NULL) {
        struct blkdev *p = disk_of(prev);
        if (p == NULL)
            return NULL;
        bd = p->next;
    }
    return bd ? handle_of(bd) : NULL;
}

struct anyvm_blk *anyvm_blk_open(const char *name)
{
    struct blkdev *bd = blkdev_find(name);
    return bd ? handle_of(bd) : app_fail_null(APP_ENOENT);
}

int anyvm_blk_info(struct anyvm_blk *b, struct anyvm_blk_info *out)
{
    struct blkdev *bd = disk_of(b);
    if (bd == NULL)
        return -1;
    if (out == NULL)
        return app_fail(APP_EINVAL);
    memset(out, 0, sizeof *out);
    ksnprintf(out->name, sizeof out->name, "%s", bd->name);
    ksnprintf(out->driver, sizeof out->driver, "%s", bd->driver ? bd->driver : "");
    ksnprintf(out->serial, sizeof out->serial, "%s", bd->serial);
    out->sector_size = bd->sector_size;
    out->sectors = bd->capacity;
    out->read_only = bd->read_only;
    out->has_flush = bd->has_flush;
    api_device_name(bd->dev, out->device, sizeof out->device);
    return 0;
}

/* ---- synchronous transfers: the class's helpers ---- */

static int sync_result(struct anyvm_blk *b, int status)
{
    if (status == 0)
        return 0;
    /* Removed while the request waited: its driver failed it on the way. */
    return app_fail(b->h.obj == NULL ? APP_ENODEV : errno_of(status));
}

int anyvm_blk_read(struct anyvm_blk *b, uint64_t sector, void *buf, uint32_t count)
{
    struct blkdev *bd = disk_of(b);
    return bd ? sync_result(b, blkdev_read(bd, sector, buf, count)) : -1;
}

int anyvm_blk_write(struct anyvm_blk *b, uint64_t sector, const void *buf, uint32_t count)
{
    struct blkdev *bd = disk_of(b);
    return bd ? sync_result(b, blkdev_write(bd, sector, buf, count)) : -1;
}

int anyvm_blk_flush(struct anyvm_blk *b)
{
    struct blkdev *bd = disk_of(b);
    return bd ? sync_result(b, blkdev_flush(bd)) : -1;
}

/* ---- asynchronous requests ---- */

static struct anyvm_blk_request *done_first, **done_tail = &done_first;

static struct blk_private *private_of(struct anyvm_blk_request *r)
{
    return (struct blk_private *)r->kernel_private;
}

static struct anyvm_blk_request *request_of(struct blk_request *req)
{
    return (struct anyvm_blk_request *)((char *)req - offsetof(struct blk_private, req) -
                                        offsetof(struct anyvm_blk_request, kernel_private));
}

/* Runs the app's done for every request completed before this pass; one
 * completed meanwhile (a done that submits) waits for the next pass. */
static void run_done(struct work *w)
{
    (void)w;
    struct anyvm_blk_request *r = done_first;
    done_first = NULL;
    done_tail = &done_first;
    while (r != NULL) {
        struct blk_private *p = private_of(r);
        struct anyvm_blk_request *next = p->next_done; /* done may reuse r */
        struct anyvm_blk *b = p->req.ctx;
        if (r->error != 0 && b->h.obj == NULL)
            r->error = APP_ENODEV;
        r->done(r);
        r = next;
    }
}

static struct work done_work = WORK_INIT(run_done);

/* The class's completion: from the loop, or from inside a submit or a
 * removal. */
static void request_finished(struct blk_request *req)
{
    struct anyvm_blk_request *r = request_of(req);
    r->error = errno_of(req->status);
    private_of(r)->next_done = NULL;
    *done_tail = r;
    done_tail = &private_of(r)->next_done;
    work_queue(&done_work);
}

int anyvm_blk_submit(struct anyvm_blk *b, struct anyvm_blk_request *r)
{
    struct blkdev *bd = disk_of(b);
    if (bd == NULL)
        return -1;
    if (r == NULL || r->done == NULL)
        return app_fail(APP_EINVAL);
    enum blk_op op;
    switch (r->op) {
    case ANYVM_BLK_READ:
        op = BLK_READ;
        break;
    case ANYVM_BLK_WRITE:
        op = BLK_WRITE;
        break;
    case ANYVM_BLK_FLUSH:
        op = BLK_FLUSH;
        break;
    default:
        return app_fail(APP_EINVAL);
    }
    r->error = 0;
    struct blk_private *p = private_of(r);
    *p = (struct blk_private){.req = {.op = op,
                                      .sector = r->sector,
                                      .count = r->count,
                                      .buf = r->buf,
                                      .done = request_finished,
                                      .ctx = b}};
    int rc = blkdev_submit(bd, &p->req);
    return rc == 0 ? 0 : app_fail(errno_of(rc));
}
