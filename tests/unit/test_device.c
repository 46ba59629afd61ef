/* core/device.c (the bus core) and core/param.c with buses and drivers
 * registered in this file, as a bus and its drivers would: start order,
 * matching by score, the probe loop's bookkeeping, a device disabled during
 * probe, late adds, removal (children first), quiescing (children first),
 * and typed kernel parameters. */
#include <stdint.h>

#include "core/cmdline.h"
#include "core/device.h"
#include "core/param.h"
#include "core/platform.h"
#include "tests/unit/unit.h"

static char trail[256];
static size_t ntrail;
static void note(const char *s)
{
    size_t n = strlen(s);
    if (ntrail + n + 1 < sizeof trail) {
        memcpy(trail + ntrail, s, n);
        ntrail += n;
        trail[ntrail++] = ' ';
        trail[ntrail] = '\0';
    }
}

/* A bus of "toys": a device has a kind; a driver's table lists kinds, 0 for
 * "any kind" (which scores lower than an exact kind). */
struct toy {
    struct device dev;
    int kind;
};
struct toy_driver {
    struct driver drv;
    const int *kinds;
    int result;    /* what probe returns */
    bool disables; /* probe disables the device */
};

static int toy_match(struct device *dev, const struct driver *drv, const void **id)
{
    const struct toy *t = container_of(dev, struct toy, dev);
    const struct toy_driver *d = container_of(drv, const struct toy_driver, drv);
    for (const int *k = d->kinds; *k >= 0; k++) {
        if (*k == t->kind || *k == 0) {
            *id = k;
            return *k == t->kind ? 2 : 1;
        }
    }
    return -1;
}

static int toy_probe(struct device *dev, const struct driver *drv, const void *id)
{
    (void)id;
    const struct toy_driver *d = container_of(drv, const struct toy_driver, drv);
    char s[128];
    snprintf(s, sizeof s, "probe:%s:%s", dev->name, drv->name);
    note(s);
    if (d->disables)
        device_disable(dev, "broke the rules on purpose");
    return d->result;
}

static void toy_remove(struct device *dev)
{
    char s[128];
    snprintf(s, sizeof s, "remove:%s", dev->name);
    note(s);
}

static void toy_quiesce(struct device *dev)
{
    char s[128];
    snprintf(s, sizeof s, "quiesce:%s", dev->name);
    note(s);
}

static void toy_start(void)
{
    note("start:toy");
}
static void early_start(void)
{
    note("start:early");
}

static const struct bus toy_bus = {
    .name = "toy",
    .order = 50,
    .start = toy_start,
    .match = toy_match,
    .probe = toy_probe,
    .remove = toy_remove,
    .quiesce = toy_quiesce,
    .report_no_driver = true,
};
BUS_REGISTER(toy_bus);
static const struct bus early_bus = {.name = "early", .order = 5, .start = early_start};
BUS_REGISTER(early_bus);

static const int kinds_7[] = {7, -1};
static const int kinds_any[] = {0, -1};
static const int kinds_9[] = {9, -1};
static const int kinds_5[] = {5, -1};
/* "generic" takes anything but fails; "seven" takes kind 7; "nine" disables
 * kind 9; "five" succeeds but link order puts it after "generic". */
static const struct toy_driver generic = {{"generic", &toy_bus}, kinds_any, -19, false};
static const struct toy_driver seven = {{"seven", &toy_bus}, kinds_7, 0, false};
static const struct toy_driver nine = {{"nine", &toy_bus}, kinds_9, -5, true};
static const struct toy_driver five = {{"five", &toy_bus}, kinds_5, 0, false};
DRIVER_REGISTER(generic, &generic.drv);
DRIVER_REGISTER(seven, &seven.drv);
DRIVER_REGISTER(nine, &nine.drv);
DRIVER_REGISTER(five, &five.drv);

static struct toy *toy(const char *name, int kind, struct device *parent)
{
    struct toy *t = calloc(1, sizeof *t);
    snprintf(t->dev.name, sizeof t->dev.name, "%s", name);
    t->dev.bus = &toy_bus;
    t->dev.parent = parent;
    t->kind = kind;
    return t;
}

static void clear(void)
{
    ntrail = 0;
    trail[0] = '\0';
    unit_log_clear();
}

TEST(buses_start_in_order)
{
    clear();
    buses_start();
    CHECK_STR(trail, "start:early start:toy ");
    unsigned n;
    bus_table(&n);
    CHECK_EQ(n, 2u);
}

TEST(best_match_first_then_bookkeeping)
{
    clear();
    struct toy *a = toy("a", 7, NULL);
    device_add(&a->dev);
    /* The exact match is tried first and takes it: generic never sees it. */
    CHECK_STR(trail, "probe:a:seven ");
    CHECK_EQ(a->dev.state, DEVICE_BOUND);
    CHECK(a->dev.driver == &seven.drv);

    clear();
    struct toy *b = toy("b", 5, NULL);
    device_add(&b->dev);
    CHECK_STR(trail, "probe:b:five ");
    CHECK_EQ(b->dev.state, DEVICE_BOUND);

    clear();
    struct toy *c = toy("c", 3, NULL); /* only generic matches, and fails */
    device_add(&c->dev);
    CHECK_STR(trail, "probe:c:generic ");
    CHECK_EQ(c->dev.state, DEVICE_FAILED);
    CHECK_EQ(c->dev.probe_result, -19);
    CHECK(c->dev.driver == &generic.drv);
    CHECK(LOG_CONTAINS("toy c: driver generic failed (-19)"));
}

TEST(disabled_during_probe_stays_disabled)
{
    clear();
    struct toy *d = toy("d", 9, NULL);
    device_add(&d->dev);
    /* nine disables it; generic (which also matches) is not tried. */
    CHECK_STR(trail, "probe:d:nine ");
    CHECK_EQ(d->dev.state, DEVICE_DISABLED);
    CHECK_STR(d->dev.reason, "broke the rules on purpose");
    CHECK(LOG_CONTAINS("toy d: disabled: broke the rules on purpose"));
    /* Reported once. */
    unit_log_clear();
    device_disable(&d->dev, "again");
    CHECK(!LOG_CONTAINS("again"));
}

static const struct bus lonely_bus = {.name = "lonely",
                                      .order = 60,
                                      .match = toy_match,
                                      .probe = toy_probe,
                                      .report_no_driver = true};

TEST(no_driver_is_reported_where_the_bus_wants_it)
{
    clear();
    struct toy *e = toy("e", 1, NULL);
    e->dev.bus = &lonely_bus; /* no driver registers for this bus */
    device_add(&e->dev);
    CHECK_EQ(e->dev.state, DEVICE_NO_DRIVER);
    CHECK(e->dev.driver == NULL);
    CHECK(LOG_CONTAINS("lonely e: no driver"));
}

static unsigned count_named(const char *name)
{
    unsigned n = 0;
    for (struct device *d = device_first(); d; d = d->next)
        n += strcmp(d->name, name) == 0;
    return n;
}

TEST(late_add_and_remove_children_first)
{
    clear();
    unsigned before = device_count();
    struct toy *parent = toy("p", 7, NULL);
    device_add(&parent->dev);
    struct toy *child = toy("p.c", 5, &parent->dev);
    device_add(&child->dev);
    CHECK_EQ(device_count(), before + 2);
    clear();
    device_remove(&parent->dev);
    CHECK_STR(trail, "remove:p.c remove:p ");
    CHECK_EQ(device_count(), before);
    CHECK_EQ(count_named("p"), 0u);
    CHECK_EQ(count_named("p.c"), 0u);
    /* A device that appears later (an offer after boot) is probed at once. */
    clear();
    device_add(&parent->dev);
    CHECK_STR(trail, "probe:p:seven ");
    CHECK_EQ(count_named("p"), 1u);
    device_remove(&parent->dev);
    free(parent);
    free(child);
}

TEST(quiesce_children_first_bound_only)
{
    clear();
    struct toy *q = toy("q", 7, NULL);
    device_add(&q->dev);
    struct toy *qc = toy("q.c", 5, &q->dev);
    device_add(&qc->dev);
    clear();
    devices_quiesce();
    /* Later devices first; failed and disabled ones (c, d) are left alone. */
    CHECK_STR(trail, "quiesce:q.c quiesce:q quiesce:b quiesce:a ");
    device_remove(&q->dev);
    free(q);
    free(qc);
}

KERNEL_PARAM(param_flag, "toy.flag", "a flag");
KERNEL_PARAM(param_number, "toy.number", "a number");
KERNEL_PARAM(param_bad, "toy.bad", "a malformed number");
KERNEL_PARAM(param_absent, "toy.absent", "not on the command line");

TEST(kernel_params_from_the_table)
{
    static struct cmdline cl;
    char err[64];
    CHECK_EQ(cmdline_parse("toy.flag toy.number=0x20 toy.bad=12x", &cl, err, sizeof err), 0);
    platform_set_cmdline(&cl);
    CHECK(param_find("toy.flag") == &param_flag);
    CHECK(param_find("toy.nothing") == NULL);
    CHECK(param_present(&param_flag));
    CHECK_STR(param_value(&param_flag), "");
    CHECK(!param_present(&param_absent));
    CHECK_EQ(param_uint(&param_number, 7, 1, 100), 32u);
    CHECK_EQ(param_uint(&param_number, 7, 1, 10), 7u); /* out of range: default */
    CHECK(LOG_CONTAINS("toy.number=0x20 ignored: expected a number from 1 to 10"));
    CHECK_EQ(param_uint(&param_bad, 7, 0, 100), 7u);
    CHECK_EQ(param_uint(&param_absent, 9, 0, 100), 9u);
    unsigned n;
    param_table(&n);
    CHECK_EQ(n, 4u);
}

UNIT_MAIN()
