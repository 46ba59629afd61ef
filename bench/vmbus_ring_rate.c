/* The VMBus ring round-trip rate in co-simulation (make bench): the
 * guest's ring code (bus/vmbus/vmbus_ring.c) sends a 256-byte packet,
 * hostsim's (hostsim/vmbus/ring.c) reads it and answers with a completion
 * of the same size, the guest reads that; rings of 16 KiB each way, as the
 * integration services open them, both sides in this process on the same
 * pages (tests/unit/ring_pair.h). Prints round trips per second over
 * about a second, after a warm-up. Built -O2 without sanitizers. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/unit/ring_pair.h"

#define PAYLOAD 256
#define RING (16u * 1024u)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int round_trips(unsigned long n)
{
    static unsigned char buf[PAYLOAD], back[PAYLOAD + 8];
    const char *why;
    bool sig;
    size_t len;
    uint64_t tx;
    for (unsigned long i = 0; i < n; i++) {
        if (rp_guest_send(buf, PAYLOAD, i, &sig, &why) != RP_OK ||
            rp_host_recv(back, sizeof back, &len, &tx, &sig, &why) != RP_OK || tx != i ||
            rp_host_send(back, PAYLOAD, tx, &sig, &why) != RP_OK ||
            rp_guest_recv(back, sizeof back, &len, &tx, &sig, &why) != RP_OK || tx != i) {
            fprintf(stderr, "vmbus_ring_rate: round trip %lu failed: %s\n", i, why);
            return -1;
        }
    }
    return 0;
}

int main(void)
{
    if (rp_init(RING, RING) != 0 || round_trips(10000) != 0)
        return 1;
    unsigned long n = 0, step = 100000;
    double start = now(), t;
    do {
        if (round_trips(step) != 0)
            return 1;
        n += step;
        t = now() - start;
    } while (t < 1.0);
    printf("%.0f round trips/s (%lu in %.2f s, %d-byte packets, %u-byte rings)\n", n / t, n, t,
           PAYLOAD, RING);
    return 0;
}
