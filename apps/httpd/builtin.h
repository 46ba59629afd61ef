/* The page served at "/" when the root has no index.html: exactly 612
 * bytes, the size of nginx's default page, so that benchmarks of the two
 * move the same bytes. Its responses are kept ready, heads and body
 * together, and rebuilt only when the Date field changes (once a second). */
#ifndef HTTPD_BUILTIN_H
#define HTTPD_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>

#include "response.h"

#define BUILTIN_PAGE_LEN 612
#define BUILTIN_RESPONSE_MAX 1024

extern const char builtin_page[];

/* The three heads a 200 for the page can have. */
enum builtin_variant {
    BUILTIN_KEEP_ALIVE,        /* HTTP/1.1, persistent */
    BUILTIN_CLOSE,             /* Connection: close */
    BUILTIN_HTTP10_KEEP_ALIVE, /* HTTP/1.0 that asked for keep-alive */
    BUILTIN_VARIANTS,
};

struct builtin_responses {
    int64_t second; /* of the Date they carry */
    bool made;
    size_t head_len[BUILTIN_VARIANTS];
    size_t len[BUILTIN_VARIANTS]; /* head and body */
    char bytes[BUILTIN_VARIANTS][BUILTIN_RESPONSE_MAX];
};

/* Makes b hold the responses for this date (cheap when it already does). */
void builtin_refresh(struct builtin_responses *b, const struct http_date *date);

#endif
