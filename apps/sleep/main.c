/* sleep: exercises the monotonic clock and one-shot timers through the C
 * library. Sleeps for each argument's number of milliseconds (default 10 20
 * 5) with nanosleep, checks that at least that long passed on
 * CLOCK_MONOTONIC and that the clock never went back, and fails otherwise. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_MS 60000

static uint64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("sleep: clock_gettime");
        exit(2);
    }
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    static char *defaults[] = {"sleep", "10", "20", "5", NULL};
    if (argc < 2) {
        argc = 4;
        argv = defaults;
    }
    int failures = 0;
    uint64_t last = now_ns();
    for (int i = 1; i < argc; i++) {
        char *end;
        errno = 0;
        unsigned long ms = strtoul(argv[i], &end, 10);
        if (end == argv[i] || *end != '\0' || errno != 0 || ms > MAX_MS) {
            printf("sleep: bad duration '%s' (milliseconds, at most %d)\n", argv[i], MAX_MS);
            return 2;
        }
        struct timespec want = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
        uint64_t start = now_ns();
        if (nanosleep(&want, NULL) != 0) {
            perror("sleep: nanosleep");
            return 2;
        }
        uint64_t end_ns = now_ns();
        int ok = end_ns - start >= ms * 1000000ull && end_ns >= last;
        printf("sleep: %lu ms took %llu us: %s\n", ms,
               (unsigned long long)((end_ns - start) / 1000), ok ? "ok" : "TOO SHORT");
        failures += !ok;
        last = end_ns;
    }
    return failures ? 1 : 0;
}
