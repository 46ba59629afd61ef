/* sys/getrandom.c: getrandom's flags and buffers, the choice of source
 * (the kernel's pool is linked here, as in a kernel with dev/random.c),
 * each source's fill (RDRAND when this CPU has it, the TSC generator and
 * its one-time warning), and when the pool is ready, worth waiting for, or
 * weak. */
#include "arch/x86_64/cpu.h"
#include "dev/random.h"
#include "sys/getrandom.h"
#include "sys/linux_abi.h"
#include "sys/sys.h"
#include "tests/unit/host_sys.h"
#include "tests/unit/unit.h"

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

TEST(getrandom_fills_the_buffer_from_the_pool)
{
    host_sys_reset(0);
    CHECK_EQ(sys_random_source(), SYS_RANDOM_POOL);
    uint8_t a[64] = {0}, b[64] = {0};
    CHECK_EQ(SC(LINUX_NR_getrandom, a, sizeof a, 0), 64);
    CHECK_EQ(SC(LINUX_NR_getrandom, b, sizeof b, LINUX_GRND_NONBLOCK), 64);
    CHECK(!all_zero(a, sizeof a) && !all_zero(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    uint8_t c[5] = {0}, guard[3] = {0xee, 0xee, 0xee};
    CHECK_EQ(SC(LINUX_NR_getrandom, c, 3, LINUX_GRND_RANDOM), 3);
    CHECK(c[3] == 0 && c[4] == 0 && guard[0] == 0xee);
    CHECK_EQ(SC(LINUX_NR_getrandom, c, 0, LINUX_GRND_INSECURE), 0);
}

TEST(getrandom_refusals)
{
    host_sys_reset(0);
    uint8_t a[8];
    CHECK_EQ(SC(LINUX_NR_getrandom, a, sizeof a, 8), -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_getrandom, a, sizeof a, LINUX_GRND_INSECURE | LINUX_GRND_RANDOM),
             -LINUX_EINVAL);
    CHECK_EQ(SC(LINUX_NR_getrandom, NULL, sizeof a, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_getrandom, LINUX_TASK_SIZE_MAX - 8, 16, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_getrandom, -8, 4, 0), -LINUX_EFAULT);
    CHECK_EQ(SC(LINUX_NR_getrandom, NULL, 0, 0), 0);
}

static bool cpu_offers_rdrand(void)
{
    return cpuid(0, 0).eax >= 1 && (cpuid(1, 0).ecx & (1u << 30));
}

TEST(rdrand_fills_when_the_cpu_has_it)
{
    host_sys_reset(0);
    uint8_t a[13] = {0}, b[13] = {0};
    bool ok = sys_random_fill(SYS_RANDOM_RDRAND, a, sizeof a);
    CHECK_EQ(ok, cpu_offers_rdrand());
    if (ok) {
        CHECK(sys_random_fill(SYS_RANDOM_RDRAND, b, sizeof b));
        CHECK(memcmp(a, b, sizeof a) != 0);
    }
    CHECK(!LOG_CONTAINS("weak"));
}

TEST(the_tsc_generator_works_and_says_it_is_weak_once)
{
    host_sys_reset(0);
    uint8_t a[32] = {0}, b[32] = {0};
    CHECK(sys_random_fill(SYS_RANDOM_TSC, a, sizeof a));
    CHECK(sys_random_fill(SYS_RANDOM_TSC, b, sizeof b));
    CHECK(!all_zero(a, sizeof a));
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(LOG_CONTAINS("sys: getrandom: no random source but the time stamp counter; its bytes "
                       "are weak (guessable)\n"));
    const char *first = strstr(unit_log, "weak");
    CHECK(strstr(first + 1, "weak") == NULL);
}

TEST(when_the_pool_is_ready_worth_waiting_for_or_weak)
{
    struct random_status st = {0};
    CHECK_EQ(sys_random_pool_state(&st), SYS_POOL_WEAK); /* nothing will feed it */
    st.sources = 1;
    CHECK_EQ(sys_random_pool_state(&st), SYS_POOL_WAIT); /* virtio-rng was asked */
    st.credited_bits = 127;
    CHECK_EQ(sys_random_pool_state(&st), SYS_POOL_WAIT);
    st.credited_bits = 128;
    CHECK_EQ(sys_random_pool_state(&st), SYS_POOL_READY);
    st.sources = 0;
    CHECK_EQ(sys_random_pool_state(&st), SYS_POOL_READY); /* RDRAND's start-up reads */
}

UNIT_MAIN()
