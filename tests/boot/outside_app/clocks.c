/* Time: the wall clock three ways, the monotonic clock, and two sleeps
 * measured on it. Integers only (--no-float runs this). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "outside.h"

#define SLEEP_MS 50
#define MONOTONIC_READS 100

static int monotonic_ns(uint64_t *ns)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        printf("outside: FAIL clock_gettime(CLOCK_MONOTONIC): %s\n", strerror(errno));
        return -1;
    }
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return 0;
}

static int wall_clock(void)
{
    time_t now = time(NULL);
    struct timespec rt;
    struct timeval tv;
    if (clock_gettime(CLOCK_REALTIME, &rt) != 0 || gettimeofday(&tv, NULL) != 0) {
        printf("outside: FAIL the wall clock: %s\n", strerror(errno));
        return 1;
    }
    printf("outside: time() %lld\n", (long long)now);
    printf("outside: CLOCK_REALTIME %lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
    printf("outside: gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
    struct tm tm;
    char date[32];
    if (gmtime_r(&rt.tv_sec, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%d", &tm) == 0) {
        printf("outside: FAIL gmtime_r/strftime\n");
        return 1;
    }
    printf("outside: UTC date %s\n", date);
    return 0;
}

/* Each sleep is measured on CLOCK_MONOTONIC: the test bounds it. */
static int sleeps(void)
{
    uint64_t t0, t1, t2;
    struct timespec want = {0, SLEEP_MS * 1000000L};
    if (monotonic_ns(&t0) != 0)
        return 1;
    if (nanosleep(&want, NULL) != 0) {
        printf("outside: FAIL nanosleep: %s\n", strerror(errno));
        return 1;
    }
    if (monotonic_ns(&t1) != 0)
        return 1;
    if (usleep(SLEEP_MS * 1000) != 0) {
        printf("outside: FAIL usleep: %s\n", strerror(errno));
        return 1;
    }
    if (monotonic_ns(&t2) != 0)
        return 1;
    printf("outside: nanosleep %d ms took %llu us\n", SLEEP_MS,
           (unsigned long long)((t1 - t0) / 1000));
    printf("outside: usleep %d us took %llu us\n", SLEEP_MS * 1000,
           (unsigned long long)((t2 - t1) / 1000));
    return 0;
}

int check_clocks(void)
{
    int failed = wall_clock();
    uint64_t last, now;
    int backwards = 0;
    if (monotonic_ns(&last) != 0)
        return failed + 1;
    for (int i = 1; i < MONOTONIC_READS; i++) {
        if (monotonic_ns(&now) != 0)
            return failed + 1;
        backwards += now < last;
        last = now;
    }
    printf("outside: CLOCK_MONOTONIC %d reads, %d went backwards\n", MONOTONIC_READS, backwards);
    failed += backwards != 0;
    return failed + sleeps();
}
