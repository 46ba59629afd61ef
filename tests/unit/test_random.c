/* dev/random.c: registration of entropy sources (the pool takes
 * RANDOM_MAX_SOURCES and says so when a further one is refused, as a fifth
 * virtio-rng device would be), and that every registered source is asked
 * for entropy while little has been credited. */
#include <stdint.h>

#include "dev/random.h"
#include "tests/unit/unit.h"

static unsigned asked[RANDOM_MAX_SOURCES + 2];

static void request(void *ctx)
{
    asked[(uintptr_t)ctx]++;
}

TEST(sources_beyond_the_limit_are_refused_with_a_message)
{
    static const char *names[] = {"virtio-rng", "virtio-rng", "virtio-rng", "virtio-rng",
                                  "virtio-rng"};
    CHECK_EQ(random_register_source("none", NULL, NULL), -1);
    for (uintptr_t i = 0; i < RANDOM_MAX_SOURCES; i++)
        CHECK_EQ(random_register_source(names[i], request, (void *)i), 0);
    CHECK(!LOG_CONTAINS("not taken"));
    CHECK_EQ(random_register_source(names[4], request, (void *)(uintptr_t)RANDOM_MAX_SOURCES), -1);
    CHECK(LOG_CONTAINS("random: entropy source virtio-rng not taken: the pool has its 4 sources "
                       "already"));
    struct random_status st;
    random_get_status(&st);
    CHECK_EQ(st.sources, (unsigned)RANDOM_MAX_SOURCES);
    for (unsigned i = 0; i < RANDOM_MAX_SOURCES; i++)
        CHECK_STR(st.source_name[i], "virtio-rng");

    /* Little credited: one call asks every registered source, once, and
     * the refused one never. */
    uint8_t buf[16];
    random_bytes(buf, sizeof buf);
    random_bytes(buf, sizeof buf); /* a request is outstanding: not asked again */
    for (unsigned i = 0; i < RANDOM_MAX_SOURCES; i++)
        CHECK_EQ(asked[i], 1u);
    CHECK_EQ(asked[RANDOM_MAX_SOURCES], 0u);
    /* An answer ends the outstanding request; then they are asked again. */
    random_add_entropy("0123456789abcdef", 16, 8);
    random_bytes(buf, sizeof buf);
    for (unsigned i = 0; i < RANDOM_MAX_SOURCES; i++)
        CHECK_EQ(asked[i], 2u);
    random_get_status(&st);
    CHECK_EQ(st.device_bytes, 16u);
    /* Enough credited: nobody is asked. */
    uint8_t seed[64];
    memset(seed, 0x5a, sizeof seed);
    random_add_entropy(seed, sizeof seed, 512);
    random_bytes(buf, sizeof buf);
    for (unsigned i = 0; i < RANDOM_MAX_SOURCES; i++)
        CHECK_EQ(asked[i], 2u);
}

UNIT_MAIN()
