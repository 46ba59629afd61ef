/* Block device class: registration under names blk0, blk1, ..., request
 * checks every driver relies on (range, read-only), the counters, and
 * synchronous helpers that wait with the CPU halted and give up after
 * BLKDEV_TIMEOUT_NS so a dead device cannot hang the kernel.
 *
 * Pure apart from the waiting: built with ANYVM_HOST_TEST for host unit
 * tests, which then supply the clock and the idling through the two hooks
 * below. */
#include "dev/blkdev.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/time.h"

#ifdef ANYVM_HOST_TEST
uint64_t (*blkdev_host_clock)(void);
void (*blkdev_host_idle)(uint64_t wake_ns);
static uint64_t clock_ns(void)
{
    return blkdev_host_clock ? blkdev_host_clock() : 0;
}
#else
#include "arch/x86_64/cpu.h"
static uint64_t clock_ns(void)
{
    return time_now_ns();
}
#endif

/* How often a waiter looks again even without an interrupt: covers devices
 * in polled mode and a lost interrupt, at little cost. */
#define BLKDEV_RECHECK_NS 2000000ull

static struct blkdev *devices;
static unsigned registered;

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
    snprintf(bd->name, sizeof bd->name, "blk%u", registered++);
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
    volatile bool finished;
};

static void sync_done(struct blk_request *req)
{
    ((struct sync_wait *)req->ctx)->finished = true;
}

#ifdef ANYVM_HOST_TEST
static bool irqs_enabled(void)
{
    return true;
}
static void idle_until(volatile bool *finished, uint64_t wake_ns)
{
    if (!*finished && blkdev_host_idle)
        blkdev_host_idle(wake_ns);
}
#else
static bool irqs_enabled(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return flags & 0x200;
}

static void wake(struct timer *t)
{
    (void)t;
}

/* Halts until an interrupt (the device's, or a timer at wake_ns); the flag is
 * checked with interrupts off so a completion cannot slip in before hlt. */
static void idle_until(volatile bool *finished, uint64_t wake_ns)
{
    struct timer t = {.fn = wake};
    timer_arm(&t, wake_ns);
    cpu_irq_disable();
    if (!*finished)
        cpu_irq_enable_and_halt();
    cpu_irq_enable();
    timer_cancel(&t);
}
#endif

/* One step of waiting: poll the driver, then sleep a little unless done.
 * With interrupts off (early boot) it only polls. */
static void wait_step(struct blkdev *bd, volatile bool *finished, uint64_t deadline, bool halt)
{
    if (bd->ops->poll)
        bd->ops->poll(bd);
    if (*finished || !halt)
        return;
    uint64_t now = clock_ns();
    uint64_t wake_ns = now + BLKDEV_RECHECK_NS;
    idle_until(finished, wake_ns < deadline ? wake_ns : deadline);
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
    bool halt = irqs_enabled();
    uint64_t deadline = clock_ns() + BLKDEV_TIMEOUT_NS;
    int rc;
    while ((rc = blkdev_submit(bd, &w->req)) == BLK_EBUSY) {
        if (clock_ns() >= deadline) {
            kprintf("%s: %s at sector %lu: device queue still full after %lu ms\n", bd->name,
                    op_name(op), (unsigned long)sector,
                    (unsigned long)(BLKDEV_TIMEOUT_NS / 1000000));
            free(w);
            return BLK_EIO;
        }
        bool never = false;
        wait_step(bd, &never, deadline, halt);
    }
    if (rc != 0) {
        free(w);
        return rc;
    }
    while (!w->finished) {
        if (clock_ns() >= deadline) {
            kprintf("%s: %s of %u sectors at %lu: no answer from the device after %lu ms; "
                    "request abandoned\n",
                    bd->name, op_name(op), count, (unsigned long)sector,
                    (unsigned long)(BLKDEV_TIMEOUT_NS / 1000000));
            bd->stats.errors++;
            return BLK_EIO; /* w stays allocated: the driver still points at it */
        }
        wait_step(bd, &w->finished, deadline, halt);
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
