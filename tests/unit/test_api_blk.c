/* api/blk.c (anyvm/blk.h) on the real block device class and event loop,
 * with a fake driver as in test_blk_dev.c: handles, the class's statuses as
 * errno values, asynchronous requests whose done runs from the loop (never
 * inside anyvm_blk_submit), and a disk removed while the app holds a handle
 * and has requests in flight (the disk's memory is freed: AddressSanitizer
 * would see any later use). */
#include <errno.h>
#include <stdint.h>

#include <anyvm/blk.h>
#include <anyvm/wait.h>

#include "core/device.h"
#include "core/event.h"
#include "dev/blkdev.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

/* ---- the fake driver: holds up to FAKE_DEPTH requests, completes them
 * all from its work item when the loop halts ---- */
#define FAKE_DEPTH 4
struct fake_disk {
    struct blkdev bd;
    struct blk_request *pending[FAKE_DEPTH];
    unsigned npending, submits;
    int status; /* of completions */
    bool dead;  /* never completes */
};
static struct fake_disk *active; /* the one the fake interrupt completes */

static int fake_submit(struct blkdev *bd, struct blk_request *req)
{
    struct fake_disk *d = bd->priv;
    d->submits++;
    if (d->npending == FAKE_DEPTH)
        return BLK_EBUSY;
    d->pending[d->npending++] = req;
    return 0;
}
static const struct blkdev_ops fake_ops = {.submit = fake_submit};

/* Completes in submission order, as one pass of a driver's work would. */
static void complete_all(struct fake_disk *d, int status)
{
    unsigned n = d->npending;
    d->npending = 0;
    for (unsigned i = 0; i < n; i++) {
        struct blk_request *req = d->pending[i];
        if (req->op == BLK_READ && status == 0)
            memset(req->buf, 0x5a, (size_t)req->count * d->bd.sector_size);
        blkdev_complete(&d->bd, req, status);
    }
}

static void fake_work_fn(struct work *w)
{
    (void)w;
    if (active)
        complete_all(active, active->status);
}
static struct work fake_work = WORK_INIT(fake_work_fn);

static bool fake_interrupt(void)
{
    if (active == NULL || active->dead || active->npending == 0)
        return false;
    work_queue(&fake_work);
    return true;
}

static struct fake_disk *new_disk(uint64_t sectors, bool ro, bool flush)
{
    host_platform_reset();
    host_device_interrupt = fake_interrupt;
    struct fake_disk *d = calloc(1, sizeof *d);
    d->bd.driver = "fake";
    d->bd.sector_size = 512;
    d->bd.capacity = sectors;
    d->bd.read_only = ro;
    d->bd.has_flush = flush;
    d->bd.ops = &fake_ops;
    d->bd.priv = d;
    snprintf(d->bd.serial, sizeof d->bd.serial, "SN-%lu", (unsigned long)sectors);
    if (blkdev_register(&d->bd) != 0)
        abort();
    active = d;
    return d;
}

/* What a driver does when its device goes away: fail what it holds, leave
 * the class, free the memory. */
static void remove_disk(struct fake_disk *d)
{
    complete_all(d, BLK_EIO);
    blkdev_unregister(&d->bd);
    if (active == d)
        active = NULL;
    free(d);
}

static struct anyvm_blk *handle(struct fake_disk *d)
{
    return anyvm_blk_open(d->bd.name);
}

/* ---- the app's requests ---- */
static unsigned done_calls;
static struct anyvm_blk_request *last_done;
static bool inside_submit;
static bool done_inside_submit;

static void count_done(struct anyvm_blk_request *r)
{
    done_calls++;
    last_done = r;
    done_inside_submit |= inside_submit;
}

static int submit(struct anyvm_blk *b, struct anyvm_blk_request *r)
{
    inside_submit = true;
    int rc = anyvm_blk_submit(b, r);
    inside_submit = false;
    return rc;
}

static bool all_done(void *ctx)
{
    return done_calls >= *(unsigned *)ctx;
}

static void reset_done(void)
{
    done_calls = 0;
    last_done = NULL;
    done_inside_submit = false;
}

TEST(handles_name_the_disks_in_order)
{
    struct fake_disk *a = new_disk(100, false, true), *b = new_disk(200, true, false);
    struct anyvm_blk *ha = anyvm_blk_next(NULL);
    CHECK(ha != NULL);
    struct anyvm_blk *hb = anyvm_blk_next(ha);
    CHECK(hb != NULL && hb != ha);
    CHECK(anyvm_blk_next(hb) == NULL);
    /* One handle per disk, however it was reached. */
    CHECK(handle(a) == ha);
    CHECK(handle(b) == hb);
    CHECK(anyvm_blk_next(NULL) == ha);

    struct anyvm_blk_info in;
    CHECK_EQ(anyvm_blk_info(hb, &in), 0);
    CHECK_STR(in.name, b->bd.name);
    CHECK_STR(in.driver, "fake");
    CHECK_STR(in.serial, "SN-200");
    CHECK_EQ(in.sector_size, 512u);
    CHECK_EQ(in.sectors, 200u);
    CHECK(in.read_only && !in.has_flush);
    CHECK_STR(in.device, ""); /* no device behind the fake */

    errno = 0;
    CHECK(anyvm_blk_open("blk99") == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK(anyvm_blk_open(NULL) == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(anyvm_blk_info(NULL, &in), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(anyvm_blk_info(ha, NULL), -1);
    CHECK_EQ(errno, EINVAL);
    remove_disk(a);
    remove_disk(b);
}

TEST(info_names_the_device_behind_the_disk)
{
    static const struct bus toy = {.name = "toy"};
    struct device dev = {.name = "slot 3", .bus = &toy};
    struct fake_disk *d = new_disk(8, false, false);
    d->bd.dev = &dev;
    struct anyvm_blk_info in;
    CHECK_EQ(anyvm_blk_info(handle(d), &in), 0);
    CHECK_STR(in.device, "toy slot 3");
    remove_disk(d);
}

TEST(synchronous_calls_map_the_class_statuses_to_errno)
{
    struct fake_disk *d = new_disk(100, false, true);
    struct anyvm_blk *b = handle(d);
    uint8_t buf[1024] = {0};
    CHECK_EQ(anyvm_blk_read(b, 98, buf, 2), 0);
    CHECK_EQ(buf[0], 0x5a);
    CHECK_EQ(buf[1023], 0x5a);
    CHECK_EQ(anyvm_blk_write(b, 0, buf, 1), 0);
    CHECK_EQ(anyvm_blk_flush(b), 0);

    errno = 0;
    CHECK_EQ(anyvm_blk_read(b, 99, buf, 2), -1); /* past the end */
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(anyvm_blk_read(b, 0, buf, 0), -1);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK_EQ(anyvm_blk_read(NULL, 0, buf, 1), -1);
    CHECK_EQ(errno, EINVAL);

    d->status = BLK_EIO; /* the device fails it */
    errno = 0;
    CHECK_EQ(anyvm_blk_read(b, 0, buf, 1), -1);
    CHECK_EQ(errno, EIO);
    d->status = BLK_EINVAL; /* virtio-blk's UNSUPP */
    CHECK_EQ(anyvm_blk_flush(b), -1);
    CHECK_EQ(errno, EINVAL);
    d->status = 0;

    d->dead = true; /* never answers: EIO at the class's timeout */
    uint64_t t0 = host_now_ns;
    errno = 0;
    CHECK_EQ(anyvm_blk_write(b, 0, buf, 1), -1);
    CHECK_EQ(errno, EIO);
    CHECK(host_now_ns - t0 >= BLKDEV_TIMEOUT_NS);
    free(d->pending[0]); /* the class keeps an abandoned request forever */
    d->npending = 0;
    remove_disk(d);

    struct fake_disk *ro = new_disk(10, true, false);
    errno = 0;
    CHECK_EQ(anyvm_blk_write(handle(ro), 0, buf, 1), -1);
    CHECK_EQ(errno, EROFS);
    CHECK_EQ(ro->submits, 0u);
    remove_disk(ro);
}

TEST(async_done_runs_from_the_loop_once_each)
{
    struct fake_disk *d = new_disk(100, false, true);
    struct anyvm_blk *b = handle(d);
    reset_done();
    uint8_t bufs[3][512];
    struct anyvm_blk_request r[3];
    for (int i = 0; i < 3; i++) {
        memset(bufs[i], 0, sizeof bufs[i]);
        r[i] = (struct anyvm_blk_request){.op = ANYVM_BLK_READ,
                                          .sector = (uint64_t)i,
                                          .count = 1,
                                          .buf = bufs[i],
                                          .done = count_done};
        CHECK_EQ(submit(b, &r[i]), 0);
    }
    CHECK_EQ(d->npending, 3u); /* all three held at once */
    CHECK_EQ(done_calls, 0u);  /* nothing runs until the app waits */
    unsigned want = 3;
    CHECK(anyvm_wait_until(all_done, &want, host_now_ns + 1000000000ull));
    CHECK_EQ(done_calls, 3u);
    CHECK(!done_inside_submit);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(r[i].error, 0);
        CHECK_EQ(bufs[i][0], 0x5a);
    }
    /* More passes call nobody again. */
    anyvm_wait_until(NULL, NULL, host_now_ns + 1000);
    CHECK_EQ(done_calls, 3u);

    /* A device error reaches done as EIO. */
    reset_done();
    d->status = BLK_EIO;
    r[0].error = 12345;
    CHECK_EQ(submit(b, &r[0]), 0);
    want = 1;
    CHECK(anyvm_wait_until(all_done, &want, host_now_ns + 1000000000ull));
    CHECK_EQ(r[0].error, EIO);
    remove_disk(d);
}

TEST(a_flush_without_cache_is_done_later_not_inside_submit)
{
    struct fake_disk *d = new_disk(100, false, false);
    reset_done();
    struct anyvm_blk_request r = {.op = ANYVM_BLK_FLUSH, .done = count_done};
    CHECK_EQ(submit(handle(d), &r), 0);
    CHECK_EQ(done_calls, 0u); /* the class completed it inside submit */
    unsigned want = 1;
    CHECK(anyvm_wait_until(all_done, &want, host_now_ns + 1000));
    CHECK_EQ(done_calls, 1u);
    CHECK(!done_inside_submit);
    CHECK_EQ(r.error, 0);
    CHECK_EQ(d->submits, 0u);
    remove_disk(d);
}

TEST(refused_submits_say_why_and_never_call_done)
{
    struct fake_disk *d = new_disk(100, false, true);
    struct anyvm_blk *b = handle(d);
    reset_done();
    uint8_t buf[512];
    struct anyvm_blk_request r[FAKE_DEPTH + 1];
    for (int i = 0; i <= FAKE_DEPTH; i++)
        r[i] = (struct anyvm_blk_request){
            .op = ANYVM_BLK_READ, .sector = 0, .count = 1, .buf = buf, .done = count_done};
    for (int i = 0; i < FAKE_DEPTH; i++)
        CHECK_EQ(submit(b, &r[i]), 0);
    errno = 0;
    CHECK_EQ(submit(b, &r[FAKE_DEPTH]), -1); /* the device's queue is full */
    CHECK_EQ(errno, EAGAIN);

    struct anyvm_blk_request bad = r[0];
    bad.sector = 100;
    CHECK_EQ(submit(b, &bad), -1);
    CHECK_EQ(errno, EINVAL);
    bad = r[0];
    bad.op = (enum anyvm_blk_op)7;
    CHECK_EQ(submit(b, &bad), -1);
    CHECK_EQ(errno, EINVAL);
    bad = r[0];
    bad.done = NULL;
    CHECK_EQ(submit(b, &bad), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(anyvm_blk_submit(b, NULL), -1);
    CHECK_EQ(errno, EINVAL);

    unsigned want = FAKE_DEPTH;
    CHECK(anyvm_wait_until(all_done, &want, host_now_ns + 1000000000ull));
    anyvm_wait_until(NULL, NULL, host_now_ns + 1000);
    CHECK_EQ(done_calls, (unsigned)FAKE_DEPTH); /* none for the refused ones */
    remove_disk(d);

    struct fake_disk *ro = new_disk(10, true, false);
    struct anyvm_blk_request w = {
        .op = ANYVM_BLK_WRITE, .sector = 0, .count = 1, .buf = buf, .done = count_done};
    CHECK_EQ(submit(handle(ro), &w), -1);
    CHECK_EQ(errno, EROFS);
    remove_disk(ro);
}

/* A done that submits again: the new request completes on a later pass. */
static struct anyvm_blk *chain_disk;
static unsigned chain_left;
static void chain_done(struct anyvm_blk_request *r)
{
    done_calls++;
    if (chain_left > 0 && r->error == 0) {
        chain_left--;
        r->sector++;
        if (anyvm_blk_submit(chain_disk, r) != 0)
            abort();
    }
}

TEST(done_may_submit_again)
{
    struct fake_disk *d = new_disk(100, false, true);
    chain_disk = handle(d);
    reset_done();
    chain_left = 3;
    uint8_t buf[512];
    struct anyvm_blk_request r = {
        .op = ANYVM_BLK_READ, .sector = 0, .count = 1, .buf = buf, .done = chain_done};
    CHECK_EQ(anyvm_blk_submit(chain_disk, &r), 0);
    unsigned want = 4;
    CHECK(anyvm_wait_until(all_done, &want, host_now_ns + 1000000000ull));
    CHECK_EQ(r.sector, 3u);
    CHECK_EQ(d->submits, 4u);
    remove_disk(d);
}

TEST(a_removed_disk_fails_its_requests_and_its_handle_with_ENODEV)
{
    struct fake_disk *d = new_disk(100, false, true);
    struct anyvm_blk *b = handle(d);
    char name[16];
    snprintf(name, sizeof name, "%s", d->bd.name);
    reset_done();
    uint8_t buf[2][512];
    struct anyvm_blk_request r[2];
    for (int i = 0; i < 2; i++) {
        r[i] = (struct anyvm_blk_request){
            .op = ANYVM_BLK_READ, .sector = 0, .count = 1, .buf = buf[i], .done = count_done};
        CHECK_EQ(submit(b, &r[i]), 0);
    }
    d->dead = true;
    remove_disk(d); /* its driver fails both, the class forgets it, memory freed */
    CHECK_EQ(done_calls, 0u);
    unsigned want = 2;
    CHECK(anyvm_wait_until(all_done, &want, host_now_ns + 1000000000ull));
    CHECK_EQ(r[0].error, ENODEV);
    CHECK_EQ(r[1].error, ENODEV);

    struct anyvm_blk_info in;
    errno = 0;
    CHECK_EQ(anyvm_blk_info(b, &in), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_blk_read(b, 0, buf[0], 1), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_blk_write(b, 0, buf[0], 1), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_blk_flush(b), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(submit(b, &r[0]), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK(anyvm_blk_next(b) == NULL);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK(anyvm_blk_open(name) == NULL);
    CHECK_EQ(errno, ENOENT);

    /* A new disk, perhaps at the freed address, gets a handle of its own:
     * the stale one still answers ENODEV. */
    struct fake_disk *e = new_disk(100, false, true);
    struct anyvm_blk *fresh = handle(e);
    CHECK(fresh != NULL && fresh != b);
    CHECK_EQ(anyvm_blk_info(b, &in), -1);
    CHECK_EQ(errno, ENODEV);
    CHECK_EQ(anyvm_blk_info(fresh, &in), 0);
    remove_disk(e);
}

/* The disk goes away while a synchronous read waits for it. */
static struct fake_disk *vanishing;
static bool vanish(void)
{
    if (vanishing == NULL)
        return false;
    remove_disk(vanishing);
    vanishing = NULL;
    return true;
}

TEST(a_disk_removed_during_a_synchronous_read_answers_ENODEV)
{
    struct fake_disk *d = new_disk(100, false, true);
    struct anyvm_blk *b = handle(d);
    host_device_interrupt = vanish;
    vanishing = d;
    uint8_t buf[512];
    errno = 0;
    CHECK_EQ(anyvm_blk_read(b, 0, buf, 1), -1);
    CHECK_EQ(errno, ENODEV);
    CHECK(vanishing == NULL);
}

UNIT_MAIN()
