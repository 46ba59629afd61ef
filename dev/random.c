/* Entropy pool (see random.h). State: four 64-bit words. Input is absorbed a
 * word at a time between rounds of SipHash's ARX round function (Aumasson and
 * Bernstein, "SipHash: a fast short-input PRF", 2012); output is drawn from a
 * counter run through the same rounds, and the state is re-keyed from its own
 * output after every call so earlier outputs cannot be read back from it. */
#include "dev/random.h"

#include <string.h>

#include "arch/x86_64/cpu.h"
#include "core/log.h"

#ifdef ANYVM_HOST_TEST
/* Host tests (tests/unit/test_random.c) run this file as a user process,
 * where cli is not allowed; there is no interrupt to keep out. CPUID, RDTSC
 * and RDRAND work in user mode. */
#define cpu_irq_save() 0ull
#define cpu_irq_restore(flags) ((void)(flags))
#endif

#define CPUID_1_ECX_RDRAND (1u << 30)
#define RDRAND_RETRIES 10 /* Intel SDM vol. 1, 7.3.17: retry a few times on CF=0 */
#define WANTED_BITS 256

static uint64_t state[4];
static uint64_t counter;
static bool initialised;
static bool have_rdrand;
static bool rdrand_checked;
static uint64_t credited, device_bytes;

static struct {
    const char *name;
    void (*request)(void *ctx);
    void *ctx;
} sources[RANDOM_MAX_SOURCES];
static unsigned nsources;
static bool asking; /* a request to the sources is outstanding */

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static void rounds(unsigned n)
{
    uint64_t v0 = state[0], v1 = state[1], v2 = state[2], v3 = state[3];
    while (n--) {
        v0 += v1;
        v1 = rotl(v1, 13) ^ v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16) ^ v2;
        v0 += v3;
        v3 = rotl(v3, 21) ^ v0;
        v2 += v1;
        v1 = rotl(v1, 17) ^ v2;
        v2 = rotl(v2, 32);
    }
    state[0] = v0;
    state[1] = v1;
    state[2] = v2;
    state[3] = v3;
}

static void absorb_word(uint64_t w)
{
    state[3] ^= w;
    rounds(2);
    state[0] ^= w;
}

static bool rdrand64(uint64_t *out)
{
    for (int i = 0; i < RDRAND_RETRIES; i++) {
        uint64_t v;
        uint8_t ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        if (ok) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool cpu_has_rdrand(void)
{
    if (!rdrand_checked) {
        rdrand_checked = true;
        have_rdrand = cpuid(0, 0).eax >= 1 && (cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND);
    }
    return have_rdrand;
}

/* The TSC always, RDRAND when present. Called with interrupts off. */
static void stir(void)
{
    absorb_word(rdtsc_ordered());
    uint64_t r;
    if (cpu_has_rdrand()) {
        if (rdrand64(&r)) {
            absorb_word(r);
            /* Half a bit per bit: RDRAND output comes from a conditioned
             * DRBG we cannot inspect, so it is credited conservatively. */
            if (credited < UINT64_MAX - 32)
                credited += 32;
        } else {
            have_rdrand = false;
            kprintf("random: RDRAND keeps failing; no longer used\n");
        }
    }
}

static void init_locked(void)
{
    if (initialised)
        return;
    initialised = true;
    /* Distinct non-zero starting words ("somepseudorandomlygeneratedbytes",
     * SipHash's initialisation constants). */
    state[0] = 0x736f6d6570736575ull;
    state[1] = 0x646f72616e646f6dull;
    state[2] = 0x6c7967656e657261ull;
    state[3] = 0x7465646279746573ull;
    for (int i = 0; i < 4; i++)
        stir();
}

void random_add_entropy(const void *data, size_t len, unsigned bits)
{
    const uint8_t *p = data;
    uint64_t flags = cpu_irq_save();
    init_locked();
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = 0;
        size_t k = len - i < 8 ? len - i : 8;
        memcpy(&w, p + i, k);
        absorb_word(w ^ (uint64_t)k << 56);
    }
    if (bits > len * 8)
        bits = (unsigned)(len * 8);
    if (credited < UINT64_MAX - bits)
        credited += bits;
    device_bytes += len;
    asking = false;
    cpu_irq_restore(flags);
}

void random_bytes(void *buf, size_t n)
{
    uint8_t *out = buf;
    uint64_t flags = cpu_irq_save();
    init_locked();
    stir();
    while (n) {
        state[1] ^= ++counter;
        rounds(4);
        uint64_t w = state[0] ^ state[1] ^ state[2] ^ state[3];
        size_t k = n < 8 ? n : 8;
        memcpy(out, &w, k);
        out += k;
        n -= k;
    }
    /* Re-key from fresh output so the state no longer determines what was
     * just returned. */
    rounds(4);
    uint64_t k0 = state[0] ^ state[2], k1 = state[1] ^ state[3];
    state[0] ^= k1;
    state[3] ^= k0;
    rounds(2);
    bool ask = credited < WANTED_BITS && nsources && !asking;
    if (ask)
        asking = true;
    cpu_irq_restore(flags);
    if (ask)
        for (unsigned i = 0; i < nsources; i++)
            sources[i].request(sources[i].ctx);
}

uint64_t random_u64(void)
{
    uint64_t v;
    random_bytes(&v, sizeof v);
    return v;
}

/* The sources live in a fixed table, so random_bytes can walk it from an
 * interrupt handler with no allocation and no lock; RANDOM_MAX_SOURCES
 * independent devices are plenty to keep a pool seeded, and a further one
 * is refused with a line saying so rather than taken silently or dropped
 * silently. */
int random_register_source(const char *name, void (*request)(void *ctx), void *ctx)
{
    if (request == NULL)
        return -1;
    if (nsources >= RANDOM_MAX_SOURCES) {
        kprintf("random: entropy source %s not taken: the pool has its %u sources already\n",
                name ? name : "?", RANDOM_MAX_SOURCES);
        return -1;
    }
    sources[nsources].name = name;
    sources[nsources].ctx = ctx;
    sources[nsources].request = request;
    nsources++;
    return 0;
}

void random_get_status(struct random_status *st)
{
    uint64_t flags = cpu_irq_save();
    init_locked();
    memset(st, 0, sizeof *st);
    st->rdrand = have_rdrand;
    st->sources = nsources;
    for (unsigned i = 0; i < nsources; i++)
        st->source_name[i] = sources[i].name;
    st->credited_bits = credited;
    st->device_bytes = device_bytes;
    cpu_irq_restore(flags);
}
