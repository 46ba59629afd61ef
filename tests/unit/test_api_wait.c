/* api/wait.c and api/random.c (anyvm/wait.h, anyvm/random.h) on the real
 * event loop (the fake CPU of tests/unit/host_platform.c) and the real
 * random source: the app's clock, a wait that always runs pending work
 * first, sleeping with no condition, and the randomness status copied out. */
#include <errno.h>
#include <stdint.h>

#include <anyvm/random.h>
#include <anyvm/wait.h>

#include "core/event.h"
#include "dev/random.h"
#include "tests/unit/host_platform.h"
#include "tests/unit/unit.h"

static unsigned work_runs;
static void count_work(struct work *w)
{
    (void)w;
    work_runs++;
}
static struct work counted = WORK_INIT(count_work);

static bool always(void *ctx)
{
    (void)ctx;
    return true;
}

static bool ran_twice(void *ctx)
{
    (void)ctx;
    return work_runs >= 2;
}

/* A device that interrupts once per halt and queues the work. */
static bool tick(void)
{
    work_queue(&counted);
    return true;
}

TEST(the_clock_is_the_kernels)
{
    host_platform_reset();
    host_now_ns = 123456789;
    CHECK_EQ(anyvm_now_ns(), 123456789u);
}

TEST(a_wait_runs_pending_work_before_it_looks)
{
    host_platform_reset();
    work_runs = 0;
    work_queue(&counted);
    /* The condition holds already, the deadline has passed: the queued
     * work runs all the same, so a polling loop cannot starve devices. */
    CHECK(anyvm_wait_until(always, NULL, 0));
    CHECK_EQ(work_runs, 1u);
    CHECK(!anyvm_wait_until(ran_twice, NULL, 0));
}

TEST(a_wait_ends_when_its_condition_holds)
{
    host_platform_reset();
    host_device_interrupt = tick;
    work_runs = 0;
    CHECK(anyvm_wait_until(ran_twice, NULL, UINT64_MAX));
    CHECK_EQ(work_runs, 2u);
    CHECK_EQ(host_now_ns, 0u); /* woken by the device, not by a timer */
}

TEST(without_a_condition_it_sleeps_until_the_deadline)
{
    host_platform_reset();
    CHECK(!anyvm_wait_until(NULL, NULL, 5000000));
    CHECK_EQ(host_now_ns, 5000000u);
    CHECK(host_idles >= 1); /* halted, never spun */
}

static void ignore(void *ctx)
{
    (void)ctx;
}

TEST(the_randomness_status_is_copied_out)
{
    CHECK_EQ(random_register_source("virtio-rng", ignore, NULL), 0);
    CHECK_EQ(random_register_source("other-rng", ignore, NULL), 0);
    uint8_t seed[32];
    memset(seed, 0x33, sizeof seed);
    random_add_entropy(seed, sizeof seed, 64);
    struct random_status want;
    random_get_status(&want);
    struct anyvm_random_status st;
    memset(&st, 0x7e, sizeof st);
    CHECK_EQ(anyvm_random_status(&st), 0);
    CHECK_EQ(st.rdrand, want.rdrand);
    CHECK_EQ(st.sources, 2u);
    CHECK_STR(st.source_names[0], "virtio-rng");
    CHECK_STR(st.source_names[1], "other-rng");
    CHECK_STR(st.source_names[2], "");
    CHECK_EQ(st.credited_bits, want.credited_bits);
    CHECK_EQ(st.device_bytes, 32u);
    errno = 0;
    CHECK_EQ(anyvm_random_status(NULL), -1);
    CHECK_EQ(errno, EINVAL);
}

UNIT_MAIN()
