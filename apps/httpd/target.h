/* From a request-target to the path of a file under the served root:
 * which form the target has, percent-decoding, and removing "." and ".."
 * segments without ever leaving the root. Pure: no file is touched. */
#ifndef HTTPD_TARGET_H
#define HTTPD_TARGET_H

#include <stdbool.h>
#include <stddef.h>

struct http_path {
    size_t len;          /* of the decoded path written to `out`, always starting with '/' */
    bool trailing_slash; /* the target named a directory ("/", "/a/", "/a/.") */
    size_t raw_off;      /* the path part of the target as sent (before any '?'), */
    size_t raw_len;      /* for a redirect's Location */
};

/* Writes the decoded, normalised path of target[0..len) to out (NUL
 * terminated; cap must be at least len + 2) and returns 0, or the status
 * to answer instead: 400 (not origin- or absolute-form, a bad or NUL
 * percent-escape), 403 (".." would leave the root). */
int http_target_path(const char *target, size_t len, char *out, size_t cap, struct http_path *res);

#endif
