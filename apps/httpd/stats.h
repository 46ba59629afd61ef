/* What the server counts, and the one line that reports it. */
#ifndef HTTPD_STATS_H
#define HTTPD_STATS_H

#include <stdint.h>
#include <stdio.h>

/* The statuses counted one by one; anything else counts as "other". */
#define STATS_STATUSES 13

struct httpd_stats {
    uint64_t requests;   /* responses begun, errors included */
    uint64_t bytes_sent; /* everything written to sockets */
    uint64_t accepted;   /* connections taken into the table */
    uint64_t refused;    /* connections accepted and closed at once: the table was full */
    uint64_t timed_out;  /* connections closed by the idle timeout */
    uint64_t by_status[STATS_STATUSES + 1];
};

void stats_count_status(struct httpd_stats *s, int status);

/* One line: "httpd: stats: requests=N bytes=N accepted=N refused=N
 * timed_out=N open=N status: 200=N 404=N ..." (statuses with a count only). */
void stats_print(FILE *f, const struct httpd_stats *s, uint64_t open_now);

#endif
