/* Counters and their report (stats.h). */
#include "stats.h"

#include <inttypes.h>

static const int counted[STATS_STATUSES] = {200, 301, 400, 403, 404, 405, 408,
                                            413, 414, 431, 500, 503, 505};

void stats_count_status(struct httpd_stats *s, int status)
{
    size_t i = 0;
    while (i < STATS_STATUSES && counted[i] != status)
        i++;
    s->by_status[i]++;
}

void stats_print(FILE *f, const struct httpd_stats *s, uint64_t open_now)
{
    fprintf(f,
            "httpd: stats: requests=%" PRIu64 " bytes=%" PRIu64 " accepted=%" PRIu64
            " refused=%" PRIu64 " timed_out=%" PRIu64 " open=%" PRIu64 " status:",
            s->requests, s->bytes_sent, s->accepted, s->refused, s->timed_out, open_now);
    for (size_t i = 0; i < STATS_STATUSES; i++)
        if (s->by_status[i] != 0)
            fprintf(f, " %d=%" PRIu64, counted[i], s->by_status[i]);
    if (s->by_status[STATS_STATUSES] != 0)
        fprintf(f, " other=%" PRIu64, s->by_status[STATS_STATUSES]);
    fputc('\n', f);
    fflush(f);
}
