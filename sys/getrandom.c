/* getrandom from the best source the image has. The kernel's entropy pool
 * (dev/random.c: RDRAND, virtio-rng and the TSC mixed) belongs to the device
 * layers, which an image may go without, so it is reached through weak
 * references. Without it: RDRAND when CPUID.1:ECX bit 30 offers it (Intel
 * SDM vol. 2A, CPUID), else a generator stepped from the time stamp
 * counter, which is said once on the console: its bytes are guessable.
 *
 * Linux blocks getrandom until its pool is seeded (drivers/char/random.c,
 * Linux 6.1); GRND_NONBLOCK makes that EAGAIN and GRND_INSECURE skips it.
 * Here the pool counts as seeded with 128 bits credited (RDRAND's start-up
 * reads give that); while it is not and a device source such as virtio-rng
 * was asked, getrandom waits for the answer (through the event loop, at
 * most SEED_WAIT_NS), or says EAGAIN under GRND_NONBLOCK. A pool nothing
 * will ever seed (no RDRAND, no device) is used anyway, and called weak. */
#include "sys/getrandom.h"

#include "arch/x86_64/cpu.h"
#include "core/event.h"
#include "core/log.h"
#include "core/time.h"
#include "dev/random.h"
#include "sys/calls.h"
#include "sys/uaccess.h"

__attribute__((weak)) void random_bytes(void *buf, size_t n);
__attribute__((weak)) void random_get_status(struct random_status *st);

#define SEEDED_BITS 128
#define SEED_WAIT_NS 1000000000ull
#define CPUID_1_ECX_RDRAND (1u << 30)
#define RDRAND_RETRIES 10 /* Intel SDM vol. 1, 7.3.17: retry a few times on CF=0 */

static bool told_weak;
static uint64_t tsc_state;

void sys_getrandom_reset(void)
{
    told_weak = false;
}

static bool cpu_has_rdrand(void)
{
    return cpuid(0, 0).eax >= 1 && (cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND);
}

enum sys_random_source sys_random_source(void)
{
    if (random_bytes != NULL && random_get_status != NULL)
        return SYS_RANDOM_POOL;
    return cpu_has_rdrand() ? SYS_RANDOM_RDRAND : SYS_RANDOM_TSC;
}

static bool fill_rdrand(uint8_t *out, size_t n)
{
    if (!cpu_has_rdrand())
        return false;
    while (n) {
        uint64_t v = 0;
        int tries = 0;
        while (!cpu_rdrand64(&v))
            if (++tries == RDRAND_RETRIES)
                return false;
        size_t k = n < sizeof v ? n : sizeof v;
        memcpy(out, &v, k);
        out += k;
        n -= k;
    }
    return true;
}

/* SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), its state advanced by the TSC as well as by
 * its constant, so that no two calls repeat. */
static uint64_t tsc_next(void)
{
    tsc_state += 0x9e3779b97f4a7c15ull ^ rdtsc_ordered();
    uint64_t z = tsc_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void fill_tsc(uint8_t *out, size_t n)
{
    while (n) {
        uint64_t v = tsc_next();
        size_t k = n < sizeof v ? n : sizeof v;
        memcpy(out, &v, k);
        out += k;
        n -= k;
    }
}

static void say_weak(const char *why)
{
    if (!told_weak)
        kprintf("sys: getrandom: %s; its bytes are weak (guessable)\n", why);
    told_weak = true;
}

bool sys_random_fill(enum sys_random_source src, void *buf, size_t n)
{
    switch (src) {
    case SYS_RANDOM_POOL:
        if (random_bytes == NULL)
            return false;
        random_bytes(buf, n);
        return true;
    case SYS_RANDOM_RDRAND:
        return fill_rdrand(buf, n);
    case SYS_RANDOM_TSC:
    default:
        say_weak("no random source but the time stamp counter");
        fill_tsc(buf, n);
        return true;
    }
}

enum sys_random_pool sys_random_pool_state(const struct random_status *st)
{
    if (st->credited_bits >= SEEDED_BITS)
        return SYS_POOL_READY;
    return st->sources ? SYS_POOL_WAIT : SYS_POOL_WEAK;
}

static bool pool_seeded(void *ctx)
{
    (void)ctx;
    struct random_status st;
    random_get_status(&st);
    return sys_random_pool_state(&st) == SYS_POOL_READY;
}

/* 0 when the pool may be read now, -EAGAIN when it should be waited for. */
static long pool_ready(uint32_t flags)
{
    struct random_status st;
    random_get_status(&st);
    if (flags & LINUX_GRND_INSECURE)
        return 0;
    switch (sys_random_pool_state(&st)) {
    case SYS_POOL_READY:
        return 0;
    case SYS_POOL_WEAK:
        say_weak("no RDRAND and no random device seed the kernel's pool");
        return 0;
    case SYS_POOL_WAIT:
    default:
        break;
    }
    if (flags & LINUX_GRND_NONBLOCK)
        return -LINUX_EAGAIN;
    uint8_t ask; /* a read while little is credited asks the devices for more */
    random_bytes(&ask, sizeof ask);
    if (!wait_until(pool_seeded, NULL, time_now_ns() + SEED_WAIT_NS))
        say_weak("the random devices did not seed the kernel's pool in time");
    return 0;
}

long sys_getrandom(const long *a)
{
    uint64_t buf = (uint64_t)a[0], n = (uint64_t)a[1];
    uint32_t flags = (uint32_t)a[2];
    if (flags & ~(uint32_t)(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
        return -LINUX_EINVAL;
    if ((flags & LINUX_GRND_INSECURE) && (flags & LINUX_GRND_RANDOM))
        return -LINUX_EINVAL;
    enum sys_random_source src = sys_random_source();
    if (src == SYS_RANDOM_POOL) {
        long r = pool_ready(flags);
        if (r < 0)
            return r;
    }
    /* Linux caps the length before it checks the range and then writes up
     * to the first unmapped page; nothing is unmapped here, so the whole
     * range asked for is checked first. */
    if (!user_range_ok(buf, n))
        return -LINUX_EFAULT;
    if (n > LINUX_MAX_RW_COUNT)
        n = LINUX_MAX_RW_COUNT;
    if (n == 0)
        return 0;
    if (!sys_random_fill(src, user_ptr(buf), n)) {
        /* RDRAND stopped answering: the time stamp counter is all there is. */
        sys_random_fill(SYS_RANDOM_TSC, user_ptr(buf), n);
    }
    return (long)n;
}
