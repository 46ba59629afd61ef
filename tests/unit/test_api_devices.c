/* api/devices.c (anyvm/devices.h) on the real bus core, with a bus and
 * drivers registered here: the inventory as the app sees it (names with
 * their bus, parents, drivers, states and reasons), the buses listed, and
 * removal by name, end to end through a disk driver: the app's handle on
 * the removed disk then answers ENODEV, its request in flight finishes with
 * ENODEV. */
#include <errno.h>
#include <stdint.h>

#include <anyvm/blk.h>
#include <anyvm/devices.h>
#include <anyvm/wait.h>

#include "core/device.h"
#include "dev/blkdev.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

/* A bus of "toys"; a driver takes the kinds its table lists. The "disk"
 * driver runs a block device that holds its requests until removed. */
struct toy {
    struct device dev;
    int kind;
    struct blkdev *bd; /* the disk driver's */
    struct blk_request *held;
};
struct toy_driver {
    struct driver drv;
    int kind;
    int result;    /* probe's */
    bool disables; /* probe disables the device */
    bool disk;     /* probe registers a disk */
};

static int toy_match(struct device *dev, const struct driver *drv, const void **id)
{
    const struct toy *t = container_of(dev, struct toy, dev);
    const struct toy_driver *d = container_of(drv, const struct toy_driver, drv);
    *id = d;
    return d->kind == t->kind ? 1 : -1;
}

static int hold(struct blkdev *bd, struct blk_request *req)
{
    struct toy *t = bd->priv;
    if (t->held)
        return BLK_EBUSY;
    t->held = req;
    return 0;
}
static const struct blkdev_ops hold_ops = {.submit = hold};

static int toy_probe(struct device *dev, const struct driver *drv, const void *id)
{
    (void)drv;
    const struct toy_driver *d = id;
    struct toy *t = container_of(dev, struct toy, dev);
    if (d->disables)
        device_disable(dev, "broke the rules on purpose");
    if (d->disk) {
        t->bd = calloc(1, sizeof *t->bd);
        *t->bd = (struct blkdev){.driver = "toy-disk",
                                 .dev = dev,
                                 .sector_size = 512,
                                 .capacity = 64,
                                 .ops = &hold_ops,
                                 .priv = t};
        if (blkdev_register(t->bd) != 0)
            return -1;
    }
    return d->result;
}

/* As a driver lets go: fail what the disk holds, leave the class, free. */
static void toy_remove(struct device *dev)
{
    struct toy *t = container_of(dev, struct toy, dev);
    if (t->bd == NULL)
        return;
    if (t->held)
        blkdev_complete(t->bd, t->held, BLK_EIO);
    t->held = NULL;
    blkdev_unregister(t->bd);
    free(t->bd);
    t->bd = NULL;
}

static const struct bus toy_bus = {
    .name = "toy", .order = 50, .match = toy_match, .probe = toy_probe, .remove = toy_remove};
BUS_REGISTER(toy_bus);
/* A discovery helper: no drivers bind on it, its devices live elsewhere. */
static const struct bus finder_bus = {.name = "finder", .order = 5};
BUS_REGISTER(finder_bus);
static const struct bus empty_bus = {.name = "empty", .order = 60, .match = toy_match};
BUS_REGISTER(empty_bus);

static const struct toy_driver plain = {{"plain", &toy_bus}, 1, 0, false, false};
static const struct toy_driver failing = {{"failing", &toy_bus}, 2, -19, false, false};
static const struct toy_driver breaking = {{"breaking", &toy_bus}, 3, -5, true, false};
static const struct toy_driver disk = {{"disk", &toy_bus}, 4, 0, false, true};
DRIVER_REGISTER(plain, &plain.drv);
DRIVER_REGISTER(failing, &failing.drv);
DRIVER_REGISTER(breaking, &breaking.drv);
DRIVER_REGISTER(disk, &disk.drv);

static struct toy *add(const char *name, int kind, struct toy *parent)
{
    struct toy *t = calloc(1, sizeof *t);
    snprintf(t->dev.name, sizeof t->dev.name, "%s", name);
    t->dev.bus = &toy_bus;
    t->dev.parent = parent ? &parent->dev : NULL;
    t->kind = kind;
    device_add(&t->dev);
    return t;
}

static struct anyvm_device *find(struct anyvm_device *all, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].name, name) == 0)
            return &all[i];
    return NULL;
}

static struct toy *bridge, *leaf, *broken, *failed, *stray;

TEST(the_inventory_as_the_app_sees_it)
{
    size_t before = anyvm_devices(NULL, 0);
    bridge = add("bridge", 1, NULL);
    leaf = add("leaf", 1, bridge);
    broken = add("broken", 3, NULL);
    failed = add("failed", 2, NULL);
    stray = add("stray", 99, NULL);
    CHECK_EQ(anyvm_devices(NULL, 0), before + 5);

    struct anyvm_device all[16];
    size_t n = anyvm_devices(all, 16);
    CHECK_EQ(n, before + 5);
    struct anyvm_device *d = find(all, n, "toy leaf");
    CHECK(d != NULL);
    CHECK_STR(d->bus, "toy");
    CHECK_STR(d->parent, "toy bridge");
    CHECK_STR(d->driver, "plain");
    CHECK_STR(d->state, "bound");
    CHECK_STR(d->reason, "");
    d = find(all, n, "toy bridge");
    CHECK(d != NULL && d->parent[0] == '\0');
    d = find(all, n, "toy broken");
    CHECK(d != NULL);
    CHECK_STR(d->state, "disabled");
    CHECK_STR(d->reason, "broke the rules on purpose");
    CHECK_STR(d->driver, "breaking");
    d = find(all, n, "toy failed");
    CHECK(d != NULL);
    CHECK_STR(d->state, "driver failed");
    CHECK_STR(d->driver, "failing");
    CHECK_STR(d->reason, "probe failed (-19)");
    d = find(all, n, "toy stray");
    CHECK(d != NULL);
    CHECK_STR(d->state, "no driver");
    CHECK_STR(d->driver, "");

    /* A short array gets what fits; the count is still the whole. */
    struct anyvm_device two[3];
    memset(two, 0x7e, sizeof two);
    CHECK_EQ(anyvm_devices(two, 2), n);
    CHECK_EQ((unsigned char)two[2].name[0], 0x7eu);
}

TEST(buses_with_drivers_are_listed_even_empty)
{
    struct anyvm_bus b[8];
    size_t n = anyvm_device_buses(b, 8);
    CHECK_EQ(n, 2u);
    CHECK_EQ(anyvm_device_buses(NULL, 0), 2u);
    bool toy = false, empty = false;
    for (size_t i = 0; i < n; i++) {
        toy |= strcmp(b[i].name, "toy") == 0;
        empty |= strcmp(b[i].name, "empty") == 0;
    }
    CHECK(toy && empty); /* not "finder" */
}

TEST(removal_by_name)
{
    size_t before = anyvm_devices(NULL, 0);
    errno = 0;
    CHECK_EQ(anyvm_device_remove("bridge"), -1); /* the name is "toy bridge" */
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(anyvm_device_remove(NULL), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(anyvm_device_remove("toy bridge"), 0); /* and what it carries */
    CHECK_EQ(anyvm_devices(NULL, 0), before - 2);
    struct anyvm_device all[16];
    size_t n = anyvm_devices(all, 16);
    CHECK(find(all, n, "toy bridge") == NULL && find(all, n, "toy leaf") == NULL);
    CHECK(find(all, n, "toy stray") != NULL);
    errno = 0;
    CHECK_EQ(anyvm_device_remove("toy bridge"), -1);
    CHECK_EQ(errno, ENOENT);
    free(leaf);
    free(bridge);
}

static int done_calls;
static void count_done(struct anyvm_blk_request *r)
{
    (void)r;
    done_calls++;
}
static bool one_done(void *ctx)
{
    (void)ctx;
    return done_calls == 1;
}

TEST(removing_a_disk_device_leaves_a_safe_handle)
{
    host_platform_reset();
    struct toy *t = add("disk0", 4, NULL);
    CHECK(t->bd != NULL);
    struct anyvm_blk *b = anyvm_blk_open(t->bd->name);
    CHECK(b != NULL);
    struct anyvm_blk_info in;
    CHECK_EQ(anyvm_blk_info(b, &in), 0);
    CHECK_STR(in.device, "toy disk0");
    char name[16];
    snprintf(name, sizeof name, "%s", in.name);

    uint8_t buf[512];
    struct anyvm_blk_request r = {
        .op = ANYVM_BLK_READ, .sector = 0, .count = 1, .buf = buf, .done = count_done};
    CHECK_EQ(anyvm_blk_submit(b, &r), 0);
    CHECK(t->held != NULL);
    CHECK_EQ(anyvm_device_remove(in.device), 0);
    CHECK(t->bd == NULL); /* the driver freed its disk */
    CHECK_EQ(done_calls, 0);
    CHECK(anyvm_wait_until(one_done, NULL, host_now_ns + 1000000));
    CHECK_EQ(r.error, ENODEV);

    errno = 0;
    CHECK_EQ(anyvm_blk_info(b, &in), -1);
    CHECK_EQ(errno, ENODEV);
    errno = 0;
    CHECK_EQ(anyvm_blk_read(b, 0, buf, 1), -1);
    CHECK_EQ(errno, ENODEV);
    CHECK(anyvm_blk_open(name) == NULL);
    free(t);
}

UNIT_MAIN()
