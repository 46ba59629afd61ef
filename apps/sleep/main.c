/* sleep: exercises the monotonic clock and one-shot timers. Sleeps for each
 * argument's number of milliseconds (default 10 20 5), checks that at least
 * that long passed on the monotonic clock, and fails otherwise. */
#include <stdio.h>
#include <stdlib.h>

#include "core/time.h"

int main(int argc, char **argv)
{
    static char *defaults[] = {"sleep", "10", "20", "5", NULL};
    if (argc < 2) {
        argc = 4;
        argv = defaults;
    }
    int failures = 0;
    uint64_t last = time_now_ns();
    for (int i = 1; i < argc; i++) {
        char *end;
        unsigned long ms = strtoul(argv[i], &end, 10);
        if (*end != '\0' || ms > 60000) {
            printf("sleep: bad duration '%s' (milliseconds, at most 60000)\n", argv[i]);
            return 2;
        }
        uint64_t start = time_now_ns();
        sleep_ns(ms * 1000000ull);
        uint64_t end_ns = time_now_ns();
        uint64_t took_us = (end_ns - start) / 1000;
        int ok = end_ns - start >= ms * 1000000ull && end_ns >= last;
        printf("sleep: %lu ms took %lu us: %s\n", ms, (unsigned long)took_us,
               ok ? "ok" : "TOO SHORT");
        failures += !ok;
        last = end_ns;
    }
    return failures ? 1 : 0;
}
