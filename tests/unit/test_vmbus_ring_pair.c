/* The guest's VMBus ring code against hostsim's, in one process, on the
 * same pages (ring_pair.h): two implementations written separately from
 * the same layouts (Linux include/linux/hyperv.h, drivers/hv/ring_buffer.c;
 * openvmm vmbus_ring), each checking what the other writes. Thousands of
 * packets of random sizes each way through small rings, so the indices
 * wrap many times and both rings fill; the signalling rules both ways (a
 * writer signals only an unmasked reader of an empty ring; a reader
 * signals a writer whose pending_send_sz the freed space crosses), and
 * hostsim's --misbehave ring faults refused by the guest. */
#include <stdint.h>
#include <string.h>

#include "tests/unit/ring_pair.h"
#include "unit.h"

#define PAGE 4096u

static uint32_t seed = 12345;
static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

/* A payload whose first 4 bytes say its length and whose bytes follow
 * from (txid, index); padding to 8 bytes arrives as zeros. */
static size_t fill(uint8_t *p, size_t len, uint64_t txid)
{
    memcpy(p, &(uint32_t){(uint32_t)len}, 4);
    for (size_t i = 4; i < len; i++)
        p[i] = (uint8_t)(txid * 31 + i);
    return len;
}

static int good(const uint8_t *p, size_t got, uint64_t txid)
{
    uint32_t len;
    memcpy(&len, p, 4);
    if (len < 4 || got < len || got != ((len + 7u) & ~7u))
        return 0;
    for (size_t i = 4; i < len; i++)
        if (p[i] != (uint8_t)(txid * 31 + i))
            return 0;
    for (size_t i = len; i < got; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

TEST(thousands_of_round_trips_through_small_rings)
{
    CHECK_EQ(rp_init(2 * PAGE, 3 * PAGE), 0);
    static uint8_t buf[8192], back[8192], owed[8192];
    uint64_t sent = 0, at_host = 0, echoed = 0, at_guest = 0;
    unsigned guest_full = 0, host_full = 0, reader_signals = 0;
    const char *why;
    bool sig;
    while (at_guest < 20000) {
        /* the guest sends a burst until its ring is full */
        for (unsigned k = rnd() % 8; k > 0 && sent < 20000; k--) {
            size_t len = 4 + rnd() % 1500;
            int r = rp_guest_send(buf, fill(buf, len, sent), sent, &sig, &why);
            if (r == RP_FULL) {
                guest_full++;
                break;
            }
            CHECK_EQ(r, RP_OK);
            sent++;
        }
        /* the host drains some, echoing each back until its ring is full */
        for (unsigned k = rnd() % 8; k > 0; k--) {
            if (at_host > echoed)
                break; /* one echo owed: send it first */
            size_t n;
            uint64_t tx;
            int r = rp_host_recv(back, sizeof back, &n, &tx, &sig, &why);
            if (r == RP_EMPTY)
                break;
            CHECK(r == RP_OK);
            if (sig)
                reader_signals++; /* the guest waited for room */
            CHECK_EQ(tx, at_host);
            CHECK(good(back, n, tx));
            at_host++;
            uint32_t len;
            memcpy(&len, back, 4);
            r = rp_host_send(back, len, tx, &sig, &why);
            if (r == RP_FULL) {
                host_full++;
                memcpy(owed, back, len); /* sent again once the guest drains */
                continue;
            }
            CHECK_EQ(r, RP_OK);
            echoed++;
        }
        if (at_host > echoed) {
            uint32_t len;
            memcpy(&len, owed, 4);
            if (rp_host_send(owed, len, at_host - 1, &sig, &why) == RP_OK)
                echoed++;
        }
        /* the guest takes the echoes */
        for (unsigned k = rnd() % 16; k > 0; k--) {
            size_t n;
            uint64_t tx;
            int r = rp_guest_recv(back, sizeof back, &n, &tx, &sig, &why);
            if (r == RP_EMPTY)
                break;
            CHECK_EQ(r, RP_OK);
            CHECK_EQ(tx, at_guest);
            CHECK(good(back, n, tx));
            at_guest++;
        }
    }
    CHECK(guest_full > 10 && host_full > 10); /* both rings filled, many times */
    CHECK(reader_signals > 0);
}

TEST(signals_follow_the_rules_both_ways)
{
    CHECK_EQ(rp_init(2 * PAGE, 2 * PAGE), 0);
    static uint8_t buf[2048];
    const char *why;
    bool sig;
    size_t n;
    uint64_t tx;
    /* the guest writes into an empty ring: the host is told, once */
    CHECK_EQ(rp_guest_send(buf, fill(buf, 100, 1), 1, &sig, &why), RP_OK);
    CHECK(sig);
    CHECK_EQ(rp_guest_send(buf, fill(buf, 100, 2), 2, &sig, &why), RP_OK);
    CHECK(!sig);
    /* the host writes into the guest's empty ring: told unless masked */
    rp_guest_mask();
    CHECK_EQ(rp_host_send(buf, 64, 7, &sig, &why), RP_OK);
    CHECK(!sig);
    CHECK(rp_guest_unmask()); /* data came while masked: drain again */
    CHECK_EQ(rp_guest_recv(buf, sizeof buf, &n, &tx, &sig, &why), RP_OK);
    CHECK_EQ(tx, 7u);
    CHECK_EQ(rp_host_send(buf, 64, 8, &sig, &why), RP_OK);
    CHECK(sig);
    /* the guest fills its ring, waits for room; the host's reads tell it
     * once enough is free */
    int r;
    unsigned queued = 2;
    while ((r = rp_guest_send(buf, fill(buf, 1000, queued), queued, &sig, &why)) == RP_OK)
        queued++;
    CHECK_EQ(r, RP_FULL);
    unsigned told = 0;
    while (rp_host_recv(buf, sizeof buf, &n, &tx, &sig, &why) == RP_OK)
        told += sig;
    CHECK_EQ(told, 1u);
}

TEST(hostsims_faults_are_refused_by_the_guest)
{
    static uint8_t buf[2048];
    const char *why;
    bool sig;
    size_t n;
    uint64_t tx;
    for (int kind = 1; kind <= 2; kind++) {
        CHECK_EQ(rp_init(2 * PAGE, 2 * PAGE), 0);
        rp_host_corrupt_next(kind);
        CHECK_EQ(rp_host_send(buf, 64, 1, &sig, &why), RP_OK);
        CHECK_EQ(rp_guest_recv(buf, sizeof buf, &n, &tx, &sig, &why), RP_BROKEN);
        CHECK(why != NULL && why[0] != '\0');
    }
}

UNIT_MAIN()
