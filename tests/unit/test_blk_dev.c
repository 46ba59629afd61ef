/* dev/blkdev.c with a fake driver: names, request checks (range, read-only,
 * flush without a cache), counters, and the synchronous helpers' handling of
 * a busy queue, device errors and a device that never answers. They wait
 * through the real event loop (core/event.c) on the fake CPU of
 * tests/unit/host_platform.c: the fake device "interrupts" when the loop
 * halts, and its work completes the requests, as a driver's would. */
#include <stdint.h>

#include "core/event.h"
#include "dev/blkdev.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

/* ---- the fake driver ---- */
#define FAKE_DEPTH 4
static struct blk_request *pending[FAKE_DEPTH];
static unsigned npending, submits, completions_run;
static int busy_answers;  /* submits to answer BLK_EBUSY first */
static bool dead;         /* never completes anything */
static int device_status; /* status for completions */
static struct blkdev *fake_bd;

static int fake_submit(struct blkdev *bd, struct blk_request *req)
{
    (void)bd;
    submits++;
    if (busy_answers > 0) {
        busy_answers--;
        return BLK_EBUSY;
    }
    if (npending == FAKE_DEPTH)
        return BLK_EBUSY;
    pending[npending++] = req;
    return 0;
}

/* The driver's completion work (event-loop context). */
static void fake_complete(struct work *w)
{
    (void)w;
    completions_run++;
    while (npending) {
        struct blk_request *req = pending[--npending];
        if (req->op == BLK_READ && device_status == 0)
            memset(req->buf, 0x5a, (size_t)req->count * fake_bd->sector_size);
        blkdev_complete(fake_bd, req, device_status);
    }
}
static struct work fake_work = WORK_INIT(fake_complete);

/* The device's interrupt: it has finished what it holds. */
static bool fake_interrupt(void)
{
    if (dead || npending == 0)
        return false;
    work_queue(&fake_work);
    return true;
}

static const struct blkdev_ops fake_ops = {.submit = fake_submit};

static struct blkdev *new_disk(uint64_t capacity, bool ro, bool flush)
{
    struct blkdev *bd = calloc(1, sizeof *bd);
    bd->driver = "fake";
    bd->sector_size = 512;
    bd->capacity = capacity;
    bd->read_only = ro;
    bd->has_flush = flush;
    bd->ops = &fake_ops;
    return bd;
}

static void reset(void)
{
    host_platform_reset();
    host_device_interrupt = fake_interrupt;
    npending = submits = completions_run = 0;
    busy_answers = 0;
    dead = false;
    device_status = 0;
}

static struct blkdev *setup(bool ro, bool flush)
{
    reset();
    fake_bd = new_disk(1000, ro, flush);
    if (blkdev_register(fake_bd) != 0)
        abort();
    return fake_bd;
}

static int done_calls;
static void count_done(struct blk_request *req)
{
    (void)req;
    done_calls++;
}

/* Registration order numbers the disks; this runs first (tests run in
 * definition order). */
TEST(names_and_lookup)
{
    reset();
    struct blkdev *a = new_disk(10, false, false), *b = new_disk(20, true, false);
    CHECK_EQ(blkdev_register(a), 0);
    CHECK_EQ(blkdev_register(b), 0);
    CHECK_STR(a->name, "blk0");
    CHECK_STR(b->name, "blk1");
    CHECK(blkdev_find("blk1") == b);
    CHECK(blkdev_find("blk9") == NULL);
    CHECK(blkdev_find(NULL) == NULL);
    CHECK(blkdev_first() == a);
    CHECK(LOG_CONTAINS("blk1: fake, 20 sectors of 512 bytes"));
    CHECK(LOG_CONTAINS("read-only"));
}

TEST(bad_registrations_refused)
{
    struct blkdev *bd = new_disk(10, false, false);
    bd->sector_size = 520;
    CHECK_EQ(blkdev_register(bd), -1);
    bd->sector_size = 256;
    CHECK_EQ(blkdev_register(bd), -1);
    bd->sector_size = 512;
    bd->ops = NULL;
    CHECK_EQ(blkdev_register(bd), -1);
    CHECK_EQ(blkdev_register(NULL), -1);
    free(bd);
}

TEST(range_checked)
{
    struct blkdev *bd = setup(false, false);
    uint8_t buf[512];
    struct blk_request r = {.op = BLK_READ, .sector = 1000, .count = 1, .buf = buf};
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EINVAL);
    r.sector = 999;
    r.count = 2;
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EINVAL);
    r.count = 0;
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EINVAL);
    r.sector = UINT64_MAX;
    r.count = 2; /* sector + count wraps around */
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EINVAL);
    r.sector = 0;
    r.count = 1;
    r.buf = NULL;
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EINVAL);
    r.op = (enum blk_op)7;
    r.buf = buf;
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EINVAL);
    CHECK_EQ(submits, 0u);
    CHECK(LOG_CONTAINS("outside the device's 1000 sectors"));
    r.op = BLK_READ;
    r.sector = 999;
    r.count = 1;
    CHECK_EQ(blkdev_submit(bd, &r), 0); /* the last sector is fine */
    CHECK_EQ(submits, 1u);
    CHECK_EQ(bd->stats.errors, 6u);
}

TEST(write_to_read_only_refused_loudly)
{
    struct blkdev *bd = setup(true, false);
    uint8_t buf[512] = {0};
    done_calls = 0;
    struct blk_request r = {.op = BLK_WRITE, .count = 1, .buf = buf, .done = count_done};
    CHECK_EQ(blkdev_submit(bd, &r), BLK_EROFS);
    CHECK_EQ(blkdev_write(bd, 0, buf, 1), BLK_EROFS);
    CHECK_EQ(submits, 0u);
    CHECK_EQ(done_calls, 0);
    CHECK(LOG_CONTAINS("refused: device is read-only"));
    CHECK_EQ(bd->stats.errors, 2u);
    CHECK_EQ(blkdev_read(bd, 0, buf, 1), 0); /* reads are fine */
}

TEST(flush_without_cache_completes_at_once)
{
    struct blkdev *bd = setup(false, false);
    done_calls = 0;
    struct blk_request r = {.op = BLK_FLUSH, .done = count_done};
    CHECK_EQ(blkdev_submit(bd, &r), 0);
    CHECK_EQ(done_calls, 1);
    CHECK_EQ(r.status, 0);
    CHECK_EQ(blkdev_flush(bd), 0);
    CHECK_EQ(submits, 0u);
    bd = setup(false, true);
    CHECK_EQ(blkdev_flush(bd), 0);
    CHECK_EQ(submits, 1u);
    CHECK_EQ(bd->stats.flushes, 1u);
}

TEST(sync_read_and_counters)
{
    struct blkdev *bd = setup(false, false);
    uint8_t buf[1024];
    memset(buf, 0, sizeof buf);
    CHECK_EQ(blkdev_read(bd, 10, buf, 2), 0);
    CHECK_EQ(buf[0], 0x5a);
    CHECK_EQ(buf[1023], 0x5a);
    CHECK_EQ(blkdev_write(bd, 10, buf, 2), 0);
    CHECK_EQ(bd->stats.reads, 1u);
    CHECK_EQ(bd->stats.writes, 1u);
    CHECK_EQ(bd->stats.bytes_read, 1024u);
    CHECK_EQ(bd->stats.bytes_written, 1024u);
    CHECK_EQ(bd->stats.errors, 0u);
}

TEST(sync_retries_a_busy_queue)
{
    struct blkdev *bd = setup(false, false);
    uint8_t buf[512];
    busy_answers = 3;
    CHECK_EQ(blkdev_read(bd, 0, buf, 1), 0);
    CHECK_EQ(submits, 4u);
    CHECK_EQ(bd->stats.errors, 0u);
    /* A queue that stays full gives up after the timeout. */
    busy_answers = 1000000;
    uint64_t t0 = host_now_ns;
    CHECK_EQ(blkdev_read(bd, 0, buf, 1), BLK_EIO);
    CHECK(host_now_ns - t0 >= BLKDEV_TIMEOUT_NS);
    CHECK(LOG_CONTAINS("queue still full"));
}

TEST(device_error_propagates)
{
    struct blkdev *bd = setup(false, false);
    uint8_t buf[512];
    device_status = BLK_EIO;
    CHECK_EQ(blkdev_read(bd, 0, buf, 1), BLK_EIO);
    CHECK_EQ(bd->stats.errors, 1u);
    CHECK_EQ(bd->stats.reads, 0u);
}

TEST(dead_device_times_out)
{
    struct blkdev *bd = setup(false, false);
    uint8_t buf[512];
    dead = true;
    uint64_t t0 = host_now_ns;
    CHECK_EQ(blkdev_read(bd, 5, buf, 1), BLK_EIO);
    CHECK_EQ(host_now_ns - t0, BLKDEV_TIMEOUT_NS); /* exactly the timeout */
    CHECK(host_idles >= 1 && host_idles <= 2);     /* it halted until then, never spun */
    CHECK(LOG_CONTAINS("no answer from the device"));
    /* The abandoned request completes late: harmless, its memory was kept. */
    CHECK_EQ(npending, 1u);
    struct blk_request *late = pending[0];
    dead = false;
    fake_complete(&fake_work);
    CHECK_EQ(npending, 0u);
    CHECK_EQ(late->status, 0);
    free(late); /* the kernel keeps it forever; the test tidies up for LeakSanitizer */
}

UNIT_MAIN()
